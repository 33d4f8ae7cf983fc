"""The partnership's own language rules, and a record of each use of the checker for the
leaders' report. A check row holds who, where, when and how many findings of each rule: never
the text, which is about a child."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from harbour.partnership.models import Agency, Team


class LanguageRule(models.Model):
    """A rule added by the partnership, merged with the rules shipped in ``checker/rules.json``."""

    rule_id = models.SlugField(max_length=60, unique=True)
    pattern = models.JSONField(help_text="Pattern tokens, as in checker/patterns.py")
    suggestion = models.CharField(max_length=300)
    reason = models.CharField(max_length=500)
    example = models.CharField(
        max_length=300, help_text="A made-up sentence the rule must flag; never a real child's"
    )
    about_child = models.BooleanField(
        default=True, help_text="Flag only when the words are about the child, not an adult"
    )
    is_active = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Deleting a rule that has already found wording retires it instead (ADR 0009): the row
    # stays, switched off and out of the rules pages, so the usage report still names it.
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-added_at"]

    def __str__(self) -> str:
        return " ".join(self.pattern) if isinstance(self.pattern, list) else self.rule_id


class CheckContext(models.TextChoices):
    REFERRAL = "referral", "Referral"
    CASE_NOTE = "case_note", "Case note"
    PLAN = "plan", "Plan"
    MINUTES = "minutes", "Meeting minutes"
    ASSESSMENT = "assessment", "Assessment"
    OTHER = "other", "Other"


class CheckSource(models.TextChoices):
    TYPING = "typing", "As they typed"
    SUBMIT = "submit", "When they saved"


class LanguageCheck(models.Model):
    """One run of the checker. No text: only counts."""

    checked_at = models.DateTimeField(default=timezone.now, db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    role = models.CharField(max_length=40, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, related_name="+")
    context = models.CharField(max_length=20, choices=CheckContext.choices)
    source = models.CharField(max_length=10, choices=CheckSource.choices)
    word_count = models.PositiveIntegerField(default=0)
    finding_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["source", "checked_at"])]

    def __str__(self) -> str:
        return f"{self.get_context_display()} check at {self.checked_at:%Y-%m-%d %H:%M}"


class LanguageCheckFinding(models.Model):
    """How many times one rule fired in one check."""

    check_run = models.ForeignKey(LanguageCheck, on_delete=models.CASCADE, related_name="findings")
    rule_id = models.CharField(max_length=60)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["check_run", "rule_id"], name="language_finding_once"),
            models.CheckConstraint(condition=models.Q(count__gt=0), name="language_finding_count"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} x{self.count}"


class StoredFinding(models.Model):
    """A finding kept with the text it was found in: text that arrived from another agency's
    system (a referral by the API or a bulk file, an event's summary), checked when it arrived
    and shown beside it, the text never changed (ADR 0030). Abstract: the app that holds the
    text keeps its findings beside it (``frontdoor.ReferralWordingFinding``,
    ``identity.EventWordingFinding``), since this app sits below them (ADR 0020). It holds the
    phrase found, which is part of the text, so it is as confidential as the text."""

    field_name = models.CharField(max_length=60, help_text="Which of the texts it was found in")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.CharField(max_length=500)
    rule_id = models.CharField(max_length=60)
    rule_version = models.CharField(max_length=20)
    suggestion = models.CharField(max_length=500)
    reason = models.CharField(max_length=1000)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["field_name", "start", "pk"]

    def __str__(self) -> str:
        return f"{self.rule_id} ({self.rule_version}) in {self.field_name}"
