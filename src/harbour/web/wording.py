"""A GOV.UK textarea whose wording is checked as the person types and again when the form is
submitted, for any form that opts in. The kit draws the widget and shows the suggestions; what
checks the wording is given to it (``use_wording_checker``): the language app gives the
child-centred language checker when Django starts. The kit sits below every app (ADR 0020), so it
cannot import the checker; without one the field is a plain textarea and nothing is checked.

Opting in::

    note = forms.CharField(widget=CheckedTextarea(context="case_note"))

and, in the view, after validating (whether or not the form is valid)::

    findings = wording_findings_for(form, actor=request.user)

Suggestions never block: the helper only attaches them to the widgets so that the re-rendered
form shows them, and returns them for the view to show on the next page if it redirects.

While the person types, htmx posts the field (and the enclosing form's CSRF token, nothing else)
to the checker's address after each pause and puts the answer in the field's status region. The
textarea must sit inside a ``<form>`` with ``{% csrf_token %}``, as every Harbour form does.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

# The htmx request sends only these and the field itself, not the rest of the form.
FIELD_PARAM = "language_field"
CONTEXT_PARAM = "language_context"


class WordingChecker(Protocol):
    """What the kit needs from a checker. Findings are the checker's own objects; the kit reads
    their ``text`` and ``suggestion``, and the checker's template shows the rest."""

    # The template that shows a list of findings (``findings``; ``checked`` when text was
    # checked), in the field's status region and as the answer to the htmx request.
    suggestions_template: str

    def check_url(self) -> str:
        """Where htmx posts the field as the person types."""
        ...

    def check(
        self, text: str, *, context: str, actor: AbstractBaseUser | AnonymousUser | None = None
    ) -> list[Any]:
        """The findings for ``text``. With ``actor`` the check is recorded as a check on save."""
        ...


_checker: WordingChecker | None = None


def use_wording_checker(checker: WordingChecker | None) -> None:
    """Give the kit the checker every ``CheckedTextarea`` uses (``None`` takes it away)."""
    global _checker  # one checker for the process, set once when Django starts
    _checker = checker


def wording_checker() -> WordingChecker | None:
    return _checker


class CheckedTextarea(forms.Textarea):
    """A GOV.UK textarea (it is a ``Textarea``, so the form renderer gives it the govuk-textarea
    classes and the hint and error ARIA) with the checker's suggestions as you type. ``context``
    names the kind of writing, for the checker."""

    template_name = "web/widgets/checked_textarea.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, context: str) -> None:
        super().__init__(attrs)
        self.context = str(context)
        self.findings: list[Any] | None = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        checker = wording_checker()
        if checker is None:
            return context
        widget_attrs = context["widget"]["attrs"]
        region_id = f"{widget_attrs.get('id') or f'id_{name}'}-language"
        widget_attrs.update(
            {
                "hx-post": checker.check_url(),
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
        context["widget"]["language"] = {
            "region_id": region_id,
            "findings": self.findings,
            "template": checker.suggestions_template,
        }
        return context


def _submitted_text(form: forms.BaseForm, name: str) -> str:
    cleaned = getattr(form, "cleaned_data", None)
    if cleaned is not None and name in cleaned:
        return str(cleaned[name] or "")
    return str(form.data.get(form.add_prefix(name), "") or "")


def wording_findings_for(
    form: forms.BaseForm,
    *,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    context: str | None = None,
) -> dict[str, list[Any]]:
    """Check every ``CheckedTextarea`` of a submitted form and attach the findings to the
    widgets, so the re-rendered form shows them. With ``actor`` the check is recorded (as a
    check on save, for the leaders' report); it never raises for the form's sake and never
    blocks the submission."""
    results: dict[str, list[Any]] = {}
    checker = wording_checker()
    if checker is None or not form.is_bound:
        return results
    for name, field in form.fields.items():
        widget = field.widget
        if not isinstance(widget, CheckedTextarea):
            continue
        findings = checker.check(
            _submitted_text(form, name), context=context or widget.context, actor=actor
        )
        widget.findings = findings
        results[name] = findings
    return results
