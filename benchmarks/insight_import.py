"""Insight import benchmark: a year of police.uk street crime for a large force (issue 13).

A file of 300,000 rows in data.police.uk's exact street-level format (12 months of 25,000 rows,
Crime IDs, anti-social behaviour without them, rows with no location and zeroed points) is
imported through the product's own command, ``harbour insight import --format police-uk-street
FILE --json``, in a fresh process, into an empty store on a scratch SQLite database (migrated
first, not timed), with the LSOA boundaries already imported so every point is checked.

Printed, each beside the baseline measured in the same run: the import's wall-clock time against
the target (10 s) and against ``pandas.read_csv`` of the same file (which only reads it: no checks,
no keys, no store); importing the same file again (the file hash: nothing read); and importing the
same rows as a different file (every row's natural key found, nothing written).

Run: ``.venv/bin/python benchmarks/insight_import.py`` (``make bench``); ``--rows N`` to change
the size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from harbour.demo.insight_files import boundaries_geojson, months_between, street_csv

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 10.0


CPU: dict[str, float] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def harbour(args: list[str], env: dict[str, str]) -> tuple[float, dict | None]:
    """Wall-clock seconds of the command in a fresh process (and its CPU seconds in ``CPU``)."""
    started, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "harbour", *args], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    CPU[" ".join(args)] = _children_cpu() - cpu
    if done.returncode != 0:
        sys.exit(f"harbour {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    summary = json.loads(done.stdout) if "--json" in args else None
    return elapsed, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=300_000)
    options = parser.parse_args()
    per_month = options.rows // 12
    with tempfile.TemporaryDirectory(prefix="harbour-bench-insight-") as scratch:
        work = Path(scratch)
        year = work / "2025-riverside-street.csv"
        started = time.perf_counter()
        year.write_text(street_csv(months_between("2025-01", 12), per_month, seed=13))
        generated = time.perf_counter() - started
        boundaries = work / "riverside-lsoa-2021.geojson"
        boundaries.write_text(boundaries_geojson())
        size_mb = year.stat().st_size / 1e6
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "harbour.settings.base",
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "HARBOUR_INSIGHT_STORE": str(work / "store"),
        }
        harbour(["migrate", "-v", "0"], env)
        harbour(["insight", "import", "--format", "lsoa-boundaries", str(boundaries)], env)

        started = time.perf_counter()
        frame = pd.read_csv(year, dtype=str, keep_default_na=False)
        baseline = time.perf_counter() - started
        # What any command costs before it does anything: Python, Django and every app.
        startup, _ = harbour(["insight", "status"], env)

        command = ["insight", "import", "--format", "police-uk-street", str(year), "--json"]
        first, summary = harbour(command, env)
        first_cpu = CPU[" ".join(command)]
        assert summary is not None
        assert (summary["rows"], summary["new"]) == (len(frame), len(frame)), summary
        again, repeat = harbour(
            ["insight", "import", "--format", "police-uk-street", str(year), "--json"], env
        )
        assert repeat is not None and repeat["new"] == 0 and repeat["status"] == "already_imported"
        renamed = work / "2025-riverside-street-again.csv"
        renamed.write_text(year.read_text() + "\n")  # other bytes, the same rows
        overlap, same_rows = harbour(
            ["insight", "import", "--format", "police-uk-street", str(renamed), "--json"], env
        )
        assert same_rows is not None and (same_rows["new"], same_rows["unchanged"]) == (
            0,
            len(frame),
        ), same_rows

    print(f"Insight import: {len(frame):,} police.uk street rows ({size_mb:.0f} MB), one year")
    print(f"  generated in {generated:.1f} s; notes: {summary['notes']}")
    print(f"  {'measure':<58} {'seconds':>8}  baseline")
    print(
        f"  {'harbour insight import (fresh process, all checks, store)':<58} {first:>8.2f}  "
        f"target {TARGET_SECONDS:.0f} s: {first / TARGET_SECONDS:.2f}x; "
        f"pandas.read_csv {baseline:.2f} s: {first / baseline:.1f}x"
    )
    print(f"  {'  its CPU time (user + system)':<58} {first_cpu:>8.2f}")
    print(f"  {'  the import itself, as the command reports it':<58} {summary['seconds']:>8.2f}")
    print(f"  {'harbour insight status (the start-up any command pays)':<58} {startup:>8.2f}")
    print(f"  {'pandas.read_csv of the same file (reads only)':<58} {baseline:>8.2f}")
    print(
        f"  {'the same file again (its hash: nothing added)':<58} {again:>8.2f}  "
        f"{again / first:.2f}x the first import"
    )
    print(
        f"  {'the same rows in another file (natural keys: 0 new)':<58} {overlap:>8.2f}  "
        f"{overlap / first:.2f}x the first import"
    )
    print(f"  within target: {'yes' if first < TARGET_SECONDS else 'NO'}")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
