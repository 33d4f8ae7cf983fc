"""The database's own refusal to change the audit log (ADR 0041), the same on SQLite and
PostgreSQL: no UPDATE or DELETE of an audit event, no DELETE of the chain's head and no moving
it backwards, and on PostgreSQL no TRUNCATE of either table. The triggers are created by
migrations access 0004 and 0006; this module names them, and lets ``flush`` (a test's teardown,
which empties every table by design) step around them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

EVENT_TABLE = "access_auditevent"
HEAD_TABLE = "access_auditchainhead"

# PostgreSQL: trigger name → table.
POSTGRES_TRIGGERS = {
    "access_auditevent_append_only": EVENT_TABLE,
    "access_auditevent_no_truncate": EVENT_TABLE,
    "access_auditchainhead_forward_only": HEAD_TABLE,
    "access_auditchainhead_no_truncate": HEAD_TABLE,
}
SQLITE_TRIGGERS = (
    "access_auditevent_no_update",
    "access_auditevent_no_delete",
    "access_auditchainhead_no_delete",
    "access_auditchainhead_forward_only",
)


@contextmanager
def suspended(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """The triggers off for the block, and back exactly as they were after it (also when the
    block fails). Needs the table owner (PostgreSQL) or write access to the schema (SQLite):
    what an attacker with those rights could do anyway, which is why the chain is anchored
    outside the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            present = _postgres_present(cursor)
            for name in present:
                cursor.execute(f"ALTER TABLE {POSTGRES_TRIGGERS[name]} DISABLE TRIGGER {name}")
            try:
                yield
            finally:
                with connection.cursor() as after:
                    for name in present:
                        after.execute(
                            f"ALTER TABLE {POSTGRES_TRIGGERS[name]} ENABLE TRIGGER {name}"
                        )
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            saved = [(name, sql) for name, sql in cursor.fetchall() if name in SQLITE_TRIGGERS]
            for name, _ in saved:
                cursor.execute(f"DROP TRIGGER {name}")
            try:
                yield
            finally:
                with connection.cursor() as after:
                    for _, sql in saved:
                        after.execute(sql)
        else:  # pragma: no cover - only the two databases Harbour supports
            yield


def _postgres_present(cursor: object) -> list[str]:
    cursor.execute(  # type: ignore[attr-defined]
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)",
        [list(POSTGRES_TRIGGERS)],
    )
    return sorted(row[0] for row in cursor.fetchall())  # type: ignore[attr-defined]


def installed(connection: BaseDatabaseWrapper) -> set[str]:
    """The names of the append-only triggers the database holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return set(_postgres_present(cursor))
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()} & set(SQLITE_TRIGGERS)
