"""The import form: which format, and the file (GOV.UK fields through the kit's renderer)."""

from __future__ import annotations

from typing import Any

from django import forms

from harbour.insight.engine import FORMATS
from harbour.insight.engine.alerts import MIN_BASELINE
from harbour.insight.engine.disproportionality import DEFAULT_REFERENCE, GROUPS
from harbour.insight.models import AlertSeries
from harbour.web import lists
from harbour.web.fields import past_or_today, text_field
from harbour.web.forms import GovukDateField

MAX_LOOK_BACK = 60  # five years of months
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


class AlertMeasureForm(forms.Form):
    """How the monthly check watches one measure: on or off, its baseline, how unlikely a count
    must be to raise an alert, the smallest count alerted on, and the leaders told."""

    active = forms.TypedChoiceField(
        label="Does the check watch this measure?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the check should watch this measure"},
    )
    look_back = forms.IntegerField(
        label="Months of baseline",
        help_text=f"The months before the month checked that say what to expect: a whole number "
        f"from {MIN_BASELINE} to {MAX_LOOK_BACK}",
        min_value=MIN_BASELINE,
        max_value=MAX_LOOK_BACK,
        widget=forms.TextInput(attrs={"data-width": "3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the months of baseline",
            "invalid": "Months of baseline must be a whole number, like 12",
            "min_value": f"Months of baseline must be {MIN_BASELINE} or more",
            "max_value": f"Months of baseline must be {MAX_LOOK_BACK} or fewer",
        },
    )
    threshold = forms.FloatField(
        label="How unlikely a count must be to raise an alert",
        help_text="A probability between 0 and 1: 0.001 raises an alert when a count this high "
        "would happen by chance less than once in a thousand months",
        widget=forms.TextInput(attrs={"data-width": "5", "inputmode": "decimal"}),
        error_messages={
            "required": "Enter how unlikely a count must be",
            "invalid": "How unlikely a count must be must be a number, like 0.001",
        },
    )
    min_count = forms.IntegerField(
        label="Smallest count to alert on",
        help_text="A rise to fewer than this is not alerted on however unlikely it is",
        min_value=1,
        max_value=1000,
        widget=forms.TextInput(attrs={"data-width": "3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the smallest count to alert on",
            "invalid": "The smallest count must be a whole number, like 5",
            "min_value": "The smallest count must be 1 or more",
            "max_value": "The smallest count must be 1,000 or fewer",
        },
    )
    leaders = forms.MultipleChoiceField(
        label="Leaders told of its alerts (optional)",
        help_text="If you choose no one, every strategic leader is told",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, leaders: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["leaders"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = leaders

    def clean_threshold(self) -> float:
        value = self.cleaned_data["threshold"]
        if not 0 < value < 1:
            raise forms.ValidationError(
                "How unlikely a count must be must be more than 0 and less than 1, like 0.001"
            )
        return float(value)
