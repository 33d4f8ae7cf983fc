"""The event forms for agencies with no system feed (ADR 0030): choose a form, fill it in (GOV.UK
errors, the language checker on the free text), check your answers, and a confirmation. Who may
use which form is the policy's (``policy.event_forms``). What is typed waits in the session until
it is sent; nothing is saved before then."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from harbour.access import policy
from harbour.identity import event_forms, intake
from harbour.identity.event_forms import (
    EVENT_FORMS,
    EventFormKind,
    answers,
    event_form_record,
)
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.web.formpages import FormPage
from harbour.web.responses import policy_errors
from harbour.web.wording import wording_findings_for

DONE = "identity-event-form-done"


def _typed(slug: str) -> str:
    return f"identity-event-form-{slug}"


def _kind(request: AuthenticatedHttpRequest, slug: str) -> EventFormKind:
    kind = EVENT_FORMS.get(slug)
    if kind is None:
        raise policy.NotFound(slug)
    policy.require_event_form(request.user, slug)
    return kind


def _valid_form(
    request: AuthenticatedHttpRequest, kind: EventFormKind
) -> event_forms.RecordForm | None:
    """The form as typed and kept in the session, if it still meets every rule."""
    data = request.session.get(_typed(kind.slug))
    if not data:
        return None
    form = kind.form_class(data)
    agency = request.user.agency
    if agency is None or not form.is_valid() or not event_forms.check_rules(form, agency):
        return None
    return form


@login_required
@policy_errors
def record_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    slugs = policy.event_forms(request.user)
    if not slugs:
        raise policy.Forbidden(policy.Action.EVENT_RECORD)
    return render(request, "identity/record_start.html", {"kinds": [EVENT_FORMS[s] for s in slugs]})


@login_required
@policy_errors
def record_form(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    kind = _kind(request, slug)
    agency = request.user.agency
    assert agency is not None
    if request.method == "POST":
        form = kind.form_class(request.POST)
        if form.is_valid() and event_forms.check_rules(form, agency):
            request.session[_typed(slug)] = {
                k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"
            }
            return redirect("identity:record-check", slug=slug)
        # Shown beside the fields when the form comes back with errors; never blocks anything.
        wording_findings_for(form)
    else:
        typed = request.session.get(_typed(slug))
        form = kind.form_class(typed) if typed else kind.form_class()
    page = FormPage(
        title=kind.title,
        back_url=reverse("identity:record-start"),
        submit="Continue",
        caption=str(agency),
        intro="You can check your answers before you send them.",
    )
    return render(
        request,
        "web/form_page.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


@login_required
@policy_errors
def record_check(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    kind = _kind(request, slug)
    form = _valid_form(request, kind)
    if form is None:
        return redirect("identity:record-form", slug=slug)
    if request.method == "POST":
        # The wording the person wrote, checked on save for the leaders' report.
        wording_findings_for(form, actor=request.user)
        try:
            received, references = event_form_record(actor=request.user, kind=kind, form=form)
        except intake.Rejected:
            return redirect("identity:record-form", slug=slug)
        request.session.pop(_typed(slug), None)
        request.session[DONE] = {
            "slug": slug,
            "references": references,
            "outcomes": received.outcomes,
        }
        return redirect("identity:record-done", slug=slug)
    wording_findings_for(form)
    return render(request, "identity/record_check.html", {"kind": kind, "answers": answers(form)})


@login_required
@policy_errors
def record_done(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    kind = _kind(request, slug)
    done: dict[str, Any] | None = request.session.get(DONE)
    if not done or done.get("slug") != slug:
        return redirect("identity:record-start")
    return render(request, "identity/record_done.html", {"kind": kind, "done": done})
