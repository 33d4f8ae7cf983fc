"""The referral's own checks on what a referrer types: a postcode is a postcode, and a child is
not born tomorrow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from harbour.frontdoor.forms import ChildDetailsForm, FindChildForm, WhatHappenedForm

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


WHAT = {"what_happened": "Chased and stabbed in the thigh outside the chicken shop."}


def test_what_police_and_health_hold_about_the_incident_is_asked_and_checked():
    today = timezone.localdate()
    form = WhatHappenedForm(
        {
            **WHAT,
            "incident_date_day": str(today.day),
            "incident_date_month": str(today.month),
            "incident_date_year": str(today.year),
            "incident_time": "21.30",
            "incident_location": "High Street, RV1",
            "others_involved": "Two older males, one known to police; a 14-year-old witness.",
            "incident_reference": "RVP-2026-004512",
            "referrer_phone": "01632  960 123",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["incident_time"] == dt.time(21, 30)
    assert form.cleaned_data["referrer_phone"] == "01632 960 123"


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        (
            {"incident_time": "21:30"},
            "incident_date",
            "Enter the date it happened as well as the time",
        ),
        (
            {"incident_time": "25:00"},
            "incident_time",
            "Enter a time on the 24-hour clock, like 21:30",
        ),
        (
            {"referrer_phone": "ring me"},
            "referrer_phone",
            "Enter a telephone number, like 01632 960 123",
        ),
    ],
)
def test_a_time_without_a_day_or_a_number_that_is_not_one_is_an_error(answers, field, message):
    form = WhatHappenedForm({**WHAT, **answers})
    assert not form.is_valid()
    assert message in form.errors[field]


@pytest.mark.django_db
def test_the_details_are_on_check_your_answers_and_the_front_doors_page(client, partnership):
    from django.urls import reverse

    from harbour.frontdoor.tests.factories import sent

    referral = sent(
        partnership,
        incident_location="High Street, RV1",
        incident_reference="RVP-2026-004512",
        others_involved="Two older males; a 14-year-old witness.",
        referrer_phone="01632 960 123",
    )
    client.force_login(partnership["practitioner"])
    page = client.get(reverse("frontdoor:detail", args=[referral.pk])).content.decode()
    for shown in ("High Street, RV1", "RVP-2026-004512", "a 14-year-old witness", "01632 960 123"):
        assert shown in page


@pytest.mark.django_db
def test_the_what_happened_page_draws_every_field_as_a_govuk_input(client, partnership):
    from django.urls import reverse

    from harbour.frontdoor.tests.factories import draft

    referral = draft(partnership)
    client.force_login(partnership["officer"])
    page = client.get(reverse("frontdoor:question", args=[referral.pk, "what-happened"]))
    body = page.content.decode()
    for name in ("incident_time", "incident_location", "incident_reference", "referrer_phone"):
        assert f'name="{name}"' in body
    import re

    tag = re.search(r'<input[^>]*name="incident_time"[^>]*>', body)
    assert tag and "govuk-input" in tag.group(0), tag
