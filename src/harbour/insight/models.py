"""The store's catalogue: every import (what, when, by whom, the file's hash, its counts and its
problems) and every Parquet file, with which one is current for each table and month. The rows
themselves are in the Parquet store (``engine/store.py``), never in this database."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    IMPORTED = "imported", "Imported"
    ALREADY_IMPORTED = "already_imported", "Already imported"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Stopped before it finished"


FINISHED = (
    ImportStatus.IMPORTED,
    ImportStatus.ALREADY_IMPORTED,
    ImportStatus.REFUSED,
    ImportStatus.FAILED,
)


class SourceImport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    format = models.CharField(max_length=40)
    table = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    file_hash = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    # Progress while it runs: the stage (reading, checking, placing, writing) and how far.
    stage = models.CharField(max_length=20, blank=True)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    quarantine = models.BooleanField(default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    # A command with no person behind it names itself here.
    system_actor = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.IntegerField(default=0)
    new = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    months = models.JSONField(default=list, blank=True)
    # Counts worth telling (rows with no location, points placed), never a row's contents.
    notes = models.JSONField(default=dict, blank=True)
    # The first problems by line and column (a refused file's, or the rows set aside).
    errors = models.JSONField(default=list, blank=True)
    error_count = models.IntegerField(default=0)
    message = models.TextField(blank=True)
    same_as = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="repeats"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.format} {self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class StoreTable(models.Model):
    """One row a table of the store, locked while an import of that table writes, so imports of
    one table follow each other and only the import holding the lock clears stray files."""

    name = models.CharField(max_length=40, primary_key=True)

    def __str__(self) -> str:
        return self.name


class StoreFile(models.Model):
    table = models.CharField(max_length=40)
    month = models.CharField(max_length=7)
    path = models.CharField(max_length=300, unique=True)
    rows = models.IntegerField()
    written_by = models.ForeignKey(SourceImport, on_delete=models.PROTECT, related_name="files")
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["table", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "month"],
                condition=Q(is_current=True),
                name="insight_one_current_file_a_month",
            )
        ]

    def __str__(self) -> str:
        return self.path


# Emerging-pattern alerts (issue 13, part 5; ADR 0034) -------------------------------------------


class AlertSeries(models.TextChoices):
    """What a measure counts month by month (each a query in ``engine/queries.ALERT_SERIES``)."""

    CHILDREN_SEARCHED_SHARE = (
        "children_searched_share",
        "Each ethnic group's share of stop and searches of children (10 to 17)",
    )
    CHILDREN_SEARCHED_COUNT = (
        "children_searched_count",
        "Stop and searches of children (10 to 17) of each ethnic group",
    )
    VIOLENT_CRIME_BY_AREA = "violent_crime_by_area", "Violent crime in each LSOA (police.uk)"
    ASSAULTS_BY_AREA = "assaults_by_area", "Assaults seen by emergency departments in each LSOA"
    SOURCE_VOLUME = "source_volume", "Rows a month from each source"


class AlertMeasure(models.Model):
    """One of the partnership's measures the monthly check looks at, and how: its settings are
    data a leader changes (``harbour insight alerts measure``), not code. ``leaders``: the named
    leaders told of its alerts (``policy.alert_recipients``)."""

    series = models.CharField(max_length=40, choices=AlertSeries.choices, unique=True)
    active = models.BooleanField(default=True)
    look_back = models.PositiveSmallIntegerField(
        default=12, help_text="Months before the month checked that make its baseline"
    )
    threshold = models.FloatField(
        default=0.001, help_text="An alert when a count this high is less likely than this"
    )
    min_count = models.PositiveSmallIntegerField(
        default=5, help_text="The smallest count an alert is raised on"
    )
    leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["series"]

    def __str__(self) -> str:
        return self.get_series_display()


class AlertCheck(models.Model):
    """One run of the check: which month, when, what it found."""

    month = models.CharField(max_length=7)
    ran_at = models.DateTimeField(auto_now_add=True)
    system_actor = models.CharField(max_length=60, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    series_checked = models.IntegerField(default=0)
    alerts_raised = models.IntegerField(default=0)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.month} ({self.ran_at:%Y-%m-%d})"


class Alert(models.Model):
    """A month whose count rose beyond what the months before it predict, with every figure
    behind the answer (the method, observed and expected, the probability, the baseline)."""

    measure = models.ForeignKey(AlertMeasure, on_delete=models.PROTECT, related_name="alerts")
    check_run = models.ForeignKey(AlertCheck, on_delete=models.PROTECT, related_name="alerts")
    key = models.CharField(max_length=60)  # the group, area or source
    key_label = models.CharField(max_length=200)
    month = models.CharField(max_length=7)
    observed = models.IntegerField()
    expected = models.FloatField()
    probability = models.FloatField()
    method = models.CharField(max_length=30)
    dispersion = models.FloatField(default=1.0)
    threshold = models.FloatField()
    look_back = models.PositiveSmallIntegerField()
    total = models.IntegerField(null=True, blank=True)  # the month's total, for a share
    baseline_share = models.FloatField(null=True, blank=True)
    # The baseline month by month: [{"month", "count", "total"}], and the series to draw.
    baseline = models.JSONField(default=list)
    series = models.JSONField(default=list)
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "key", "month"], name="insight_alert_once_a_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_label}, {self.month}"


class AlertAction(models.Model):
    """What a leader did about an alert: the action, who took it, when."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="actions")
    action = models.TextField()
    taken_on = models.DateField()
    taken_by = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-taken_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.alert}: {self.taken_on}"
