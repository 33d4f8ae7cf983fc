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
