"""The six example cumulative-harm rules (issue 4, part 6), each at version 1."""

from __future__ import annotations

from typing import Any

from django.db import migrations

HARM = ["violence_injury", "assault", "robbery", "weapon", "exploitation", "sexual_offence"]

RULES: list[dict[str, Any]] = [
    {
        "code": "violence-cluster",
        "kind": "incidents_in_window",
        "title": "Three or more incidents of violence or exploitation in 90 days across two or "
        "more agencies",
        "parameters": {"count": 3, "days": 90, "agencies": 2, "categories": HARM},
    },
    {
        "code": "escalating-severity",
        "kind": "escalating_severity",
        "title": "Three successive events of rising severity within a year",
        "parameters": {"steps": 3, "days": 365},
    },
    {
        "code": "missing-new-adult",
        "kind": "missing_with_new_adult",
        "title": "Missing episodes alongside a new adult associate who poses a risk",
        "parameters": {"days": 30},
    },
    {
        "code": "weapon-after-exclusion",
        "kind": "weapon_after_exclusion",
        "title": "A weapon-related incident within six months of an exclusion",
        "parameters": {"days": 180},
    },
    {
        "code": "ed-assault-no-police",
        "kind": "ed_assault_not_known_to_police",
        "title": "An emergency department attendance for assault not known to police",
        "parameters": {"days": 7},
    },
    {
        "code": "co-involved-flagged",
        "kind": "co_involved_with_flagged",
        "title": "Involved in an incident with a child already flagged",
        "parameters": {"days": 365},
    },
]


def seed(apps: Any, schema_editor: Any) -> None:
    FlagRule = apps.get_model("identity", "FlagRule")
    for rule in RULES:
        FlagRule.objects.get_or_create(
            code=rule["code"],
            version=1,
            defaults={
                "kind": rule["kind"],
                "title": rule["title"],
                "parameters": rule["parameters"],
                "is_current": not FlagRule.objects.filter(code=rule["code"]).exists(),
            },
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    FlagRule = apps.get_model("identity", "FlagRule")
    FlagRule.objects.filter(
        code__in=[r["code"] for r in RULES], version=1, flags__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("identity", "0005_needs_and_harm_flags")]

    operations = [migrations.RunPython(seed, unseed)]
