"""Faith, heritage and culture, and communication needs, leave the identity category for data
categories of their own (ADR 0017). Sharing stays where it was agreed: an agreement that covers
ethnicity (special category, with its condition) now covers faith, heritage and culture too, and
one that covers health now covers communication needs and developmental age. An agreement that
covered neither shared these only because they were filed under identity: it no longer does."""

from django.db import migrations

FAITH_CULTURE, COMMUNICATION = "faith_culture", "communication"


def split(apps, schema_editor):
    Agreement = apps.get_model("partnership", "InformationSharingAgreement")
    for agreement in Agreement.objects.all():
        categories = list(agreement.data_categories)
        if "ethnicity" in categories and FAITH_CULTURE not in categories:
            categories.append(FAITH_CULTURE)
        if "health" in categories and COMMUNICATION not in categories:
            categories.append(COMMUNICATION)
        if categories != agreement.data_categories:
            agreement.data_categories = categories
            agreement.save(update_fields=["data_categories"])


def join(apps, schema_editor):
    Agreement = apps.get_model("partnership", "InformationSharingAgreement")
    for agreement in Agreement.objects.all():
        categories = [
            c for c in agreement.data_categories if c not in (FAITH_CULTURE, COMMUNICATION)
        ]
        if categories != agreement.data_categories:
            agreement.data_categories = categories
            agreement.save(update_fields=["data_categories"])


class Migration(migrations.Migration):
    dependencies = [("partnership", "0001_initial")]

    operations = [migrations.RunPython(split, join)]
