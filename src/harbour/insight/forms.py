"""The import form: which format, and the file (GOV.UK fields through the kit's renderer)."""

from __future__ import annotations

from typing import Any

from django import forms

from harbour.insight.engine import FORMATS
from harbour.insight.engine.disproportionality import DEFAULT_REFERENCE, GROUPS
from harbour.insight.models import AlertSeries
from harbour.web import lists
from harbour.web.fields import past_or_today, text_field
from harbour.web.forms import GovukDateField

MAX_IMPORT_BYTES = 200 * 1024 * 1024  # a year of street crime for the largest force is ~75 MB


class ImportForm(forms.Form):
    format = forms.ChoiceField(
        label="What is in the file?",
        choices=[(code, f.label) for code, f in FORMATS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what is in the file"},
    )
    file = forms.FileField(
        label="File",
        help_text="As its publisher gives it (CSV, GeoJSON or GeoJSON Lines); at most 200 MB",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 200 MB")
        return upload


class ReferenceForm(forms.Form):
    """Disproportionality's reference group: the rates of every other group are set against
    its rate."""

    reference = forms.ChoiceField(
        label="Compare each group with",
        choices=list(GROUPS.items()),
        initial=DEFAULT_REFERENCE,
        error_messages={
            "required": "Select the group to compare each group with",
            "invalid_choice": "Select one of the five ethnic groups to compare each group with",
        },
    )


class AlertFilterForm(lists.ListFilterForm):
    """The alerts list's filters: acted on or not, and which measure."""

    state = lists.choice_field(
        "Action",
        "Any",
        [("open", "No action recorded yet"), ("acted", "Action recorded")],
        error="Select whether an action has been recorded",
    )
    measure = lists.choice_field(
        "Measure", "Any measure", AlertSeries.choices, error="Select a measure from the list"
    )


class AlertActionForm(forms.Form):
    """What a leader did about an alert: the action, when, and who took it."""

    action = text_field(
        "What was done",
        required="Enter what was done about the alert",
        rows=5,
        max_length=5000,
        help_text="For example, the question put to the police about the searches, and the "
        "answer; or why no action is needed",
    )
    taken_on = GovukDateField(
        label="When it was done",
        required=True,
        help_text="For example, 1 12 2026",
        error_messages={"required": "Enter the date it was done"},
    )
    taken_by = text_field(
        "Who did it (optional)",
        max_length=200,
        help_text="Their name and role, if not you",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "taken_on", "The date it was done")
        return data
