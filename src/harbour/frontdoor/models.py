"""Referrals to the front door and what happens to them: the rating, the decision with the
manager's countersignature, feedback to the referrer and escalation. The partnership's own rules —
what a complete referral holds and how fast each step must happen — are data here too, changed by
an administrator, never code.

A referral identifies a child, so every model that holds one is in ``FRONT_DOOR_CHILD_MODELS``
and views never query them (``frontdoor.selectors`` does, through the policy, and audits)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from harbour.children.codes import Ethnicity, Sex
from harbour.children.models import Child, postcode_validator
from harbour.frontdoor.codes import (
    Consent,
    Feed,
    LinkKind,
    MeetingRole,
    MeetingStatus,
    Outcome,
    ParentsAware,
    Rag,
    RapidStatus,
    Sampling,
    ServiceClock,
    Source,
    Status,
    Step,
    Unit,
    Urgency,
)
from harbour.frontdoor.working_time import DEFAULT_CLOSES, DEFAULT_OPENS, WorkingTime
from harbour.language.models import StoredFinding
from harbour.partnership.models import Agency, Team, ThresholdGuidance


class Referral(models.Model):
    """One referral, from its first saved answer (a draft only its author sees) to its decision.
    The answers are kept exactly as the referrer gave them; the child they are about is confirmed
    at the front door (``child``), which may be a child Harbour already knows or a new one."""

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    feed = models.CharField(max_length=20, choices=Feed.choices, blank=True)
    source_system = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=64, blank=True)

    front_door = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    referring_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals_made"
    )
    referring_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_made",
    )
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField("How to contact the referrer", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    received_at = models.DateTimeField(null=True, blank=True)

    # The child, as the referrer described them.
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    child_confirmed_at = models.DateTimeField(null=True, blank=True)
    child_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    child_given_name = models.CharField("First name", max_length=100, blank=True)
    child_family_name = models.CharField("Last name", max_length=100, blank=True)
    child_other_names = models.CharField("Other names", max_length=200, blank=True)
    child_date_of_birth = models.DateField("Date of birth", null=True, blank=True)
    child_sex = models.CharField("Sex", max_length=1, choices=Sex.choices, blank=True)
    child_address = models.CharField("Address", max_length=300, blank=True)
    child_postcode = models.CharField(
        "Postcode", max_length=8, blank=True, validators=[postcode_validator]
    )
    child_nhs_number = models.CharField("NHS number", max_length=10, blank=True)

    # What happened and why the referrer is worried.
    incident_date = models.DateField(null=True, blank=True)
    # What police and health hold about the incident (issue 12, part 7).
    incident_time = models.TimeField(null=True, blank=True)
    incident_location = models.CharField(max_length=300, blank=True)
    incident_reference = models.CharField(
        max_length=64,
        blank=True,
        help_text="The police occurrence or incident reference, or the health record's",
    )
    others_involved = models.TextField(
        blank=True, help_text="Other people involved: suspects, witnesses, other children"
    )
    referrer_phone = models.CharField(max_length=30, blank=True)
    what_happened = models.TextField(blank=True)
    concerns = models.JSONField(default=list, blank=True, help_text="Codes from Concern")
    reason = models.TextField("Reason for referral", blank=True)
    child_voice = models.TextField("The child's own words", blank=True)
    child_voice_absent_reason = models.TextField(
        "Why the child's words could not be obtained", blank=True
    )
    ethnicity = models.CharField(max_length=40, choices=Ethnicity.choices, blank=True)
    cultural_heritage = models.TextField("Culture, faith and heritage", blank=True)
    known_needs = models.JSONField(default=list, blank=True, help_text="Codes from KnownNeed")
    needs_detail = models.TextField(blank=True)
    education_setting = models.CharField(max_length=200, blank=True)
    parents_aware = models.CharField(max_length=10, choices=ParentsAware.choices, blank=True)
    consent = models.CharField(max_length=20, choices=Consent.choices, blank=True)
    consent_reason = models.TextField("Why consent was not sought or was refused", blank=True)
    actions_taken = models.TextField("What the referrer has already done", blank=True)
    urgency = models.CharField(max_length=20, choices=Urgency.choices, blank=True)

    # Completeness against the partnership's rules at the moment it was received.
    completeness_score = models.PositiveSmallIntegerField(null=True, blank=True)
    completeness_missing = models.JSONField(default=list, blank=True)

    # The service-level clock, fixed when the referral is received: which clock (from the urgency
    # and whether it arrived out of hours, ADR 0019) and when each step is due by it.
    service_clock = models.CharField(max_length=20, choices=ServiceClock.choices, blank=True)
    received_out_of_hours = models.BooleanField(default=False)
    rag_due_at = models.DateTimeField(null=True, blank=True)
    decision_due_at = models.DateTimeField(null=True, blank=True)
    escalation_from = models.DateTimeField(null=True, blank=True)
    # When the front door's managers were told an immediate referral was not rated in time
    # (once: ``services.clock_alerts_notify``).
    rating_overdue_notified_at = models.DateTimeField(null=True, blank=True)

    # Who at the front door is working on it ("assign to me"; a manager allocates to anyone).
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="allocated_referrals",
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    rag = models.CharField("RAG rating", max_length=10, choices=Rag.choices, blank=True)
    rag_rationale = models.TextField(blank=True)
    rag_at = models.DateTimeField(null=True, blank=True)
    rag_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-created_at"]
        indexes = [
            models.Index(fields=["front_door", "status"]),
            models.Index(fields=["referring_agency", "received_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referring_agency", "source_system", "source_id"],
                condition=~models.Q(source_id=""),
                name="referral_unique_source_id",
            )
        ]

    def __str__(self) -> str:
        return self.reference or f"Draft referral {self.pk}"

    @property
    def child_stated_name(self) -> str:
        return f"{self.child_given_name} {self.child_family_name}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in (Status.RECEIVED, Status.RATED, Status.DECIDED)

    def current_decision(self) -> ReferralDecision | None:
        """The decision that stands or waits for a manager (newest first); returned and
        set-aside decisions are history. Uses prefetched decisions when there are some."""
        for decision in self.decisions.all():
            if decision.state not in (DecisionState.RETURNED, DecisionState.REOPENED):
                return decision
        return None


class DecisionState(models.TextChoices):
    AWAITING_COUNTERSIGN = "awaiting", "Awaiting manager countersignature"
    COUNTERSIGNED = "countersigned", "Countersigned"
    RETURNED = "returned", "Returned by the manager"
    REOPENED = "reopened", "Set aside when the referral was reopened"


class ReferralDecision(models.Model):
    """A practitioner's decision on a referral. A manager countersigns it (then the referrer is
    told) or returns it with a note; a returned decision stays in the history."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    rationale = models.TextField()
    threshold = models.ForeignKey(
        ThresholdGuidance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="Threshold guidance relied on",
    )
    parents_as_partners = models.TextField(
        "How parents and carers will be worked with as partners", blank=True
    )
    feedback_to_referrer = models.TextField("What the referrer will be told")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    state = models.CharField(
        max_length=20, choices=DecisionState.choices, default=DecisionState.AWAITING_COUNTERSIGN
    )
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    countersigned_at = models.DateTimeField(null=True, blank=True)
    manager_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.referral})"


class Escalation(models.Model):
    """A referrer's escalation when no outcome arrived in time, tracked until it is resolved."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="escalations")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Escalation of {self.referral}"


class Notification(models.Model):
    """A message to one member of staff about a referral (an outcome, an escalation, a task)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message


class SourceTask(models.Model):
    """A task back to the agency whose automated referral arrived incomplete: what is missing."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="source_tasks")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    missing = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Missing from {self.referral}"


# The partnership's rules, as data ----------------------------------------------------------------


class CompletenessRule(models.Model):
    """One item a complete referral holds, its weight in the score, and whether a referral made on
    the form may be submitted without it. Automated referrals are never refused for a missing item:
    they arrive flagged, with a task back to the source (finding 1.3)."""

    item = models.CharField(max_length=40, unique=True)
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    mandatory = models.BooleanField(
        "Required before a referral can be sent",
        default=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item"]

    def __str__(self) -> str:
        return self.item


#: What a serious incident was before the rule was data: violence of severity 3 or 4 recorded by
#: the police, the ambulance service or an emergency department (migration 0010 seeds these).
DEFAULT_SERIOUS_KINDS = ("incident", "ambulance", "ed_attendance")
DEFAULT_SERIOUS_CATEGORIES = ("violence_injury", "assault", "robbery", "weapon")


class SeriousIncidentRule(models.Model):
    """The partnership's rule for a serious incident (ADR 0016, ADR 0028): the kinds of event,
    their categories, the least severity and the age under which the child on the record is a
    child. The front door's list of serious incidents reads it, and when ``opens_automatically``
    an incident that meets it opens a rapid response as it arrives. One row (``current``);
    seeded by migration 0010 with what was code before."""

    kinds = models.JSONField(help_text="Kinds of event (identity.EventKind values)")
    categories = models.JSONField(help_text="Categories of event (identity.EventCategory values)")
    minimum_severity = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    under_age = models.PositiveSmallIntegerField(
        default=18,
        validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text="The child on the record was younger than this on the day (or their age is "
        "not known)",
    )
    opens_automatically = models.BooleanField(
        "Open a rapid response when such an incident arrives", default=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Severity {self.minimum_severity} or more, under {self.under_age}"

    @classmethod
    def current(cls) -> SeriousIncidentRule:
        """The rule in force (the first row); a fresh one with the defaults if none is saved."""
        found = cls.objects.order_by("pk").first()
        if found is not None:
            return found
        return cls(kinds=list(DEFAULT_SERIOUS_KINDS), categories=list(DEFAULT_SERIOUS_CATEGORIES))


class ServiceLevel(models.Model):
    """How long the front door has for a step, counted from when the referral was received. The
    steps of a referral (rating, decision, when its referrer may escalate) have one level for
    each clock (``ServiceClock``: immediate, today, routine, out of hours); a strategy meeting and
    a rapid response have one level each, with no clock."""

    step = models.CharField(max_length=20, choices=Step.choices)
    clock = models.CharField(max_length=20, choices=ServiceClock.choices, blank=True)
    amount = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    unit = models.CharField(max_length=20, choices=Unit.choices)

    class Meta:
        ordering = ["clock", "step"]
        constraints = [
            models.UniqueConstraint(fields=["step", "clock"], name="service_level_step_clock")
        ]

    def __str__(self) -> str:
        clock = f" ({self.get_clock_display().lower()})" if self.clock else ""
        return f"{self.get_step_display()}{clock}: {self.amount} {self.get_unit_display().lower()}"

    @property
    def in_words(self) -> str:
        """ "1 hour", "24 hours", "3 working days"."""
        unit = "hour" if self.unit == Unit.HOURS else "working day"
        return f"{self.amount} {unit}{'' if self.amount == 1 else 's'}"

    def due(self, start: dt.datetime, working: WorkingTime | None = None) -> dt.datetime:
        """When the step is due, counted from ``start`` on the front door's working time (its
        bank holidays come from ``working``; without it only weekends are skipped)."""
        return (working or WorkingTime()).due(self.amount, self.unit, start)


class WorkingHours(models.Model):
    """When the front door's office is open, Monday to Friday except bank holidays: the
    partnership's own hours, one row. Outside them a referral is received out of hours and, unless
    it is routine, the emergency duty team's clock applies (ADR 0019)."""

    opens_at = models.TimeField("Opens", default=DEFAULT_OPENS)
    closes_at = models.TimeField("Closes", default=DEFAULT_CLOSES)

    class Meta:
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="working_hours_open_before_close",
            )
        ]

    def __str__(self) -> str:
        return f"{self.opens_at:%H:%M} to {self.closes_at:%H:%M}"


class BankHoliday(models.Model):
    """A day the front door's office is closed: not a working day, and out of hours all day.
    Administrators keep the list (the seeded one is England and Wales's for 2025 to 2027)."""

    day = models.DateField("Date", unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.name} ({self.day:%-d %B %Y})"


class EscalationStage(models.Model):
    """The partnership's escalation route, shown to a referrer who escalates."""

    order = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200)
    who = models.CharField(max_length=200)
    how = models.CharField("How to reach them", max_length=300)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.title


FRONT_DOOR_CHILD_MODELS: tuple[type[models.Model], ...] = (
    Referral,
    ReferralDecision,
    Escalation,
    Notification,
    SourceTask,
)


# Automated referrals (the API and bulk files) -----------------------------------------------------


def api_token_expiry() -> dt.datetime:
    """When a token made now stops working: ``HARBOUR_API_TOKEN_DAYS`` from now (ADR 0042)."""
    return timezone.now() + dt.timedelta(days=settings.HARBOUR_API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token one agency's system uses to send referrals (ADR 0011). Only the SHA-256 of
    the secret is stored; the secret is shown once, when the token is made. ``prefix`` is the
    token's public part, used to find it and to name it in logs and the audit trail. Every token
    expires (ADR 0042): rotating one makes its successor and shortens its own life to a few days,
    so the sending system can change over without a gap."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="Which system uses it, for people")
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=api_token_expiry)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        help_text="The token made when this one was rotated",
    )

    class Meta:
        ordering = ["agency__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ApiRateWindow(models.Model):
    """How many requests one token has made in one minute (ADR 0042). In the database so that
    every gunicorn worker (and every machine) counts against the same limit; each request adds
    one in a short transaction of its own, before the request's own transaction begins."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "window_start"], name="one_window_per_minute")
        ]

    def __str__(self) -> str:
        return f"{self.token_id} at {self.window_start:%Y-%m-%d %H:%M}: {self.count}"


class IdempotencyRecord(models.Model):
    """The answer given to one agency's request with one ``Idempotency-Key``: a retry with the
    same key and the same body gets the same answer again, never a second referral."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=200, help_text="Method and path the key was used on")
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical body")
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="idempotency_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"


# Strategy meetings -------------------------------------------------------------------------------


class StrategyMeeting(models.Model):
    """A strategy meeting (discussion) convened from a decision on a referral, with the agencies it
    needs, who came, what was decided and what is to be done. Out-of-hours meetings are normal
    business here, not an exception (finding 1.6)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="meetings")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="strategy_meetings")
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    convened_at = models.DateTimeField()
    scheduled_for = models.DateTimeField()
    due_by = models.DateTimeField(null=True, blank=True, help_text="From the service level")
    out_of_hours = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    held_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decisions = models.TextField(blank=True)

    class Meta:
        ordering = ["-scheduled_for"]

    def __str__(self) -> str:
        return f"Strategy meeting for {self.referral}"

    @property
    def late(self) -> bool:
        when = self.held_at or self.scheduled_for
        return self.due_by is not None and when > self.due_by


class MeetingAgency(models.Model):
    """An agency invited to a strategy meeting, the role it fills, and whether it came."""

    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="agencies")
    role = models.CharField(max_length=20, choices=MeetingRole.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField(null=True, blank=True)
    attendee = models.CharField("Who attended", max_length=200, blank=True)

    class Meta:
        ordering = ["role", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "role", "agency"], name="meeting_agency_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} ({self.role})"


class MeetingAction(models.Model):
    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField(max_length=200, blank=True)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


# Multi-agency audits of referrals ----------------------------------------------------------------


class ReferralAudit(models.Model):
    """One round of a multi-agency audit: how the referrals were sampled, and by whom."""

    title = models.CharField(max_length=200)
    sampling = models.CharField(max_length=20, choices=Sampling.choices)
    criteria = models.JSONField(default=dict, blank=True)
    sample_size = models.PositiveSmallIntegerField()
    seed = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    front_door = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class AuditedReferral(models.Model):
    """One referral in an audit round, its scores against each question, the findings, and when
    they were fed back to the referring team."""

    audit = models.ForeignKey(ReferralAudit, on_delete=models.CASCADE, related_name="cases")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="audits")
    scores = models.JSONField(default=dict, blank=True, help_text="AuditQuestion -> AuditGrade")
    findings = models.TextField(blank=True)
    audited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    audited_at = models.DateTimeField(null=True, blank=True)
    fed_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["audit", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "referral"], name="audited_referral_unique")
        ]

    def __str__(self) -> str:
        return f"{self.referral} in {self.audit}"


FRONT_DOOR_CHILD_MODELS = (
    *FRONT_DOOR_CHILD_MODELS,
    StrategyMeeting,
    MeetingAgency,
    MeetingAction,
    AuditedReferral,
)


# Rapid response after a serious incident (issue 3, part 9) --------------------------------------


class RapidResponse(models.Model):
    """A multi-agency rapid response to a serious incident (a stabbing, a shooting, a serious
    assault): the children linked to it, to be convened within the service level (24 hours by
    default) of being opened, and closed only when each child has a named contact. One per
    incident; the incident is the agency's own event (``identity.AgencyEvent``)."""

    reference = models.CharField(max_length=20, unique=True)
    incident = models.OneToOneField(
        "identity.AgencyEvent", on_delete=models.PROTECT, related_name="rapid_response"
    )
    front_door = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Null when the partnership's rule opened it as the incident arrived (``opened_by_rule``).
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_by_rule = models.BooleanField(default=False)
    opened_at = models.DateTimeField()
    convene_by = models.DateTimeField(help_text="From the service level")
    status = models.CharField(max_length=10, choices=RapidStatus.choices, default=RapidStatus.OPEN)
    convened_at = models.DateTimeField(null=True, blank=True)
    agencies_present = models.ManyToManyField(Agency, blank=True, related_name="+")
    decisions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    @property
    def late(self) -> bool:
        """Convened after the service level, or still not convened after it."""
        if self.convened_at is not None:
            return self.convened_at > self.convene_by
        return timezone.now() > self.convene_by


class RapidResponseChild(models.Model):
    """A child linked to the incident, why (``reasons``: the facts behind the link, each with
    its date and agency), and the contact named for them in this response."""

    response = models.ForeignKey(RapidResponse, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="rapid_responses")
    link = models.CharField(max_length=10, choices=LinkKind.choices)
    reasons = models.JSONField(default=list)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact_named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact_named_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["response", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "child"], name="rapid_response_child_once")
        ]

    def __str__(self) -> str:
        return f"{self.child_id} on {self.response}"


class ReferralWordingFinding(StoredFinding):
    """What the language checker found in a referral's text when it arrived from another
    agency's system, by the API or a bulk file (ADR 0030): shown to the front door beside the
    answer it was found in, which is kept exactly as sent."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="wording_findings"
    )

    class Meta(StoredFinding.Meta):
        ordering = ["referral", "field_name", "start", "pk"]


FRONT_DOOR_CHILD_MODELS = (
    *FRONT_DOOR_CHILD_MODELS,
    RapidResponse,
    RapidResponseChild,
    ReferralWordingFinding,
)
