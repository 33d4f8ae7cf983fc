"""The partnership's starting limits for reduced timetables and alternative provision (ADR 0008).
Administrators change them; these only seed a new installation."""

from django.db import migrations

DEFAULTS = {
    "reduced_timetable": 42,  # six weeks
    "alternative_provision": 84,  # twelve weeks without a review of the placement
    "suspended": 15,  # fifteen school days is the point at which governors must consider it
    "not_in_education": 20,
}


def seed(apps, schema_editor):
    EducationLimit = apps.get_model("children", "EducationLimit")
    for status, days in DEFAULTS.items():
        EducationLimit.objects.get_or_create(status=status, defaults={"max_days": days})


class Migration(migrations.Migration):
    dependencies = [("children", "0003_record_sections")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
