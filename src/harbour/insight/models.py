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
