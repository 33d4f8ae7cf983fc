"""Harbour's own data in the store as pseudonymised extracts (ADR 0039): nothing that names a
child reaches the Parquet files, the same child has the same pseudonym under one key and another
under another, a run again with nothing changed writes nothing, a run that fails leaves nothing,
the run is audited with counts only, the disproportionality page reads Harbour's stages from the
store (a clear message before the first extract), and the queries answer the same on DuckDB and
PySpark."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import partial
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import AuditEvent, RelationshipKind
from harbour.children.models import Plan
from harbour.frontdoor.models import Referral, ReferralDecision
from harbour.identity import flags
from harbour.identity.models import EventKind, FlagRule, HarmFlag, Person, SourceRecord
from harbour.insight import extracts, services
from harbour.insight.engine import extracts as engine
from harbour.insight.engine import queries, store
from harbour.insight.models import StoreFile
from harbour.insight.selectors import store_tables
from harbour.insight.tests.conftest import fixture_bytes
from harbour.insight.tests.test_assessment_queries import FILES
from harbour.partnership.models import AgencyType, Role
from harbour.testing import (
    agency_event,
    linked_record,
    make_agency,
    make_child,
    make_staff,
    relate,
)

pytestmark = pytest.mark.django_db

# Canaries: each must never appear in a Parquet file's bytes.
GIVEN, FAMILY = "Quillonia", "Zarkwrightson"
NHS = "9434765919"
BORN = dt.date(2011, 3, 14)
POSTCODE = "RV9 7QZ"
ADDRESS = "17 Canary Wharfside Lane"
FREE_TEXT = "CANARYTEXT what the agency wrote"
SOURCE_ID = "CANARY-SRC-4471"
EVENT_REF = "CANARY-OCC-9913"
UNLINKED = ("Bartholomew", "Canaryhalt", "CANARY-UNLINKED-77")


@pytest.fixture
def key_file(settings, tmp_path: Path) -> Path:
    settings.HARBOUR_PSEUDONYM_KEY = ""
    settings.HARBOUR_PSEUDONYM_KEY_FILE = str(tmp_path / "keys" / "pseudonym.key")
    return tmp_path / "keys" / "pseudonym.key"


@pytest.fixture
def world(key_file, analyst):
    """One child at every stage (aged 15 in 2026), named with canaries, and an agency's record
    the person index has not matched."""
    police = make_agency("extract-police", AgencyType.POLICE)
    front_door = make_agency("extract-front-door", AgencyType.CHILDRENS_SOCIAL_CARE)
    practitioner = make_staff(front_door, Role.FRONT_DOOR_PRACTITIONER)
    child = make_child(
        front_door,
        given_name=GIVEN,
        family_name=FAMILY,
        date_of_birth=BORN,
        sex="F",
        ethnicity="black_caribbean",
        nhs_number=NHS,
        postcode=POSTCODE,
        address_line=ADDRESS,
        lsoa21cd="E01990001",
    )
    record = linked_record(child, police, SOURCE_ID)
    SourceRecord.objects.filter(pk=record.pk).update(nhs_number=NHS, postcode=POSTCODE)
    on = dt.date(2026, 5, 20)
    arrest = agency_event(
        record, on, EVENT_REF, kind=EventKind.ARREST, role="arrested", summary=FREE_TEXT
    )
    arrest.lsoa21, arrest.location, arrest.postcode = "E01990002", ADDRESS, POSTCODE
    arrest.save()
    agency_event(record, on + dt.timedelta(days=1), EVENT_REF + "-C", kind=EventKind.CUSTODY)
    unlinked = SourceRecord.objects.create(
        agency=police,
        source_system="test",
        source_id=UNLINKED[2],
        given_name=UNLINKED[0],
        family_name=UNLINKED[1],
        date_of_birth=dt.date(2010, 1, 2),
        sex="M",
        as_of=dt.date(2026, 1, 1),
    )
    agency_event(unlinked, on, "CANARY-OCC-UNLINKED", kind=EventKind.ARREST, summary=FREE_TEXT)
    received = timezone.make_aware(dt.datetime(2026, 6, 1, 10, 0))
    referral = Referral.objects.create(
        front_door=front_door,
        referring_agency=police,
        received_at=received,
        reference="RVR-CANARY-1",
        child=child,
        child_given_name=GIVEN,
        child_family_name=FAMILY,
        child_date_of_birth=BORN,
        child_nhs_number=NHS,
        child_postcode=POSTCODE,
        child_address=ADDRESS,
        what_happened=FREE_TEXT,
        ethnicity="black_caribbean",
        rag="red",
    )
    ReferralDecision.objects.create(
        referral=referral,
        outcome="early_help",
        rationale=FREE_TEXT,
        feedback_to_referrer=FREE_TEXT,
        decided_by=practitioner,
        decided_at=received,
        state="countersigned",
    )
    Plan.objects.create(
        child=child, plan_type="early_help", outcomes=FREE_TEXT, started_on=dt.date(2026, 6, 10)
    )
    # Two of a panel's members hold the child from the same day: brought to the panel once.
    for _ in range(2):
        relate(
            child,
            make_staff(front_door, Role.PANEL_CHAIR),
            RelationshipKind.PANEL_MEMBERSHIP,
            started_on=dt.date(2026, 6, 15),
            note=FREE_TEXT,
        )
    flags.seed_example_rules()
    rule = FlagRule.objects.filter(is_current=True).first()
    assert rule is not None
    HarmFlag.objects.create(
        rule=rule,
        person=Person.objects.get(child=child),
        child=child,
        anchor=arrest,
        evidence=[{"event_reference": EVENT_REF, "summary": FREE_TEXT}],
        explanation=FREE_TEXT,
    )
    return {"child": child, "referral": referral, "record": record, "unlinked": unlinked}


def parquet_bytes(store_dir: Path) -> bytes:
    files = sorted(store_dir.rglob("*.parquet"))
    assert files, "the extract wrote no file"
    return b"".join(path.read_bytes() for path in files)


def rows(table: str) -> pd.DataFrame:
    files = StoreFile.objects.filter(table=table, is_current=True)
    return store.read(Path(extracts.store_root()), table, [f.path for f in files])


def test_no_name_date_of_birth_or_identifier_reaches_the_files(world, store_dir):
    run = extracts.run_extract()
    assert run.notes["harbour_events"] == 3 and run.notes["harbour_referrals"] == 1
    assert all(run.notes[t] >= 1 for t in extracts.READERS)
    content = parquet_bytes(store_dir)
    child, referral, record, unlinked = (
        world["child"],
        world["referral"],
        world["record"],
        world["unlinked"],
    )
    canaries = [
        GIVEN,
        FAMILY,
        NHS,
        POSTCODE,
        ADDRESS,
        "CANARYTEXT",
        SOURCE_ID,
        EVENT_REF,
        "RVR-CANARY",
        *UNLINKED,
        str(child.pk),
        child.pk.hex,
        BORN.isoformat(),
        BORN.strftime("%d/%m/%Y"),
        "2010-01-02",
        "2026-05-20",  # an event's date: months only
    ]
    for canary in canaries:
        for form in {canary, canary.lower(), canary.upper()}:
            assert form.encode() not in content, canary
    # Parquet keeps dates as numbers: no column may be a date or time.
    for path in store_dir.rglob("*.parquet"):
        schema = pq.read_schema(path)
        assert not any(str(f.type).startswith(("date", "timestamp")) for f in schema), path
    # The raw ids as the hash takes them are not there either, and what is there is the hash.
    key = extracts.pseudonym_key()
    for raw in (f"child:{child.pk}", f"referral:{referral.pk}", f"record:{unlinked.pk}"):
        assert raw.encode() not in content
    assert engine.pseudonym(key, "child", child.pk).encode() in content
    assert engine.pseudonym(key, "record", unlinked.pk).encode() in content
    assert record.pk  # the linked record is the child, so its events carry the child's pseudonym
    events = rows("harbour_events")
    assert set(events["month"]) == {"2026-05"}
    assert sorted(events["age"].dropna().astype(int)) == [15, 15, 16]
    assert set(events.columns) == {n for n in store.SCHEMAS["harbour_events"].names}


def test_the_same_child_has_the_same_pseudonym_across_runs_and_tables(
    world, settings, key_file, django_capture_on_commit_callbacks
):
    extracts.run_extract()
    first = rows("harbour_referrals")["pseudonym"].iloc[0]
    in_events = set(rows("harbour_events")["pseudonym"])
    assert first in in_events  # the child's arrest and custody, matched by the person index
    assert first == rows("harbour_plans")["pseudonym"].iloc[0]
    assert first == rows("harbour_flags")["pseudonym"].iloc[0]
    assert rows("harbour_panels")["pseudonym"].tolist() == [first]
    # Again, with the same key: the same pseudonym (and, nothing having changed, no new file).
    files = set(StoreFile.objects.filter(is_current=True).values_list("path", flat=True))
    again = extracts.run_extract()
    assert rows("harbour_referrals")["pseudonym"].iloc[0] == first
    assert again.new == again.updated == 0 and again.unchanged == again.rows
    assert set(StoreFile.objects.filter(is_current=True).values_list("path", flat=True)) == files
    # Another key: every pseudonym changes, and the new files replace the old.
    settings.HARBOUR_PSEUDONYM_KEY = "another-partnership-key-" + "x" * 20
    with django_capture_on_commit_callbacks(execute=True):
        extracts.run_extract()  # the replaced files are deleted once it commits
    other = rows("harbour_referrals")["pseudonym"].iloc[0]
    assert other != first and len(other) == 64
    assert not set(rows("harbour_events")["pseudonym"]) & in_events
    on_disk = {p.relative_to(extracts.store_root()).as_posix() for p in _files()}
    assert on_disk == set(StoreFile.objects.filter(is_current=True).values_list("path", flat=True))


def _files() -> list[Path]:
    return sorted(Path(extracts.store_root()).rglob("*.parquet"))


def test_the_key_is_made_outside_the_store_once_and_refused_inside_it(settings, key_file, db):
    key = extracts.pseudonym_key()
    assert key_file.exists() and len(key) == 64
    assert extracts.pseudonym_key() == key
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    settings.HARBOUR_PSEUDONYM_KEY_FILE = str(Path(settings.HARBOUR_INSIGHT_STORE) / "k.key")
    with pytest.raises(extracts.ExtractRefused, match="outside the store"):
        extracts.pseudonym_key()
    settings.HARBOUR_PSEUDONYM_KEY = "short"
    with pytest.raises(extracts.ExtractRefused, match="at least 32"):
        extracts.pseudonym_key()
    settings.HARBOUR_PSEUDONYM_KEY = ""
    settings.HARBOUR_SYNTHETIC_DATA = False
    settings.HARBOUR_PSEUDONYM_KEY_FILE = str(key_file.parent / "missing.key")
    with pytest.raises(extracts.ExtractRefused, match="does not exist"):
        extracts.pseudonym_key()
    assert not (key_file.parent / "missing.key").exists()


def test_a_column_no_extract_declares_is_refused():
    with pytest.raises(engine.ExtractRefused, match="given_name"):
        engine.build(
            "harbour_plans",
            [{"row_id": "plan:1", "month": "2026-01", "given_name": "Someone"}],
            key=b"k" * 32,
        )


def test_a_run_that_fails_while_writing_leaves_nothing(world, monkeypatch, store_dir):
    extracts.run_extract()
    before = set(StoreFile.objects.filter(is_current=True).values_list("path", flat=True))
    Plan.objects.update(plan_type="child_in_need")  # a change, so a month is written again
    Referral.objects.update(rag="amber")
    calls = []
    write = store._write

    def failing(table, path):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("the disk filled")
        write(table, path)

    original = store.replace

    def replace(*args, **kwargs):
        kwargs["write"] = failing
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "replace", replace)
    with pytest.raises(OSError, match="the disk filled"):
        extracts.run_extract()
    assert set(StoreFile.objects.filter(is_current=True).values_list("path", flat=True)) == before
    on_disk = {p.relative_to(store_dir).as_posix() for p in store_dir.rglob("*.parquet")}
    assert on_disk == before
    assert rows("harbour_referrals")["rag"].tolist() == ["red"]
    # A run killed outright removes nothing of its own: its files are left where no one reads
    # them (the catalogue never named them), and the next run sweeps them under the lock.
    stray = store_dir / "harbour_events" / "month=2026-05" / "part-killed.parquet"
    stray.write_bytes(b"half a file")
    monkeypatch.setattr(store, "replace", original)
    assert len(rows("harbour_events")) == 3  # the stray file is not read
    extracts.run_extract()
    assert not stray.exists()
    assert rows("harbour_referrals")["rag"].tolist() == ["amber"]


def test_a_month_no_longer_held_is_retired(world):
    extracts.run_extract()
    assert rows("harbour_plans")["month"].tolist() == ["2026-06"]
    Plan.objects.update(started_on=dt.date(2026, 7, 1))
    run = extracts.run_extract()
    assert rows("harbour_plans")["month"].tolist() == ["2026-07"]
    assert run.notes["harbour_plans_months_retired"] == 1
    assert not StoreFile.objects.filter(table="harbour_plans", month="2026-06", is_current=True)


def test_the_run_is_audited_with_counts_only(world):
    run = extracts.run_extract()
    event = AuditEvent.objects.get(event="insight.extracted")
    assert event.actor_id is None and event.actor_username == policy.EXTRACT_SYSTEM_ACTOR
    assert event.purpose == "analysis" and event.object_id == str(run.pk)
    assert event.child_id is None
    assert event.detail["harbour_events"] == 3 and event.detail["rows"] == run.rows
    assert all(isinstance(v, int) for v in event.detail.values() if v is not None)


def test_only_the_extract_job_reads_records_for_it(analyst):
    with pytest.raises(policy.Forbidden):
        policy.records_for_extract("someone-else", Plan.objects.all())
    with pytest.raises(policy.Forbidden):
        policy.records_for_extract(analyst.get_username(), Plan.objects.all())


def test_the_command_prints_a_summary(world):
    out = StringIO()
    call_command("insight", "extract", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["status"] == "imported"
    assert summary["tables"]["harbour_events"] == 3
    # The flag was raised today.
    assert summary["first_month"] == "2026-05"
    assert summary["last_month"] == engine.month_of(timezone.localdate())
    out = StringIO()
    call_command("insight", "extract", stdout=out)
    assert "unchanged" in out.getvalue()


def test_the_command_refuses_without_a_key(settings, db):
    settings.HARBOUR_PSEUDONYM_KEY = ""
    settings.HARBOUR_PSEUDONYM_KEY_FILE = ""
    err = StringIO()
    with pytest.raises((SystemExit, CommandError)):
        call_command("insight", "extract", stderr=err)
    assert "No pseudonymisation key" in err.getvalue()
    assert not StoreFile.objects.exists()


def test_the_stage_kinds_are_the_events_feeds():
    assert {queries.ARREST, queries.CUSTODY} <= set(EventKind.values)


def section(response, key):
    return next((s for s in response.context["sections"] if s.key == key), None)


def test_the_page_reads_harbours_stages_from_the_store(client, world, analyst):
    for name, format_code in [f for f in FILES if f[1] == "ons-census"]:  # the denominators
        run = services.import_file(
            actor=analyst, format_code=format_code, content=fixture_bytes(name), file_name=name
        )
        assert run.status == "imported", (name, run.errors)
    client.force_login(analyst)
    before = client.get(reverse("insight:disproportionality"))
    assert before.status_code == 200
    assert "no extract has run yet" in before.content.decode()
    assert section(before, "harbour-referred") is None
    extracts.run_extract()
    # The Django tables change after the extract: the page counts what the store holds.
    Referral.objects.update(rag="amber")
    client.force_login(make_staff(analyst.agency, Role.STRATEGIC_LEADER))
    response = client.get(reverse("insight:disproportionality"))
    page = response.content.decode()
    assert "no extract has run yet" not in page and "last refreshed" in page
    keys = [s.key for s in response.context["sections"]]
    assert [k for k in keys if k.startswith("harbour-")] == [s.key for s in queries.HARBOUR_STAGES]
    black = "Black, Black British, Black Welsh, Caribbean or African"
    for key, expected in {
        "harbour-arrested": 1,  # the unlinked record's arrest is "not stated"
        "harbour-red": 1,
        "harbour-decided": 1,
        "harbour-plan": 1,
        "harbour-panel": 1,
        "harbour-flag": 1,
        "harbour-custody": 1,
    }.items():
        cells = {r.label: r.cells[0] for r in section(response, key).rows}
        assert cells[black].true_value == expected, key
        assert str(cells[black]) == "[c]", key  # 1 is a small number: hidden
    cells = {r.label: r.cells[0] for r in section(response, "harbour-arrested").rows}
    assert cells["Not stated"].true_value == 1
    assert sum(r.cells[0].true_value for r in section(response, "harbour-nfa").rows) == 0
    assert section(response, "harbour-referred").period == "June 2026"


@pytest.mark.parametrize("role", [Role.FRONT_DOOR_PRACTITIONER, Role.LEAD_PRACTITIONER])
def test_practitioners_do_not_see_the_stages(client, world, analyst, role):
    extracts.run_extract()
    client.force_login(make_staff(analyst.agency, role))
    assert client.get(reverse("insight:disproportionality")).status_code == 403


@pytest.mark.slow
def test_the_extract_queries_answer_the_same_on_duckdb_and_pyspark(world):
    from harbour.insight.tests.test_engines import same_shape

    # A referral of another child, not yet confirmed, decided no further action.
    referral = world["referral"]
    other = Referral.objects.create(
        front_door=referral.front_door,
        referring_agency=referral.referring_agency,
        received_at=referral.received_at,
        child_date_of_birth=dt.date(2012, 8, 1),
        child_sex="M",
        ethnicity="white_british",
        rag="green",
    )
    ReferralDecision.objects.create(
        referral=other,
        outcome="nfa",
        rationale="r",
        feedback_to_referrer="f",
        decided_by=make_staff(referral.front_door, Role.FRONT_DOOR_PRACTITIONER),
        decided_at=referral.received_at,
        state="countersigned",
    )
    extracts.run_extract()
    duck, spark = store_tables(engine="duckdb"), store_tables(engine="spark")
    found: dict[str, Callable[[queries.Tables], Any]] = {
        stage.key: partial(queries.children_at_stage_by_ethnic_group, stage=stage)
        for stage in queries.HARBOUR_STAGES
    }
    found["rows by month"] = queries.extract_rows_by_month
    found["events by kind and age"] = lambda t: queries.counts_by(
        t["harbour_events"], ["kind", "age", "sex", "ethnic_group", "lsoa21cd"]
    )
    for name, query in found.items():
        on_duckdb = same_shape(queries.execute(query(duck)))
        on_spark = same_shape(queries.execute(query(spark)))
        assert len(on_duckdb) > 0, name
        pd.testing.assert_frame_equal(on_duckdb, on_spark, check_dtype=False, obj=name)
