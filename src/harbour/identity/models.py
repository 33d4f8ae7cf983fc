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
  review instead of being matched; ``HeldRecordDecision``: what a person decided about it.
- ``AgencyEvent``: what an agency's own record says happened to or with a person (an incident,
  a missing episode, an ED attendance...), with its data category for the policy.
- ``EventParticipant``: someone else named in the same event, a record or a named adult.

Every model that says who a child is belongs in ``IDENTITY_CHILD_MODELS``: views never query
them (``identity.selectors`` does, through the policy, and audits)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from harbour.children.models import Child
from harbour.language.models import StoredFinding
from harbour.partnership.models import Agency, DataCategory

HARBOUR_SOURCE_SYSTEM = "harbour"


class SourceRecord(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="source_records")
    source_system = models.CharField(max_length=60)
    source_id = models.CharField(max_length=64)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_given = models.CharField(
        max_length=10,
        blank=True,
        help_text="A date of birth as the agency gave it when it is not a whole, real date "
        "(2011-03, 2011-02-31): kept and shown to reviewers, never used for matching",
    )
    sex = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(
        max_length=16,
        blank=True,
        help_text="As given; one that is not a UK postcode is kept and shown to reviewers but "
        "not used for matching",
    )
    address_line = models.CharField(max_length=300, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    school_urn = models.CharField(max_length=6, blank=True)
    upn = models.CharField("UPN", max_length=13, blank=True)
    as_of = models.DateField()
    changed_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When an import or an agency's feed last changed the record (the real-time "
        "matcher re-indexes records changed since it last looked)",
    )

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
    ARRIVAL = "arrival", "Matched on arrival"


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


class Allocated(models.Model):
    """Who at the front door is working on an item of a shared list (ADR 0031): the same
    allocation as a referral's (ADR 0027), not a working relationship with the child."""

    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    allocated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class ReviewPair(Allocated):
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


class HeldStatus(models.TextChoices):
    HELD = "held", "Waiting for a decision"
    ATTACHED = "attached", "Attached to a person"
    CLOSED = "closed", "Closed: not a record of a person"


class HeldRecord(Allocated):
    """A source record that cannot be matched safely, held for a person to look at. A person
    attaches it to someone in the index, keeps it held with a note, or closes it as not a
    record of a person (``status``; each decision is a ``HeldRecordDecision``). Linkage runs
    never undo that decision."""

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
    status = models.CharField(max_length=10, choices=HeldStatus.choices, default=HeldStatus.HELD)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="The latest decision's reason or note")

    class Meta:
        indexes = [models.Index(fields=["status", "released_at"])]

    def __str__(self) -> str:
        return f"{self.source_record} held: {self.reason}"

    @property
    def is_waiting(self) -> bool:
        """Still held and no one has attached or closed it."""
        return self.released_at is None and self.status == HeldStatus.HELD


class HeldDecisionKind(models.TextChoices):
    ATTACH = "attach", "Attached to a person"
    KEEP = "keep", "Kept held, with a note"
    CLOSE = "close", "Closed: not a record of a person"


class HeldRecordDecision(models.Model):
    """What a person decided about a held record, and why: the record's history."""

    held = models.ForeignKey(HeldRecord, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=10, choices=HeldDecisionKind.choices)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField()
    nhs_override = models.BooleanField(
        default=False, help_text="The record's NHS number differs from the person's"
    )
    nhs_override_reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.held}: {self.get_kind_display()}"


class EventKind(models.TextChoices):
    """What kind of event an agency recorded. ``exclusion`` and ``contact`` are the values the
    first events had (kept valid); an agency's feed sends ``suspension`` or
    ``permanent_exclusion`` and ``youth_justice`` instead."""

    INCIDENT = "incident", "Incident"
    ARREST = "arrest", "Arrest"
    CUSTODY = "custody", "Custody episode"
    STOP_SEARCH = "stop_search", "Stop and search"
    MISSING = "missing", "Missing episode"
    RETURN_INTERVIEW = "return_interview", "Return-home interview"
    ED_ATTENDANCE = "ed_attendance", "Emergency department attendance"
    AMBULANCE = "ambulance", "Ambulance call-out"
    SUSPENSION = "suspension", "Suspension from school"
    PERMANENT_EXCLUSION = "permanent_exclusion", "Permanent exclusion from school"
    EXCLUSION = "exclusion", "Exclusion or suspension"
    YOUTH_JUSTICE = "youth_justice", "Youth justice contact"
    CONTACT = "contact", "Contact or referral"
    OTHER = "other", "Other"


#: Which data category an event of each kind is, for the access policy (ADR 0002).
EVENT_KIND_CATEGORY: dict[str, str] = {
    EventKind.INCIDENT: DataCategory.CRIMINAL,
    EventKind.ARREST: DataCategory.CRIMINAL,
    EventKind.CUSTODY: DataCategory.CRIMINAL,
    EventKind.STOP_SEARCH: DataCategory.CRIMINAL,
    EventKind.YOUTH_JUSTICE: DataCategory.CRIMINAL,
    EventKind.ED_ATTENDANCE: DataCategory.HEALTH,
    EventKind.AMBULANCE: DataCategory.HEALTH,
    EventKind.EXCLUSION: DataCategory.EDUCATION,
    EventKind.SUSPENSION: DataCategory.EDUCATION,
    EventKind.PERMANENT_EXCLUSION: DataCategory.EDUCATION,
    EventKind.CONTACT: DataCategory.SOCIAL_CARE,
    EventKind.MISSING: DataCategory.SOCIAL_CARE,
    EventKind.RETURN_INTERVIEW: DataCategory.SOCIAL_CARE,
    EventKind.OTHER: DataCategory.SOCIAL_CARE,
}

#: Kinds that are a school's exclusion of the child (for the flag rules that read exclusions).
EXCLUSION_KINDS = frozenset(
    {EventKind.EXCLUSION, EventKind.SUSPENSION, EventKind.PERMANENT_EXCLUSION}
)


class AssaultMethod(models.TextChoices):
    """ISTV (ISB 1594) ASSAULT METHOD, as the emergency department's system codes it. The
    department's own text goes in ``ed_assault_method_other`` when the code is ``98``.
    See ADR 0021 on checking these lists against the data dictionary's XML Schema constraints."""

    BODY_PART = "01", "Body part (for example fist, head or foot)"
    BLUNT_OBJECT = "02", "Blunt object (for example a bat or club)"
    SHARP_OBJECT = "03", "Stabbing or sharp object (for example a knife, glass or bottle)"
    FIREARM = "04", "Firearm"
    OTHER = "98", "Other (described)"
    NOT_KNOWN = "99", "Not known"


class AssaultLocationType(models.TextChoices):
    """ISTV (ISB 1594) ASSAULT LOCATION TYPE; the place itself is the free-text
    ASSAULT LOCATION DESCRIPTION (``ed_location_description``)."""

    HOME = "01", "Home"
    STREET = "02", "Street or other public open space"
    LICENSED_PREMISES = "03", "Pub, club or bar"
    WORKPLACE = "04", "Workplace"
    SCHOOL = "05", "School or other educational establishment"
    TRANSPORT = "06", "Public transport"
    OTHER = "98", "Other"
    NOT_KNOWN = "99", "Not known"


class ExclusionReason(models.TextChoices):
    """DfE's reason codes for a suspension or permanent exclusion (school census and the
    exclusions return). Older returns' codes (``RA``, ``LG``, ``OT``) are kept valid."""

    PHYSICAL_ASSAULT_PUPIL = "PP", "Physical assault against a pupil"
    PHYSICAL_ASSAULT_ADULT = "PA", "Physical assault against an adult"
    VERBAL_ABUSE_PUPIL = "VP", "Verbal abuse or threatening behaviour against a pupil"
    VERBAL_ABUSE_ADULT = "VA", "Verbal abuse or threatening behaviour against an adult"
    OFFENSIVE_WEAPON = "OW", "Use or threat of use of an offensive weapon or prohibited item"
    BULLYING = "BU", "Bullying"
    DISCRIMINATION = "DS", "Discrimination"
    RACIST_ABUSE = "RA", "Racist abuse"
    LGBT_ABUSE = "LG", "Abuse against sexual orientation or gender identity"
    SEXUAL_MISCONDUCT = "SM", "Sexual misconduct"
    DRUGS_ALCOHOL = "DA", "Drug and alcohol related"
    DAMAGE = "DM", "Damage"
    THEFT = "TH", "Theft"
    PERSISTENT_DISRUPTION = "PD", "Persistent or general disruptive behaviour"
    ONLINE = "MT", "Inappropriate use of social media or online technology"
    PUBLIC_HEALTH = "WP", "Wilful and repeated transgression of public health measures"
    OTHER = "OT", "Other"


class EventRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    SUSPECT = "suspect", "Suspect"
    WITNESS = "witness", "Witness"
    MISSING_PERSON = "missing_person", "Person reported missing"
    PATIENT = "patient", "Patient"
    PUPIL = "pupil", "Pupil"
    SUBJECT = "subject", "Subject of a contact or referral"
    ARRESTED = "arrested", "Person arrested"
    ASSOCIATE = "associate", "Associate"
    OTHER = "other", "Other"


class EventCategory(models.TextChoices):
    VIOLENCE_WITH_INJURY = "violence_injury", "Violence with injury"
    ASSAULT = "assault", "Assault"
    ROBBERY = "robbery", "Robbery"
    WEAPON = "weapon", "Knife or weapon"
    EXPLOITATION = "exploitation", "Exploitation"
    DRUGS = "drugs", "Drugs"
    SEXUAL_OFFENCE = "sexual_offence", "Sexual offence"
    MISSING = "missing", "Missing"
    SELF_HARM = "self_harm", "Self-harm"
    ACCIDENT = "accident", "Accident or illness"
    BEHAVIOUR = "behaviour", "Behaviour"
    NEGLECT = "neglect", "Neglect"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    OTHER = "other", "Other"


#: Events that are violence or exploitation, for cumulative harm.
HARM_CATEGORIES = frozenset(
    {
        EventCategory.VIOLENCE_WITH_INJURY,
        EventCategory.ASSAULT,
        EventCategory.ROBBERY,
        EventCategory.WEAPON,
        EventCategory.EXPLOITATION,
        EventCategory.SEXUAL_OFFENCE,
    }
)


class Severity(models.IntegerChoices):
    """How serious an event was, on one scale for every agency:

    1. Low: no injury and no immediate risk (a fixed-term suspension, a brief missing episode).
    2. Moderate: minor injury or risk managed on the day (minor assault, drugs found).
    3. Serious: injury needing treatment, a weapon, or exploitation indicators.
    4. Very serious: life-threatening injury, serious sexual offence or a weapon used."""

    LOW = 1, "1 Low"
    MODERATE = 2, "2 Moderate"
    SERIOUS = 3, "3 Serious"
    VERY_SERIOUS = 4, "4 Very serious"


class AgencyEvent(models.Model):
    """What an agency's own record says happened to or with a person (``source_record`` is the
    agency's record of the person). ``category_of_data`` is what the access policy sees.

    One row per agency reference and record of a person: an incident naming two children is two
    rows with the same ``source_reference`` (how rapid response and associates find the other
    children); the same reference for the same record again updates the row (ADR 0021).

    When: ``occurred_on`` always, ``occurred_at`` where the agency knows the time,
    ``recorded_at`` when the agency recorded it. Where: free text, a postcode or postcode sector,
    a WGS84 point and the 2021 LSOA where known. Per-source details are typed: the ISTV items
    for an emergency department attendance (``ed_*``) and DfE's reason for a school exclusion."""

    source_record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="events")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    occurred_on = models.DateField()
    occurred_at = models.DateTimeField(
        null=True, blank=True, help_text="The date and time, where the agency knows the time"
    )
    recorded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the agency recorded the event"
    )
    role = models.CharField(max_length=20, choices=EventRole.choices)
    category = models.CharField(max_length=20, choices=EventCategory.choices)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.LOW)
    weapon = models.BooleanField(default=False, help_text="A knife or other weapon was involved")
    means = models.CharField(
        max_length=100, blank=True, help_text="The weapon or means, as the agency recorded it"
    )
    summary = models.TextField(help_text="What happened, in words about the child")
    source_reference = models.CharField(max_length=64, help_text="The agency's own reference")
    location = models.CharField(max_length=300, blank=True, help_text="Where, as recorded")
    postcode = models.CharField(max_length=8, blank=True, help_text="A postcode or its sector")
    latitude = models.FloatField(null=True, blank=True, help_text="WGS84")
    longitude = models.FloatField(null=True, blank=True, help_text="WGS84")
    lsoa21 = models.CharField("LSOA 2021 code", max_length=9, blank=True)
    # An emergency department attendance of an identified child: the ISTV (ISB 1594) items.
    ed_arrival_at = models.DateTimeField(null=True, blank=True)
    ed_assault_at = models.DateTimeField(null=True, blank=True)
    ed_assault_method = models.CharField(max_length=2, blank=True, choices=AssaultMethod.choices)
    ed_assault_method_other = models.CharField(max_length=100, blank=True)
    ed_location_type = models.CharField(
        max_length=2, blank=True, choices=AssaultLocationType.choices
    )
    ed_location_description = models.CharField(max_length=300, blank=True)
    # A suspension or permanent exclusion: DfE's reason code.
    exclusion_reason = models.CharField(max_length=2, blank=True, choices=ExclusionReason.choices)
    changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When an agency's feed or file last changed the event"
    )

    class Meta:
        ordering = ["occurred_on", "pk"]
        indexes = [models.Index(fields=["source_record", "occurred_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__gte=1) & Q(severity__lte=4), name="agency_event_severity_1_4"
            ),
            models.UniqueConstraint(
                fields=["agency", "source_reference", "source_record"],
                name="agency_event_one_per_reference_and_record",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (
                    Q(latitude__gte=-90)
                    & Q(latitude__lte=90)
                    & Q(longitude__gte=-180)
                    & Q(longitude__lte=180)
                ),
                name="agency_event_point_wgs84",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source_reference}"

    @property
    def data_category(self) -> str:
        return EVENT_KIND_CATEGORY[self.kind]


class EventParticipant(models.Model):
    """Someone else named in the same event: another source record (a person in the index) or
    someone known only by name and approximate age. ``poses_risk`` marks an adult known to pose
    a risk to children (for example a suspect in exploitation offences)."""

    event = models.ForeignKey(AgencyEvent, on_delete=models.CASCADE, related_name="participants")
    source_record = models.ForeignKey(
        SourceRecord,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="participations",
    )
    name = models.CharField(max_length=200, blank=True)
    approximate_age = models.PositiveSmallIntegerField(null=True, blank=True)
    is_adult = models.BooleanField(default=False)
    poses_risk = models.BooleanField(
        default=False, help_text="An adult known to pose a risk to children"
    )
    role = models.CharField(max_length=20, choices=EventRole.choices)

    class Meta:
        ordering = ["event", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source_record__isnull=False) | ~Q(name=""),
                name="event_participant_record_or_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def display_name(self) -> str:
        if self.source_record is not None:
            return self.source_record.full_name
        return self.name


class EventWordingFinding(StoredFinding):
    """What the language checker found in an event's summary when it arrived (ADR 0030): shown
    beside the summary, which is kept as the agency sent it. Replaced when the event changes."""

    event = models.ForeignKey(
        AgencyEvent, on_delete=models.CASCADE, related_name="wording_findings"
    )

    class Meta(StoredFinding.Meta):
        ordering = ["event", "field_name", "start", "pk"]


# Needs reconciliation and cumulative-harm flags (issue 4, parts 6 and 7) -------------------------

ASSESSMENT_PENDING = "assessment_pending"


class SourceNeedKind(models.TextChoices):
    """What an agency's record says about a need: a ``children.codes.NeedKind``, or an
    assessment the child is waiting for."""

    SEN_SUPPORT = "sen_support", "SEN support"
    EHC_PLAN = "ehc_plan", "Education, health and care plan"
    NEURODEVELOPMENTAL = "neurodevelopmental", "Neurodevelopmental diagnosis"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SLCN = "slcn", "Speech, language and communication needs"
    PHYSICAL = "physical", "Physical or sensory disability"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    ASSESSMENT_PENDING = ASSESSMENT_PENDING, "Waiting for an assessment"


#: Which data category an agency's record of each kind of need is, for the access policy.
SOURCE_NEED_CATEGORY: dict[str, str] = {
    SourceNeedKind.SEN_SUPPORT: DataCategory.EDUCATION,
    SourceNeedKind.EHC_PLAN: DataCategory.EDUCATION,
    SourceNeedKind.NEURODEVELOPMENTAL: DataCategory.HEALTH,
    SourceNeedKind.MENTAL_HEALTH: DataCategory.HEALTH,
    SourceNeedKind.SLCN: DataCategory.COMMUNICATION,
    SourceNeedKind.PHYSICAL: DataCategory.HEALTH,
    SourceNeedKind.LEARNING_DISABILITY: DataCategory.HEALTH,
    SourceNeedKind.ASSESSMENT_PENDING: DataCategory.HEALTH,
}


class SourceNeed(models.Model):
    """A need as one agency's record of a person has it (``identity.needs`` compares them)."""

    source_record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(max_length=30, choices=SourceNeedKind.choices)
    detail = models.CharField(max_length=300, blank=True)
    recorded_on = models.DateField()

    class Meta:
        ordering = ["source_record", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_record", "kind"], name="source_need_one_kind_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_record}: {self.get_kind_display()}"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Not yet acknowledged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "No longer different"


class NeedsDiscrepancy(models.Model):
    """One need that some records of a child have and one record (an agency's, or Harbour's own
    when ``lacking_record`` is empty) lacks. ``holders`` lists who says so, as of when."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="needs_discrepancies")
    kind = models.CharField(max_length=30, choices=SourceNeedKind.choices)
    lacking_key = models.CharField(
        max_length=40, help_text="'harbour' or 'record:<id>': the record that lacks the need"
    )
    lacking_record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    lacking_label = models.CharField(max_length=300)
    holders = models.JSONField(
        default=list, help_text="[{agency, reference, detail, recorded_on}] that record the need"
    )
    status = models.CharField(max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    raised_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "pk"]
        verbose_name_plural = "needs discrepancies"
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind", "lacking_key"], name="needs_discrepancy_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lacking_label} lacks {self.get_kind_display()}"


class FlagRuleKind(models.TextChoices):
    INCIDENTS_IN_WINDOW = "incidents_in_window", "Incidents in a window across agencies"
    ESCALATING_SEVERITY = "escalating_severity", "Escalating severity"
    MISSING_WITH_NEW_ADULT = "missing_with_new_adult", "Missing with a new adult who poses a risk"
    WEAPON_AFTER_EXCLUSION = "weapon_after_exclusion", "Weapon-related incident after exclusion"
    ED_ASSAULT_NOT_KNOWN_TO_POLICE = (
        "ed_assault_not_known_to_police",
        "Emergency department assault attendance not known to police",
    )
    CO_INVOLVED_WITH_FLAGGED = "co_involved_with_flagged", "Co-involved with a flagged child"


class FlagRule(models.Model):
    """One version of a cumulative-harm rule. A change is a new row with the same ``code`` and
    the next ``version``; the old row stays, with the flags it raised.

    ``in_use`` is the partnership's switch on the current version: a rule switched off raises
    no new flags (flags already raised stay, with their evidence) until it is switched on again.
    Who switched it, when and why are kept with the version (and in the audit trail); a new
    version keeps the state, so changing a switched-off rule's numbers does not switch it on."""

    code = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=40, choices=FlagRuleKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    in_use = models.BooleanField(
        default=True, help_text="Switched off, the rule raises no new flags; raised flags stay"
    )
    in_use_changed_at = models.DateTimeField(null=True, blank=True)
    in_use_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    in_use_changed_by_system = models.CharField(
        max_length=60, blank=True, help_text="A command or migration, when no person did"
    )
    in_use_reason = models.TextField(blank=True, help_text="Why it was last switched on or off")

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="flag_rule_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="flag_rule_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class HarmFlag(Allocated):
    """A cumulative-harm flag on a person: the rule version that raised it, and the exact
    events (with their source records and agencies) that did. ``anchor`` is the event that
    completed the pattern: one flag per rule version, person and anchor."""

    rule = models.ForeignKey(FlagRule, on_delete=models.PROTECT, related_name="flags")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="harm_flags")
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, null=True, blank=True, related_name="harm_flags"
    )
    anchor = models.ForeignKey(AgencyEvent, on_delete=models.CASCADE, related_name="+")
    events = models.ManyToManyField(AgencyEvent, related_name="harm_flags")
    evidence = models.JSONField(
        default=list, help_text="The events as they were when the flag was raised"
    )
    explanation = models.TextField()
    raised_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "person", "anchor"], name="harm_flag_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule} on {self.person}"


IDENTITY_CHILD_MODELS: tuple[type[models.Model], ...] = (
    SourceRecord,
    Person,
    PersonRecord,
    PersonChange,
    ReviewPair,
    HeldRecord,
    HeldRecordDecision,
    AgencyEvent,
    EventParticipant,
    EventWordingFinding,
    SourceNeed,
    NeedsDiscrepancy,
    HarmFlag,
)


class EventImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    IMPORTED = "imported", "Imported"
    REJECTED = "rejected", "Rejected: nothing was saved"
    FAILED = "failed", "Stopped before it finished"


class EventImport(models.Model):
    """An agency's events or needs file imported from the administrators' page: run by the
    background task runner (ADR 0028), its progress while it runs, then its counts or every
    problem by line and column. The file is kept only until it has run."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    file_size = models.BigIntegerField(default=0)
    file_hash = models.CharField(max_length=64)
    content = models.BinaryField(blank=True)
    status = models.CharField(
        max_length=20, choices=EventImportStatus.choices, default=EventImportStatus.QUEUED
    )
    # While it runs: the stage (checking, saving, matching) and how far through it.
    stage = models.CharField(max_length=20, blank=True)
    done = models.IntegerField(default=0)
    total = models.IntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.IntegerField(default=0)
    message = models.TextField(blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.format} {self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (
            EventImportStatus.IMPORTED,
            EventImportStatus.REJECTED,
            EventImportStatus.FAILED,
        )
