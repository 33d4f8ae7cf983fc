"""Plain-English labels for audit events, for the people who read access logs, and the child a
break-glass grant opened, for its review."""

from __future__ import annotations

from dataclasses import dataclass

from harbour.access import policy
from harbour.access.models import AuditEvent, BreakGlassGrant
from harbour.partnership.models import Role

EVENT_LABELS = {
    "child.viewed": "Viewed",
    "child.access_denied": "Tried to open the record",
    "child.break_glass": "Opened with a break-glass reason",
    "break_glass.reviewed": "Reviewed a break-glass access",
    "relationship.started": "Working relationship started",
    "referral.viewed": "Viewed a referral",
}
SECTION_LABELS = {
    "record": "the child's record",
    "search_result": "a search result",
    "home_list": "the list of children they work with",
    "access_log": "who has viewed this record",
    "break_glass_review": "a break-glass review",
    "family_of_another_child": "the family of another child",
    "associate_of_another_child": "named among another child's associates",
    "sibling_candidates": "a choice of relative on another child's family form",
    "notification": "a message about a referral",
}
BASIS_LABELS = {
    "break_glass": "Break-glass reason",
    "agreement": "Information-sharing agreement",
    "role:data_protection_officer": "Data protection oversight",
    "relationship:team_around_child": "Team around the child",
    "relationship:lead_practitioner": "Lead practitioner",
    "relationship:panel_membership": "Panel membership",
    "relationship:open_referral": "Open referral",
    "relationship:agency_record": "Own record",
    "agency:agency_record": "Agency's own record",
    "agency:open_referral": "Referral open at the agency",
    "agency:team_around_child": "Agency in the team around the child",
    "notification:recipient": "A message sent to them",
}


@dataclass(frozen=True)
class AuditEventPresenter:
    event: AuditEvent

    @property
    def what(self) -> str:
        label = EVENT_LABELS.get(self.event.event, self.event.event)
        section = SECTION_LABELS.get(self.event.section, self.event.section)
        return f"{label}: {section}" if section else label

    @property
    def role(self) -> str:
        return Role(self.event.actor_role).label if self.event.actor_role in Role.values else ""

    @property
    def basis(self) -> str:
        return BASIS_LABELS.get(self.event.basis, self.event.basis)

    @property
    def refused(self) -> bool:
        return self.event.outcome == "denied"

    @property
    def break_glass(self) -> bool:
        return policy.is_break_glass(self.event.basis)


@dataclass(frozen=True)
class GrantChildPresenter:
    """The child a break-glass grant opened, as its review names them. The access app sits below
    the children app (ADR 0020), so it reads the child through the grant, not ``ChildPresenter``;
    the name and date of birth read as they do there."""

    grant: BreakGlassGrant

    @property
    def full_name(self) -> str:
        return f"{self.grant.child.given_name} {self.grant.child.family_name}"

    @property
    def date_of_birth(self) -> str:
        return self.grant.child.date_of_birth.strftime("%-d %B %Y")
