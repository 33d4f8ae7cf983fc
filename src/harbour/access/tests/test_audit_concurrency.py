"""Concurrent writers append one after another: no gaps, no forks, on either database."""

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from harbour.access.audit import audit_record, audit_verify
from harbour.access.models import AuditEvent
from harbour.testing import make_agency, make_child, make_staff

WRITERS = 6
EVENTS_EACH = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_leave_no_gaps_or_forks():
    police = make_agency("police")
    actor = make_staff(police)
    child = make_child(police)
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(EVENTS_EACH):
                # Each event in its own transaction, as each request is.
                with transaction.atomic():
                    audit_record(
                        actor=actor, event="child.viewed", child=child, detail={"w": n, "i": i}
                    )
        except BaseException as error:  # reported to the main thread below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    total = WRITERS * EVENTS_EACH
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, total + 1))
    prev_hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prev_hashes)) == total  # a fork would give two events the same predecessor
    report = audit_verify()
    assert report.ok
    assert report.events_checked == total
