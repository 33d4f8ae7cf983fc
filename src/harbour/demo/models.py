"""Ground truth for the synthetic partnership: which child each generated source record really
belongs to, and which errors were put into it. Tests of linkage read this; nothing else does."""

from __future__ import annotations

from django.db import models

from harbour.children.models import Child
from harbour.identity.models import SourceRecord


class GroundTruth(models.Model):
    source_record = models.OneToOneField(
        SourceRecord, on_delete=models.CASCADE, related_name="ground_truth"
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    errors = models.JSONField(
        default=list, help_text="The errors introduced, e.g. ['nickname', 'dob_transposed']"
    )

    def __str__(self) -> str:
        return f"{self.source_record} is child {self.child_id}"
