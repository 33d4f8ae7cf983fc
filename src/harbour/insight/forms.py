"""The import form: which format, and the file (GOV.UK fields through the kit's renderer)."""

from __future__ import annotations

from typing import Any

from django import forms

from harbour.insight.engine import FORMATS
from harbour.insight.engine.disproportionality import DEFAULT_REFERENCE, GROUPS

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
