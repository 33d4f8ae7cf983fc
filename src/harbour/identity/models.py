"""Each agency's own record of a person, as it arrived (``SourceRecord``), and the person index
that record linkage builds from them (ADR 0014).

- ``LinkageModel``: a trained linkage model, versioned; one is current.
- ``LinkageRun``: one run of ``harbour link run`` and what it did.
- ``Person``: one person across every agency's records, with a stable number shown as
  ``P-000123``; linked to the Harbour child record it is (``child``). A person is never deleted:
  one found to be another is ``merged_into`` it.
- ``PersonRecord``: which person each source record belongs to (one per source record).
- ``PersonChange``: merges, splits, links and unlinks, with who (a run or a member of staff) and
  why, and any NHS number override.
- ``ReviewPair``: two records the model is unsure about (or would link but for different NHS
  numbers) for a person to confirm or reject; decisions are labels for the next run.
- ``HeldRecord``: a record with no usable name, or no date of birth and no NHS number, held for
  review instead of being matched.

Every model that says who a child is belongs in ``IDENTITY_CHILD_MODELS``: views never query
them (``identity.selectors`` does, through the policy, and audits)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from harbour.children.models import Child
from harbour.partnership.models import Agency

HARBOUR_SOURCE_SYSTEM = "harbour"


class SourceRecord(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="source_records")
    source_system = models.CharField(max_length=60)
    source_id = models.CharField(max_length=64)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    address_line = models.CharField(max_length=300, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    school_urn = models.CharField(max_length=6, blank=True)
    upn = models.CharField("UPN", max_length=13, blank=True)
    as_of = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source_system", "source_id"],
                name="source_record_unique_source_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_system}:{self.source_id}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class LinkageModel(models.Model):
    """A trained model (``linkage.model.TrainedModel``) as its exact JSON, with its SHA-256."""

    version = models.PositiveIntegerField(unique=True)
    model_json = models.TextField(help_text="TrainedModel.to_json(), byte for byte")
    sha256 = models.CharField(max_length=64)
    record_count = models.PositiveIntegerField()
    seed = models.IntegerField()
    trained_at = models.DateTimeField()
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    system_actor = models.CharField(max_length=60, blank=True)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="linkage_model_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"linkage model v{self.version}"


class Engine(models.TextChoices):
    DUCKDB = "duckdb", "DuckDB"
    SPARK = "spark", "Spark"


class LinkageRun(models.Model):
    model = models.ForeignKey(LinkageModel, on_delete=models.PROTECT, related_name="runs")
    engine = models.CharField(max_length=10, choices=Engine.choices, default=Engine.DUCKDB)
    incremental = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    system_actor = models.CharField(max_length=60, blank=True)
    records = models.PositiveIntegerField(default=0, help_text="Source records considered")
    persons_created = models.PositiveIntegerField(default=0)
    records_linked = models.PositiveIntegerField(
        default=0, help_text="Records placed with a person for the first time or moved"
    )
    merges = models.PositiveIntegerField(default=0)
    splits = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    review_pairs = models.PositiveIntegerField(default=0, help_text="New pairs for review")
    nhs_conflicts = models.PositiveIntegerField(
        default=0, help_text="Links refused because the NHS numbers differ"
    )
    detail = models.JSONField(default=dict, blank=True, help_text="Timings and other counts")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"linkage run {self.pk}"


class Person(models.Model):
    """One person across every agency's records. Never deleted: a person found to be another
    points to it through ``merged_into`` and keeps its number."""

    number = models.PositiveIntegerField(unique=True)
    child = models.OneToOneField(
        Child,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="The Harbour child record this person is",
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_run = models.ForeignKey(
        LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.display_id

    @property
    def display_id(self) -> str:
        return format_person_id(self.number)


def format_person_id(number: int) -> str:
    return f"P-{number:06d}"


class LinkMethod(models.TextChoices):
    BATCH = "batch", "Linkage run"
    REVIEW = "review", "Reviewer's decision"
    MANUAL = "manual", "By hand"


class PersonRecord(models.Model):
    source_record = models.OneToOneField(
        SourceRecord, on_delete=models.CASCADE, related_name="person_link"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="records")
    method = models.CharField(max_length=10, choices=LinkMethod.choices)
    run = models.ForeignKey(
        LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.source_record} is {self.person}"


class ChangeKind(models.TextChoices):
    MERGE = "merge", "Merged"
    SPLIT = "split", "Split"
    LINK = "link", "Record linked"
    UNLINK = "unlink", "Record unlinked"


class PersonChange(models.Model):
    """A change to who is who. ``person`` is the person kept (merge), left (split) or changed
    (link, unlink); ``other`` the person merged in or split off."""

    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="changes")
    other = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_record_ids = models.JSONField(
        default=list, blank=True, help_text="The source records that moved"
    )
    run = models.ForeignKey(
        LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    system_actor = models.CharField(max_length=60, blank=True)
    reason = models.TextField()
    nhs_override = models.BooleanField(
        default=False, help_text="This change joined records with different NHS numbers"
    )
    nhs_override_reason = models.TextField(blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    CONFIRMED = "confirmed", "Same person"
    REJECTED = "rejected", "Different people"
    WITHDRAWN = "withdrawn", "No longer uncertain"


class ReviewPair(models.Model):
    """Two source records (``record_l`` has the smaller id, as Splink orders a pair) and why the
    model scored them as it did: ``contributions`` holds the waterfall chart's rows."""

    record_l = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    record_r = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    match_weight = models.FloatField(null=True, blank=True)
    match_probability = models.FloatField(null=True, blank=True)
    contributions = models.JSONField(default=list, blank=True)
    model_version = models.PositiveIntegerField(null=True, blank=True)
    run = models.ForeignKey(
        LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    needs_nhs_override = models.BooleanField(
        default=False,
        help_text="The records have different NHS numbers: linking them needs an explicit "
        "override with a reason",
    )
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    nhs_override_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-match_probability", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record_l", "record_r"], name="review_pair_unique"),
            models.CheckConstraint(
                condition=Q(record_l__lt=F("record_r")), name="review_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"review pair {self.pk}"

    @property
    def probability_display(self) -> str:
        """The match probability as a percentage, never rounded up to a certainty."""
        p = self.match_probability
        if p is None:
            return "Not known"
        if p >= 0.9999:
            return "over 99.99%"
        return f"{p:.2%}"

    @property
    def is_decided(self) -> bool:
        return self.status in (ReviewStatus.CONFIRMED, ReviewStatus.REJECTED)


class HeldRecord(models.Model):
    """A source record that cannot be matched safely, held for a person to look at."""

    source_record = models.OneToOneField(
        SourceRecord, on_delete=models.CASCADE, related_name="held"
    )
    reason = models.CharField(max_length=200)
    run = models.ForeignKey(
        LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    held_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(
        null=True, blank=True, help_text="When a later run found the record usable"
    )

    def __str__(self) -> str:
        return f"{self.source_record} held: {self.reason}"


IDENTITY_CHILD_MODELS: tuple[type[models.Model], ...] = (
    SourceRecord,
    Person,
    PersonRecord,
    PersonChange,
    ReviewPair,
    HeldRecord,
)
