"""The audit chain's head row, and database triggers that refuse UPDATE and DELETE of audit events
on PostgreSQL. (TRUNCATE, a table owner's act, stays possible; the hash chain and the head row
reveal it. SQLite relies on the model's refusal and on the chain — see ADR 0004.)"""

from django.db import migrations

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION access_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_auditevent_append_only
  BEFORE UPDATE OR DELETE ON access_auditevent
  FOR EACH ROW EXECUTE FUNCTION access_auditevent_refuse_change();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS access_auditevent_append_only ON access_auditevent;
DROP FUNCTION IF EXISTS access_auditevent_refuse_change();
"""


def create_head(apps, schema_editor):
    apps.get_model("access", "AuditChainHead").objects.get_or_create(pk=1)


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("access", "0003_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
