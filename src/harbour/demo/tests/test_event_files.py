"""The demo's events and needs arrive as the agencies' files, through the events import (issue
11, part 6; ADR 0029): the generator writes no event or need itself, its files parse in the
real formats, import through ``harbour events import`` with every record of a person unchanged,
and everything the demo holds came through an import."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from harbour.access.models import AuditEvent
from harbour.demo.event_files import read_event_files
from harbour.demo.generator import generate
from harbour.demo.models import DemoPattern
from harbour.identity import event_files, matching
from harbour.identity.models import AgencyEvent, EventParticipant, SourceNeed, SourceRecord
from harbour.partnership.models import Agency

pytestmark = pytest.mark.django_db

SMALL = 120


@pytest.fixture(autouse=True)
def fresh_index():
    matching.forget()
    yield
    matching.forget()


@pytest.fixture
def written(tmp_path):
    return generate(seed=42, children=SMALL, event_files=tmp_path), tmp_path


def test_with_a_directory_the_generator_writes_files_not_events(written):
    summary, directory = written
    assert not AgencyEvent.objects.exists()
    assert not EventParticipant.objects.exists()
    assert not SourceNeed.objects.exists()
    files = read_event_files(directory)
    assert {"police-incident", "missing", "ed-attendance", "contacts", "exclusions", "needs"} <= {
        f.format for f in files
    }
    references: set[str] = set()
    rows = 0
    for found in files:
        items, _lines = event_files.parse(
            event_files.FORMATS[found.format], found.path.read_bytes()
        )
        assert items, found
        if found.format != "needs":
            rows += len(items)
            references |= {item.reference for item in items}
    assert rows == summary.agency_events
    for pattern in DemoPattern.objects.all():
        assert set(pattern.detail["event_refs"]) <= references, pattern


def test_the_files_import_through_the_command_and_change_no_record(written, capsys):
    summary, directory = written
    files = read_event_files(directory)

    def send_all() -> list[dict]:
        results = []
        for found in files:
            call_command(
                "events",
                "import",
                str(found.path),
                "--agency",
                found.agency,
                "--format",
                found.format,
                "--json",
            )
            results.append(json.loads(capsys.readouterr().out))
        return results

    first = send_all()
    assert all(r["rejected"] == 0 and r["new"] == r["rows"] for r in first)
    # Every person is named as the agency's record already holds them: nothing to match.
    assert all(r["linked"] == r["new_people"] == r["held"] == r["for_review"] == 0 for r in first)
    assert not SourceRecord.objects.exclude(changed_at=None).exists()
    assert AgencyEvent.objects.count() == summary.agency_events
    assert EventParticipant.objects.count() == summary.event_participants
    needs = sum(r["rows"] for r, f in zip(first, files, strict=True) if f.format == "needs")
    assert SourceNeed.objects.count() == needs > 0
    again = send_all()
    assert all(r["unchanged"] == r["rows"] and r["new"] == r["updated"] == 0 for r in again)


def test_every_event_and_need_of_the_demo_arrived_through_an_import():
    generate(seed=42, children=SMALL)
    events = AuditEvent.objects.filter(event="identity.events_received")
    needs = AuditEvent.objects.filter(event="identity.needs_received")
    assert all(a.detail["channel"].startswith("file:") for a in [*events, *needs])
    assert sum(a.detail["new"] for a in events) == AgencyEvent.objects.count() > 0
    assert sum(a.detail["new"] for a in needs) == SourceNeed.objects.count() > 0


def test_the_command_lists_the_files_or_says_to_generate_them(written, tmp_path, capsys):
    _summary, directory = written
    call_command("demo", "event-files", str(directory))
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f.line() for f in read_event_files(directory)]
    agency, format_name, path = lines[0].split(" ", 2)
    assert Agency.objects.filter(code=agency).exists()
    assert format_name in event_files.FORMATS and path.startswith(str(directory))
    with pytest.raises(CommandError):
        call_command("demo", "event-files", str(tmp_path / "nowhere"))
    assert "run `harbour demo generate --event-files" in capsys.readouterr().err
