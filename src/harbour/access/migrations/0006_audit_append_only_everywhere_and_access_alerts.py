"""The audit log append-only on SQLite too, and the head guarded on both databases (ADR 0041):
SQLite triggers refuse UPDATE and DELETE of audit events, DELETE of the chain's head, and an
UPDATE that moves the head backwards; PostgreSQL (which refuses UPDATE and DELETE of events since
0004) gains the head's guard and refuses TRUNCATE of both tables. Plus the suspicious-access
alerts and the register of declared connections."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SQLITE_CREATE = (
    """CREATE TRIGGER access_auditevent_no_update BEFORE UPDATE ON access_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER access_auditevent_no_delete BEFORE DELETE ON access_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER access_auditchainhead_no_delete BEFORE DELETE ON access_auditchainhead
    BEGIN SELECT RAISE(ABORT, 'the audit chain head cannot be deleted'); END""",
    """CREATE TRIGGER access_auditchainhead_forward_only BEFORE UPDATE ON access_auditchainhead
    WHEN NEW.last_sequence < OLD.last_sequence OR NEW.id <> OLD.id
    BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward'); END""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS access_auditevent_no_update",
    "DROP TRIGGER IF EXISTS access_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS access_auditchainhead_no_delete",
    "DROP TRIGGER IF EXISTS access_auditchainhead_forward_only",
)

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION access_audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the audit log cannot be truncated';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_auditevent_no_truncate
  BEFORE TRUNCATE ON access_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION access_audit_refuse_truncate();
CREATE TRIGGER access_auditchainhead_no_truncate
  BEFORE TRUNCATE ON access_auditchainhead
  FOR EACH STATEMENT EXECUTE FUNCTION access_audit_refuse_truncate();
CREATE OR REPLACE FUNCTION access_auditchainhead_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'the audit chain head cannot be deleted';
  END IF;
  IF NEW.last_sequence < OLD.last_sequence OR NEW.id <> OLD.id THEN
    RAISE EXCEPTION 'the audit chain head only moves forward';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_auditchainhead_forward_only
  BEFORE UPDATE OR DELETE ON access_auditchainhead
  FOR EACH ROW EXECUTE FUNCTION access_auditchainhead_guard();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS access_auditchainhead_forward_only ON access_auditchainhead;
DROP TRIGGER IF EXISTS access_auditchainhead_no_truncate ON access_auditchainhead;
DROP TRIGGER IF EXISTS access_auditevent_no_truncate ON access_auditevent;
DROP FUNCTION IF EXISTS access_auditchainhead_guard();
DROP FUNCTION IF EXISTS access_audit_refuse_truncate();
"""


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_CREATE:
            schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0005_break_glass_review_outcome_choices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(add_triggers, drop_triggers),
        migrations.CreateModel(
            name="DeclaredConnection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("given_name", models.CharField(max_length=100)),
                ("family_name", models.CharField(max_length=100)),
                ("date_of_birth", models.DateField()),
                (
                    "connection",
                    models.CharField(help_text="For example: nephew, neighbour", max_length=100),
                ),
                ("declared_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("ended_on", models.DateField(blank=True, null=True)),
                (
                    "declared_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="declared_connections",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="AccessAlert",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "rule",
                    models.CharField(
                        choices=[
                            ("many_children", "Many children viewed within an hour"),
                            ("out_of_hours", "Many children viewed out of hours"),
                            ("not_on_caseload", "A child viewed with no working relationship"),
                            (
                                "declared_connection",
                                "A child viewed by staff who declared a connection",
                            ),
                        ],
                        max_length=30,
                    ),
                ),
                ("key", models.CharField(max_length=200, unique=True)),
                ("first_seen", models.DateTimeField()),
                ("last_seen", models.DateTimeField()),
                ("children", models.PositiveIntegerField()),
                ("sequences", models.JSONField(default=list)),
                ("facts", models.JSONField(default=dict)),
                ("raised_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("looked_at", models.DateTimeField(blank=True, null=True)),
                ("note", models.TextField(blank=True)),
                (
                    "looked_at_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-last_seen"],
                "indexes": [
                    models.Index(
                        fields=["rule", "staff", "last_seen"], name="access_acce_rule_50ea24_idx"
                    )
                ],
            },
        ),
    ]
