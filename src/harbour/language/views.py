"""Thin views for the language checker: the as-you-type endpoint, a page to check wording
without JavaScript, the leaders' report (and its CSV) and the administrators' rules."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from harbour.language import permissions, selectors, services
from harbour.language.checker import load_default_rules
from harbour.language.forms import (
    MAX_CHECK_CHARACTERS,
    CheckWordingForm,
    LanguageRuleForm,
    RuleSwitchForm,
)
from harbour.language.models import CheckContext, CheckSource
from harbour.language.presenters import (
    BuiltInRulePresenter,
    PartnershipRulePresenter,
    month_label,
)
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.web import published
from harbour.web.responses import csv_response, policy_errors
from harbour.web.wording import CONTEXT_PARAM, FIELD_PARAM, wording_findings_for

_NOT_TEXT = {"csrfmiddlewaretoken", FIELD_PARAM, CONTEXT_PARAM}


def _quiet_when_signed_out(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like ``login_required``, except that an htmx request from someone whose session has ended
    gets 204 (htmx swaps nothing) instead of a redirect, whose sign-in page htmx would otherwise
    follow and put inside the suggestions region."""
    guarded = login_required(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and request.headers.get("HX-Request") == "true":
            return HttpResponse(status=204)
        return guarded(request, *args, **kwargs)

    return wrapper


@_quiet_when_signed_out
@require_POST
@policy_errors
def check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An HTML fragment of suggestions for the field named in ``language_field``. It answers 200
    whatever it finds: suggestions never block anyone."""
    permissions.require_check(request.user)
    field = request.POST.get(FIELD_PARAM) or "text"
    text = "" if field in _NOT_TEXT else request.POST.get(field, "")
    context = request.POST.get(CONTEXT_PARAM, "")
    if context not in CheckContext.values:
        context = CheckContext.OTHER
    if len(text) > MAX_CHECK_CHARACTERS:
        return render(request, "language/_suggestions.html", {"too_long": True})
    findings = services.language_check_record(
        actor=request.user, text=text, context=context, source=CheckSource.TYPING
    )
    return render(
        request,
        "language/_suggestions.html",
        {"findings": findings, "checked": bool(text.strip())},
    )


@login_required
@policy_errors
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Check wording: works without JavaScript (the suggestions come back with the page)."""
    permissions.require_check(request.user)
    form = CheckWordingForm(request.POST if request.method == "POST" else None)
    checked = False
    if form.is_bound and form.is_valid():
        wording_findings_for(form, actor=request.user, context=CheckContext.OTHER)
        checked = True
    return render(request, "language/home.html", {"form": form, "checked": checked})


@login_required
@policy_errors
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = selectors.language_report(actor=request.user)
    return render(
        request,
        "language/report.html",
        {
            "report": data,
            "since": month_label(data.since),
            "team_months": [(month_label(row.month), row) for row in data.team_months],
            "rules": [row for row in data.rules if row.found_on_save or row.suggested_while_typing],
        },
    )


@login_required
@policy_errors
def report_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = selectors.language_report(actor=request.user)
    stamp = timezone.localdate().isoformat()
    return csv_response(
        f"language-report-{stamp}.csv",
        [
            "month",
            "agency",
            "team",
            "checks_on_save",
            "checks_with_suggestions",
            "suggestions_on_save",
            "checks_while_typing",
            *(f"on_save:{rule_id}" for rule_id in data.rule_ids),
        ],
        (
            (
                row.month.strftime("%Y-%m"),
                row.agency,
                row.team,
                *(
                    published.csv_cell(n)
                    for n in (
                        row.checks_on_save,
                        row.checks_with_suggestions,
                        row.suggestions_on_save,
                        row.checks_while_typing,
                        *(row.by_rule[rule_id] for rule_id in data.rule_ids),
                    )
                ),
            )
            for row in data.team_months
        ),
    )


@login_required
@policy_errors
def rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    partnership = selectors.partnership_rules(actor=request.user)
    return render(
        request,
        "language/rules.html",
        {
            "built_in": [BuiltInRulePresenter(rule) for rule in load_default_rules().rules],
            "partnership": [PartnershipRulePresenter(rule) for rule in partnership],
        },
    )


@login_required
@policy_errors
def rule_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_manage_rules(request.user)
    form = LanguageRuleForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            rule = services.language_rule_add(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_service_errors(form, error)
        else:
            messages.success(request, f"Rule added: {' '.join(rule.pattern)}")
            return redirect("language:rules")
    return render(
        request,
        "language/rule_form.html",
        {"form": form, "title": "Add a language rule", "submit": "Add rule"},
    )


def _show_service_errors(form: LanguageRuleForm, error: ValidationError) -> None:
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@policy_errors
def rule_edit(request: AuthenticatedHttpRequest, rule_id: str) -> HttpResponse:
    permissions.require_manage_rules(request.user)
    rule = selectors.partnership_rule_get(actor=request.user, rule_id=rule_id)
    form = LanguageRuleForm(
        request.POST if request.method == "POST" else None,
        initial={
            "pattern": " ".join(rule.pattern),
            "suggestion": rule.suggestion,
            "reason": rule.reason,
            "example": rule.example,
            "about_child": rule.about_child,
        },
    )
    if form.is_bound and form.is_valid():
        try:
            services.language_rule_update(actor=request.user, rule=rule, **form.cleaned_data)
        except ValidationError as error:
            _show_service_errors(form, error)
        else:
            messages.success(request, f"Rule changed: {' '.join(rule.pattern)}")
            return redirect("language:rules")
    return render(
        request,
        "language/rule_form.html",
        {"form": form, "title": "Change a language rule", "submit": "Save changes"},
    )


@login_required
@require_http_methods(["GET", "POST"])
@policy_errors
def rule_delete(request: AuthenticatedHttpRequest, rule_id: str) -> HttpResponse:
    """A GOV.UK confirmation page; the POST deletes the rule, or retires it if it has found
    wording before (ADR 0009)."""
    permissions.require_manage_rules(request.user)
    rule = selectors.partnership_rule_get(actor=request.user, rule_id=rule_id)
    if request.method == "POST":
        words = " ".join(rule.pattern)
        outcome = services.language_rule_delete(actor=request.user, rule=rule)
        if outcome == "retired":
            messages.success(
                request,
                f"Rule deleted: {words}. Harbour keeps it, switched off, so the usage report "
                "still names it",
            )
        else:
            messages.success(request, f"Rule deleted: {words}")
        return redirect("language:rules")
    return render(
        request,
        "language/rule_delete.html",
        {
            "rule": PartnershipRulePresenter(rule),
            "findings": selectors.rule_findings(actor=request.user, rule=rule),
        },
    )


@login_required
@require_POST
@policy_errors
def rule_switch(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Switch one of the partnership's rules on or off (a button on the rules page)."""
    permissions.require_manage_rules(request.user)
    form = RuleSwitchForm(request.POST)
    if not form.is_valid():
        return redirect("language:rules")
    rule = selectors.partnership_rule_get(actor=request.user, rule_id=form.cleaned_data["rule"])
    services.language_rule_set_active(
        actor=request.user, rule=rule, is_active=form.cleaned_data["is_active"]
    )
    state = "on" if rule.is_active else "off"
    messages.success(request, f"Rule switched {state}: {' '.join(rule.pattern)}")
    return redirect("language:rules")
