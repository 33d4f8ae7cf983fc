from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

from harbour.web.forms import govuk_attrs, widget_kind

register = template.Library()


@register.filter
def govuk_widget(field: forms.BoundField) -> SafeString:
    return field.as_widget(attrs=govuk_attrs(field))


@register.filter
def field_kind(field: forms.BoundField) -> str:
    return widget_kind(field.field.widget)


@register.simple_tag
def error_summary_items(*forms_: Any) -> list[dict[str, str]]:
    """Every error on the page, each linking to the field it belongs to (form-wide errors link to
    the first field)."""
    items: list[dict[str, str]] = []
    for form in forms_:
        if not form or not getattr(form, "errors", None):
            continue
        fields = list(form)
        first_id = ""
        if fields:
            first = fields[0]
            first_id = first.id_for_label or f"{first.auto_id}_0"
        for error in form.non_field_errors():
            items.append({"href": f"#{first_id}" if first_id else "", "text": str(error)})
        for bound in fields:
            for error in bound.errors:
                target = bound.id_for_label or bound.auto_id
                if widget_kind(bound.field.widget) in {"radios", "checkboxes", "date"}:
                    target = f"{bound.auto_id}_0"
                items.append({"href": f"#{target}", "text": str(error)})
    return items
