"""The one add/change journey for every form page: GOV.UK form, error summary, service call,
success banner. Apps pass their form, their service and where to go next."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from harbour.web.wording import wording_findings_for

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class FormPage:
    """What the shared add/change template shows around the form."""

    title: str
    back_url: str
    submit: str = "Save changes"
    caption: str = ""
    intro: str = ""
    # Templates shown with the form, each rendered with ``context``: ``before`` above the form
    # (what is being decided or signed), ``aside`` beside it (what it is decided on).
    before: str = ""
    aside: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)


def add_service_errors(form: django_forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def form_page(
    request: HttpRequest,
    *,
    form_class: type[django_forms.Form],
    instance: Model | None,
    save: Callable[[dict[str, Any]], M],
    done: Callable[[M], tuple[str, str]],
    page: FormPage,
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    """The one add/change journey: show the form (filled from ``instance`` when changing),
    validate its shape, let the service apply it, then redirect with a success banner. Invalid
    input re-renders with the error summary, and nothing is saved."""
    initial = model_to_dict(instance, fields=list(form_class.base_fields)) if instance else None
    form = form_class(
        request.POST if request.method == "POST" else None, initial=initial, **(form_kwargs or {})
    )
    if form.is_bound and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message, url = done(saved)
            messages.success(request, message)
            suggest_wording(request, form)
            return redirect(url)
    if form.is_bound:
        # Shown beside the fields when the form comes back with errors; never blocks anything.
        wording_findings_for(form)
    return render(request, "web/form_page.html", {**page.context, "form": form, "page": page})


def suggest_wording(request: HttpRequest, form: django_forms.Form) -> None:
    """Check the saved free text for victim-blaming or adultifying language, record the check
    for the leaders' report, and suggest other words in a banner. The text is saved as written."""
    findings = wording_findings_for(form, actor=request.user)
    phrases = [f for found in findings.values() for f in found]
    if phrases:
        suggestions = "; ".join(f"“{f.text}”: {f.suggestion}" for f in phrases[:5])
        messages.warning(
            request, f"Saved. Consider changing wording that blames the child: {suggestions}"
        )
