"""The co-involvement rule, as a new installation has it (ADR 0015, 2026-12-07): switched off,
counting only the roles that suggest shared exposure, with a title that says so.

The rule flags a child because another child is flagged, so a partnership switches it on when
it has agreed which roles count and its data protection impact assessment covers it. A rule
that has already raised flags is a partnership's own decision in use: it is left in use (the
roles it counts are then the default ones until an administrator changes them)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone

KIND = "co_involved_with_flagged"
OLD_TITLE = "Involved in an incident with a child already flagged"
TITLE = "Suspected, arrested, missing or named as an associate with a child already flagged"
ROLES = ["arrested", "associate", "missing_person", "suspect"]
SYSTEM = "Harbour, as installed"
REASON = (
    "Switched off when Harbour was installed: this rule flags a child because another child "
    "is flagged. Switch it on once the partnership has agreed which roles count and its data "
    "protection impact assessment covers flagging children by co-involvement."
)


def switch_off_unused(apps: Any, schema_editor: Any) -> None:
    FlagRule = apps.get_model("identity", "FlagRule")
    HarmFlag = apps.get_model("identity", "HarmFlag")
    for rule in FlagRule.objects.filter(kind=KIND, is_current=True):
        if HarmFlag.objects.filter(rule__code=rule.code).exists():
            continue
        rule.in_use = False
        rule.in_use_changed_at = timezone.now()
        rule.in_use_changed_by_system = SYSTEM
        rule.in_use_reason = REASON
        if rule.version == 1 and rule.title == OLD_TITLE:
            # The seeded version has raised nothing, so nothing refers to what it said.
            rule.title = TITLE
            rule.parameters = {**rule.parameters, "roles": ROLES}
        rule.save()


def restore(apps: Any, schema_editor: Any) -> None:
    FlagRule = apps.get_model("identity", "FlagRule")
    for rule in FlagRule.objects.filter(kind=KIND, version=1, title=TITLE):
        rule.title = OLD_TITLE
        rule.parameters = {k: v for k, v in rule.parameters.items() if k != "roles"}
        rule.save()


class Migration(migrations.Migration):
    dependencies = [("identity", "0008_flag_rule_in_use")]

    operations = [migrations.RunPython(switch_off_unused, restore)]
