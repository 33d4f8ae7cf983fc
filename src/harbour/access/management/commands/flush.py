"""``flush`` empties every table, the audit log included, by design (a test's teardown, a
developer starting again): it steps around the append-only triggers (ADR 0041) for that one
statement and puts them back. On a live system the anchors outside the database show it."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from harbour.access import append_only


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        with transaction.atomic(using=connection.alias), append_only.suspended(connection):
            super().handle(**options)
