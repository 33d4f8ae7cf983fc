"""Service navigation by role: each entry names the capability that shows it.

The header keeps to one row at desktop width (GOV.UK's 960 px container), so labels are short and
a role's header holds its areas of work, not every page: the service name links home, and for
front-door staff the front door holds the person index's lists (records to review, flags, needs
across agencies) — its pages mark "Front door" as current and its queue links to them. Every item
the role may use is still listed on the home page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from harbour.access import policy
from harbour.access.policy import Action


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    action: Action | None  # None: every signed-in member of staff
    # The item that holds this one, for those who may use both: it is not in their header, and
    # its pages mark the holder as current.
    within: str = ""
    # Other pages that belong to this item when no item's own address claims them.
    also: tuple[str, ...] = ()


FRONT_DOOR = "frontdoor:queue"

NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Find a child", "children:search", Action.CHILD_SEARCH),
    NavItem("Front door", FRONT_DOOR, Action.FRONT_DOOR_TRIAGE),
    NavItem("Referrals", "frontdoor:home", Action.REFERRAL_MAKE),
    NavItem("Needs attention", "children:attention", Action.CHILD_VIEW),
    NavItem(
        "Records to review", "identity:review-queue", Action.IDENTITY_REVIEW, within=FRONT_DOOR
    ),
    NavItem("Flags", "identity:flags", Action.CHILD_ALERTS_VIEW, within=FRONT_DOOR),
    NavItem("Needs across agencies", "identity:needs", Action.CHILD_ALERTS_VIEW, within=FRONT_DOOR),
    # The cohort report links to the front-door report: for leaders and analysts it is a report.
    NavItem(
        "Reports", "children:cohort-report", Action.COHORT_REPORT_VIEW, also=("frontdoor:report",)
    ),
    NavItem("Language", "language:report", Action.LANGUAGE_REPORT_VIEW),
    NavItem("Language rules", "language:rules", Action.LANGUAGE_RULES_MANAGE),
    NavItem("Front-door rules", "frontdoor:rules", Action.FRONT_DOOR_RULES_MANAGE),
    NavItem("Import records", "identity:import", Action.IDENTITY_IMPORT),
    NavItem("Flag rules", "identity:flag-rules", Action.FLAG_RULES_MANAGE),
    NavItem("Break-glass reviews", "access:break-glass-queue", Action.BREAK_GLASS_REVIEW),
    NavItem("Audit trail", "access:audit-trail", Action.AUDIT_TRAIL_VIEW),
    # Changes to who can see children (ADR 0018): administrators decide them from the
    # partnership's pages; the data protection officer oversees them from here.
    NavItem("Access changes", "partnership:staff-change-list", Action.AUDIT_TRAIL_VIEW),
    NavItem("Partnership", "partnership:home", Action.PARTNERSHIP_VIEW),
)


def _current(items: list[NavItem], urls: dict[str, str], path: str) -> str:
    """The item a page belongs to: the one whose address starts the page's address, the longest
    if several do (``/children/attention/`` is not "Find a child"); failing that, one that claims
    the page as its own."""
    claims = [
        (len(urls[i.url_name]), i.url_name) for i in items if path.startswith(urls[i.url_name])
    ]
    if claims:
        return max(claims)[1]
    for item in items:
        if any(path.startswith(reverse(name)) for name in item.also):
            return item.url_name
    return ""


def navigation_for(user: Any, current_path: str, current: str = "") -> list[dict[str, Any]]:
    """Every item the user may use, in order, each with its label, address, whether it is the
    current one and whether it is in the header (``in_header``; the home page lists them all).
    ``current`` names the current item when a page's address does not say which it is."""
    if not policy.is_active_actor(user):
        return []
    items = [i for i in NAVIGATION if i.action is None or policy.can(user, i.action)]
    urls = {i.url_name: reverse(i.url_name) for i in items}
    held = {i.url_name: i.within for i in items if i.within in urls}
    current = current or _current(items, urls, current_path)
    current = held.get(current, current)
    return [
        {
            "label": i.label,
            "url": urls[i.url_name],
            "active": i.url_name == current,
            "in_header": i.url_name not in held,
            "within": held.get(i.url_name, ""),
        }
        for i in items
    ]


def held_by(user: Any, holder: str) -> list[dict[str, Any]]:
    """The items ``holder`` holds for this user, for its page to link to."""
    return [item for item in navigation_for(user, "") if item["within"] == holder]


def current_item(request: HttpRequest, url_name: str) -> dict[str, Any]:
    """Context for a page whose navigation item depends on who is looking (a referral's page is
    the front door's work for front-door staff and the referrer's own for the referrer)."""
    return {"service_navigation": navigation_for(request.user, request.path, current=url_name)}
