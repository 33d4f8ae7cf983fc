"""The referral's own checks on what a referrer types: a postcode is a postcode, and a child is
not born tomorrow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from harbour.frontdoor.forms import ChildDetailsForm, FindChildForm

CHILD = {"child_given_name": "Amari", "child_family_name": "Okafor-Test"}


@pytest.mark.parametrize(
    ("typed", "kept"), [("rv1 2ab", "RV1 2AB"), ("RV12AB", "RV1 2AB"), ("", "")]
)
def test_a_postcode_is_kept_in_its_written_form(typed, kept):
    form = ChildDetailsForm({**CHILD, "child_postcode": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["child_postcode"] == kept


@pytest.mark.parametrize("typed", ["NOPE", "RV1 2A", "12345678", "RV1"])
def test_a_postcode_that_is_not_one_is_an_error_not_cut_short(typed):
    form = ChildDetailsForm({**CHILD, "child_postcode": typed})
    assert not form.is_valid()
    assert form.errors["child_postcode"] == [
        "Enter a real postcode, like RV1 2AB, or leave it blank"
    ]


def test_find_the_child_refuses_a_date_of_birth_in_the_future():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = FindChildForm(
        {
            "name": "Amari",
            "date_of_birth_day": str(tomorrow.day),
            "date_of_birth_month": str(tomorrow.month),
            "date_of_birth_year": str(tomorrow.year),
        }
    )
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["Date of birth must be today or in the past"]
