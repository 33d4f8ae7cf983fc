"""Notices: a member of the team around a child told that an agency recorded an event about the
child (issue 11, part 4; ADR 0028), and how each person wants to be emailed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Delivery(models.TextChoices):
    AT_ONCE = "at_once", "At once: an email for each notice"
    DAILY_DIGEST = "daily_digest", "Once a day: one email listing the day's notices"


class NoticePreference(models.Model):
    """How a person wants their notices emailed. Without a row: at once."""

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference"
    )
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.AT_ONCE)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.staff}: {self.get_delivery_display()}"


class Notice(models.Model):
    """One person told of one event, once (a database constraint): ``text`` says only what the
    access policy let them see when it was made (``detailed``). It names no child: the link
    opens the child's record, which checks and audits the access as every read does."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    # An agency's event about a child; or none, for a notice about something else (an
    # emerging-pattern alert, ADR 0034), which says where it opens (``link``) and its email's
    # subject (``title``) instead.
    event = models.ForeignKey(
        "identity.AgencyEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    link = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=200, blank=True)
    text = models.CharField(max_length=500)
    detailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient"], name="notice_once_per_event_and_recipient"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notice_unread"),
            models.Index(fields=["emailed_at", "created_at"], name="notice_to_email"),
        ]

    def __str__(self) -> str:
        return self.text


#: Models that point at a child (views never query them; ``web/tests/test_architecture.py``).
NOTICES_CHILD_MODELS: tuple[type[models.Model], ...] = (Notice,)
