"""The partnership: agencies, their teams and staff, information-sharing agreements and
threshold guidance. None of it identifies a child."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AgencyType(models.TextChoices):
    POLICE = "police", "Police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    NHS_TRUST = "nhs_trust", "Emergency department (NHS trust)"
    AMBULANCE = "ambulance", "Ambulance service"
    YOUTH_JUSTICE = "youth_justice", "Youth justice service"
    SCHOOL = "school", "School"
    VCSE = "vcse", "Voluntary and community sector"
    VRU = "vru", "Violence reduction unit"
    PROBATION = "probation", "Probation service"


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(max_length=60, unique=True, help_text="Short code used in reports")
    agency_type = models.CharField(max_length=40, choices=AgencyType.choices)
    school_urn = models.CharField(
        "School URN", max_length=6, blank=True, help_text="Unique reference number, schools only"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    is_front_door = models.BooleanField(
        "Front door (MASH) team", default=False, help_text="Receives and decides on referrals"
    )

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_unique_name_in_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    FRONT_DOOR_PRACTITIONER = "front_door_practitioner", "Front-door practitioner"
    FRONT_DOOR_MANAGER = "front_door_manager", "Front-door manager"
    LEAD_PRACTITIONER = "lead_practitioner", "Lead practitioner"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    ANALYST = "analyst", "Analyst"
    STRATEGIC_LEADER = "strategic_leader", "Strategic leader"
    DATA_PROTECTION_OFFICER = "data_protection_officer", "Data protection officer"
    ADMINISTRATOR = "administrator", "Administrator"


class Staff(AbstractUser):
    """A person who signs in. Each account has one role in one agency (see ADR 0003)."""

    email = models.EmailField("Email address", unique=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="members", null=True, blank=True
    )
    role = models.CharField(max_length=40, choices=Role.choices, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(
        "Telephone", max_length=30, blank=True, help_text="Where colleagues ring them at work"
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "staff member"
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Purpose(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding and child protection"
    PREVENTION = "prevention", "Prevention and early help"
    CRIME_REDUCTION = "crime_reduction", "Crime and disorder reduction"
    ANALYSIS = "analysis", "Strategic analysis (pseudonymised or aggregate)"
    AUDIT = "audit", "Audit and data protection oversight"


class DataCategory(models.TextChoices):
    IDENTITY = "identity", "Identity and contact details"
    FAMILY = "family", "Family and relationships"
    ETHNICITY = "ethnicity", "Ethnicity (special category)"
    # Religious belief and the culture a child describes are special category data of their
    # own, as communication needs and developmental age are health data: neither is identity.
    FAITH_CULTURE = "faith_culture", "Faith, heritage and culture (special category)"
    HEALTH = "health", "Health and needs (special category)"
    COMMUNICATION = (
        "communication",
        "Communication needs and developmental age (special category: health)",
    )
    EDUCATION = "education", "Education"
    CRIMINAL = "criminal", "Offences and police intelligence (criminal offence data)"
    SOCIAL_CARE = "social_care", "Social care involvement"


class LawfulBasis(models.TextChoices):
    PUBLIC_TASK = "public_task", "UK GDPR Article 6(1)(e) public task"
    LEGAL_OBLIGATION = "legal_obligation", "UK GDPR Article 6(1)(c) legal obligation"
    VITAL_INTERESTS = "vital_interests", "UK GDPR Article 6(1)(d) vital interests"
    CONSENT = "consent", "UK GDPR Article 6(1)(a) consent"


class InformationSharingAgreementQuerySet(models.QuerySet["InformationSharingAgreement"]):
    def in_force(self, on: dt.date) -> InformationSharingAgreementQuerySet:
        return self.filter(start_date__lte=on).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on)
        )


class InformationSharingAgreement(models.Model):
    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=40, unique=True)
    parties = models.ManyToManyField(Agency, related_name="sharing_agreements")
    purposes = models.JSONField(default=list, help_text="Codes from Purpose")
    data_categories = models.JSONField(default=list, help_text="Codes from DataCategory")
    lawful_basis = models.CharField(max_length=40, choices=LawfulBasis.choices)
    special_category_condition = models.CharField(
        max_length=300,
        blank=True,
        help_text=(
            "Condition for special category and criminal offence data, "
            "e.g. DPA 2018 Schedule 1 paragraph 18"
        ),
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)

    objects = InformationSharingAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.reference})"

    def is_in_force(self, on: dt.date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)


class ThresholdLevel(models.TextChoices):
    UNIVERSAL = "universal", "Universal services"
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need (section 17)"
    CHILD_PROTECTION = "child_protection", "Child protection (section 47)"
    RISK_OUTSIDE_THE_HOME = "risk_outside_the_home", "Risk outside the home (extra-familial harm)"


class ThresholdGuidance(models.Model):
    title = models.CharField(max_length=200)
    level = models.CharField(max_length=40, choices=ThresholdLevel.choices)
    version = models.CharField(max_length=20)
    body = models.TextField(
        help_text="What the partnership expects at this level, in plain English"
    )
    indicators = models.TextField(blank=True, help_text="One indicator per line")
    effective_from = models.DateField()
    published_by = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["level", "-effective_from"]
        verbose_name_plural = "threshold guidance"

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class StaffChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class StaffChangeRequest(models.Model):
    """A change to an account's access that waits for a second administrator (ADR 0018): who
    asked, when, the account's role, agency, team and whether it is active before and after, and
    who decided, when and why a refusal. ``before`` and ``after`` hold plain data (a role code,
    agency and team ids) so the request reads the same whatever happens to the account later."""

    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="access_change_requests"
    )
    new_account = models.BooleanField(
        default=False, help_text="Asked for when the account was added (it has no role until then)"
    )
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    requested_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=20, choices=StaffChangeStatus.choices, default=StaffChangeStatus.PENDING
    )
    decided_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One change at a time: a second would be decided against a state that may not last.
            models.UniqueConstraint(
                fields=["staff"],
                condition=Q(status="pending"),
                name="staff_change_one_pending_per_account",
            )
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"Change to {self.staff} asked for by {self.requested_by} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == StaffChangeStatus.PENDING

    @property
    def changed(self) -> list[str]:
        """The access fields this request changes, in a stable order."""
        return [name for name in self.after if self.before.get(name) != self.after[name]]
