"""Agencies' event and need files (issue 11, part 2): each format's fixture imports, the same
file again adds nothing, a broken file is rejected by line and column with nothing saved, and no
bytes make a parser fail other than by rejecting the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harbour.identity import event_files, matching
from harbour.identity.models import AgencyEvent, EventParticipant, SourceNeed, SourceRecord
from harbour.partnership.models import AgencyType
from harbour.tabular import ImportRejected
from harbour.testing import make_agency

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = {
    "ed-attendance": 3,
    "ambulance": 2,
    "police-incident": 4,
    "missing": 2,
    "exclusions": 2,
    "contacts": 2,
    "needs": 3,
}


@pytest.fixture(autouse=True)
def fresh_index():
    matching.forget()
    yield
    matching.forget()


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.csv").read_bytes()


def edited(name: str, line: int, column: str, value: str) -> bytes:
    """The fixture with one cell changed (line 2 is the first row)."""
    rows = list(csv.reader(io.StringIO(fixture(name).decode())))
    rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_format_imports_and_the_same_file_again_adds_nothing(name):
    agency = make_agency("riverside", AgencyType.POLICE)
    first = event_files.import_events_file(agency=agency, format_name=name, content=fixture(name))
    assert (first.rows, first.new, first.updated, first.rejected) == (
        EXPECTED[name],
        EXPECTED[name],
        0,
        0,
    )
    counts = (AgencyEvent.objects.count(), SourceNeed.objects.count(), SourceRecord.objects.count())
    again = event_files.import_events_file(agency=agency, format_name=name, content=fixture(name))
    assert (again.new, again.updated, again.unchanged) == (0, 0, EXPECTED[name])
    assert (
        AgencyEvent.objects.count(),
        SourceNeed.objects.count(),
        SourceRecord.objects.count(),
    ) == counts


def test_the_ed_attendance_fixture_round_trips():
    agency = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    event_files.import_events_file(
        agency=agency, format_name="ed-attendance", content=fixture("ed-attendance")
    )
    rows = list(csv.DictReader(io.StringIO(fixture("ed-attendance").decode())))
    for row in rows:
        saved = AgencyEvent.objects.get(source_reference=row["reference"])
        local = dt.datetime.fromisoformat(row["arrival_at"])
        assert saved.kind == "ed_attendance" and saved.role == "patient"
        assert saved.ed_arrival_at is not None
        assert saved.ed_arrival_at.astimezone(dt.UTC).replace(tzinfo=None) == local - dt.timedelta(
            hours=1
        )  # British Summer Time
        assert saved.occurred_at == saved.ed_arrival_at
        assert saved.ed_assault_method == row["assault_method"]
        assert saved.ed_assault_method_other == row["assault_method_other"]
        assert saved.ed_location_type == row["assault_location_type"]
        assert saved.ed_location_description == row["assault_location_description"]
        assert saved.source_record.source_id == row["source_id"]
        assert saved.source_record.nhs_number == row["nhs_number"].replace(" ", "")
        assert str(saved.severity) == row["severity"]
        if row["latitude"]:
            assert saved.latitude == float(row["latitude"]) and saved.lsoa21 == row["lsoa21"]
    assert AgencyEvent.objects.get(source_reference="ATT-26-000777").weapon  # a sharp object


def test_the_police_file_names_the_adult_and_both_children_of_one_incident():
    agency = make_agency("riverside-police", AgencyType.POLICE)
    event_files.import_events_file(
        agency=agency, format_name="police-incident", content=fixture("police-incident")
    )
    assert AgencyEvent.objects.filter(source_reference="OCC-26-000101").count() == 2
    adult = EventParticipant.objects.get()
    assert (adult.name, adult.approximate_age, adult.is_adult, adult.poses_risk) == (
        "Dean Marsh",
        24,
        True,
        True,
    )
    assert set(AgencyEvent.objects.values_list("kind", flat=True)) == {
        "incident",
        "arrest",
        "stop_search",
    }


def test_a_grid_point_is_stored_in_wgs84():
    agency = make_agency("riverside-ambulance", AgencyType.AMBULANCE)
    event_files.import_events_file(
        agency=agency, format_name="ambulance", content=fixture("ambulance")
    )
    saved = AgencyEvent.objects.get(source_reference="INC-26-104455")
    assert saved.latitude is not None and saved.longitude is not None
    assert 52.3 < saved.latitude < 52.5 and -1.6 < saved.longitude < -1.4
    assert saved.postcode == "RV1 2" and saved.means == "knife"


@pytest.mark.parametrize(
    ("name", "line", "column", "value", "problem"),
    [
        ("ed-attendance", 3, "arrival_at", "2099-01-01T10:00", "must not be in the future"),
        ("ed-attendance", 2, "assault_at", "2026-03-29T01:30", "that exists in Europe/London"),
        ("ed-attendance", 4, "assault_method", "07", "ISTV assault method code"),
        ("ed-attendance", 2, "latitude", "51.5", "outside the partnership's area"),
        ("ambulance", 2, "easting", "530000", "outside the partnership's area"),
        ("police-incident", 5, "kind", "burglary", "must be one of"),
        ("police-incident", 2, "occurred_at", "14/06/2026 22:40", "must be a date and time"),
        ("missing", 3, "date_of_birth", "2099-01-01", "must not be in the future"),
        ("exclusions", 2, "reason", "XX", "DfE reason code"),
        ("exclusions", 3, "kind", "expelled", "suspension or permanent_exclusion"),
        ("needs", 4, "need", "ehcp", "must be one of"),
        ("needs", 2, "recorded_on", "2099-12-31", "must not be in the future"),
        ("police-incident", 3, "other_role", "", None),  # a named adult needs no role
    ],
)
def test_a_broken_cell_rejects_the_file_by_line_and_column(name, line, column, value, problem):
    agency = make_agency("riverside", AgencyType.POLICE)
    content = edited(name, line, column, value)
    if problem is None:
        assert event_files.import_events_file(agency=agency, format_name=name, content=content).new
        return
    with pytest.raises(ImportRejected) as rejected:
        event_files.import_events_file(agency=agency, format_name=name, content=content)
    (error,) = rejected.value.errors
    assert (error.line, error.column) == (line, column)
    assert problem in error.detail
    assert not AgencyEvent.objects.exists() and not SourceRecord.objects.exists()


def test_a_contact_names_two_other_people():
    agency = make_agency("riverside-csc", AgencyType.CHILDRENS_SOCIAL_CARE)
    event_files.import_events_file(
        agency=agency, format_name="contacts", content=fixture("contacts")
    )
    contact = AgencyEvent.objects.get(source_reference="CON-26-000512")
    assert (contact.kind, contact.role, contact.category) == ("contact", "subject", "exploitation")
    assert sorted(contact.participants.values_list("name", "role", "is_adult", "poses_risk")) == [
        ("Dean Marsh", "suspect", True, True),
        ("Lee Marsh", "associate", True, False),
    ]
    assert AgencyEvent.objects.get(source_reference="YJ-26-000077").kind == "youth_justice"


def test_an_ed_attendance_after_a_fall_needs_no_assault_items():
    agency = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    content = (
        b"reference,source_system,source_id,given_name,family_name,date_of_birth,arrival_at,"
        b"category,severity,summary\n"
        b"ATT-26-000901,Symphony ED,RH1,Jordan,Baker,2011-03-14,2026-06-14T15:05,accident,1,"
        b"Jordan was treated for a sprain after a fall.\n"
        b"ATT-26-000902,Symphony ED,RH2,Keira,Lawson,2012-01-30,2026-06-14T16:10,,2,"
        b"Keira came in with a cut to the head.\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        event_files.import_events_file(agency=agency, format_name="ed-attendance", content=content)
    # The second line's category is the format's default, an assault: ISTV's items are needed.
    assert {(e.line, e.column) for e in rejected.value.errors} == {
        (3, "assault_at"),
        (3, "assault_method"),
        (3, "assault_location_type"),
    }
    fall = content.split(b"\n")[:2]
    event_files.import_events_file(
        agency=agency, format_name="ed-attendance", content=b"\n".join(fall) + b"\n"
    )
    saved = AgencyEvent.objects.get()
    assert (saved.category, saved.ed_assault_method, saved.occurred_on) == (
        "accident",
        "",
        dt.date(2026, 6, 14),
    )


def _incident(*lines: str) -> bytes:
    header = "reference,source_system,source_id,given_name,family_name,date_of_birth,occurred_on,"
    header += "role,category,summary,other_role,other_source_id"
    return "\n".join([header, *lines, ""]).encode()


def test_another_person_is_named_by_the_agencys_record_on_another_line_or_sent_before():
    agency = make_agency("riverside-police", AgencyType.POLICE)
    both = _incident(
        "OCC-26-1,Niche RMS,RVP1,Jordan,Baker,2011-03-14,2026-06-14,victim,robbery,"
        "Jordan was robbed.,suspect,RVP2",
        "OCC-26-1,Niche RMS,RVP2,Tyler,Okafor,2009-07-21,2026-06-14,suspect,robbery,"
        "Tyler was named as the robber.,victim,RVP1",
    )
    event_files.import_events_file(agency=agency, format_name="police-incident", content=both)
    jordan = SourceRecord.objects.get(source_id="RVP1")
    tyler = SourceRecord.objects.get(source_id="RVP2")
    assert EventParticipant.objects.get(event__source_record=jordan).source_record == tyler
    assert EventParticipant.objects.get(event__source_record=tyler).source_record == jordan
    # Later, a line names Tyler's record only: his details are kept, not blanked.
    later = _incident(
        "OCC-26-2,Niche RMS,RVP1,Jordan,Baker,2011-03-14,2026-06-20,victim,assault,"
        "Jordan was punched.,suspect,RVP2"
    )
    summary = event_files.import_events_file(
        agency=agency, format_name="police-incident", content=later
    )
    assert (summary.new, summary.linked, summary.new_people, summary.held) == (1, 0, 0, 0)
    tyler.refresh_from_db()
    assert (tyler.given_name, tyler.date_of_birth, tyler.changed_at) == (
        "Tyler",
        dt.date(2009, 7, 21),
        None,
    )
    unknown = _incident(
        "OCC-26-3,Niche RMS,RVP1,Jordan,Baker,2011-03-14,2026-06-21,victim,assault,"
        "Jordan was pushed.,suspect,RVP9"
    )
    with pytest.raises(ImportRejected) as rejected:
        event_files.import_events_file(
            agency=agency, format_name="police-incident", content=unknown
        )
    (error,) = rejected.value.errors
    assert (error.line, error.column, error.value) == (2, "other_source_id", "RVP9")
    assert "sent before" in error.detail


def test_an_unknown_column_and_a_missing_required_one_are_named():
    agency = make_agency("riverside", AgencyType.POLICE)
    content = fixture("missing").replace(b"location", b"locaton").replace(b"reference,", b"ref,")
    with pytest.raises(ImportRejected) as rejected:
        event_files.import_events_file(agency=agency, format_name="missing", content=content)
    named = {(e.line, e.column) for e in rejected.value.errors}
    assert {(1, "locaton"), (1, "ref"), (1, "reference")} <= named


def test_the_command_prints_the_counts_as_json(tmp_path, capsys):
    agency = make_agency("riverside-school", AgencyType.SCHOOL)
    path = tmp_path / "exclusions.csv"
    path.write_bytes(fixture("exclusions"))
    call_command(
        "events", "import", str(path), "--agency", agency.code, "--format", "exclusions", "--json"
    )
    first = json.loads(capsys.readouterr().out)
    assert {k: first[k] for k in ("rows", "new", "updated", "unchanged", "rejected")} == {
        "rows": 2,
        "new": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    call_command(
        "events", "import", str(path), "--agency", agency.code, "--format", "exclusions", "--json"
    )
    assert json.loads(capsys.readouterr().out)["unchanged"] == 2
    path.write_bytes(edited("exclusions", 2, "reason", "XX"))
    with pytest.raises(CommandError):
        call_command(
            "events",
            "import",
            str(path),
            "--agency",
            agency.code,
            "--format",
            "exclusions",
            "--json",
        )
    rejected = json.loads(capsys.readouterr().out)
    assert (rejected["rows"], rejected["rejected"], rejected["new"]) == (2, 2, 0)
    assert rejected["errors"][0]["line"] == 2 and rejected["errors"][0]["column"] == "reason"


def test_one_run_imports_a_list_of_files_and_stops_at_one_refused(tmp_path, capsys):
    """``harbour events import-list``: many agencies' files in one run, each as ``import``."""
    school = make_agency("riverside-school", AgencyType.SCHOOL)
    hospital = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    for name in ("exclusions", "ed-attendance"):
        (tmp_path / f"{name}.csv").write_bytes(fixture(name))
    listing = tmp_path / "files.txt"
    listing.write_text(
        f"{school.code} exclusions {tmp_path / 'exclusions.csv'}\n\n"
        f"{hospital.code} ed-attendance {tmp_path / 'ed-attendance.csv'}\n"
    )
    call_command("events", "import-list", str(listing), "--json")
    summaries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(s["rows"], s["new"]) for s in summaries] == [(2, 2), (3, 3)]
    assert AgencyEvent.objects.filter(agency=hospital).count() == 3
    (tmp_path / "bad.csv").write_bytes(edited("exclusions", 2, "reason", "XX"))
    listing.write_text(
        f"{school.code} exclusions {tmp_path / 'bad.csv'}\n"
        f"{hospital.code} ed-attendance {tmp_path / 'ed-attendance.csv'}\n"
    )
    with pytest.raises(CommandError):
        call_command("events", "import-list", str(listing))
    assert "nothing was saved" in capsys.readouterr().err
    listing.write_text("riverside-school exclusions\n")
    with pytest.raises(CommandError):
        call_command("events", "import-list", str(listing))
    assert "expected AGENCY FORMAT PATH" in capsys.readouterr().err


CELLS = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["", "2026-06-14", "2026-06-14T22:40", "yes", "03", "52.39", "-1.6", "RV1 2AB"]
)


@pytest.mark.parametrize("name", list(EXPECTED))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_file_makes_a_parser_fail_other_than_by_rejecting_it(name, data):
    file_format = event_files.FORMATS[name]
    columns = list(file_format.columns)
    header = data.draw(
        st.lists(st.sampled_from([*columns, "stray"]), min_size=1, max_size=8, unique=True)
    )
    rows = data.draw(
        st.lists(st.lists(CELLS, min_size=len(header), max_size=len(header)), max_size=4)
    )
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    content = data.draw(
        st.sampled_from([out.getvalue().encode(), out.getvalue().encode()[:-3] + b"\xff\xfe"])
    )
    errors: list = []
    try:
        items, lines = event_files.parse(file_format, content)
    except ImportRejected as rejected:
        errors = rejected.errors
        items, lines = [], []
    assert all(e.line >= 1 for e in errors) and len(items) == len(lines)


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE)
def test_an_administrator_imports_a_file_on_the_page(client, django_capture_on_commit_callbacks):
    """The file runs in the background (here at once, after the commit) and its page shows the
    outcome: a rejected file's problems by line and column, or the counts."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from harbour.identity.models import EventImport, EventImportStatus
    from harbour.partnership.models import Role
    from harbour.testing import make_staff

    agency = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    client.force_login(make_staff(agency, Role.ADMINISTRATOR))
    url = reverse("identity:events-import")
    page = client.get(url)
    assert page.status_code == 200 and "ed-attendance" in page.content.decode()
    response = client.post(url, {"agency": str(agency.pk)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Select the format of the file" in body

    def send(name: str, content: bytes) -> EventImport:
        upload = SimpleUploadedFile(name, content)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url, {"agency": str(agency.pk), "file_format": "ed-attendance", "file": upload}
            )
        run = EventImport.objects.get(file_name=name)
        assert response.status_code == 302
        assert response["Location"] == reverse("identity:events-import-run", args=[run.pk])
        return run

    bad = send("bad.csv", edited("ed-attendance", 3, "assault_method", "07"))
    bad.refresh_from_db()
    assert bad.status == EventImportStatus.REJECTED and bad.content == b""
    page = client.get(reverse("identity:events-import-run", args=[bad.pk]))
    body = page.content.decode()
    assert "Rejected: nothing was saved" in body and "assault_method" in body
    assert [(e["line"], e["column"]) for e in page.context["run"].errors] == [(3, "assault_method")]
    assert not AgencyEvent.objects.exists()

    good = send("good.csv", fixture("ed-attendance"))
    good.refresh_from_db()
    assert good.status == EventImportStatus.IMPORTED
    assert good.summary["rows"] == 3 and good.summary["new"] == 3
    assert (good.stage, good.done, good.total) == ("matching", 3, 3)
    body = client.get(reverse("identity:events-import-run", args=[good.pk])).content.decode()
    assert "3 new" in body and "Imported" in body
    assert AgencyEvent.objects.filter(agency=agency).count() == 3
    # The page polls while it runs; a second run of the same import does nothing.
    from harbour.identity.event_imports import event_import_run

    assert event_import_run(good.pk) == EventImportStatus.IMPORTED
    assert AgencyEvent.objects.filter(agency=agency).count() == 3


def test_a_queued_import_shows_its_progress_and_polls(client):
    from django.urls import reverse

    from harbour.identity.models import EventImport
    from harbour.partnership.models import Role
    from harbour.testing import make_staff

    agency = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    admin = make_staff(agency, Role.ADMINISTRATOR)
    run = EventImport.objects.create(
        agency=agency,
        format="ed-attendance",
        file_name="big.csv",
        file_hash="0" * 64,
        started_by=admin,
        status="running",
        stage="matching",
        done=250,
        total=1000,
    )
    client.force_login(admin)
    url = reverse("identity:events-import-run", args=[run.pk])
    body = client.get(url).content.decode()
    assert "250 of 1,000" in body and 'value="32"' in body and "hx-get" in body
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    client.logout()
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 286
    client.force_login(make_staff(agency, Role.FRONT_DOOR_MANAGER))
    assert client.get(url).status_code == 403
    url = reverse("identity:events-import")
    client.force_login(make_staff(agency, Role.FRONT_DOOR_MANAGER))
    assert client.get(url).status_code == 403
