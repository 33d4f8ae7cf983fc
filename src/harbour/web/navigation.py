"""Service navigation by role: each entry names the capability that shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from harbour.access import policy
from harbour.access.policy import Action


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    action: Action | None  # None: every signed-in member of staff


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "web:home", None),
    NavItem("Find a child", "children:search", Action.CHILD_SEARCH),
    NavItem("Front door", "frontdoor:queue", Action.FRONT_DOOR_TRIAGE),
    NavItem("Referrals", "frontdoor:home", Action.REFERRAL_MAKE),
    NavItem("Needs attention", "children:attention", Action.CHILD_VIEW),
    NavItem("Records to review", "identity:review-queue", Action.IDENTITY_REVIEW),
    NavItem("Flags", "identity:flags", Action.CHILD_ALERTS_VIEW),
    NavItem("Needs across agencies", "identity:needs", Action.CHILD_ALERTS_VIEW),
    NavItem("Reports", "children:cohort-report", Action.COHORT_REPORT_VIEW),
    NavItem("Language", "language:report", Action.LANGUAGE_REPORT_VIEW),
    NavItem("Language rules", "language:rules", Action.LANGUAGE_RULES_MANAGE),
    NavItem("Front-door rules", "frontdoor:rules", Action.FRONT_DOOR_RULES_MANAGE),
    NavItem("Import records", "identity:import", Action.IDENTITY_IMPORT),
    NavItem("Flag rules", "identity:flag-rules", Action.FLAG_RULES_MANAGE),
    NavItem("Break-glass reviews", "access:break-glass-queue", Action.BREAK_GLASS_REVIEW),
    NavItem("Audit trail", "access:audit-trail", Action.AUDIT_TRAIL_VIEW),
    NavItem("Partnership", "partnership:home", Action.PARTNERSHIP_VIEW),
)


def navigation_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    if not policy.is_active_actor(user):
        return []
    items = []
    for item in NAVIGATION:
        if item.action is not None and not policy.can(user, item.action):
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        if url == reverse("children:search"):
            # Everything under /children/ is about a child, except the two lists beside search.
            active = active and not any(
                current_path.startswith(reverse(n))
                for n in ("children:attention", "children:cohort-report")
            )
        items.append({"label": item.label, "url": url, "active": active})
    return items
