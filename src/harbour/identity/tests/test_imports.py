"""Bulk import of an agency's person records: the whole file is checked first and rejected with
line-level errors, and importing the same file again changes nothing and duplicates nothing."""

from __future__ import annotations

import datetime as dt

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
    assert {
        (2, "date_of_birth"),
        (3, "sex"),
        (3, "postcode"),
        (3, "nhs_number"),
        (4, "date_of_birth"),
    } <= found
    assert any(e.line in (3, 4) and "repeats" in e.detail for e in rejected.value.errors)
    assert not SourceRecord.objects.filter(agency=police).exists()
    assert not AuditEvent.objects.filter(event="identity.records_imported").exists()


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
    assert "3 new, 0 updated, 0 unchanged" in capsys.readouterr().out
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
        "bad.csv", (HEADER + "Niche RMS,RVP9,Kim,Lee,2011-13-40,,,,,,,\n").encode()
    )
    response = client.post(url, {"agency": str(police.pk), "file": bad})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "nothing was saved" in body
    assert [(e.line, e.column) for e in response.context["errors"]] == [(2, "date_of_birth")]
    good = SimpleUploadedFile("good.csv", GOOD.encode())
    response = client.post(url, {"agency": str(police.pk), "file": good}, follow=True)
    assert "3 new, 0 updated, 0 unchanged" in response.content.decode()
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
