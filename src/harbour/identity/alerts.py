"""Reads for cumulative-harm flags and needs discrepancies, each through the policy and audited:
every child named on a list or page is an access event (views never query these models).

A flag's evidence and a discrepancy's holders are other agencies' own records, so each is shown
in full only as the policy allows it entry by entry (``policy.agency_entry_shown``); otherwise
the page says which agency holds a record dated when, and whom to ask. A flag whose records the
viewer may not all see keeps its rule and explanation back (they would tell what the hidden
records say); a discrepancy none of whose holders the viewer may see keeps back which need it is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.paginator import Page
from django.db.models import QuerySet

from harbour.access import policy
from harbour.children.models import Child
from harbour.children.selectors import child_find_for_actor
from harbour.identity import events as agency_events
from harbour.identity.audit import audit_children
from harbour.identity.models import (
    EVENT_KIND_CATEGORY,
    SOURCE_NEED_CATEGORY,
    AgencyEvent,
    AlertStatus,
    FlagRule,
    HarmFlag,
    NeedsDiscrepancy,
)
from harbour.identity.needs import HARBOUR_KEY
from harbour.partnership.models import Agency, DataCategory, Staff
from harbour.web import lists

A = TypeVar("A", HarmFlag, NeedsDiscrepancy)
# Harbour's own record of a need is in the record's needs section.
HARBOUR_NEEDS_CATEGORY = DataCategory.HEALTH


@dataclass(frozen=True)
class Row:
    """One record behind an alert: shown in full, or only whose it is and when."""

    data: dict[str, Any]
    shown: bool
    agency: str
    date: str


@dataclass(frozen=True)
class Alert(Generic[A]):
    """A flag or discrepancy with the records behind it, as the viewer may see them."""

    item: A
    rows: list[Row]
    ask: str = ""

    @property
    def pk(self) -> int:
        return self.item.pk

    @property
    def withheld_agencies(self) -> list[str]:
        return sorted({r.agency for r in self.rows if not r.shown})

    @property
    def complete(self) -> bool:
        """Every record behind it may be seen."""
        return all(r.shown for r in self.rows)

    @property
    def any_shown(self) -> bool:
        return any(r.shown for r in self.rows)


def _day(value: str) -> str:
    try:
        on = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{on.day} {on:%B %Y}"


def flag_alerts(decision: policy.Decision, flags: list[HarmFlag], ask: str = "") -> list[Alert]:
    """Each flag's evidence, row by row, as the viewer may see it (one query for the events)."""
    ids = {row.get("event") for flag in flags for row in flag.evidence}
    events = {
        pk: (agency_id, kind)
        for pk, agency_id, kind in AgencyEvent.objects.filter(pk__in=ids).values_list(
            "pk", "agency_id", "kind"
        )
    }
    alerts: list[Alert] = []
    for flag in flags:
        rows = []
        for row in flag.evidence:
            agency_id, kind = events.get(row.get("event"), (None, ""))
            category = EVENT_KIND_CATEGORY.get(kind, "")
            rows.append(
                Row(
                    row,
                    policy.agency_entry_shown(decision, agency_id, category),
                    str(row.get("agency", "")),
                    str(row.get("date") or _day(str(row.get("occurred_on", "")))),
                )
            )
        alerts.append(Alert(flag, rows, ask))
    return alerts


def _holder_agency_ids(items: Iterable[NeedsDiscrepancy]) -> dict[str, int]:
    """Agency ids for holders stored before each holder named its agency (agency names are
    unique)."""
    names = {h.get("agency", "") for i in items for h in i.holders if "agency_id" not in h}
    if not names:
        return {}
    return dict(Agency.objects.filter(name__in=names).values_list("name", "pk"))


def _need_alerts(
    decision: policy.Decision, items: list[NeedsDiscrepancy], ask: str = ""
) -> list[Alert]:
    by_name = _holder_agency_ids(items)
    alerts: list[Alert] = []
    for item in items:
        category = SOURCE_NEED_CATEGORY.get(item.kind, DataCategory.HEALTH)
        rows = []
        for holder in item.holders:
            if "agency_id" in holder:
                agency_id = holder["agency_id"]
            elif holder.get("source") == HARBOUR_KEY:
                agency_id = None  # who recorded it was not kept: not shown
            else:
                agency_id = by_name.get(str(holder.get("agency", "")))
            if holder.get("source") == HARBOUR_KEY:
                # Harbour's own record of the need is in the record's needs section.
                shown = policy.record_entry_shown(decision, agency_id, HARBOUR_NEEDS_CATEGORY)
            else:
                shown = policy.agency_entry_shown(decision, agency_id, category)
            rows.append(
                Row(
                    holder,
                    shown,
                    str(holder.get("agency", "")),
                    _day(str(holder.get("recorded_on", ""))),
                )
            )
        alerts.append(Alert(item, rows, ask))
    return alerts


def _ask(child: Child) -> str:
    return agency_events.lead_practitioner_name(child)


@dataclass(frozen=True)
class AlertFilters:
    """A list's filters. There is no filter by rule or by need: a flag or discrepancy that keeps
    its rule or need back would be told by whether it matched (ADR 0031)."""

    age: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    allocated: str = ""  # "mine" or "none"


def _open_page(
    actor: Staff, items: QuerySet[A], section: str, filters: AlertFilters, number: Any
) -> tuple[Page, list[A]]:
    """One page of the open items of the children on the actor's list that the filters select
    (newest first), each child on the page named an access event; children on other pages are
    not shown and not audited."""
    policy.require_capability(actor, policy.Action.CHILD_ALERTS_VIEW)
    children = policy.alert_children(actor, Child.objects.all())
    items = items.filter(child__in=children, status=AlertStatus.OPEN)
    items = lists.filter_age_band(items, filters.age, "child__date_of_birth")
    items = lists.filter_dates(items, "raised_at", filters.date_from, filters.date_to)
    page = lists.paginate(items, number)
    shown = list(page)
    audit_children(
        actor=actor,
        event="child.viewed",
        child_ids=(i.child_id for i in shown),
        section=section,
        basis="alerts_list",
    )
    return page, shown


def needs_list(
    *, actor: Staff, filters: AlertFilters | None = None, page: Any = 1
) -> tuple[Page, list[Alert[NeedsDiscrepancy]]]:
    """A page of open needs discrepancies for the children on the actor's list, newest first."""
    needs = NeedsDiscrepancy.objects.select_related("child").order_by("-raised_at", "pk")
    shown_page, shown = _open_page(actor, needs, "needs_list", filters or AlertFilters(), page)
    return shown_page, _need_alerts(policy.alert_list_sharing(actor), shown)


def flags_list(
    *, actor: Staff, filters: AlertFilters | None = None, page: Any = 1
) -> tuple[Page, list[Alert[HarmFlag]]]:
    """A page of open cumulative-harm flags for the children on the actor's list, newest first:
    the order they were raised, never a score."""
    filters = filters or AlertFilters()
    flags = HarmFlag.objects.select_related("child", "rule", "allocated_to").order_by(
        "-raised_at", "-pk"
    )
    if filters.allocated == "mine":
        flags = policy.allocated_to_actor(actor, flags)
    elif filters.allocated == "none":
        flags = flags.filter(allocated_to__isnull=True)
    shown_page, shown = _open_page(actor, flags, "flags_list", filters, page)
    return shown_page, flag_alerts(policy.alert_list_sharing(actor), shown)


def child_for_alerts(*, actor: Staff, child_id: uuid.UUID) -> tuple[Child, policy.Decision]:
    """The child whose flags or discrepancies the actor opens (only through a working
    relationship, ``policy.decide_child_alerts``); a refusal is audited too."""
    return child_find_for_actor(
        actor=actor,
        child_id=child_id,
        action=policy.Action.CHILD_ALERTS_VIEW,
        decide=policy.decide_child_alerts,
    )


def child_needs(
    *, actor: Staff, child: Child, decision: policy.Decision
) -> list[Alert[NeedsDiscrepancy]]:
    audit_children(
        actor=actor, event="identity.needs.viewed", child_ids=[child.pk], basis=decision.basis
    )
    items = list(
        NeedsDiscrepancy.objects.filter(child=child)
        .select_related("acknowledged_by")
        .order_by("-raised_at", "pk")
    )
    return _need_alerts(decision, items, _ask(child))


def child_flags(*, actor: Staff, child: Child, decision: policy.Decision) -> list[Alert[HarmFlag]]:
    audit_children(
        actor=actor, event="identity.flags.viewed", child_ids=[child.pk], basis=decision.basis
    )
    flags = list(
        HarmFlag.objects.filter(child=child)
        .select_related("rule", "acknowledged_by")
        .order_by("-raised_at", "-pk")
    )
    return flag_alerts(decision, flags, _ask(child))


def flag_rules(*, actor: Staff) -> list[FlagRule]:
    policy.require_capability(actor, policy.Action.FLAG_RULES_MANAGE)
    return list(FlagRule.objects.select_related("in_use_changed_by").order_by("code", "-version"))


def current_flag_rule(*, actor: Staff, pk: int) -> FlagRule:
    policy.require_capability(actor, policy.Action.FLAG_RULES_MANAGE)
    rule = (
        FlagRule.objects.select_related("in_use_changed_by").filter(pk=pk, is_current=True).first()
    )
    if rule is None:
        raise policy.NotFound(pk)
    return rule
