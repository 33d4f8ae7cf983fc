"""Bulk import of an agency's person records: the whole file is checked first and rejected with
line-level errors, and importing the same file again changes nothing and duplicates nothing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from harbour.access.models import AuditEvent
from harbour.identity.imports import ImportRejected, import_person_records
from harbour.identity.models import SourceRecord
from harbour.testing import make_agency

pytestmark = pytest.mark.django_db

HEADER = (
    "source_system,source_id,given_name,family_name,date_of_birth,sex,postcode,address,"
    "nhs_number,school_urn,upn,as_of\n"
)
GOOD = (
    HEADER
    + "Niche RMS,RVP0001,Jordan,Baker,2011-03-14,M,rv1 2ab,1 High St,485 777 3456,,,2026-02-01\n"
    + "Niche RMS,RVP0002,Amira,Hassan,2010-11-02,F,RV3 4CD,,,,,\n"
    + "Niche RMS,RVP0003,,Unknown,,U,,,,,,\n"
)


@pytest.fixture
def police():
    return make_agency("police-import")


def test_a_file_is_imported_and_importing_it_again_changes_nothing(police):
    summary = import_person_records(agency=police, content=GOOD.encode())
    assert (summary.rows, summary.created, summary.updated, summary.unchanged) == (3, 3, 0, 0)
    jordan = SourceRecord.objects.get(agency=police, source_id="RVP0001")
    assert (jordan.postcode, jordan.nhs_number, jordan.as_of) == (
        "RV1 2AB",
        "4857773456",
        dt.date(2026, 2, 1),
    )
    event = AuditEvent.objects.get(event="identity.records_imported")
    assert event.detail["created"] == 3
    assert "Jordan" not in str(event.detail)

    again = import_person_records(agency=police, content=GOOD.encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert SourceRecord.objects.filter(agency=police).count() == 3

    changed = GOOD.replace("Amira,Hassan", "Amira,Hassan-Ali")
    third = import_person_records(agency=police, content=changed.encode())
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert third.lines_updated == [3]
    assert SourceRecord.objects.get(source_id="RVP0002").family_name == "Hassan-Ali"


def test_a_malformed_file_is_rejected_whole_with_every_error_by_line(police):
    bad = (
        HEADER
        + "Niche RMS,RVP0001,Jordan,Baker,14/03/2011,M,RV1 2AB,,,,,\n"  # line 2: date
        + "Niche RMS,RVP0002,Amira,Hassan,2010-11-02,X,NOT A POSTCODE,,12345,,,\n"  # line 3
        + "Niche RMS,RVP0002,Sam,Lee,2030-01-01,F,,,,,,\n"  # line 4: repeat, future
    )
    with pytest.raises(ImportRejected) as rejected:
        import_person_records(agency=police, content=bad.encode())
    found = {(e.line, e.column) for e in rejected.value.errors}
    assert {(2, "date_of_birth"), (3, "sex"), (3, "nhs_number")} <= found
    # Well formed but unusable identifiers are warnings, not errors (issue 14).
    assert not {(3, "postcode"), (4, "date_of_birth")} & found
    assert any(e.line in (3, 4) and "repeats" in e.detail for e in rejected.value.errors)
    assert not SourceRecord.objects.filter(agency=police).exists()
    assert not AuditEvent.objects.filter(event="identity.records_imported").exists()


def test_unusable_identifiers_are_kept_and_listed_as_warnings_not_refused(police):
    """Issue 14, part 1: one bad cell neither refuses the file nor is silently used."""
    messy = (
        HEADER
        + "Niche RMS,M1,Jordan,Baker,2011-03,M,NFA,1 High St,,,,\n"  # partial date, no postcode
        + "Niche RMS,M2,Baby,Hassan,2011-02-31,F,2074,,4857773456,,,\n"  # placeholder, impossible
        + "Niche RMS,M3,Sam,Lee,2010-11-02,F,RV3 4CD,,,,,\n"  # all usable
    )
    summary = import_person_records(agency=police, content=messy.encode())
    assert summary.created == 3
    assert [(w.line, w.column, w.value) for w in summary.warnings] == [
        (2, "date_of_birth", "2011-03"),
        (2, "postcode", "NFA"),
        (3, "given_name", "Baby"),
        (3, "date_of_birth", "2011-02-31"),
        (3, "postcode", "2074"),
        (3, "nhs_number", "4857773456"),
    ]
    assert "only part of a date" in summary.warnings[0].detail
    assert all("not used for matching" in w.detail for w in summary.warnings)
    jordan = SourceRecord.objects.get(agency=police, source_id="M1")
    assert (jordan.date_of_birth, jordan.date_of_birth_given, jordan.postcode) == (
        None,
        "2011-03",
        "NFA",
    )
    baby = SourceRecord.objects.get(agency=police, source_id="M2")
    assert (baby.given_name, baby.date_of_birth_given, baby.postcode) == (
        "Baby",
        "2011-02-31",
        "2074",
    )
    sam = SourceRecord.objects.get(agency=police, source_id="M3")
    assert (sam.date_of_birth, sam.date_of_birth_given) == (dt.date(2010, 11, 2), "")
    event = AuditEvent.objects.get(event="identity.records_imported")
    assert event.detail["warnings"] == 6
    # Matching reads none of them: the engine's frame has no date, postcode or first name.
    from harbour.identity.linkage.model import prepare
    from harbour.identity.sources import source_frame

    prepared = prepare(source_frame([jordan.pk, baby.pk])).set_index("unique_id")
    assert prepared["dob"].isna().all() and prepared["postcode"].isna().all()
    assert prepared.loc[baby.pk, "first_name"] is None or pd.isna(
        prepared.loc[baby.pk, "first_name"]
    )
    assert pd.isna(prepared.loc[baby.pk, "nhs_number"])
    # A later file with the whole date replaces what was kept as given.
    fixed = HEADER + "Niche RMS,M1,Jordan,Baker,2011-03-14,M,RV1 2AB,1 High St,,,,\n"
    again = import_person_records(agency=police, content=fixed.encode())
    assert (again.updated, again.warnings) == (1, [])
    jordan.refresh_from_db()
    assert (jordan.date_of_birth, jordan.date_of_birth_given) == (dt.date(2011, 3, 14), "")


def test_structural_errors_still_refuse_the_file_whole(police):
    repeated = (
        HEADER
        + "Niche RMS,R1,Jordan,Baker,2011-03,M,NFA,,,,,\n"
        + "Niche RMS,R1,Amira,Hassan,2010-11-02,F,,,,,,\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        import_person_records(agency=police, content=repeated.encode())
    assert any("repeats" in e.detail for e in rejected.value.errors)
    with pytest.raises(ImportRejected) as missing:
        import_person_records(agency=police, content=b"given_name,family_name\nSam,Lee\n")
    assert missing.value.errors
    assert not SourceRecord.objects.filter(agency=police).exists()


def test_unknown_columns_and_ragged_lines_are_refused(police):
    with pytest.raises(ImportRejected) as unknown:
        import_person_records(agency=police, content=b"source_system,source_id,shoe_size\nA,1,9\n")
    assert unknown.value.errors[0].column == "shoe_size"
    with pytest.raises(ImportRejected) as ragged:
        import_person_records(agency=police, content=(HEADER + "A,1\n").encode())
    assert ragged.value.errors[0].line == 2
    with pytest.raises(ImportRejected) as ours:
        import_person_records(
            agency=police, content=b"source_system,source_id,given_name\nharbour,1,Sam\n"
        )
    assert "Harbour's own" in ours.value.errors[0].detail


def test_the_command_imports_and_reports_errors(police, tmp_path, capsys):
    good = tmp_path / "police.csv"
    good.write_text(GOOD)
    call_command("identity", "import", str(good), "--agency", police.code)
    out = capsys.readouterr().out
    assert "3 new, 0 updated, 0 unchanged" in out
    assert "2 identifiers are kept as given but not used for matching" in out
    assert "line 4, family_name: is a placeholder, not a name" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Niche RMS,RVP9,Kim,Lee,not-a-date,,,,,,,\n")
    with pytest.raises(CommandError, match="exited with code 1"):
        call_command("identity", "import", str(bad), "--agency", police.code)
    assert "line 2, date_of_birth" in capsys.readouterr().err


def test_an_administrator_imports_a_file_on_the_page(client, police):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from harbour.partnership.models import Role
    from harbour.testing import make_staff

    client.force_login(make_staff(police, Role.ADMINISTRATOR))
    url = reverse("identity:import")
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile(
        "bad.csv", (HEADER + "Niche RMS,RVP9,Kim,Lee,40/13/2011,,,,,,,\n").encode()
    )
    response = client.post(url, {"agency": str(police.pk), "file": bad})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "nothing was saved" in body
    assert [(e.line, e.column) for e in response.context["errors"]] == [(2, "date_of_birth")]
    good = SimpleUploadedFile("good.csv", GOOD.encode())
    response = client.post(url, {"agency": str(police.pk), "file": good}, follow=True)
    body = response.content.decode()
    assert "3 new, 0 updated, 0 unchanged" in body
    # The NHS number failing its check digit on line 2 and the placeholder surname on line 4
    # are saved and listed as kept but not used.
    assert [(w.line, w.column) for w in response.context["warnings"]] == [
        (2, "nhs_number"),
        (4, "family_name"),
    ]
    assert "2 identifiers kept as given but not used for matching" in body
    assert SourceRecord.objects.filter(agency=police).count() == 3
    client.force_login(make_staff(police, Role.FRONT_DOOR_MANAGER))
    assert client.get(url).status_code == 403


def test_only_staff_who_may_import_records_import_them(police):
    """The service decides for itself: a lead practitioner calling it directly is refused and
    nothing is saved; an administrator's import is recorded as theirs."""
    from harbour.access.policy import Forbidden
    from harbour.partnership.models import Role
    from harbour.testing import make_staff

    lead = make_staff(agency=police, role=Role.LEAD_PRACTITIONER)
    with pytest.raises(Forbidden):
        import_person_records(agency=police, content=GOOD.encode(), actor=lead)
    assert not SourceRecord.objects.exists()
    admin = make_staff(agency=police, role=Role.ADMINISTRATOR)
    summary = import_person_records(agency=police, content=GOOD.encode(), actor=admin)
    assert summary.created == 3
    event = AuditEvent.objects.get(event="identity.records_imported")
    assert event.actor_id == admin.pk
