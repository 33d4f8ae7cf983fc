"""Agencies' events: one event through the API end to end, and a large ED attendances file,
against the same run's figures for the referral intake (issue 11, ADR 0021).

On a scratch PostgreSQL database, made and migrated for the run and dropped after:

1. **The person index.** ``--records`` synthetic records (``linkage.synthetic.generate``, one
   seed), each linked to its person, written with PostgreSQL's COPY (setting up, not measured),
   and a linkage model trained (EM, seeded) on a sample of them and made current, as
   ``harbour link train`` stores one.
2. **One event at a time through the API** (the measured path): Harbour served by gunicorn
   (one sync worker, ``harbour.settings.base``); ``POST /api/events`` with an ED agency's token
   and an ``Idempotency-Key``, one ED attendance (with its ISTV items) after another. Each
   names the hospital's own record of a child — records held back from the index, so most are
   people the index already has — and is validated, saved, audited, matched in real time
   against the whole index and linked (or held, or a new person) before the answer; whatever
   the product does on arrival after the commit runs too. The worker's first request builds the
   in-process index from the database; it is sent first and not counted.
   **Baseline, same run, same server**: ``POST /api/referrals/custody`` one referral after
   another (the referral intake, ``benchmarks/frontdoor_intake.py``).
3. **A file**: ``--file-rows`` ED attendances written as the ``ed-attendance`` format and
   imported with ``harbour events import --agency ... --format ed-attendance FILE --json`` in
   its own process (parse and check the whole file, save, match its records at once, ADR 0032)
   against the kept copy of the person index as the nightly ``harbour events index`` leaves it
   (made during setting up, not measured; the file brings it up to date with the records added
   since, ADR 0038; ``--cold-index``: no copy, the index read afresh as for a first file):
   wall time and the process's peak resident memory (``wait4``). **Baseline, same run**: the
   referral intake's bulk file (``POST /api/referrals/custody/bulk``), rows per second.

Targets (issue 11): API p95 < 50 ms against 1,000,000 indexed records; the 100,000-row file in
< 60 s with peak memory < 1 GB. Printed: the figures, the ratios to the baselines, the targets
met or not, and checks (every answer 201; one event per event sent; matching outcomes). Beside
the wall times, CPU: the server's (gunicorn's worker) per request and the importer's, which a
machine shared with other work does not inflate as it inflates wall time.

Run: ``.venv/bin/python benchmarks/events_intake.py`` (``make bench``); ``--records``,
``--events`` and ``--file-rows`` make it smaller. PostgreSQL on 127.0.0.1:5432 (``BENCH_PG_URL``).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
from frontdoor_intake import COMPLETE, Server, bulk_file
from frontdoor_scratch import percentile, scratch_database

ROOT = Path(__file__).resolve().parents[1]
# Its own scratch database; BENCH_EVENTS_DB names another, for two runs side by side.
DATABASE = os.environ.get("BENCH_EVENTS_DB", "harbour_bench_events_intake")
TARGET_P95_MS = 50.0
TARGET_FILE_SECONDS = 60.0
TARGET_FILE_MB = 1024.0
TRAINING_SAMPLE = 100_000
TODAY = time.strftime("%Y-%m-%d")
ED_SYSTEM = "Symphony EDIS"

# The synthetic generator's agencies, as the partnership's agencies.
AGENCY_TYPES = {
    "police": "police",
    "csc": "childrens_social_care",
    "ed": "nhs_trust",
    "ambulance": "ambulance",
    "yjs": "youth_justice",
    "school": "school",
    "vcs": "vcse",
}


def _blank(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def seed_index(records: int, held_back: int, seed: int) -> pd.DataFrame:
    """``records`` synthetic records in the person index, each linked to its person, and a
    current linkage model; the ``held_back`` records (the people's other records) returned."""
    from django.db import connection
    from django.utils import timezone

    from harbour.identity.linkage import model as linkage_model
    from harbour.identity.linkage import synthetic
    from harbour.identity.models import LinkageModel
    from harbour.partnership.models import Team
    from harbour.testing import make_agency

    started = time.perf_counter()
    frame = synthetic.generate(records + held_back, seed=seed)
    index, incoming = synthetic.split_for_incremental(frame, held_back, seed=seed)
    agencies = {code: make_agency(f"bench-{code}", kind) for code, kind in AGENCY_TYPES.items()}
    Team.objects.create(agency=agencies["csc"], name="Front Door (MASH)", is_front_door=True)
    now = timezone.now()
    today = now.date().isoformat()
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as copy_cursor:
            with copy_cursor.copy(
                "COPY identity_sourcerecord (id, agency_id, source_system, source_id, "
                "given_name, family_name, date_of_birth, sex, postcode, address_line, "
                "nhs_number, school_urn, upn, as_of) FROM STDIN"
            ) as copy:
                for row in index.itertuples(index=False):
                    copy.write_row(
                        (
                            int(row.unique_id),
                            agencies[row.source_agency].pk,
                            row.source_system,
                            row.source_id,
                            _blank(row.first_name)[:100],
                            _blank(row.surname)[:100],
                            row.dob if isinstance(row.dob, str) and len(row.dob) == 10 else None,
                            _blank(row.sex)[:1],
                            _blank(row.postcode)[:8],
                            _blank(row.address)[:300],
                            _blank(row.nhs_number)[:10],
                            _blank(row.school_urn)[:6],
                            _blank(row.upn)[:13],
                            today,
                        )
                    )
            people = sorted(set(int(p) for p in index["person_id"]))
            with copy_cursor.copy(
                "COPY identity_person (id, number, created_at) FROM STDIN"
            ) as copy:
                for number in people:
                    copy.write_row((number, number, now))
            with copy_cursor.copy(
                "COPY identity_personrecord (source_record_id, person_id, method, linked_at) "
                "FROM STDIN"
            ) as copy:
                for record_id, person in zip(index["unique_id"], index["person_id"], strict=True):
                    copy.write_row((int(record_id), int(person), "batch", now))
        for table in ("identity_sourcerecord", "identity_person", "identity_personrecord"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )
            cursor.execute(f"ANALYZE {table}")
    written = time.perf_counter() - started

    from harbour.identity.sources import source_frame

    sample = source_frame().sample(n=min(TRAINING_SAMPLE, records), random_state=seed)
    trained = linkage_model.train(sample, seed=seed, version=1)
    LinkageModel.objects.create(
        version=1,
        model_json=trained.to_json(),
        sha256=trained.sha256,
        record_count=trained.record_count,
        seed=seed,
        trained_at=now,
        system_actor="bench",
        is_current=True,
    )
    print(
        f"person index: {records:,} records of {len(people):,} people written in {written:.1f} s; "
        f"model trained on {len(sample):,} in {time.perf_counter() - started - written:.1f} s"
    )
    return incoming


def ed_event(row: Any, n: int, prefix: str) -> dict[str, Any]:
    """One ED attendance (ISTV items) naming the hospital's record of the child in ``row``."""
    person = {
        "source_system": ED_SYSTEM,
        "source_id": f"{prefix}{int(row.unique_id)}",
        "given_name": _blank(row.first_name)[:100],
        "family_name": _blank(row.surname)[:100],
        "sex": _blank(row.sex) if _blank(row.sex) in ("M", "F", "U") else "",
        "address": _blank(row.address)[:300],
    }
    if isinstance(row.dob, str) and len(row.dob) == 10 and row.dob < TODAY:
        person["date_of_birth"] = row.dob  # the generator's mistyped years can be in the future
    day = f"2026-{1 + n % 11:02d}-{1 + n % 27:02d}"
    return {
        "reference": f"ATT-{prefix}{n:07d}",
        "kind": "ed_attendance",
        "person": person,
        "role": "patient",
        "category": "assault",
        "severity": 2,
        "summary": "Attended the emergency department with a cut to the hand after an assault.",
        "ed_arrival_at": f"{day}T22:30:00+00:00",
        "ed_assault_at": f"{day}T21:50:00+00:00",
        "ed_assault_method": "03",
        "ed_location_type": "02",
        "ed_location_description": "Bus station",
    }


def post(port: int, token: str, path: str, body: bytes, content_type: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    connection.request(
        "POST",
        path,
        body=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": content_type,
        },
    )
    response = connection.getresponse()
    answer = json.loads(response.read() or b"{}")
    connection.close()
    return response.status, answer


def send_events(port: int, token: str, rows: pd.DataFrame, prefix: str) -> dict[str, Any]:
    timings, statuses, matched = [], Counter(), Counter()
    for n, row in enumerate(rows.itertuples(index=False)):
        body = json.dumps(ed_event(row, n, prefix)).encode()
        started = time.perf_counter()
        status, answer = post(port, token, "/api/events", body, "application/json")
        timings.append((time.perf_counter() - started) * 1000)
        statuses[status] += 1
        matched[answer.get("matched", f"error {status}")] += 1
    return {
        "sent": len(timings),
        "statuses": statuses,
        "matched": matched,
        "p50_ms": percentile(timings, 0.50),
        "p95_ms": percentile(timings, 0.95),
        "max_ms": max(timings),
    }


def send_referrals(port: int, token: str, count: int) -> dict[str, Any]:
    timings, statuses = [], Counter()
    for n in range(count):
        body = json.dumps({"source_system": "niche", "source_id": f"ref-{n}", **COMPLETE})
        started = time.perf_counter()
        status, _ = post(port, token, "/api/referrals/custody", body.encode(), "application/json")
        timings.append((time.perf_counter() - started) * 1000)
        statuses[status] += 1
    return {
        "sent": count,
        "statuses": statuses,
        "p50_ms": percentile(timings, 0.50),
        "p95_ms": percentile(timings, 0.95),
    }


def ed_file(rows: pd.DataFrame, prefix: str) -> bytes:
    """``rows`` as an ``ed-attendance`` file (docs/events-intake.md)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = [
        "reference",
        "source_system",
        "source_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "address",
        "arrival_at",
        "assault_at",
        "assault_method",
        "assault_location_type",
        "assault_location_description",
        "severity",
        "summary",
    ]
    writer.writerow(columns)
    for n, row in enumerate(rows.itertuples(index=False)):
        event = ed_event(row, n, prefix)
        person = event["person"]
        writer.writerow(
            [
                event["reference"],
                person["source_system"],
                person["source_id"],
                person["given_name"],
                person["family_name"],
                person.get("date_of_birth", ""),
                person["sex"],
                person["address"],
                event["ed_arrival_at"][:16],
                event["ed_assault_at"][:16],
                event["ed_assault_method"],
                event["ed_location_type"],
                event["ed_location_description"],
                event["severity"],
                event["summary"],
            ]
        )
    return out.getvalue().encode()


def import_file(url: str, path: Path) -> dict[str, Any]:
    """``harbour events import`` in its own process: wall seconds, peak MB, its summary."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "harbour.settings.base",
        "PYTHONWARNINGS": "ignore::UserWarning",
    }
    command = [
        str(Path(sys.executable).parent / "harbour"),
        "events",
        "import",
        "--agency",
        "bench-ed",
        "--format",
        "ed-attendance",
        "--json",
        str(path),
    ]
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603  (our own command, fixed arguments)
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out_file, err_file = process.stdout, process.stderr
    assert out_file is not None and err_file is not None
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out, err = out_file.read(), err_file.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    summary = json.loads(out.decode().strip().splitlines()[-1]) if out.strip() else {}
    if process.returncode != 0:
        print(err.decode()[-2000:])
    return {
        "exit": process.returncode,
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "load": os.getloadavg(),
        "peak_mb": usage.ru_maxrss / 1024,
        "summary": summary,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the index")
    parser.add_argument("--events", type=int, default=300, help="events sent one by one")
    parser.add_argument("--referrals", type=int, default=300, help="referrals (the baseline)")
    parser.add_argument("--file-rows", type=int, default=100_000, help="rows in the ED file")
    parser.add_argument("--bulk-rows", type=int, default=1000, help="rows in the referral file")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--cold-index",
        action="store_true",
        help="no kept copy of the person index before the file (a partnership's first file)",
    )
    args = parser.parse_args()

    with scratch_database(DATABASE) as url:
        incoming = seed_index(args.records, args.events + args.file_rows + 1, args.seed)
        started = time.perf_counter()
        # As the nightly linkage run leaves it (`harbour events index`, ADR 0038): the copy of
        # the index large files are matched against. The file then brings it up to date.
        from harbour.identity import kept_index

        kept = kept_index.refresh() if not args.cold_index else None
        print(
            "kept copy of the person index: "
            + (f"made in {time.perf_counter() - started:.1f} s" if kept else "none (cold)")
        )
        copy = kept_index.path()
        from harbour.frontdoor import tokens
        from harbour.partnership.models import Agency

        ed_token = tokens.token_create(
            agency=Agency.objects.get(code="bench-ed"), name="bench API", system_actor="bench"
        ).secret
        police_token = tokens.token_create(
            agency=Agency.objects.get(code="bench-police"), name="bench", system_actor="bench"
        ).secret
        server = Server(url, 1)
        try:
            started = time.perf_counter()
            send_events(server.port, ed_token, incoming.iloc[:1], "W")
            warm_seconds = time.perf_counter() - started
            cpu = server.cpu_seconds()
            events = send_events(server.port, ed_token, incoming.iloc[1 : 1 + args.events], "A")
            events["cpu_ms"] = (server.cpu_seconds() - cpu) * 1000 / max(1, events["sent"])
            cpu = server.cpu_seconds()
            referrals = send_referrals(server.port, police_token, args.referrals)
            referrals["cpu_ms"] = (server.cpu_seconds() - cpu) * 1000 / max(1, referrals["sent"])
            load = os.getloadavg()
            started = time.perf_counter()
            status, answer = post(
                server.port,
                police_token,
                "/api/referrals/custody/bulk",
                bulk_file("bulk", args.bulk_rows),
                "text/csv",
            )
            bulk_seconds = time.perf_counter() - started
            bulk_created = len(answer.get("created", []))
        finally:
            server.stop()

        path = ROOT / "var" / "bench-ed-attendance.csv"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(ed_file(incoming.iloc[1 + args.events :], "F"))
        in_file = import_file(url, path)
        path.unlink()

        from harbour.identity.models import AgencyEvent

        stored = AgencyEvent.objects.filter(agency__code="bench-ed").count()
        if copy is not None:
            copy.unlink(missing_ok=True)  # the scratch database's own

    print()
    print(
        f"Agencies' events on PostgreSQL, {os.cpu_count()} CPUs; person index "
        f"{args.records:,} records; first event (builds the worker's index) {warm_seconds:.1f} s"
    )
    print(f"{'':<44}{'sent':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'CPU ms':>9}")
    print(
        f"{'referral intake, one by one (baseline)':<44}{referrals['sent']:>7}"
        f"{referrals['p50_ms']:>9.1f}{referrals['p95_ms']:>9.1f}{'':>9}{referrals['cpu_ms']:>9.1f}"
    )
    print(
        f"{'ED attendance through POST /api/events':<44}{events['sent']:>7}"
        f"{events['p50_ms']:>9.1f}{events['p95_ms']:>9.1f}{events['max_ms']:>9.1f}"
        f"{events['cpu_ms']:>9.1f}"
    )
    print(
        "(CPU ms: the server's own CPU (gunicorn's worker, user + system) per request, mean; "
        "PostgreSQL's is not in it; load average after the requests "
        f"{', '.join(f'{x:.1f}' for x in load)} on {os.cpu_count()} CPUs)"
    )
    print(
        f"event p95 / referral p95: {events['p95_ms'] / referrals['p95_ms']:.2f}x; target p95 < "
        f"{TARGET_P95_MS:.0f} ms: {'met' if events['p95_ms'] < TARGET_P95_MS else 'NOT met'}"
    )
    print(f"matched on arrival: {dict(events['matched'])}")
    bulk_rate = args.bulk_rows / bulk_seconds
    rate = args.file_rows / in_file["seconds"]
    print(
        f"referral bulk file (baseline): {args.bulk_rows:,} rows in {bulk_seconds:.1f} s, "
        f"{bulk_rate:.0f} rows/s (answer {status}, {bulk_created} created)"
    )
    print(
        f"ED attendances file, harbour events import: {args.file_rows:,} rows in "
        f"{in_file['seconds']:.1f} s ({in_file['cpu_seconds']:.1f} s of CPU in the importer; "
        f"load average then {', '.join(f'{x:.1f}' for x in in_file['load'])} on "
        f"{os.cpu_count()} CPUs), {rate:.0f} rows/s ({rate / bulk_rate:.2f}x the referral "
        f"file), peak memory {in_file['peak_mb']:.0f} MB; summary {in_file['summary']}"
    )
    print(
        f"targets: file < {TARGET_FILE_SECONDS:.0f} s "
        f"{'met' if in_file['seconds'] < TARGET_FILE_SECONDS else 'NOT met'}; memory < "
        f"{TARGET_FILE_MB:.0f} MB {'met' if in_file['peak_mb'] < TARGET_FILE_MB else 'NOT met'}"
    )
    expected = 1 + args.events + args.file_rows
    print(
        f"checks: event answers {dict(events['statuses'])}; referral answers "
        f"{dict(referrals['statuses'])}; ED events stored {stored:,} of {expected:,}; "
        f"import exit {in_file['exit']}"
    )
    failed = (
        set(events["statuses"]) != {201}
        or set(referrals["statuses"]) != {201}
        or status != 201
        or stored != expected
        or in_file["exit"] != 0
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
