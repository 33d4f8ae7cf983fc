"""When each member of staff last looked at their home page, and the headline figures it showed
them, so that the next look can say what changed since (issue 13, part 3; ADR 0035)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HomeVisit(models.Model):
    """One a member of staff: the figures as published to them (a hidden count is null), never
    a child. ``before`` is the sitting before this one, which "since you last looked" compares
    with while this sitting lasts."""

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    looked_at = models.DateTimeField()
    figures = models.JSONField(default=dict)
    before_at = models.DateTimeField(null=True, blank=True)
    before = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.staff_id} looked at {self.looked_at:%Y-%m-%d %H:%M}"
