"""Parsers of user input never crash: whatever is typed, a form is valid or has errors."""

import datetime as dt

from django import forms
from hypothesis import given, settings
from hypothesis import strategies as st

from harbour.children.forms import ChildSearchForm
from harbour.children.selectors import normalise_postcode
from harbour.web.forms import GovukDateField

typed = st.text(max_size=30)


class DateForm(forms.Form):
    when = GovukDateField(label="Date of birth", required=False)


@settings(max_examples=300, deadline=None)
@given(day=typed, month=typed, year=typed)
def test_the_date_input_never_crashes(day, month, year):
    form = DateForm({"when_day": day, "when_month": month, "when_year": year})
    if form.is_valid():
        value = form.cleaned_data["when"]
        assert value is None or isinstance(value, dt.date)
    else:
        assert str(form.errors["when"][0]).startswith("Date of birth")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_real_date_round_trips(value):
    form = DateForm(
        {"when_day": str(value.day), "when_month": str(value.month), "when_year": str(value.year)}
    )
    assert form.is_valid()
    assert form.cleaned_data["when"] == value


@settings(max_examples=200, deadline=None)
@given(name=typed, postcode=typed, day=typed, month=typed, year=typed)
def test_the_child_search_form_never_crashes(name, postcode, day, month, year):
    form = ChildSearchForm(
        {
            "name": name,
            "postcode": postcode,
            "date_of_birth_day": day,
            "date_of_birth_month": month,
            "date_of_birth_year": year,
        }
    )
    assert form.is_valid() or form.errors


@given(typed)
def test_postcode_normalisation_never_crashes_and_is_idempotent(value):
    once = normalise_postcode(value)
    assert normalise_postcode(once) == once
