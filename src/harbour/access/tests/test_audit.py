"""The append-only, hash-chained audit log and ``harbour audit verify``."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from harbour.access import append_only
from harbour.access.audit import (
    GENESIS_HASH,
    AuditWriteError,
    ChainProblem,
    ChainReport,
    audit_record,
    audit_verify,
)
from harbour.access.models import AuditEvent
from harbour.testing import make_agency, make_child, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    return make_staff(make_agency("police"))


def write(actor, n):
    child = make_child(actor.agency)
    return [
        audit_record(actor=actor, event="child.viewed", child=child, section="summary")
        for _ in range(n)
    ]


def problem(report: ChainReport) -> ChainProblem:
    assert report.problem is not None, "the chain should be broken"
    return report.problem


def tamper(sql, params):
    """Change the log behind the application's back, as someone who owns the tables could: the
    append-only triggers stepped around for the one statement."""
    with append_only.suspended(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_events_chain_from_genesis(actor):
    events = write(actor, 3)
    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[0].actor_agency == "police" and events[0].actor_role == "referrer"
    assert audit_verify().ok and audit_verify().events_checked == 3


def test_an_edited_row_is_found_at_its_sequence(actor):
    write(actor, 5)
    tamper(
        "UPDATE access_auditevent SET actor_username = %s WHERE sequence = %s", ["someone.else", 3]
    )
    report = audit_verify()
    assert not report.ok
    assert problem(report).sequence == 3
    assert "altered" in problem(report).problem


def test_a_deleted_row_is_found_at_its_sequence(actor):
    write(actor, 5)
    tamper("DELETE FROM access_auditevent WHERE sequence = %s", [2])
    report = audit_verify()
    assert problem(report).sequence == 2
    assert "missing" in problem(report).problem


def test_a_deleted_last_row_is_found(actor):
    write(actor, 4)
    tamper("DELETE FROM access_auditevent WHERE sequence = %s", [4])
    assert problem(audit_verify()).sequence == 4


def test_a_rehashed_row_still_breaks_the_chain_after_it(actor):
    from harbour.access.audit import HASHED_FIELDS, event_hash

    write(actor, 4)
    row = AuditEvent.objects.filter(sequence=2).values(*HASHED_FIELDS).get()
    row["actor_username"] = "forger"
    forged = event_hash(row)
    tamper(
        "UPDATE access_auditevent SET actor_username = %s, hash = %s WHERE sequence = %s",
        ["forger", forged, 2],
    )
    assert problem(audit_verify()).sequence == 3


def test_the_model_refuses_update_and_delete(actor):
    event = write(actor, 1)[0]
    event.event = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_verify_command_names_the_broken_sequence(actor, capsys):
    write(actor, 3)
    call_command("audit", "verify")
    assert "3 events verified" in capsys.readouterr().out
    tamper("UPDATE access_auditevent SET section = %s WHERE sequence = %s", ["other", 2])
    with pytest.raises(CommandError, match="BROKEN at sequence 2") as error:
        call_command("audit", "verify")
    assert error.value.returncode == 1


def test_anonymous_actors_are_refused():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AuditWriteError):
        audit_record(actor=AnonymousUser(), event="child.viewed")
    with pytest.raises(AuditWriteError):
        audit_record(actor=None, event="child.viewed")


def test_a_row_forged_without_the_key_is_found(actor):
    import hashlib
    import json

    from harbour.access.audit import HASHED_FIELDS, _canonical

    write(actor, 3)
    row = AuditEvent.objects.filter(sequence=2).values(*HASHED_FIELDS).get()
    row["actor_username"] = "forger"
    text = json.dumps(
        {k: _canonical(row[k]) for k in HASHED_FIELDS}, sort_keys=True, separators=(",", ":")
    )
    unkeyed = hashlib.sha256(text.encode()).hexdigest()
    tamper(
        "UPDATE access_auditevent SET actor_username = %s, hash = %s WHERE sequence = %s",
        ["forger", unkeyed, 2],
    )
    assert problem(audit_verify()).sequence == 2


def test_a_deleted_head_is_found_and_stops_further_writes(actor):
    write(actor, 3)
    tamper("DELETE FROM access_auditevent WHERE sequence = %s", [3])
    tamper("DELETE FROM access_auditchainhead", [])
    assert "head is missing" in problem(audit_verify()).problem
    with pytest.raises(AuditWriteError):
        audit_record(actor=actor, event="child.viewed")


def test_a_row_outside_the_chain_is_found(actor):
    events = write(actor, 2)
    tamper(
        "INSERT INTO access_auditevent (sequence, occurred_at, event, outcome, actor_username,"
        " actor_role, actor_agency, section, purpose, basis, object_type, object_id, request_id,"
        " detail, prev_hash, hash) SELECT 0, occurred_at, event, outcome, actor_username,"
        " actor_role, actor_agency, section, purpose, basis, object_type, object_id, request_id,"
        " detail, prev_hash, hash FROM access_auditevent WHERE sequence = %s",
        [events[0].sequence],
    )
    assert problem(audit_verify()).sequence == 0


def test_events_appended_while_verifying_are_not_called_missing(actor, monkeypatch):
    from harbour.access import audit

    write(actor, 2)
    real = audit._iter_events

    def iterate_then_append(**kwargs):
        yield from real(**kwargs)
        audit_record(actor=actor, event="child.viewed")  # lands after the head was read

    monkeypatch.setattr(audit, "_iter_events", iterate_then_append)
    report = audit_verify()
    assert report.ok
    assert report.events_checked == 2
