"""A scratch PostgreSQL database for the front door's benchmarks: made and migrated at the start,
dropped at the end (even when the benchmark fails), never the demo's or the tests' database.

``BENCH_PG_URL`` names the server (default ``postgres://postgres@127.0.0.1:5432``); the database
is the benchmark's own name, so benchmarks run side by side do not meet."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def _admin(sql: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


@contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """Django set up on a new, migrated database ``name``; its URL is yielded."""
    url = f"{SERVER}/{name}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "harbour.settings.base"
    try:
        import django
        from django.core.management import call_command

        django.setup()
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"scratch database {name}: migrated in {time.perf_counter() - started:.1f} s")
        yield url
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110  (Django may not have started; the drop below still runs)
            pass
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"scratch database {name}: dropped")


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]
