"""The audit trail for people (issue 12, part 6): each event as a sentence a data protection
officer reads ("Sam Patel, lead practitioner at Riverside Council Children's Social Care, viewed
a child's record (the plan) to safeguard them"), filtered by person, agency, action, child and
date, exported as CSV (the export itself audited), and the hash chain's state in words.

The trail names no child: it is the whole partnership's log, and a DPO reading it is not working
with the children in it. A row offers "only this child", which filters by the child of that
event without putting the child's id or name in the page; the child's own "who has viewed this
record" names them, and is audited (ADR 0026)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import AuditWriteError, ChainReport, audit_record, audit_verify
from harbour.access.models import AuditEvent
from harbour.access.presenters import SECTION_LABELS
from harbour.partnership.models import Agency, Role, Staff

PER_PAGE = 50
MAX_EXPORT = 100_000
CHAIN_CHECKED = "audit.chain_checked"

# What happened, as the end of a sentence that starts with who did it.
ACTIONS: dict[str, str] = {
    "child.viewed": "viewed a child's record",
    "child.access_denied": "tried to open a child's record and was refused",
    "child.break_glass": "opened a child's record with a break-glass reason",
    "child.created": "added a child to Harbour",
    "break_glass.reviewed": "reviewed a break-glass access",
    "relationship.started": "began working with a child",
    "relationship.ended": "stopped working with a child",
    "referral.viewed": "read a referral",
    "referral.submitted": "sent a referral",
    "referral.received": "received a referral from an agency's system",
    "referral.access_denied": "tried to open a referral and was refused",
    "referral.allocated": "allocated a referral at the front door",
    "identity.flag.allocated": "allocated a cumulative-harm flag at the front door",
    "identity.pair.allocated": "allocated two records to compare at the front door",
    "identity.held.allocated": "allocated a held record at the front door",
    "staff.signed_in": "signed in",
    "staff.signed_out": "signed out",
    "staff.sign_in_failed": "failed to sign in",
    "staff.password_reset": "changed a password through an emailed reset link",
    "staff.created": "added a member of staff",
    "staff.updated": "changed a member of staff's details",
    "staff.access_change_requested": "asked for a change to someone's access to children",
    "staff.access_change_approved": "approved a change to someone's access to children",
    "staff.access_change_refused": "refused a change to someone's access to children",
    "staff.access_change_withdrawn": "withdrew a change to someone's access to children",
    "staff.access_changed": "changed someone's access to children",
    "agreement.created": "added an information-sharing agreement",
    "agreement.updated": "changed an information-sharing agreement",
    "identity.records_imported": "imported an agency's person records",
    "identity.linkage_run": "ran record linkage",
    "identity.pair_viewed": "compared two records that may be the same person",
    "identity.pair_decided": "decided whether two records are the same person",
    "identity.person_merged": "merged two people in the person index",
    "identity.person_split": "split a person in the person index",
    "insight.imported": "imported a file into the analytical store",
    "insight.extracted": "refreshed Harbour's pseudonymised extracts in the analytical store",
    "insight.exported": "downloaded figures from the analytical store",
    "audit.exported": "downloaded the audit trail",
    CHAIN_CHECKED: "checked the audit trail's chain",
    "demo.generated": "generated the synthetic demonstration partnership",
    "identity.flag_rule.switched_on": "switched a cumulative-harm rule on",
    "identity.flag_rule.switched_off": "switched a cumulative-harm rule off",
}
PURPOSES = {
    "safeguarding": "to safeguard them",
    "audit": "for data protection oversight",
    "analysis": "for analysis",
}


def action_label(event: str) -> str:
    """A readable phrase for any event, named or not ("team.updated" → "team: updated")."""
    if event in ACTIONS:
        return ACTIONS[event]
    subject, _, verb = event.partition(".")
    words = verb.replace("_", " ").replace(".", " ")
    return f"{subject.replace('_', ' ')}: {words}".strip(": ")


def action_choices() -> list[tuple[str, str]]:
    """The actions a DPO can filter by: every kind of event in the trail, named."""
    found = AuditEvent.objects.order_by().values_list("event", flat=True).distinct()
    return sorted(((e, action_label(e).capitalize()) for e in found), key=lambda c: c[1])


@dataclass(frozen=True)
class TrailFilters:
    person: Staff | None = None
    agency: Agency | None = None
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # An event's sequence: only events about that event's child (no id in the page).
    about: int | None = None

    @property
    def any(self) -> bool:
        return any(
            (self.person, self.agency, self.action, self.date_from, self.date_to, self.about)
        )

    def described(self) -> dict[str, str]:
        """For the export's own audit event: which filters, never a child's id."""
        out = {
            "person": self.person.get_username() if self.person else "",
            "agency": self.agency.code if self.agency else "",
            "action": self.action,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "one_child": "yes" if self.about else "",
        }
        return {k: v for k, v in out.items() if v}


def _filtered(filters: TrailFilters) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.order_by("-sequence")
    if filters.person is not None:
        events = events.filter(actor_id=filters.person.pk)
    if filters.agency is not None:
        events = events.filter(actor_agency=filters.agency.code)
    if filters.action:
        events = events.filter(event=filters.action)
    if filters.date_from is not None:
        start = timezone.make_aware(dt.datetime.combine(filters.date_from, dt.time.min))
        events = events.filter(occurred_at__gte=start)
    if filters.date_to is not None:
        end = timezone.make_aware(dt.datetime.combine(filters.date_to, dt.time.max))
        events = events.filter(occurred_at__lte=end)
    if filters.about is not None:
        child_id = (
            AuditEvent.objects.filter(sequence=filters.about)
            .values_list("child_id", flat=True)
            .first()
        )
        events = events.filter(Q(child_id=child_id) if child_id else Q(pk__in=[]))
    return events


def trail_events(*, actor: Staff, filters: TrailFilters) -> QuerySet[AuditEvent]:
    """The events the filters select, newest first. Only the DPO reads the trail."""
    policy.require_capability(actor, policy.Action.AUDIT_TRAIL_VIEW)
    return _filtered(filters)


@dataclass(frozen=True)
class TrailRow:
    event: AuditEvent
    who: str
    role: str
    agency: str
    sentence: str
    purpose: str
    refused: bool

    @property
    def when(self) -> dt.datetime:
        return timezone.localtime(self.event.occurred_at)

    @property
    def about_a_child(self) -> bool:
        return self.event.child_id is not None


def rows(events: Iterable[AuditEvent]) -> list[TrailRow]:
    """Each event as a sentence, with the names of the staff and agencies it records."""
    events = list(events)
    names = {
        s.pk: s.get_full_name() or s.get_username()
        for s in Staff.objects.filter(pk__in={e.actor_id for e in events if e.actor_id})
    }
    agencies = dict(
        Agency.objects.filter(code__in={e.actor_agency for e in events}).values_list("code", "name")
    )
    out = []
    for e in events:
        if e.actor_id is not None:
            who = names.get(e.actor_id, e.actor_username)
        else:
            who = f"Harbour ({e.actor_username})" if e.actor_username else "Harbour"
        role = Role(e.actor_role).label.lower() if e.actor_role in Role.values else ""
        agency = agencies.get(e.actor_agency, e.actor_agency)
        if e.event == "staff.sign_in_failed":
            who = f"Someone using the username {e.detail.get('username', '') or '(blank)'}"
        # "the child's record" after "viewed a child's record" says it twice.
        section = "" if e.section == "record" else SECTION_LABELS.get(e.section, e.section)
        section = section.replace("_", " ")
        action = action_label(e.event)
        if section:
            action += f" ({section})"
        purpose = PURPOSES.get(e.purpose, e.purpose.replace("_", " "))
        subject = who + (f", {role} at {agency}," if role and agency else "")
        sentence = f"{subject} {action}" + (f" {purpose}" if purpose and e.child_id else "")
        out.append(
            TrailRow(
                event=e,
                who=who,
                role=role,
                agency=agency,
                sentence=sentence,
                purpose=purpose,
                refused=e.outcome == "denied",
            )
        )
    return out


CSV_HEADER = ["when", "who", "role", "agency", "what", "purpose", "outcome", "sequence"]


def export(*, actor: Staff, filters: TrailFilters) -> list[list[Any]]:
    """The filtered trail as CSV rows (the sentence as "what"), at most ``MAX_EXPORT``; the
    download is itself an event in the trail, with its filters and how many rows."""
    events = list(trail_events(actor=actor, filters=filters)[:MAX_EXPORT])
    out = [
        [
            row.when.isoformat(timespec="seconds"),
            row.who,
            row.role,
            row.agency,
            row.sentence,
            row.purpose,
            "refused" if row.refused else "allowed",
            row.event.sequence,
        ]
        for row in rows(events)
    ]
    audit_record(
        actor=actor,
        event="audit.exported",
        purpose="audit",
        detail={"rows": len(out), "filters": filters.described()},
    )
    return out


@dataclass(frozen=True)
class ChainStatus:
    """The chain's state as last checked: when, by whom, and what was found."""

    checked_at: dt.datetime | None
    checked_by: str
    ok: bool
    events_checked: int
    problem: str

    @property
    def checked(self) -> bool:
        return self.checked_at is not None


def chain_status() -> ChainStatus:
    last = AuditEvent.objects.filter(event=CHAIN_CHECKED).order_by("-sequence").first()
    if last is None:
        return ChainStatus(None, "", False, 0, "")
    by = rows([last])[0].who
    return ChainStatus(
        timezone.localtime(last.occurred_at),
        by,
        bool(last.detail.get("ok")),
        int(last.detail.get("events_checked", 0)),
        str(last.detail.get("problem", "")),
    )


def chain_check(*, actor: Staff | None, system_actor: str = "") -> ChainReport:
    """Walk the chain now and record what was found (the DPO's button and ``harbour audit
    verify`` both)."""
    if actor is not None:
        policy.require_capability(actor, policy.Action.AUDIT_TRAIL_VIEW)
    report = audit_verify()
    try:
        audit_record(
            actor=actor,
            system_actor=system_actor,
            event=CHAIN_CHECKED,
            purpose="audit",
            detail={
                "ok": report.ok,
                "events_checked": report.events_checked,
                "problem": str(report.problem) if report.problem else "",
            },
        )
    except AuditWriteError:
        # A log this broken refuses writes (a row past its head, an emptied log): the report
        # still says what is wrong, which is what whoever ran the check needs.
        if report.ok:
            raise
    return report
