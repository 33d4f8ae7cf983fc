"""Imports into the store: all or nothing, idempotent by file hash and by natural key, an import
that stops part-way leaves nothing partial, rows set aside only where the partnership chooses,
and every import audited with its purpose."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from harbour.access.models import AuditEvent
from harbour.access.policy import Forbidden
from harbour.insight import services
from harbour.insight.engine import queries
from harbour.insight.engine import store as engine_store
from harbour.insight.models import ImportStatus, SourceImport, StoreFile
from harbour.insight.selectors import store_tables
from harbour.insight.tests.conftest import FIXTURES, fixture_bytes
from harbour.insight.tests.test_formats import row, street
from harbour.partnership.models import Role
from harbour.testing import make_agency, make_staff

pytestmark = pytest.mark.django_db
STREET = "2024-01-riverside-street.csv"


def load(name: str, format_code: str, **kwargs):
    return services.import_file(
        actor=kwargs.pop("actor", None),
        format_code=format_code,
        content=kwargs.pop("content", None) or fixture_bytes(name),
        file_name=name,
        **kwargs,
    )


def street_count() -> int:
    tables = store_tables()
    return int(tables["police_street"].count().to_pandas())


def test_an_import_writes_a_file_a_month_and_the_catalogue_says_what_and_who(analyst, store_dir):
    run = load(STREET, "police-uk-street", actor=analyst)
    assert (run.status, run.rows, run.new, run.unchanged, run.rejected) == (
        ImportStatus.IMPORTED,
        40,
        40,
        0,
        0,
    )
    assert run.started_by == analyst and len(run.file_hash) == 64
    assert run.months == ["2024-01"]
    (file,) = StoreFile.objects.filter(is_current=True)
    assert file.path == f"police_street/month=2024-01/part-{run.pk.hex}.parquet"
    assert pq.read_table(store_dir / file.path).num_rows == 40 == file.rows
    assert street_count() == 40
    event = AuditEvent.objects.get(event="insight.imported")
    assert (event.actor_id, event.purpose) == (analyst.pk, "analysis")
    assert event.detail["new"] == 40 and event.detail["file_hash"] == run.file_hash


def test_the_same_file_again_adds_nothing_and_is_recorded(analyst):
    first = load(STREET, "police-uk-street", actor=analyst)
    again = load(STREET, "police-uk-street", actor=analyst)
    assert again.status == ImportStatus.ALREADY_IMPORTED and again.same_as == first
    assert (again.rows, again.new, again.unchanged) == (40, 0, 40)
    assert street_count() == 40
    assert StoreFile.objects.filter(is_current=True).count() == 1
    assert AuditEvent.objects.filter(event="insight.imported").count() == 2


def test_overlapping_files_add_only_new_rows_and_update_changed_ones(
    analyst, django_capture_on_commit_callbacks
):
    """A different file repeating rows already held (police.uk's archives overlap) adds only what
    is new; a crime whose outcome has moved on is updated, not duplicated."""
    load(STREET, "police-uk-street", actor=analyst)
    text = fixture_bytes(STREET).decode()
    lines = text.splitlines()
    crime = next(line for line in lines[1:] if line.split(",")[0])
    moved_on = crime.replace(crime.split(",")[10], "Awaiting court outcome")
    extra = row(crime_id="f" * 64)
    content = "\n".join([*[moved_on if line == crime else line for line in lines], extra]) + "\n"
    with django_capture_on_commit_callbacks(execute=True):
        run = load("overlap.csv", "police-uk-street", actor=analyst, content=content.encode())
    assert (run.rows, run.new, run.updated, run.unchanged) == (41, 1, 1, 39)
    assert street_count() == 41
    tables = store_tables()
    street_table = tables["police_street"]
    outcome = (
        street_table.filter(street_table.crime_id == crime.split(",")[0])
        .select("last_outcome_category")
        .to_pandas()
    )
    assert outcome["last_outcome_category"].tolist() == ["Awaiting court outcome"]
    # One file is current for the month; the one it replaced is gone from the disk.
    current = StoreFile.objects.get(is_current=True)
    old = StoreFile.objects.get(is_current=False)
    assert current.written_by == run
    assert not (Path(services.store_root()) / old.path).exists()


def test_a_month_with_nothing_new_keeps_its_file(analyst):
    load(STREET, "police-uk-street", actor=analyst)
    load("2024-02-riverside-street.csv", "police-uk-street", actor=analyst)
    both = fixture_bytes(STREET) + fixture_bytes("2024-02-riverside-street.csv").split(b"\n", 1)[1]
    run = load("both.csv", "police-uk-street", actor=analyst, content=both)
    assert (run.new, run.unchanged) == (0, 80)
    assert StoreFile.objects.filter(written_by=run).count() == 0
    assert street_count() == 80


def test_a_refused_file_saves_nothing_and_is_audited_with_its_problems(analyst):
    bad = street(row(month="2024-13"), row(crime_id="b" * 64, crime_type="Stabbing"))
    run = load("bad.csv", "police-uk-street", actor=analyst, content=bad)
    assert run.status == ImportStatus.REFUSED
    assert [(e["line"], e["column"]) for e in run.errors] == [(2, "Month"), (3, "Crime type")]
    assert run.rejected == 2
    assert not StoreFile.objects.exists()
    assert street_count() == 0
    event = AuditEvent.objects.get(event="insight.import_refused")
    assert event.outcome == "refused"


def test_where_the_partnership_chooses_bad_rows_are_set_aside_and_listed(analyst, settings):
    settings.HARBOUR_INSIGHT_QUARANTINE_ROWS = True
    bad = street(row(), row(crime_id="b" * 64, month="2024-13"), row(crime_id="c" * 64))
    run = load("some-bad.csv", "police-uk-street", actor=analyst, content=bad)
    assert (run.status, run.rows, run.new, run.rejected) == (ImportStatus.IMPORTED, 3, 2, 1)
    assert run.errors == [
        {
            "line": 3,
            "column": "Month",
            "problem": "must be a month like 2024-03",
            "value": "2024-13",
        }
    ]
    assert "set aside" in run.message
    assert street_count() == 2


def test_only_analysts_import(db):
    vru = make_agency("vru-insight")
    leader = make_staff(vru, Role.STRATEGIC_LEADER)
    with pytest.raises(Forbidden):
        load(STREET, "police-uk-street", actor=leader)
    assert not SourceImport.objects.exists()


def test_an_import_that_fails_while_writing_leaves_nothing_partial(analyst, monkeypatch):
    """The second month's file fails to write: the first month's file, already on the disk, is
    removed, the catalogue is as it was, and the store answers as before."""
    load(STREET, "police-uk-street", actor=analyst)
    before = street_count()
    real = engine_store._write
    calls = []

    def failing(table, path):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        real(table, path)

    monkeypatch.setattr(engine_store, "_write", failing)
    two_months = (
        fixture_bytes("2024-02-riverside-street.csv")
        + street(row(crime_id="e" * 64, month="2024-03")).split(b"\n", 1)[1]
    )
    with pytest.raises(OSError, match="disk full"):
        load("two.csv", "police-uk-street", actor=analyst, content=two_months)
    assert street_count() == before
    assert StoreFile.objects.filter(is_current=True).count() == 1
    files = sorted(p.name for p in (services.store_root() / "police_street").rglob("*.parquet"))
    assert len(files) == 1
    assert not AuditEvent.objects.filter(event="insight.imported", detail__new=41).exists()


def test_stray_files_of_an_import_killed_part_way_are_swept_by_the_next(analyst, store_dir):
    load(STREET, "police-uk-street", actor=analyst)
    stray = store_dir / "police_street" / "month=2024-02" / "part-deadbeef.parquet"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"half a file")
    # Queries read only the catalogue's files, so the stray one is never seen...
    assert street_count() == 40
    # ...and the next import of the table removes it.
    load("2024-02-riverside-street.csv", "police-uk-street", actor=analyst)
    assert not stray.exists()
    assert street_count() == 80


def test_points_are_checked_against_the_boundaries_and_placed_where_the_file_has_no_lsoa(
    analyst,
):
    load("riverside-lsoa-2021.geojson", "lsoa-boundaries", actor=analyst)
    street_run = load(STREET, "police-uk-street", actor=analyst)
    assert street_run.notes["points_checked"] == 39
    assert street_run.notes["points_outside_their_lsoa"] == 0
    search = load(
        "2024-01-riverside-stop-and-search.csv", "police-uk-stop-and-search", actor=analyst
    )
    assert search.notes["points_placed_in_an_lsoa"] == 22
    assert search.notes["points_in_no_lsoa"] == 0
    tables = store_tables()
    placed = tables["police_stop_search"].lsoa21cd.notnull().sum().to_pandas()
    assert placed == 22


def test_a_row_keeps_its_key_when_the_store_can_later_place_it(analyst):
    """Searches imported before the boundaries have no LSOA; the same rows in another file after
    the boundaries are the same searches, now placed: updated, not added again."""
    name = "2024-01-riverside-stop-and-search.csv"
    first = load(name, "police-uk-stop-and-search", actor=analyst)
    assert first.notes["points_not_checked"] == 22
    load("riverside-lsoa-2021.geojson", "lsoa-boundaries", actor=analyst)
    again = load(
        "again.csv",
        "police-uk-stop-and-search",
        actor=analyst,
        content=fixture_bytes(name) + b"\n",
    )
    assert (again.rows, again.new, again.updated, again.unchanged) == (25, 0, 22, 3)
    searches = store_tables()["police_stop_search"]
    assert int(searches.count().to_pandas()) == 25
    assert int(searches.lsoa21cd.notnull().sum().to_pandas()) == 22


def test_a_point_outside_the_lsoa_its_file_names_is_counted(analyst):
    load("riverside-lsoa-2021.geojson", "lsoa-boundaries", actor=analyst)
    # E01990060 is the far north-east corner; this point is in the south-west one.
    content = street(row(lon="-1.615", lat="52.385", lsoa="E01990060"))
    run = load("wrong-lsoa.csv", "police-uk-street", actor=analyst, content=content)
    assert run.notes["points_outside_their_lsoa"] == 1


def test_istv_descriptions_are_placed_from_police_uk_street_names_where_unique(analyst):
    load("riverside-lsoa-2021.geojson", "lsoa-boundaries", actor=analyst)
    load(STREET, "police-uk-street", actor=analyst)
    run = load("riverside-istv-2024-01.csv", "istv", actor=analyst)
    assert run.notes["placed_in_an_lsoa"] > 0
    assert run.notes["placed_in_an_lsoa"] + run.notes["not_placed"] == 20
    frame = store_tables()["istv_assaults"].to_pandas()
    placed = frame[frame["lsoa21cd"].notna()]
    assert placed["location_description"].str.contains("Outside the shops on").all()
    # A street with one map point gives a point, and so an H3 cell.
    assert (placed["h3_cell"].notna() == placed["longitude"].notna()).all()


def test_the_command_prints_the_json_summary_and_refuses_with_lines(analyst, capsys):
    call_command(
        "insight", "import", "--format", "police-uk-street", str(FIXTURES / STREET), "--json"
    )
    summary = json.loads(capsys.readouterr().out)
    assert {k: summary[k] for k in ("rows", "new", "unchanged", "rejected")} == {
        "rows": 40,
        "new": 40,
        "unchanged": 0,
        "rejected": 0,
    }
    call_command(
        "insight", "import", "--format", "police-uk-street", str(FIXTURES / STREET), "--json"
    )
    again = json.loads(capsys.readouterr().out)
    assert (again["status"], again["new"], again["unchanged"]) == ("already_imported", 0, 40)
    event = AuditEvent.objects.filter(event="insight.imported").first()
    assert event is not None
    assert event.actor_username == "insight-import" and event.purpose == "analysis"


def test_the_command_killed_part_way_leaves_nothing_partial(tmp_path, store_dir):
    """A real process, killed with SIGKILL while it writes: the catalogue and the store are as
    they were, and importing the file again adds every row exactly once."""
    database = tmp_path / "killed.sqlite3"
    env = {
        "DJANGO_SETTINGS_MODULE": "harbour.settings.base",
        "DATABASE_URL": f"sqlite:///{database}",
        "HARBOUR_INSIGHT_STORE": str(store_dir),
        "PATH": "/usr/bin:/bin",
    }
    harbour = [sys.executable, "-m", "harbour"]
    subprocess.run([*harbour, "migrate", "-v", "0"], env=env, check=True)
    from harbour.demo.insight_files import months_between, street_csv

    big = tmp_path / "year.csv"
    big.write_text(street_csv(months_between("2023-01", 12), 4000, seed=3))
    command = [*harbour, "insight", "import", "--format", "police-uk-street", str(big), "--json"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    for line in process.stderr:
        if "writing 3 of 12" in line:
            process.kill()
            break
    process.wait()
    assert process.returncode == -9
    count = [
        *harbour,
        "shell",
        "-c",
        "from harbour.insight.models import StoreFile, SourceImport;"
        "print(StoreFile.objects.count(), SourceImport.objects.filter(status='imported').count())",
    ]
    shown = subprocess.run(count, env=env, check=True, capture_output=True, text=True)
    assert shown.stdout.splitlines()[-1].split() == ["0", "0"]
    # Files it had written are there, but no one reads them...
    assert list((store_dir / "police_street").rglob("*.parquet"))
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    summary = json.loads(done.stdout)
    assert (summary["rows"], summary["new"], summary["unchanged"]) == (48000, 48000, 0)
    # ...and the import after it swept them: one file a month.
    assert len(list((store_dir / "police_street").rglob("*.parquet"))) == 12


def test_queries_count_what_was_imported(analyst):
    load("riverside-lsoa-2021.geojson", "lsoa-boundaries", actor=analyst)
    load(STREET, "police-uk-street", actor=analyst)
    load("TS021-ethnic-group-lsoa-riverside.csv", "ons-census", actor=analyst)
    tables = store_tables()
    monthly = queries.execute(queries.monthly_counts(tables["police_street"], by=["crime_type"]))
    assert monthly["count"].sum() == 40
    by_lsoa = queries.execute(queries.counts_by_lsoa(tables["police_street"]))
    assert by_lsoa["count"].sum() == 39  # the row with no location has no LSOA
    groups = queries.execute(queries.population_by_group(tables["census_population"]))
    assert set(groups["group_code"]) == {"asian", "black", "mixed", "white", "other"}
    totals = queries.execute(
        queries.population_by_group(tables["census_population"], level="total")
    )
    assert groups["count"].sum() == totals["count"].sum()
    summary = queries.execute(queries.rows_by_month(tables))
    held = {(r.source, r.month): r.rows for r in summary.itertuples()}
    assert held[("police_street", "2024-01")] == 40
    assert held[("census_population", "2021-03")] == 1500
