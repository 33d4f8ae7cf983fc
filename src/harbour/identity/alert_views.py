"""Pages for cumulative-harm flags and needs discrepancies (issue 4, parts 6 and 7): a list of
what is waiting for the practitioner, each child's flags and discrepancies with the records
behind them, acknowledging with what was done, and the partnership's flag rules.

Lists are in the order things were raised, newest first: there is no score and no ranking."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.children.models import Child
from harbour.identity import flags as flag_service
from harbour.identity import needs as needs_service
from harbour.identity.models import AlertStatus, FlagRule, HarmFlag, NeedsDiscrepancy
from harbour.web.responses import policy_errors


class AcknowledgeForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    action_taken = forms.CharField(
        label="What was done",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was done"},
    )


class RuleForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    parameters = forms.CharField(
        label="Parameters (JSON)",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text='For example {"count": 3, "days": 90, "agencies": 2}',
    )

    def clean_parameters(self) -> dict[str, Any]:
        try:
            value = json.loads(self.cleaned_data["parameters"])
        except json.JSONDecodeError:
            raise ValidationError("Enter the parameters as a JSON object") from None
        if not isinstance(value, dict):
            raise ValidationError("Enter the parameters as a JSON object")
        return value


def _child_for(request: HttpRequest, child_id: uuid.UUID) -> tuple[Child, policy.Decision]:
    policy.require_capability(request.user, policy.Action.CHILD_ALERTS_VIEW)
    child = Child.objects.filter(pk=child_id).first()
    if child is None:
        raise policy.NotFound(child_id)
    decision = policy.decide_child_alerts(request.user, child)
    return child, decision


def _audit_view(request: HttpRequest, child: Child, decision: policy.Decision, what: str) -> None:
    audit_record(
        actor=request.user,
        event=f"identity.{what}.viewed",
        child=child,
        purpose=policy.purpose_for(request.user),
        basis=decision.basis,
    )


@login_required
@policy_errors
def needs_list(request: HttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.CHILD_ALERTS_VIEW)
    children = policy.alert_children(request.user, Child.objects.all())
    items = (
        NeedsDiscrepancy.objects.filter(child__in=children, status=AlertStatus.OPEN)
        .select_related("child")
        .order_by("-raised_at", "pk")
    )
    return render(request, "identity/needs_list.html", {"items": list(items[:500])})


@login_required
@policy_errors
def flags_list(request: HttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.CHILD_ALERTS_VIEW)
    children = policy.alert_children(request.user, Child.objects.all())
    items = (
        HarmFlag.objects.filter(child__in=children, status=AlertStatus.OPEN)
        .select_related("child", "rule")
        .order_by("-raised_at", "-pk")
    )
    return render(request, "identity/flags_list.html", {"items": list(items[:500])})


def _acknowledge_page(
    request: HttpRequest,
    child_id: uuid.UUID,
    *,
    what: str,
    template: str,
    queryset: Any,
    acknowledge: Any,
) -> HttpResponse:
    child, decision = _child_for(request, child_id)
    items = list(queryset.filter(child=child))
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    failed: int | None = None
    if request.method == "POST":
        if form.is_valid():
            item = next((i for i in items if i.pk == form.cleaned_data["item"]), None)
            if item is None:
                raise policy.NotFound(form.cleaned_data["item"])
            if item.status == AlertStatus.OPEN:
                acknowledge(
                    actor=request.user,
                    item=item,
                    action_taken=form.cleaned_data["action_taken"],
                    basis=decision.basis,
                )
                messages.success(request, "Acknowledged, with what was done")
            return redirect(request.path)
        raw = str(form.data.get("item", ""))
        failed = int(raw) if raw.isdigit() else None
    else:
        _audit_view(request, child, decision, what)
    return render(
        request,
        template,
        {"child": child, "items": items, "form": form, "failed": failed},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@policy_errors
def child_needs(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    return _acknowledge_page(
        request,
        child_id,
        what="needs",
        template="identity/child_needs.html",
        queryset=NeedsDiscrepancy.objects.order_by("-raised_at", "pk"),
        acknowledge=lambda *, item, **kw: needs_service.acknowledge_discrepancy(
            discrepancy=item, **kw
        ),
    )


@login_required
@policy_errors
def child_flags(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    return _acknowledge_page(
        request,
        child_id,
        what="flags",
        template="identity/child_flags.html",
        queryset=HarmFlag.objects.select_related("rule", "acknowledged_by").order_by(
            "-raised_at", "-pk"
        ),
        acknowledge=lambda *, item, **kw: flag_service.acknowledge_flag(flag=item, **kw),
    )


@login_required
@policy_errors
def flag_rules(request: HttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.FLAG_RULES_MANAGE)
    return render(
        request,
        "identity/flag_rules.html",
        {"rules": list(FlagRule.objects.order_by("code", "-version"))},
    )


@login_required
@policy_errors
def flag_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.FLAG_RULES_MANAGE)
    rule = get_object_or_404(FlagRule, pk=pk, is_current=True)
    form = RuleForm(
        request.POST if request.method == "POST" else None,
        initial={
            "title": rule.title,
            "description": rule.description,
            "parameters": json.dumps(rule.parameters, indent=1, sort_keys=True),
        },
    )
    if request.method == "POST" and form.is_valid():
        made = flag_service.new_rule_version(actor=request.user, rule=rule, **form.cleaned_data)
        messages.success(request, f"{made.title} is now version {made.version}")
        return redirect("identity:flag-rules")
    return render(
        request,
        "identity/flag_rule_edit.html",
        {"rule": rule, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
