"""Who may see a child (working relationships, break-glass grants) and the audit log of every
read and write of a child's data."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from harbour.children.models import Child
from harbour.partnership.models import Agency


class RelationshipKind(models.TextChoices):
    AGENCY_RECORD = "agency_record", "The agency holds its own record of the child"
    TEAM_AROUND_CHILD = "team_around_child", "Member of the team around the child"
    OPEN_REFERRAL = "open_referral", "Open referral"
    PANEL_MEMBERSHIP = "panel_membership", "Child is on a panel this person sits on"
    LEAD_PRACTITIONER = "lead_practitioner", "Lead practitioner for the child"


class WorkingRelationshipQuerySet(models.QuerySet["WorkingRelationship"]):
    def current(self) -> WorkingRelationshipQuerySet:
        today = timezone.localdate()
        return self.filter(started_on__lte=today).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=today)
        )


class WorkingRelationship(models.Model):
    """A reason for a person, or a whole agency, to work with a child. The access policy reads
    these; the apps that create the reasons (referrals, panels, the team around the child) write
    them through ``access.services``.

    Exactly one of ``staff`` (a personal relationship) and ``agency`` (an agency-wide one, such
    as the agency's own case record or a referral open at its front door) is set."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="working_relationships")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=RelationshipKind.choices)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = WorkingRelationshipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(staff__isnull=False) & Q(agency__isnull=True))
                | (Q(staff__isnull=True) & Q(agency__isnull=False)),
                name="working_relationship_staff_xor_agency",
            )
        ]
        indexes = [models.Index(fields=["child", "kind"])]

    def __str__(self) -> str:
        who = self.staff or self.agency
        return f"{who}: {self.get_kind_display()}"


class ReviewOutcome(models.TextChoices):
    JUSTIFIED = "justified", "Justified"
    NOT_JUSTIFIED = "not_justified", "Not justified: raised with the agency"


class BreakGlassGrant(models.Model):
    """Access to a child's record without a working relationship, given on a typed reason and
    reviewed afterwards by the data protection officer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_outcome = models.CharField(max_length=20, blank=True, choices=ReviewOutcome.choices)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"Break-glass by {self.staff} at {self.granted_at:%Y-%m-%d %H:%M}"


class AuditChainHead(models.Model):
    """One row holding the last sequence number and hash. Writers lock it (SELECT … FOR UPDATE)
    so that concurrent transactions append one after another: no gaps, no forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"Audit chain head at sequence {self.last_sequence}"


class AuditEvent(models.Model):
    """Append-only and hash-chained: each row's hash covers its content and the previous row's
    hash. Triggers refuse UPDATE and DELETE on both databases (migrations 0004 and 0006,
    ``access.append_only``), and the head is anchored outside the database (ADR 0041)."""

    sequence = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    event = models.CharField(max_length=60)
    outcome = models.CharField(max_length=10, default="allowed")
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=40, blank=True)
    actor_agency = models.CharField(max_length=60, blank=True)
    # No foreign key: the trail must outlive the records it describes.
    child_id = models.UUIDField(null=True, db_index=True)
    section = models.CharField(max_length=60, blank=True)
    purpose = models.CharField(max_length=40, blank=True)
    basis = models.CharField(max_length=60, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["actor_id", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.sequence} {self.event}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise RuntimeError("Audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit events are append-only")


class AccessAlertRule(models.TextChoices):
    MANY_CHILDREN = "many_children", "Many children viewed within an hour"
    OUT_OF_HOURS = "out_of_hours", "Many children viewed out of hours"
    NOT_ON_CASELOAD = "not_on_caseload", "A child viewed with no working relationship"
    DECLARED_CONNECTION = "declared_connection", "A child viewed by staff who declared a connection"


class AccessAlert(models.Model):
    """Something in the audit stream a suspicious-access rule (``access.watch``) found, for the
    data protection officer to look at: who, which rule, when, and the events behind it (by their
    sequence in the trail, never the child's name). It says what was seen, not what it means."""

    rule = models.CharField(max_length=30, choices=AccessAlertRule.choices)
    # What makes the alert one alert: re-running the rules finds it again, never a second one.
    key = models.CharField(max_length=200, unique=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    children = models.PositiveIntegerField()
    # The sequences of the audit events behind the alert, and the figures the rule compared.
    sequences = models.JSONField(default=list)
    facts = models.JSONField(default=dict)
    raised_at = models.DateTimeField(default=timezone.now)
    looked_at = models.DateTimeField(null=True, blank=True)
    looked_at_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-last_seen"]
        indexes = [models.Index(fields=["rule", "staff", "last_seen"])]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}: {self.staff}"


class DeclaredConnection(models.Model):
    """The register of declared conflicts: a member of staff's family member (or someone else
    they are close to) who may appear in Harbour, declared by the member of staff or recorded by
    the data protection officer. ``harbour audit watch`` matches it to children by name and date
    of birth and raises an alert when that member of staff opens one of them (ADR 0041)."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declared_connections"
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    connection = models.CharField(max_length=100, help_text="For example: nephew, neighbour")
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(default=timezone.now)
    ended_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.staff}: {self.connection}"
