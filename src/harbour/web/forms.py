"""The design system, wrapped once: every Django form renders GOV.UK labels, hints, error
messages and an error summary that links to the fields, whatever the form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates


class GovukFormRenderer(DjangoTemplates):
    form_template_name = "web/forms/form.html"
    field_template_name = "web/forms/field.html"


def widget_kind(widget: forms.Widget) -> str:
    if isinstance(widget, GovukDateWidget):
        return "date"
    # Before radios: Django's CheckboxSelectMultiple is a subclass of RadioSelect.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    return "input"


_CLASSES = {
    "input": "govuk-input",
    "password": "govuk-input",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
}


def govuk_attrs(field: forms.BoundField) -> dict[str, Any]:
    """Classes and ARIA attributes for the field's input."""
    kind = widget_kind(field.field.widget)
    base = _CLASSES.get(kind, "")
    if field.errors and base:
        base += f" {base}--error"
    width = field.field.widget.attrs.get("data-width")
    if width and kind == "input":
        base += f" govuk-input--width-{width}"
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs: dict[str, Any] = {"class": base} if base else {}
    if kind == "date" and field.errors:
        attrs["error_state"] = True
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs


class GovukDateWidget(forms.MultiWidget):
    """GOV.UK date input: day, month and year boxes."""

    template_name = "web/forms/date_widget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "month": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "year": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if value:
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    widget = GovukDateWidget

    def __init__(self, **kwargs: Any) -> None:
        # Sub-fields are optional so that compress() can name the missing part, GOV.UK style,
        # instead of Django's generic "Enter a complete value".
        fields = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except forms.ValidationError as error:
            # A sub-field's own complaint (such as a null character) is put in GOV.UK words.
            if any(e.code == "null_characters_not_allowed" for e in error.error_list):
                raise forms.ValidationError(f"{self.label or 'Date'} must be a real date") from None
            raise

    def compress(self, data_list: list[str]) -> Any:
        if not data_list or not any(data_list):
            return None
        day, month, year = (str(v or "").strip() for v in data_list)
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(
                f"{(self.label or 'Date')} must include a {' and '.join(missing)}"
            )
        if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
            raise forms.ValidationError(
                f"{(self.label or 'Date')} must be a real date, like 27 3 2011"
            )
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"{(self.label or 'Date')} must be a real date") from None
