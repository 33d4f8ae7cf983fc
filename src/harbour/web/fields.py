"""Form fields and checks that every app's forms share: GOV.UK text inputs and textareas (with the
child-centred language suggestions where the writing is about a child) and a date that has
happened."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from harbour.web.wording import CheckedTextarea

# A telephone number as people write them: digits, spaces, brackets, dashes, a leading +.
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{6,24}[0-9]$")


def past_or_today(form: forms.Form, field: str, label: str) -> None:
    """A date that has happened: a future one is a GOV.UK error on its field."""
    value: dt.date | None = form.cleaned_data.get(field)
    if value and value > timezone.localdate():
        form.add_error(field, f"{label} must be today or in the past")


def text_field(
    label: str,
    *,
    required: str | None = None,
    rows: int = 0,
    checked: str | None = None,
    **kwargs: Any,
) -> forms.CharField:
    """A GOV.UK text input or textarea; ``checked`` names the kind of writing, and turns on the
    wording checker's suggestions for it (``web.wording``)."""
    widget: forms.Widget
    if checked:
        widget = CheckedTextarea(attrs={"rows": rows or 4}, context=checked)
    elif rows:
        widget = forms.Textarea(attrs={"rows": rows})
    else:
        widget = forms.TextInput()
    messages = {"required": required} if required else {}
    return forms.CharField(
        label=label, required=bool(required), widget=widget, error_messages=messages, **kwargs
    )


def postcode_field(label: str = "Postcode (optional)") -> forms.CharField:
    """A GOV.UK postcode input (optional); the form's own clean says what a postcode is."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"data-width": "10"}),
    )


def nhs_number_field(label: str = "NHS number (optional)") -> forms.CharField:
    """A GOV.UK input for a 10-digit NHS number (optional), spaces allowed as typed."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "numeric"}),
    )


def time_field(
    label: str, *, help_text: str = "24-hour clock, for example 21:30"
) -> forms.TimeField:
    """An optional time of day on the 24-hour clock (21:30, 21.30 or 2130)."""
    return forms.TimeField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"data-width": "5", "inputmode": "numeric"}),
        error_messages={"invalid": "Enter a time on the 24-hour clock, like 21:30"},
    )
