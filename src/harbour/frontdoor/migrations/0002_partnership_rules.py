"""The partnership's starting rules for referrals (ADR 0010): which items a complete referral holds
and which of them a referral cannot be sent without (finding 1.2), the service-level clock, and the
escalation route. Administrators change them; these only seed a new installation."""

from django.db import migrations

# item: (weight, required before sending)
RULES = {
    "child_identity": (3, True),
    "what_happened": (2, True),
    "concerns": (2, True),
    "reason": (3, True),
    "child_voice": (3, True),
    "ethnicity": (2, True),
    "cultural_heritage": (1, False),
    "known_needs": (2, True),
    "education_setting": (1, False),
    "parents": (2, False),
    "actions_taken": (1, False),
    "urgency": (1, True),
}

SERVICE_LEVELS = {
    "rag": (24, "hours"),
    "decision": (1, "working_days"),
    "feedback": (3, "working_days"),
}

ESCALATION = [
    (
        1,
        "Talk to the front-door team manager",
        "Front Door (MASH) team manager on duty",
        "Phone the front door and ask for the manager on duty",
    ),
    (
        2,
        "Escalate to the head of service",
        "Head of Service, Children's Social Care",
        "In writing, naming the referral reference",
    ),
    (
        3,
        "Use the partnership's resolving professional differences procedure",
        "Safeguarding partnership business unit",
        "By the escalation form on the partnership's procedures site",
    ),
]


def seed(apps, schema_editor):
    CompletenessRule = apps.get_model("frontdoor", "CompletenessRule")
    ServiceLevel = apps.get_model("frontdoor", "ServiceLevel")
    EscalationStage = apps.get_model("frontdoor", "EscalationStage")
    for item, (weight, mandatory) in RULES.items():
        CompletenessRule.objects.get_or_create(
            item=item, defaults={"weight": weight, "mandatory": mandatory}
        )
    for step, (amount, unit) in SERVICE_LEVELS.items():
        # By step alone: from 0007 a referral's steps have a level for each clock, and the demo
        # runs this again on a database that has them.
        if not ServiceLevel.objects.filter(step=step).exists():
            ServiceLevel.objects.create(step=step, amount=amount, unit=unit)
    for order, title, who, how in ESCALATION:
        EscalationStage.objects.get_or_create(
            order=order, defaults={"title": title, "who": who, "how": how}
        )


class Migration(migrations.Migration):
    dependencies = [("frontdoor", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
