"""The front door's queue page with 10,000 open referrals, beside the same page with 100.

``GET /front-door/`` as a front-door practitioner of the demo's front door (Riverside Children's
Social Care), through Django's test client and the whole middleware stack, on a scratch
PostgreSQL database made and migrated for the run and dropped after. The referrals are
bulk-created straight into the database: a mix of statuses (received, rated, decided), sources
and urgencies (1 in 20 immediate), received over the last 30 days with the clock fixed as the
service levels fix it.

Baseline: the same page with 100 open referrals, measured in the same run. Printed: p50 and p95
(ms) over ``--requests`` requests after a warm-up, the ratio, queries and audit events per
request, the rows shown, and whether the rows shown are the ones the clock puts first.

Run: ``.venv/bin/python benchmarks/frontdoor_queue.py`` (``make bench``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import time
from typing import Any

from frontdoor_scratch import percentile, scratch_database

DATABASE = "harbour_bench_frontdoor_queue"
SIZES = (100, 10_000)


def set_up() -> tuple[Any, Any, Any]:
    from harbour.partnership.models import AgencyType, Role, Team
    from harbour.testing import make_agency, make_staff

    csc = make_agency("riverside-csc", AgencyType.CHILDRENS_SOCIAL_CARE)
    Team.objects.create(agency=csc, name="Front Door (MASH)", is_front_door=True)
    police = make_agency("riverside-police", AgencyType.POLICE)
    practitioner = make_staff(
        csc, Role.FRONT_DOOR_PRACTITIONER, email="frontdoor@riverside-csc.demo.harbour.test"
    )
    return csc, police, practitioner


def add_referrals(csc: Any, police: Any, start: int, count: int, seed: int) -> None:
    from django.utils import timezone

    from harbour.frontdoor.codes import Rag, Source, Status, Urgency
    from harbour.frontdoor.models import Referral

    rng = random.Random(seed)  # noqa: S311  (repeatable synthetic data, not security)
    now = timezone.now()
    rows = []
    for n in range(start, start + count):
        received = now - dt.timedelta(minutes=rng.randint(0, 30 * 24 * 60))
        status = rng.choice([Status.RECEIVED, Status.RECEIVED, Status.RATED, Status.DECIDED])
        rated = status != Status.RECEIVED
        rows.append(
            Referral(
                reference=f"FD-2026-{n:06d}",
                status=status,
                source=rng.choice([Source.FORM, Source.API, Source.BULK]),
                front_door=csc,
                referring_agency=police,
                received_at=received,
                child_given_name=rng.choice(["Amari", "Jayden", "Kai", "Leah", "Maya", "Tyler"]),
                child_family_name=f"Bench{n}",
                child_date_of_birth=dt.date(2010, 1, 1) + dt.timedelta(days=rng.randint(0, 2000)),
                what_happened="Seen with older males near the station late at night.",
                concerns=["serious_youth_violence"],
                urgency=Urgency.IMMEDIATE
                if rng.random() < 0.05
                else rng.choice([Urgency.TODAY, Urgency.ROUTINE]),
                completeness_score=rng.randint(40, 100),
                rag_due_at=received + dt.timedelta(hours=24),
                decision_due_at=received + dt.timedelta(days=1),
                rag=rng.choice([Rag.RED, Rag.AMBER, Rag.GREEN]) if rated else "",
                rag_at=received + dt.timedelta(hours=2) if rated else None,
            )
        )
    Referral.objects.bulk_create(rows, batch_size=2000)


def clock_first(csc: Any, count: int) -> list[str]:
    """The references the clock puts first: immediate ones, then the earliest due."""
    from django.utils import timezone

    from harbour.frontdoor import selectors
    from harbour.frontdoor.codes import OPEN_STATUSES
    from harbour.frontdoor.models import Referral

    now = timezone.now()
    rows = [
        selectors.QueueRow(r, selectors.clock_for(r, now), None)
        for r in Referral.objects.filter(front_door=csc, status__in=OPEN_STATUSES)
    ]
    rows.sort(key=selectors.sort_key)
    return [row.referral.reference for row in rows[:count]]


def measure(client: Any, requests: int) -> dict[str, Any]:
    from django.db import connection

    from harbour.access.models import AuditEvent

    for _ in range(3):
        assert client.get("/front-door/").status_code == 200
    events_before = AuditEvent.objects.count()
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get("/front-door/")
    audited = AuditEvent.objects.count() - events_before
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/front-door/")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    html = response.content.decode()
    return {
        "p50": percentile(timings, 0.50),
        "p95": percentile(timings, 0.95),
        "queries": len(queries),
        "audited": audited,
        "shown": re.findall(r">(FD-2026-[0-9]{6})<", html),
        "bytes": len(response.content),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    results: dict[int, dict[str, Any]] = {}
    with scratch_database(DATABASE):
        from django.test import Client

        csc, police, practitioner = set_up()
        client = Client()
        client.force_login(practitioner)
        made = 0
        for size in SIZES:
            started = time.perf_counter()
            add_referrals(csc, police, made, size - made, seed=size)
            print(f"{size:,} open referrals: made in {time.perf_counter() - started:.1f} s")
            made = size
            results[size] = measure(client, args.requests)
            first = clock_first(csc, len(results[size]["shown"]))
            shown = results[size]["shown"]
            results[size]["in_clock_order"] = sum(
                a == b for a, b in zip(shown, first, strict=False)
            )
            results[size]["of_clock_first"] = len(set(shown) & set(first))

    print()
    print(f"Front-door queue page (GET /front-door/ as a practitioner), {args.requests} requests")
    print(
        f"{'open referrals':<24}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}{'audited':>9}"
        f"{'rows':>7}{'KB':>7}{'clock-first rows shown':>24}"
    )
    for size, row in results.items():
        name = f"{size:,}" + (" (baseline)" if size == SIZES[0] else "")
        print(
            f"{name:<24}{row['p50']:>9.0f}{row['p95']:>9.0f}{row['queries']:>9.0f}"
            f"{row['audited']:>9.0f}{len(row['shown']):>7}{row['bytes'] / 1024:>7.0f}"
            f"{row['of_clock_first']:>13} of {len(row['shown'])}"
        )
    big, small = results[SIZES[-1]], results[SIZES[0]]
    print(f"p95 ratio {SIZES[-1]:,} / {SIZES[0]:,}: {big['p95'] / small['p95']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
