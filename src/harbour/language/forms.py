"""The checked textarea that any form can opt into, the server-side helper that shows the same
suggestions when the form is submitted (for people without JavaScript), and the forms of the
language pages.

Opting in::

    note = forms.CharField(widget=LanguageCheckedTextarea(context=CheckContext.CASE_NOTE))

and, in the view, after validating (whether or not the form is valid)::

    findings = language_findings_for(form, actor=request.user)

Suggestions never block: the helper only attaches them to the widgets so that the re-rendered
form shows them, and returns them for the view to show on the next page if it redirects.

While the person types, htmx posts the field (and the enclosing form's CSRF token, nothing else)
to ``language:check`` after each pause and puts the answer in the field's status region. The
textarea must sit inside a ``<form>`` with ``{% csrf_token %}``, as every Harbour form does.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.urls import reverse

from harbour.language import selectors, services
from harbour.language.checker import Finding
from harbour.language.models import CheckContext, CheckSource

# The htmx request sends only these and the field itself, not the rest of the form.
FIELD_PARAM = "language_field"
CONTEXT_PARAM = "language_context"
MAX_CHECK_CHARACTERS = 50_000


class LanguageCheckedTextarea(forms.Textarea):
    """A GOV.UK textarea (it is a ``Textarea``, so the form renderer gives it the govuk-textarea
    classes and the hint and error ARIA) with child-centred language suggestions as you type."""

    template_name = "language/widgets/checked_textarea.html"

    def __init__(
        self, attrs: dict[str, Any] | None = None, *, context: str = CheckContext.OTHER
    ) -> None:
        super().__init__(attrs)
        self.context = str(context)
        self.findings: list[Finding] | None = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        region_id = f"{widget_attrs.get('id') or f'id_{name}'}-language"
        widget_attrs.update(
            {
                "hx-post": reverse("language:check"),
                "hx-trigger": "keyup changed delay:800ms",
                "hx-target": f"#{region_id}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "hx-params": f"csrfmiddlewaretoken,{name},{FIELD_PARAM},{CONTEXT_PARAM}",
                "hx-vals": json.dumps({FIELD_PARAM: name, CONTEXT_PARAM: self.context}),
            }
        )
        described = str(widget_attrs.get("aria-describedby", "")).split()
        widget_attrs["aria-describedby"] = " ".join([*described, region_id])
        context["widget"]["language"] = {"region_id": region_id, "findings": self.findings}
        return context


def _submitted_text(form: forms.BaseForm, name: str) -> str:
    cleaned = getattr(form, "cleaned_data", None)
    if cleaned is not None and name in cleaned:
        return str(cleaned[name] or "")
    return str(form.data.get(form.add_prefix(name), "") or "")


def language_findings_for(
    form: forms.BaseForm, *, actor: Any = None, context: str | None = None
) -> dict[str, list[Finding]]:
    """Check every ``LanguageCheckedTextarea`` of a submitted form and attach the findings to
    the widgets, so the re-rendered form shows them. With ``actor`` the check is recorded (as a
    check on save, for the leaders' report); it never raises for the form's sake and never
    blocks the submission."""
    results: dict[str, list[Finding]] = {}
    if not form.is_bound:
        return results
    for name, field in form.fields.items():
        widget = field.widget
        if not isinstance(widget, LanguageCheckedTextarea):
            continue
        text = _submitted_text(form, name)[:MAX_CHECK_CHARACTERS]
        if actor is not None:
            findings = services.language_check_record(
                actor=actor, text=text, context=context or widget.context, source=CheckSource.SUBMIT
            )
        else:
            findings = selectors.partnership_checker().check(text)
        widget.findings = findings
        results[name] = findings
    return results


class CheckWordingForm(forms.Form):
    text = forms.CharField(
        label="Your wording",
        help_text=(
            "Paste or type a case note, referral or minutes. Harbour does not keep the text: it "
            "only counts which suggestions were made."
        ),
        max_length=MAX_CHECK_CHARACTERS,
        widget=LanguageCheckedTextarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter some wording to check",
            "max_length": f"Wording must be {MAX_CHECK_CHARACTERS:,} characters or fewer",
        },
    )


class LanguageRuleForm(forms.Form):
    pattern = forms.CharField(
        label="Words to look for",
        help_text=(
            "Words separated by spaces. Each word also finds its other forms (sell finds sells, "
            "selling and sold). Use REFLEXIVE for himself, herself or themselves, POSSESSIVE for "
            "his, her or their, ANY for any one word, and = before a word to find only that exact "
            "form, like =consensual."
        ),
        max_length=200,
        error_messages={"required": "Enter the words to look for"},
    )
    suggestion = forms.CharField(
        label="Suggested child-centred wording",
        help_text="Write {them} or {their} where the child's pronoun should go",
        max_length=300,
        error_messages={"required": "Enter the suggested wording"},
    )
    reason = forms.CharField(
        label="Why the wording matters",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Enter why the wording matters"},
    )
    example = forms.CharField(
        label="Example sentence the rule should flag",
        help_text="Make one up. Never use a real child's name or details.",
        max_length=300,
        error_messages={"required": "Enter an example sentence"},
    )
    about_child = forms.BooleanField(
        label="Only flag the words when they are about the child, not an adult",
        required=False,
        initial=True,
    )

    def clean_pattern(self) -> list[str]:
        return str(self.cleaned_data["pattern"]).split()


class RuleSwitchForm(forms.Form):
    rule = forms.SlugField(max_length=60)
    is_active = forms.BooleanField(required=False)
