"""The child as a person. Every model here identifies a child: views never query them directly
(``children.selectors`` does, through the access policy), and each is listed in
``CHILD_IDENTIFIABLE_MODELS`` so a test can enforce that."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.validators import RegexValidator
from django.db import models

from harbour.children.codes import ONS_TO_DFE, Ethnicity, NameKind, Relationship, Sex
from harbour.partnership.models import Agency

postcode_validator = RegexValidator(
    r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$",
    "Enter a real postcode, like AA1 1AA",
)
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


CHILD_IDENTIFIABLE_MODELS: tuple[type[models.Model], ...] = (Child, ChildName, FamilyMember)
