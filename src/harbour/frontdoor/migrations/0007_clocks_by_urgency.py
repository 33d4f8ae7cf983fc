"""Clocks by urgency (ADR 0019). Service levels for a referral's steps become one per clock:
immediate (rated within 1 hour, decided within 4 hours, its referrer may escalate after 1 hour, all
in hours through evenings and weekends), out of hours for the emergency duty team (rated within
2 hours), and today and routine, which keep the figures the partnership had. The front door's
working hours (09:00 to 17:00, Monday to Friday) and England and Wales's bank holidays for 2025 to
2027 are seeded for administrators to change.

Referrals already received keep their clocks, except open immediate ones: they move onto the
immediate clock from when they were received, because leaving them on 24 hours is the defect this
fixes. Closed referrals keep no clock name (they were timed before there were clocks)."""

import datetime

from django.db import migrations, models

REFERRAL_STEPS = ("rag", "decision", "feedback")
# clock: step -> (amount, unit); today and routine copy the levels the partnership has now.
IMMEDIATE = {"rag": (1, "hours"), "decision": (4, "hours"), "feedback": (1, "hours")}
OUT_OF_HOURS_RATING = (2, "hours")
WORKING_HOURS = (datetime.time(9, 0), datetime.time(17, 0))
# England and Wales (www.gov.uk/bank-holidays), with the substitute days.
BANK_HOLIDAYS = [
    ("2025-01-01", "New Year's Day"),
    ("2025-04-18", "Good Friday"),
    ("2025-04-21", "Easter Monday"),
    ("2025-05-05", "Early May bank holiday"),
    ("2025-05-26", "Spring bank holiday"),
    ("2025-08-25", "Summer bank holiday"),
    ("2025-12-25", "Christmas Day"),
    ("2025-12-26", "Boxing Day"),
    ("2026-01-01", "New Year's Day"),
    ("2026-04-03", "Good Friday"),
    ("2026-04-06", "Easter Monday"),
    ("2026-05-04", "Early May bank holiday"),
    ("2026-05-25", "Spring bank holiday"),
    ("2026-08-31", "Summer bank holiday"),
    ("2026-12-25", "Christmas Day"),
    ("2026-12-28", "Boxing Day (substitute day)"),
    ("2027-01-01", "New Year's Day"),
    ("2027-03-26", "Good Friday"),
    ("2027-03-29", "Easter Monday"),
    ("2027-05-03", "Early May bank holiday"),
    ("2027-05-31", "Spring bank holiday"),
    ("2027-08-30", "Summer bank holiday"),
    ("2027-12-27", "Christmas Day (substitute day)"),
    ("2027-12-28", "Boxing Day (substitute day)"),
]
OPEN = ("received", "rated", "decided")
DEFAULT_STANDARD = {
    "rag": (24, "hours"),
    "decision": (1, "working_days"),
    "feedback": (3, "working_days"),
}


def seed_clocks(apps, schema_editor):
    """The clocks' service levels, the working hours and the bank holidays, where there are
    none (the demo runs this again on a flushed database; an administrator's own are kept)."""
    ServiceLevel = apps.get_model("frontdoor", "ServiceLevel")
    WorkingHours = apps.get_model("frontdoor", "WorkingHours")
    BankHoliday = apps.get_model("frontdoor", "BankHoliday")
    for step in REFERRAL_STEPS:
        before = ServiceLevel.objects.filter(step=step, clock="").first()
        amount, unit = (before.amount, before.unit) if before else DEFAULT_STANDARD[step]
        levels = {
            "immediate": IMMEDIATE[step],
            "today": (amount, unit),
            "routine": (amount, unit),
            "out_of_hours": OUT_OF_HOURS_RATING if step == "rag" else (amount, unit),
        }
        for clock, (amount_, unit_) in levels.items():
            ServiceLevel.objects.get_or_create(
                step=step, clock=clock, defaults={"amount": amount_, "unit": unit_}
            )
        if before is not None:
            before.delete()
    if not WorkingHours.objects.exists():
        WorkingHours.objects.create(opens_at=WORKING_HOURS[0], closes_at=WORKING_HOURS[1])
    for day, name in BANK_HOLIDAYS:
        BankHoliday.objects.get_or_create(
            day=datetime.date.fromisoformat(day), defaults={"name": name}
        )


def clock_open_referrals(apps, schema_editor):
    Referral = apps.get_model("frontdoor", "Referral")
    ServiceLevel = apps.get_model("frontdoor", "ServiceLevel")
    hours = {
        level.step: datetime.timedelta(hours=level.amount)
        for level in ServiceLevel.objects.filter(clock="immediate", unit="hours")
    }
    fields = {"rag": "rag_due_at", "decision": "decision_due_at", "feedback": "escalation_from"}
    for referral in Referral.objects.filter(status__in=OPEN, received_at__isnull=False):
        if referral.urgency == "immediate":
            referral.service_clock = "immediate"
            for step, field in fields.items():
                if step in hours:
                    setattr(referral, field, referral.received_at + hours[step])
        else:
            referral.service_clock = "routine" if referral.urgency == "routine" else "today"
        referral.save(
            update_fields=["service_clock", "rag_due_at", "decision_due_at", "escalation_from"]
        )


def unseed_clocks(apps, schema_editor):
    """Back to one level a step: today's."""
    ServiceLevel = apps.get_model("frontdoor", "ServiceLevel")
    for step in REFERRAL_STEPS:
        today = ServiceLevel.objects.filter(step=step, clock="today").first()
        ServiceLevel.objects.filter(step=step).exclude(clock="").delete()
        if today is not None:
            ServiceLevel.objects.get_or_create(
                step=step, clock="", defaults={"amount": today.amount, "unit": today.unit}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("frontdoor", "0006_rapid_response"),
    ]

    operations = [
        migrations.CreateModel(
            name="BankHoliday",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(unique=True, verbose_name="Date")),
                ("name", models.CharField(max_length=100)),
            ],
            options={
                "ordering": ["day"],
            },
        ),
        migrations.CreateModel(
            name="WorkingHours",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("opens_at", models.TimeField(default=datetime.time(9, 0), verbose_name="Opens")),
                (
                    "closes_at",
                    models.TimeField(default=datetime.time(17, 0), verbose_name="Closes"),
                ),
            ],
            options={
                "verbose_name_plural": "working hours",
            },
        ),
        migrations.AlterModelOptions(
            name="servicelevel",
            options={"ordering": ["clock", "step"]},
        ),
        migrations.AddField(
            model_name="referral",
            name="rating_overdue_notified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="referral",
            name="received_out_of_hours",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="referral",
            name="service_clock",
            field=models.CharField(
                blank=True,
                choices=[
                    ("immediate", "Immediate"),
                    ("today", "Today"),
                    ("routine", "Routine"),
                    ("out_of_hours", "Out of hours (emergency duty team)"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="servicelevel",
            name="clock",
            field=models.CharField(
                blank=True,
                choices=[
                    ("immediate", "Immediate"),
                    ("today", "Today"),
                    ("routine", "Routine"),
                    ("out_of_hours", "Out of hours (emergency duty team)"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="servicelevel",
            name="step",
            field=models.CharField(
                choices=[
                    ("rag", "Rated red, amber or green"),
                    ("decision", "Decision made"),
                    ("feedback", "Referrer may escalate without an outcome"),
                    ("strategy_meeting", "Strategy meeting held (from the decision to hold one)"),
                    (
                        "rapid_response",
                        "Rapid response convened (from opening it after a serious incident)",
                    ),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="servicelevel",
            name="unit",
            field=models.CharField(
                choices=[
                    ("hours", "Hours"),
                    ("working_days", "Working days (Monday to Friday, not bank holidays)"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="servicelevel",
            constraint=models.UniqueConstraint(
                fields=("step", "clock"), name="service_level_step_clock"
            ),
        ),
        migrations.AddConstraint(
            model_name="workinghours",
            constraint=models.CheckConstraint(
                condition=models.Q(("opens_at__lt", models.F("closes_at"))),
                name="working_hours_open_before_close",
            ),
        ),
        migrations.RunPython(seed_clocks, unseed_clocks),
        migrations.RunPython(clock_open_referrals, migrations.RunPython.noop),
    ]
