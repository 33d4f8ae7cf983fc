"""The child as a person. Every model here identifies a child: views never query them directly
(``children.selectors`` does, through the access policy), and each is listed in
``CHILD_IDENTIFIABLE_MODELS`` so a test can enforce that."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from harbour.children.codes import (
    ONS_TO_DFE,
    ActionStatus,
    AssessmentKind,
    AssessmentStatus,
    EducationStatus,
    Ethnicity,
    NameKind,
    NeedKind,
    PlanType,
    Relationship,
    Sex,
)
from harbour.partnership.models import Agency

postcode_validator = RegexValidator(
    r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$",
    "Enter a real postcode, like AA1 1AA",
)
# The first part of a postcode (the outward code: area and district), for a search by area.
OUTWARD_CODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]?$"
lsoa_validator = RegexValidator(r"^[EW]01[0-9]{6}$", "Enter a 2021 LSOA code, like E01000001")


class Child(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    given_name = models.CharField("First name", max_length=100)
    family_name = models.CharField("Last name", max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    gender = models.CharField(
        max_length=100, blank=True, help_text="How the child describes their gender, in their words"
    )
    ethnicity = models.CharField(
        max_length=40, choices=Ethnicity.choices, default=Ethnicity.NOT_KNOWN
    )
    ethnicity_dfe_code = models.CharField("DfE ethnicity code", max_length=4, editable=False)
    ethnicity_source_system = models.CharField(max_length=60, blank=True)
    ethnicity_source_code = models.CharField(max_length=20, blank=True)
    first_language = models.CharField(max_length=60, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    address_line = models.CharField("Address", max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[postcode_validator])
    lsoa21cd = models.CharField(
        "LSOA (2021)", max_length=9, blank=True, validators=[lsoa_validator]
    )
    recorded_by = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="children_recorded",
        help_text="The agency that first recorded this child in Harbour",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "children"
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["postcode"]),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def save(self, *args: object, **kwargs: object) -> None:
        # The DfE code is derived, never typed: keep it in step with the ONS value.
        self.ethnicity_dfe_code = ONS_TO_DFE[self.ethnicity]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def age_on(self, day: dt.date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class ChildName(models.Model):
    """Other names the child is known by: aliases, nicknames, previous and preferred names."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="other_names")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=20, choices=NameKind.choices)

    class Meta:
        ordering = ["kind", "given_name"]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class FamilyMember(models.Model):
    """A member of the child's family. Where the relative is a child known to Harbour (a sibling),
    ``related_child`` points at them so their own involvement can be shown."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="family")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    related_child = models.ForeignKey(
        Child, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    has_parental_responsibility = models.BooleanField(default=False)
    lives_with_child = models.BooleanField(default=False)

    class Meta:
        ordering = ["relationship", "given_name"]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} ({self.get_relationship_display()})"


class Recorded(models.Model):
    """Who recorded a part of the child's record, and when."""

    # Blank only for records that arrive from other systems or the demo generator.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_by_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ChildProfile(Recorded):
    """What everyone working with the child should know first: how to communicate with them,
    their developmental age, and who they are in their own terms."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="profile")
    preferred_name = models.CharField(max_length=100, blank=True)
    communication = models.TextField(
        "How to communicate with me",
        blank=True,
        help_text="Speech, language and communication needs, and how the child likes to talk",
    )
    what_helps = models.TextField(blank=True)
    what_to_avoid = models.TextField(blank=True)
    developmental_age_notes = models.TextField(
        blank=True, help_text="Where the child's development differs from their age, and how"
    )
    strengths = models.TextField(blank=True)
    interests = models.TextField(blank=True)
    identity_and_culture = models.TextField(
        blank=True, help_text="Identity, culture, faith and heritage, as the child describes them"
    )
    wishes = models.TextField("Wishes and feelings", blank=True)
    preferred_professional = models.CharField(
        max_length=200, blank=True, help_text="Who the child would like to work with, and why"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Profile of {self.child}"


class Need(Recorded):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(max_length=30, choices=NeedKind.choices)
    sen_type = models.CharField(
        "Type of need (school census)",
        max_length=4,
        blank=True,
        help_text="SEN2 code such as SEMH or SLCN",
    )
    description = models.CharField(max_length=500)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="need_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"


class Assessment(Recorded):
    """An assessment the child has been referred for: the wait is the point."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=30, choices=AssessmentKind.choices)
    provider = models.CharField(max_length=200, blank=True)
    referred_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.WAITING
    )
    completed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["status", "referred_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("referred_on")),
                name="assessment_completed_not_before_referral",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (referred {self.referred_on})"

    def wait_days(self, today: dt.date) -> int:
        end = self.completed_on or today
        return (end - self.referred_on).days


class VoiceEntry(Recorded):
    """The child's own words, dated and attributed, and what was shared back with them."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="voice")
    said_on = models.DateField()
    words = models.TextField(help_text="In the child's own words, as they said them")
    setting = models.CharField(max_length=200, blank=True, help_text="Where or at what meeting")
    shared_with_child_and_family = models.TextField(blank=True)
    child_and_family_views = models.TextField(blank=True)

    class Meta:
        ordering = ["-said_on", "-recorded_at"]
        verbose_name_plural = "voice entries"

    def __str__(self) -> str:
        return f"{self.child} on {self.said_on}"


class EducationEpisode(Recorded):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="education")
    setting = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The school or alternative provision, where it is a partner agency",
    )
    setting_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=30, choices=EducationStatus.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    attendance_percent = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="education_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(attendance_percent__isnull=True) | Q(attendance_percent__lte=100),
                name="education_attendance_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.start_date}"


class EducationLimit(models.Model):
    """How long the partnership accepts a child on a reduced timetable or in alternative
    provision before someone must look again. Data, set by administrators."""

    status = models.CharField(max_length=30, choices=EducationStatus.choices, unique=True)
    max_days = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.max_days} days"


class Plan(Recorded):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="plans")
    plan_type = models.CharField(max_length=30, choices=PlanType.choices)
    outcomes = models.TextField(help_text="What the child and the team want to be different")
    started_on = models.DateField()
    review_due = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    parents_as_partners = models.TextField(
        blank=True, help_text="Risk outside the home: how parents are working with us as partners"
    )

    class Meta:
        ordering = ["closed_on", "-started_on"]

    def __str__(self) -> str:
        return f"{self.get_plan_type_display()} from {self.started_on}"


class PlanAction(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    sequence = models.PositiveSmallIntegerField(help_text="What comes first, as the child chooses")
    description = models.CharField(max_length=500)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    chosen_by_child = models.BooleanField(default=False)

    class Meta:
        ordering = ["plan", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "sequence"], name="one_action_at_each_place_in_a_plan"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.description}"


class PlanReview(Recorded):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    summary = models.TextField()
    child_views = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"Review on {self.held_on}"


class FormulationMeeting(Recorded):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="formulations")
    held_on = models.DateField()
    attendees = models.TextField(help_text="Who attended, one per line, with their agency")
    summary = models.TextField(help_text="The shared, trauma-informed understanding of the child")
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"Formulation on {self.held_on}"


class TransitionPlan(Recorded):
    """The move to adult services for a child approaching 18."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="transition_plan")
    adult_services = models.TextField(blank=True)
    probation = models.TextField(blank=True)
    housing = models.TextField(blank=True)
    health = models.TextField(blank=True)
    agreed_on = models.DateField()

    def __str__(self) -> str:
        return f"Transition plan for {self.child}"


CHILD_IDENTIFIABLE_MODELS: tuple[type[models.Model], ...] = (
    Child,
    ChildName,
    FamilyMember,
    ChildProfile,
    Need,
    Assessment,
    VoiceEntry,
    EducationEpisode,
    Plan,
    PlanAction,
    PlanReview,
    FormulationMeeting,
    TransitionPlan,
)
