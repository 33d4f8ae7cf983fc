"""Automated referrals API: intake throughput on PostgreSQL, through the whole stack.

Referrals per second received by ``POST /api/referrals/custody`` (issue 3, ADR 0011): Harbour
served by gunicorn as in production (sync workers, ``harbour.settings.base``), on a scratch
PostgreSQL database made and migrated for the run and dropped after, with every referral
audited (``referral.received`` on the hash-chained audit log) and an ``Idempotency-Key`` on each
request. Each referral is complete (the tests' ``COMPLETE_JSON``) with its own ``source_id``.

1. Sequential (the baseline): one client sends one referral after another.
2. Concurrent: 8 clients at once, each its own sending system (its own token, so they do not
   queue on one token's row), each sending the same number of referrals.
3. A bulk file: one file of 1,000 complete rows to ``POST /api/referrals/custody/bulk``, received
   all or nothing in one request; and, in this process rather than through gunicorn, the
   database queries a 1-row file and a 50-row file take, so what each further row costs shows.

Printed: referrals per second for 1 and 2, the ratio concurrent / sequential, latency p50 and
p95; rows per second for the file and its queries; and checks that every answer was 201, that
there is one referral and one audit event per referral sent, and that the audit chain verifies.

Run: ``.venv/bin/python benchmarks/frontdoor_intake.py`` (``make bench``). PostgreSQL on
127.0.0.1:5432 (``BENCH_PG_URL`` to change).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from frontdoor_scratch import percentile, scratch_database

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "harbour_bench_frontdoor_intake"

COMPLETE = {
    "occurred_at": "2026-03-27T21:40:00+00:00",
    "child_given_name": "Amari",
    "child_family_name": "Okafor-Bench",
    "child_date_of_birth": "2010-05-04",
    "child_sex": "M",
    "child_postcode": "RV1 2AB",
    "what_happened": "Arrested after a fight outside the station; a knife was found nearby.",
    "concerns": ["serious_youth_violence", "knife_crime"],
    "reason": "Third arrest this month with older males; he says he owes them money.",
    "child_voice": "I can't say no to them.",
    "ethnicity": "black_caribbean",
    "cultural_heritage": "Family attend a Pentecostal church; grandmother is central.",
    "known_needs": ["slcn"],
    "education_setting": "Riverside Academy",
    "parents_aware": "yes",
    "consent": "given",
    "actions_taken": "Appropriate adult called; mother collected him.",
    "urgency": "today",
    "referrer_name": "Custody sergeant 1234",
    "referrer_contact": "custody@riverside-police.test",
}


def set_up(systems: int) -> list[str]:
    """The front door and a police force with ``systems`` tokens."""
    from harbour.frontdoor import tokens
    from harbour.partnership.models import AgencyType, Team
    from harbour.testing import make_agency

    csc = make_agency("bench-csc", AgencyType.CHILDRENS_SOCIAL_CARE)
    Team.objects.create(agency=csc, name="Front Door (MASH)", is_front_door=True)
    police = make_agency("bench-police", AgencyType.POLICE)
    return [
        tokens.token_create(agency=police, name=f"custody {n}", system_actor="bench").secret
        for n in range(systems)
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, database_url: str, workers: int) -> None:
        self.port = free_port()
        self.workers = workers
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "harbour.settings.base",
            # whitenoise's note that collectstatic has not run (the API serves no static files)
            "PYTHONWARNINGS": "ignore::UserWarning",
        }
        self.process = subprocess.Popen(  # noqa: S603  (our own gunicorn, fixed arguments)
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "harbour.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                # A bulk file is one long request; gunicorn's default 30 s would kill its worker
                # on a busy machine. No other request comes near it.
                "--timeout",
                "300",
            ],
            cwd=ROOT,
            env=env,
        )
        self._wait()

    def _wait(self) -> None:
        # Each worker imports Django, pandas and pandera on its first request: on a machine busy
        # with other work that takes more than a minute.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/api/openapi.json")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start")

    def cpu_seconds(self) -> float:
        """CPU time used so far by gunicorn and its workers (Linux ``/proc``)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return total

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far (Linux ``/proc/stat``)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def send(port: int, token: str, prefix: str, count: int) -> list[tuple[int, float]]:
    """``count`` referrals one after another; (status, seconds) for each."""
    results = []
    for n in range(count):
        body = json.dumps({"source_system": "niche", "source_id": f"{prefix}-{n}", **COMPLETE})
        headers = {
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": "application/json",
        }
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("POST", "/api/referrals/custody", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        results.append((response.status, time.perf_counter() - started))
    return results


def run(server: Server, tokens: list[str], label: str, per_client: int) -> dict[str, Any]:
    """Each token's client sends ``per_client`` referrals, all clients at once."""
    results: list[list[tuple[int, float]]] = [[] for _ in tokens]
    start = threading.Barrier(len(tokens) + 1)

    def client(n: int) -> None:
        start.wait()
        results[n] = send(server.port, tokens[n], f"{label}-{n}", per_client)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(tokens))]
    for thread in threads:
        thread.start()
    cpu_before = server.cpu_seconds()
    machine_before = machine_cpu()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = server.cpu_seconds() - cpu_before
    machine_after = machine_cpu()
    machine_busy = (machine_after[0] - machine_before[0]) / (machine_after[1] - machine_before[1])
    flat = [item for items in results for item in items]
    latencies = [seconds * 1000 for _, seconds in flat]
    return {
        "clients": len(tokens),
        "referrals": len(flat),
        "not_201": sum(status != 201 for status, _ in flat),
        "seconds": elapsed,
        "per_second": len(flat) / elapsed,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "server_cpu_ms": 1000 * cpu / len(flat),
        "server_cpu_busy": cpu / elapsed,
        "machine_busy": machine_busy,
    }


def bulk_file(prefix: str, rows: int) -> bytes:
    """A CSV file of ``rows`` complete referrals (the bulk columns are the JSON fields)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["source_system", "source_id", *COMPLETE])
    cells = [";".join(v) if isinstance(v, list) else v for v in COMPLETE.values()]
    for n in range(rows):
        writer.writerow(["niche", f"{prefix}-{n}", *cells])
    return out.getvalue().encode()


def run_bulk(server: Server, token: str, rows: int) -> dict[str, Any]:
    """One file of ``rows`` referrals, sent once and received in one request."""
    content = bulk_file("bulk", rows)
    headers = {
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": str(uuid.uuid4()),
        "Content-Type": "text/csv",
    }
    cpu_before = server.cpu_seconds()
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    connection.request("POST", "/api/referrals/custody/bulk", body=content, headers=headers)
    response = connection.getresponse()
    body = json.loads(response.read() or b"{}")
    connection.close()
    seconds = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu_before
    return {
        "rows": rows,
        "status": response.status,
        "created": len(body.get("created", [])),
        "seconds": seconds,
        "per_second": rows / seconds,
        "server_cpu_ms": 1000 * cpu / rows,
    }


def bulk_queries(rows: int) -> tuple[int, int]:
    """Database queries to receive a 1-row file and a ``rows``-row file, in this process (each in
    a transaction, as a request is)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from harbour.frontdoor import bulk
    from harbour.partnership.models import Agency

    police = Agency.objects.get(code="bench-police")
    counts = []
    for prefix, size in (("queries-1", 1), (f"queries-{rows}", rows)):
        content = bulk_file(prefix, size)
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            bulk.referrals_receive_file(agency=police, feed="custody", content=content)
        counts.append(len(queries))
    return counts[0], counts[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=300, help="referrals sent one by one")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=100, help="referrals per client")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument("--bulk-rows", type=int, default=1000, help="rows in the bulk file")
    parser.add_argument(
        "--query-rows", type=int, default=50, help="rows in the file whose queries are counted"
    )
    args = parser.parse_args()

    with scratch_database(DATABASE) as url:
        tokens = set_up(args.clients)
        server = Server(url, args.workers)
        try:
            send(server.port, tokens[0], "warm-up", 3 * args.workers)
            sequential = run(server, tokens[:1], "sequential", args.sequential)
            concurrent = run(server, tokens, "concurrent", args.per_client)
            in_file = run_bulk(server, tokens[0], args.bulk_rows)
        finally:
            server.stop()
        queries_one, queries_many = bulk_queries(args.query_rows)

        from harbour.access.audit import audit_verify
        from harbour.access.models import AuditEvent
        from harbour.frontdoor.models import Referral

        referrals = Referral.objects.count()
        received = AuditEvent.objects.filter(event="referral.received").count()
        chain = audit_verify()

    expected = (
        3 * args.workers
        + sequential["referrals"]
        + concurrent["referrals"]
        + in_file["rows"]
        + 1
        + args.query_rows
    )
    print()
    print(
        f"Automated referrals API intake on PostgreSQL, gunicorn {args.workers} sync workers, "
        f"{os.cpu_count()} CPUs, audit on"
    )
    print(
        f"{'':<24}{'clients':>8}{'referrals':>10}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'server CPU ms/referral':>24}{'server CPUs busy':>18}{'machine busy':>14}"
    )
    for name, row in (("sequential (baseline)", sequential), ("concurrent", concurrent)):
        print(
            f"{name:<24}{row['clients']:>8}{row['referrals']:>10}{row['per_second']:>9.1f}"
            f"{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['server_cpu_ms']:>24.1f}"
            f"{row['server_cpu_busy']:>18.2f}{row['machine_busy']:>14.0%}"
        )
    ratio = concurrent["per_second"] / sequential["per_second"]
    print(f"concurrent / sequential throughput: {ratio:.2f}x")
    print(
        f"bulk file, {in_file['rows']} rows in one request: {in_file['seconds']:.1f} s, "
        f"{in_file['per_second']:.1f} rows/s, server CPU {in_file['server_cpu_ms']:.1f} ms/row "
        f"(answer {in_file['status']}, {in_file['created']} created)"
    )
    per_row = (queries_many - queries_one) / max(1, args.query_rows - 1)
    print(
        f"bulk file queries: 1 row {queries_one}, {args.query_rows} rows {queries_many}: "
        f"{per_row:.1f} per further row"
    )
    print(
        f"checks: answers not 201: {sequential['not_201'] + concurrent['not_201']}; bulk file "
        f"answer {in_file['status']}; referrals "
        f"{referrals} of {expected}; referral.received audit events {received}; audit chain "
        f"{'verifies' if chain.ok else 'BROKEN'} ({chain.events_checked} events)"
    )
    failed = (
        sequential["not_201"] + concurrent["not_201"]
        or in_file["status"] != 201
        or in_file["created"] != in_file["rows"]
        or referrals != expected
        or received != expected
        or not chain.ok
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
