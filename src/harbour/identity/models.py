"""Each agency's own record of a person, as it arrived. Record linkage (a later issue) resolves
these to children; the foundation only stores them."""

from __future__ import annotations

from django.db import models

from harbour.partnership.models import Agency


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
