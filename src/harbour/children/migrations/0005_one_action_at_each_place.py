"""No two actions of a plan share a place in the child's order (issue 12, part 5): actions that
did are numbered 1, 2, 3 … in their order (then by when they were added), then the database
refuses a repeat."""

from django.db import migrations, models


def renumber(apps, schema_editor):
    PlanAction = apps.get_model("children", "PlanAction")
    plan_ids = PlanAction.objects.values_list("plan_id", flat=True).distinct()
    for plan_id in plan_ids:
        actions = list(PlanAction.objects.filter(plan_id=plan_id).order_by("sequence", "pk"))
        if [a.sequence for a in actions] == list(range(1, len(actions) + 1)):
            continue
        for place, action in enumerate(actions, start=1):
            PlanAction.objects.filter(pk=action.pk).update(sequence=place)


class Migration(migrations.Migration):
    dependencies = [("children", "0004_default_education_limits")]

    operations = [
        migrations.RunPython(renumber, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="planaction",
            constraint=models.UniqueConstraint(
                fields=("plan", "sequence"), name="one_action_at_each_place_in_a_plan"
            ),
        ),
    ]
