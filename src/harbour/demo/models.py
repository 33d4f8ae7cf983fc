"""Ground truth for the synthetic partnership: which child each generated source record really
belongs to, and which errors were put into it. Tests of linkage read this; nothing else does."""

from __future__ import annotations

from django.db import models

from harbour.children.models import Child
from harbour.identity.models import SourceRecord


class SendStatus(models.TextChoices):
    SEN_SUPPORT = "sen_support", "SEN support"
    EHC_PLAN = "ehc_plan", "Education, health and care plan"


class GroundTruth(models.Model):
    source_record = models.OneToOneField(
        SourceRecord, on_delete=models.CASCADE, related_name="ground_truth"
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    errors = models.JSONField(
        default=list, help_text="The errors introduced, e.g. ['nickname', 'dob_transposed']"
    )
    # There is no SEND model yet: the school's record of a pupil's special educational needs
    # status is kept here until there is.
    send = models.CharField(
        "SEND status",
        max_length=20,
        choices=SendStatus.choices,
        blank=True,
        help_text="What a school's record says about special educational needs; blank if none",
    )

    def __str__(self) -> str:
        return f"{self.source_record} is child {self.child_id}"


class Pattern(models.TextChoices):
    """The patterns of agency events the demo gives a minority of children (``demo.events``),
    for tests of cumulative-harm flags to check against."""

    VIOLENCE_CLUSTER = (
        "violence_cluster",
        "3+ violent or exploitation incidents in 90 days, 2+ agencies",
    )
    ESCALATING = "escalating", "Escalating severity"
    MISSING_WITH_ADULTS = (
        "missing_with_adults",
        "Missing episodes alongside new adult associates who pose a risk",
    )
    WEAPON_AFTER_EXCLUSION = (
        "weapon_after_exclusion",
        "A weapon-related incident after an exclusion",
    )
    ED_ASSAULT_NO_POLICE = (
        "ed_assault_no_police",
        "ED attendance for assault with no police incident",
    )
    CO_INVOLVED = "co_involved", "Involved with another child in the same incidents"


class DemoPattern(models.Model):
    """A pattern the demo gave a child's agency events; ``detail`` says when (``start``,
    ``end`` ISO dates), which events (``event_refs``) and, for co-involvement, with whom
    (``other_child_id``)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    pattern = models.CharField(max_length=30, choices=Pattern.choices)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["child_id", "pattern"]
        constraints = [
            models.UniqueConstraint(fields=["child", "pattern"], name="demo_pattern_unique")
        ]

    def __str__(self) -> str:
        return f"child {self.child_id}: {self.pattern}"
