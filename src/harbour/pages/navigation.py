"""The service navigation's items by role: each names the capability that shows it.

The header keeps to one row at desktop width (GOV.UK's 960 px container), so labels are short and
a role's header holds its areas of work, not every page: the service name links home, and for
front-door staff the front door holds the person index's lists (records to review, flags, needs
across agencies) — its pages mark "Front door" as current and its queue links to them. Every item
the role may use is still listed on the home page. The web kit (``harbour.web.navigation``) draws
them; they are given to it from here because they name every app's pages (ADR 0020)."""

from __future__ import annotations

from harbour.access import policy
from harbour.access.policy import Action
from harbour.web.navigation import Navigation, NavItem

FRONT_DOOR = "frontdoor:queue"

NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Find a child", "children:search", Action.CHILD_SEARCH),
    NavItem("Front door", FRONT_DOOR, Action.FRONT_DOOR_TRIAGE),
    NavItem("Referrals", "frontdoor:home", Action.REFERRAL_MAKE),
    NavItem("Needs attention", "children:attention", Action.CHILD_VIEW),
    # The event forms (ADR 0030) are casework staff's, held by "Referrals" to keep the header on
    # one row; the home page lists them.
    NavItem(
        "Record an event", "identity:record-start", Action.EVENT_RECORD, within="frontdoor:home"
    ),
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
    NavItem(
        "Needs assessment",
        "insight:needs",
        Action.INSIGHT_VIEW,
        also=("insight:disproportionality", "insight:hidden-harm"),
    ),
    NavItem("Emerging patterns", "insight:alerts", Action.INSIGHT_VIEW),
    NavItem("Data store", "insight:store", Action.INSIGHT_VIEW),
    NavItem("Language rules", "language:rules", Action.LANGUAGE_RULES_MANAGE),
    NavItem("Front-door rules", "frontdoor:rules", Action.FRONT_DOOR_RULES_MANAGE),
    NavItem("Import records", "identity:import", Action.IDENTITY_IMPORT),
    NavItem("Import events", "identity:events-import", Action.EVENTS_IMPORT),
    NavItem("Flag rules", "identity:flag-rules", Action.FLAG_RULES_MANAGE),
    NavItem("Break-glass reviews", "access:break-glass-queue", Action.BREAK_GLASS_REVIEW),
    NavItem("Audit trail", "access:audit-trail", Action.AUDIT_TRAIL_VIEW),
    # Changes to who can see children (ADR 0018): administrators decide them from the
    # partnership's pages; the data protection officer oversees them from here.
    NavItem("Access changes", "partnership:staff-change-list", Action.AUDIT_TRAIL_VIEW),
    NavItem("Partnership", "partnership:home", Action.PARTNERSHIP_VIEW),
)


def _may_use(user: policy.Requester, action: str) -> bool:
    if action == Action.EVENT_RECORD:
        # Which forms depends on the agency too: no item for someone with none to use.
        return bool(policy.event_forms(user))
    return policy.can(user, Action(action))


SERVICE_NAVIGATION = Navigation(
    items=NAVIGATION, is_active=policy.is_active_actor, may_use=_may_use
)
