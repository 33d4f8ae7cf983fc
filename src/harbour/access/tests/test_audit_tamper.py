"""The audit log against someone with access to the database (issue 16 part 4, ADR 0041): the
tables refuse change on both databases, and ``harbour audit verify`` names every attack that
steps around that — a tail cut off with the head moved back, everything deleted, a row past the
head, a full rewrite with every hash recomputed, an edited middle row — by comparing the chain
with the anchors signed outside the database."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from harbour.access import anchor, append_only
from harbour.access.audit import (
    HASHED_FIELDS,
    AuditWriteError,
    anchor_chain,
    audit_record,
    audit_verify,
    event_hash,
)
from harbour.access.models import AuditChainHead, AuditEvent
from harbour.testing import make_agency, make_child, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def anchors(settings, tmp_path):
    settings.HARBOUR_AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    settings.HARBOUR_AUDIT_ANCHOR_KEY = "a-key-only-the-anchoring-job-holds"
    return tmp_path / "anchors" / anchor.FILE_NAME


@pytest.fixture
def actor():
    return make_staff(make_agency("police"))


def write(actor, n):
    child = make_child(actor.agency)
    for _ in range(n):
        audit_record(actor=actor, event="child.viewed", child=child, section="record")


def tamper(sql, params=()):
    """What the tables' owner (or a superuser) can do: step around the triggers."""
    with append_only.suspended(connection), connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def refused(sql, params=()):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def broken(match):
    with pytest.raises(CommandError, match=match) as error:
        call_command("audit", "verify")
    assert error.value.returncode == 1
    return str(error.value)


# The tables refuse change -------------------------------------------------------------------


def test_raw_update_and_delete_of_events_are_refused_by_the_database(actor):
    write(actor, 3)
    assert append_only.installed(connection) == set(
        append_only.POSTGRES_TRIGGERS
        if connection.vendor == "postgresql"
        else append_only.SQLITE_TRIGGERS
    )
    refused("UPDATE access_auditevent SET actor_username = %s WHERE sequence = 2", ["x"])
    refused("DELETE FROM access_auditevent WHERE sequence = 3")
    refused("DELETE FROM access_auditevent")
    assert AuditEvent.objects.count() == 3
    assert audit_verify().ok


def test_the_head_cannot_be_deleted_or_moved_back(actor):
    write(actor, 3)
    refused("DELETE FROM access_auditchainhead")
    refused("UPDATE access_auditchainhead SET last_sequence = 1")
    assert AuditChainHead.objects.get(pk=1).last_sequence == 3
    write(actor, 1)  # moving forward, as every append does, is allowed
    assert AuditChainHead.objects.get(pk=1).last_sequence == 4


def test_emptying_the_tables_is_refused(actor):
    """TRUNCATE on PostgreSQL (row triggers do not see it); SQLite has no TRUNCATE, and its
    DELETE without a WHERE runs the row triggers."""
    write(actor, 2)
    empty = "TRUNCATE {}" if connection.vendor == "postgresql" else "DELETE FROM {}"
    refused(empty.format("access_auditevent"))
    refused(empty.format("access_auditchainhead"))
    assert AuditEvent.objects.count() == 2
    assert AuditChainHead.objects.get(pk=1).last_sequence == 2


def test_stepping_around_the_triggers_puts_them_back(actor):
    write(actor, 1)
    before = append_only.installed(connection)
    with pytest.raises(RuntimeError), append_only.suspended(connection):
        raise RuntimeError("the block failed")
    assert append_only.installed(connection) == before
    refused("DELETE FROM access_auditevent")


# The attacks, each named ----------------------------------------------------------------------


def test_an_untouched_anchored_chain_is_intact(actor, anchors, capsys):
    write(actor, 20)
    call_command("audit", "anchor")
    assert "Anchored sequence 20" in capsys.readouterr().out
    write(actor, 5)
    call_command("audit", "verify")
    out = capsys.readouterr()
    assert "Audit chain intact: 25 events verified" in out.out
    assert "Warning" not in out.err
    lines = anchors.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["sequence"] == 20


def test_the_tail_deleted_and_the_head_moved_back_is_found(actor):
    write(actor, 100)
    anchor_chain()
    head = AuditEvent.objects.get(sequence=5)
    tamper("DELETE FROM access_auditevent WHERE sequence > 5")
    tamper(
        "UPDATE access_auditchainhead SET last_sequence = 5, last_hash = %s WHERE id = 1",
        [head.hash],
    )
    message = broken("BROKEN at sequence 6")
    assert "the log ends at sequence 5 but was anchored at sequence 100" in message
    assert "events 6 to 100 have been deleted and the head moved back" in message
    # Appending on past the anchored sequence does not hide it: event 100 is not the anchored one.
    write(actor, 96)
    broken("sequence 100: does not match the anchor")


def test_every_event_and_the_head_deleted_is_found_and_harbour_does_not_start_again(actor):
    write(actor, 10)
    anchor_chain()
    tamper("DELETE FROM access_auditevent")
    tamper("DELETE FROM access_auditchainhead")
    message = broken("BROKEN at sequence 1")
    assert "the log is empty but was anchored at sequence 10" in message
    assert "every event has been deleted" in message
    with pytest.raises(AuditWriteError, match="empty but was anchored at sequence 10"):
        audit_record(actor=actor, event="child.viewed")
    assert not AuditEvent.objects.exists()


def test_a_row_past_the_head_is_named_and_refuses_writes_loudly(actor, client, caplog):
    write(actor, 4)
    anchor_chain()
    tamper(
        "INSERT INTO access_auditevent (sequence, occurred_at, event, outcome, actor_username,"
        " actor_role, actor_agency, section, purpose, basis, object_type, object_id, request_id,"
        " detail, prev_hash, hash) SELECT 5, occurred_at, event, outcome, actor_username,"
        " actor_role, actor_agency, section, purpose, basis, object_type, object_id, request_id,"
        " detail, hash, hash FROM access_auditevent WHERE sequence = 4"
    )
    message = broken("BROKEN at sequence 5")
    assert "past the chain's head (1 event(s) written outside Harbour" in message
    with (
        caplog.at_level(logging.CRITICAL, logger="harbour.audit"),
        pytest.raises(AuditWriteError, match="1 event\\(s\\) past the chain's head"),
    ):
        audit_record(actor=actor, event="child.viewed")
    assert "harbour audit verify" in caplog.text  # the administrators are told, not just a 503
    # The anchoring job refuses to vouch for it either.
    with pytest.raises(CommandError, match="Not anchored: the audit chain is BROKEN at sequence 5"):
        call_command("audit", "anchor")


def test_a_full_rewrite_with_every_hash_recomputed_is_found_by_the_anchor(actor):
    """Someone with the database and the audit key (say, from the web server) rewrites who did
    everything and recomputes the whole chain: it is consistent in itself, and only the anchor,
    signed with a key they do not hold, shows it."""
    write(actor, 30)
    anchor_chain()
    rows = list(AuditEvent.objects.order_by("sequence").values(*HASHED_FIELDS, "hash"))
    prev = "0" * 64
    for row in rows:
        row["actor_username"] = "someone.else"
        row["prev_hash"] = prev
        row["hash"] = prev = event_hash(row)
        tamper(
            "UPDATE access_auditevent SET actor_username = %s, prev_hash = %s, hash = %s"
            " WHERE sequence = %s",
            [row["actor_username"], row["prev_hash"], row["hash"], row["sequence"]],
        )
    tamper("UPDATE access_auditchainhead SET last_hash = %s WHERE id = 1", [prev])
    message = broken("BROKEN at sequence 30")
    assert "does not match the anchor written on" in message
    assert "rewritten" in message


def test_an_edited_middle_row_is_found(actor):
    write(actor, 30)
    anchor_chain()
    tamper("UPDATE access_auditevent SET section = %s WHERE sequence = 12", ["elsewhere"])
    broken("BROKEN at sequence 12: content does not match its hash")


# The anchors themselves ---------------------------------------------------------------------


def test_an_altered_or_removed_anchor_is_found(actor, anchors):
    for _ in range(3):
        write(actor, 2)
        anchor_chain()
    lines = anchors.read_text().splitlines()
    forged = json.loads(lines[1])
    forged["sequence"] = 3
    anchors.write_text("\n".join([lines[0], json.dumps(forged), lines[2]]) + "\n")
    broken("anchor file line 2: its signature does not match")
    anchors.write_text("\n".join([lines[0], lines[2]]) + "\n")
    broken("anchor file line 2 does not follow the line before it")


def test_a_chain_never_anchored_or_anchored_long_ago_is_a_warning(actor, capsys):
    write(actor, 3)
    call_command("audit", "verify")
    assert "never been anchored" in capsys.readouterr().err
    anchor_chain(now=timezone.now() - dt.timedelta(hours=2))
    write(actor, 1)
    call_command("audit", "verify")
    err = capsys.readouterr().err
    assert "more than 30 minutes ago" in err and "timer" in err


def test_anchoring_checks_only_the_events_since_the_last_anchor(actor):
    write(actor, 40)
    first = anchor_chain()
    assert first.anchor is not None and first.report.events_checked == 40
    write(actor, 3)
    second = anchor_chain()
    assert second.anchor is not None and second.anchor.sequence == 43
    assert second.report.events_checked == 3


def test_the_dpos_check_names_a_row_past_the_head(actor, client):
    from harbour.partnership.models import Role

    dpo = make_staff(actor.agency, role=Role.DATA_PROTECTION_OFFICER)
    write(actor, 2)
    last = AuditEvent.objects.get(sequence=AuditChainHead.objects.get().last_sequence)
    tamper(
        "INSERT INTO access_auditevent (sequence, occurred_at, event, outcome, actor_username,"
        " actor_role, actor_agency, section, purpose, basis, object_type, object_id, request_id,"
        " detail, prev_hash, hash) SELECT sequence + 1, occurred_at, event, outcome,"
        " actor_username, actor_role, actor_agency, section, purpose, basis, object_type,"
        " object_id, request_id, detail, hash, hash FROM access_auditevent WHERE sequence = %s",
        [last.sequence],
    )
    client.force_login(dpo)
    response = client.post(reverse("access:audit-chain-check"), follow=True)
    assert "past the chain&#x27;s head" in response.content.decode()


def test_anchors_written_at_once_still_chain(anchors):
    """Two timers overlapping (a slow run and the next one) must not both chain to one line."""
    from concurrent.futures import ThreadPoolExecutor

    now = timezone.now()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda n: anchor.append_anchor(sequence=n, last_hash="a" * 64, at=now), [0] * 16
            )
        )
    log = anchor.read_anchors()
    assert log.problem == "" and len(log.anchors) == 16
