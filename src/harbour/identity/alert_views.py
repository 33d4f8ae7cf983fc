"""Pages for cumulative-harm flags and needs discrepancies (issue 4, parts 6 and 7): a list of
what is waiting for the practitioner, each child's flags and discrepancies with the records
behind them, acknowledging with what was done, and the partnership's flag rules: changing one
(a new version) and switching one off or on.

Lists are in the order things were raised, newest first: there is no score and no ranking."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from harbour.access import policy
from harbour.children.happening import happening_now
from harbour.children.presenters import ChildPresenter
from harbour.identity import alerts, services
from harbour.identity import flags as flag_service
from harbour.identity.forms import AlertListFilterForm, FlagRuleForm, FlagRuleSwitchForm
from harbour.identity.models import AlertStatus
from harbour.identity.presenters import FlagRuleUse, flag_rule_parameters
from harbour.partnership import selectors as partnership_selectors
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.web import lists
from harbour.web.formpages import add_service_errors
from harbour.web.responses import policy_errors


class AcknowledgeForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    action_taken = forms.CharField(
        label="What was done",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was done"},
    )


def _alert_list(
    request: AuthenticatedHttpRequest, read: Any, template: str, *, allocation: bool
) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.CHILD_ALERTS_VIEW)
    may_allocate = allocation and policy.may_allocate_work(request.user)
    form = AlertListFilterForm(request.GET, allocation=may_allocate)
    page, items = read(
        actor=request.user,
        filters=alerts.AlertFilters(**form.values()),
        page=request.GET.get("page"),
    )
    return render(
        request,
        template,
        {
            "form": form,
            "items": items,
            **lists.page_context(page),
            "may_allocate": may_allocate,
            "colleagues": partnership_selectors.front_door_colleagues(actor=request.user),
            "back_to": request.get_full_path(),
        },
    )


@login_required
@policy_errors
def needs_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _alert_list(request, alerts.needs_list, "identity/needs_list.html", allocation=False)


@login_required
@policy_errors
def flags_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _alert_list(request, alerts.flags_list, "identity/flags_list.html", allocation=True)


def _acknowledge_page(
    request: AuthenticatedHttpRequest,
    child_id: uuid.UUID,
    *,
    template: str,
    read: Any,
) -> HttpResponse:
    child, decision = alerts.child_for_alerts(actor=request.user, child_id=child_id)
    items = read(actor=request.user, child=child, decision=decision)
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    failed: int | None = None
    if request.method == "POST":
        if form.is_valid():
            alert = next((i for i in items if i.pk == form.cleaned_data["item"]), None)
            if alert is None:
                raise policy.NotFound(form.cleaned_data["item"])
            item = alert.item
            if item.status == AlertStatus.OPEN:
                services.alert_acknowledge(
                    actor=request.user, item=item, action_taken=form.cleaned_data["action_taken"]
                )
                messages.success(request, "Acknowledged, with what was done")
            return redirect(request.path)
        raw = str(form.data.get("item", ""))
        failed = int(raw) if raw.isdigit() else None
    return render(
        request,
        template,
        {
            "child": ChildPresenter(child),
            "items": items,
            "form": form,
            "failed": failed,
            "happening": happening_now(actor=request.user, child=child, decision=decision),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@policy_errors
def child_needs(request: AuthenticatedHttpRequest, child_id: uuid.UUID) -> HttpResponse:
    return _acknowledge_page(
        request,
        child_id,
        template="identity/child_needs.html",
        read=alerts.child_needs,
    )


@login_required
@policy_errors
def child_flags(request: AuthenticatedHttpRequest, child_id: uuid.UUID) -> HttpResponse:
    return _acknowledge_page(
        request,
        child_id,
        template="identity/child_flags.html",
        read=alerts.child_flags,
    )


@login_required
@policy_errors
def flag_rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    rules = alerts.flag_rules(actor=request.user)
    return render(
        request,
        "identity/flag_rules.html",
        {"rules": [(rule, flag_rule_parameters(rule), FlagRuleUse(rule)) for rule in rules]},
    )


@login_required
@policy_errors
def flag_rule_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = alerts.current_flag_rule(actor=request.user, pk=pk)
    form = FlagRuleForm(request.POST if request.method == "POST" else None, rule=rule)
    if request.method == "POST" and form.is_valid():
        made = flag_service.new_rule_version(
            actor=request.user,
            rule=rule,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            parameters=form.parameters(),
        )
        messages.success(request, f"{made.title} is now version {made.version}")
        return redirect("identity:flag-rules")
    return render(
        request,
        "identity/flag_rule_edit.html",
        {"rule": rule, "form": form, "use": FlagRuleUse(rule)},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@policy_errors
def flag_rule_switch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Switch the current version of a rule off (it raises no new flags; raised flags stay) or
    on again, with why."""
    rule = alerts.current_flag_rule(actor=request.user, pk=pk)
    form = FlagRuleSwitchForm(request.POST if request.method == "POST" else None, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            switched = flag_service.flag_rule_switch(
                actor=request.user,
                rule=rule,
                in_use=form.in_use,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{switched.title} is now "
                + (
                    "in use: the next run raises what it finds"
                    if switched.in_use
                    else "switched off: it raises no new flags, and flags already raised stay"
                ),
            )
            return redirect("identity:flag-rules")
    return render(
        request,
        "identity/flag_rule_switch.html",
        {
            "rule": rule,
            "form": form,
            "use": FlagRuleUse(rule),
            "numbers": flag_rule_parameters(rule),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
