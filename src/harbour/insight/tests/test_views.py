"""The store's pages: what it holds with a chart and its table, importing from the page with its
progress and result, and the catalogue as CSV, audited as an export."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from harbour.access.models import AuditEvent
from harbour.insight import services
from harbour.insight.models import ImportStatus, SourceImport
from harbour.insight.tests.conftest import fixture_bytes
from harbour.insight.tests.test_formats import row, street
from harbour.partnership.models import Role
from harbour.testing import make_staff

pytestmark = pytest.mark.django_db
STREET = "2024-01-riverside-street.csv"


def upload(client, format_code: str, name: str, content: bytes, capture):
    with capture(execute=True):
        return client.post(
            reverse("insight:import"),
            {"format": format_code, "file": SimpleUploadedFile(name, content, "text/csv")},
        )


def test_the_store_page_lists_each_source_with_a_chart_and_its_table(client, analyst):
    services.import_file(
        actor=analyst,
        format_code="police-uk-street",
        content=fixture_bytes(STREET),
        file_name=STREET,
    )
    client.force_login(analyst)
    response = client.get(reverse("insight:store"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Street-level crime and anti-social behaviour (police.uk)" in page
    assert 'id="rows-chart-spec"' in page and "vega-embed.min.js" in page
    spec = response.context["spec"]
    assert (
        spec["mark"]["type"] == "bar" if isinstance(spec["mark"], dict) else spec["mark"] == "bar"
    )
    assert response.context["table_rows"] == [("January 2024", [40])]
    assert "January 2024" in page
    assert "Import a file" in page and STREET in page


def test_a_leader_reads_the_store_but_neither_imports_nor_sees_the_imports(client, analyst):
    leader = make_staff(analyst.agency, Role.STRATEGIC_LEADER)
    client.force_login(leader)
    page = client.get(reverse("insight:store")).content.decode()
    assert "What the store holds" in page
    assert "Import a file" not in page and "Recent imports" not in page
    assert client.get(reverse("insight:import")).status_code == 403


def test_the_catalogue_as_csv_is_an_audited_export(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("insight:store-csv"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.splitlines()[0] == "table,source,rows,months,first_month,last_month"
    event = AuditEvent.objects.get(event="insight.exported")
    assert (event.actor_id, event.purpose) == (analyst.pk, "analysis")
    assert event.detail["recipient"] == analyst.get_username()


def test_the_form_names_what_is_missing(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("insight:import"), {})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Select what is in the file" in page and "Select a file" in page


def test_an_import_from_the_page_runs_and_its_page_shows_the_result(
    client, analyst, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    response = upload(
        client,
        "police-uk-street",
        STREET,
        fixture_bytes(STREET),
        django_capture_on_commit_callbacks,
    )
    run = SourceImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("insight:import-run", args=[run.pk])
    assert run.status == ImportStatus.IMPORTED and run.started_by == analyst
    page = client.get(response["Location"]).content.decode()
    assert "Imported" in page and "hx-trigger" not in page
    assert "Rows with no location" in page
    # The upload is not kept once imported.
    assert not list((services.store_root() / "_incoming").iterdir())


def test_a_refused_file_from_the_page_lists_its_problems_by_line(
    client, analyst, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    bad = street(row(), row(crime_id="b" * 64, month="2024-13"))
    response = upload(
        client, "police-uk-street", "bad.csv", bad, django_capture_on_commit_callbacks
    )
    page = client.get(response["Location"]).content.decode()
    assert "Refused" in page
    assert 'id="import-errors"' in page and "must be a month like 2024-03" in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in page


def test_a_running_import_polls_for_its_progress(client, analyst):
    run = SourceImport.objects.create(
        format="police-uk-street",
        table="police_street",
        file_name="big.csv",
        file_hash="1" * 64,
        status=ImportStatus.RUNNING,
        stage="checking",
        done=150_000,
        total=300_000,
        started_by=analyst,
    )
    client.force_login(analyst)
    url = reverse("insight:import-run", args=[run.pk])
    page = client.get(url).content.decode()
    assert "Checking every row: 150,000 of 300,000" in page
    assert 'hx-trigger="every 1s"' in page and 'value="50"' in page
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<div id="import-progress"') and "<html" not in partial


def test_polling_after_the_session_ends_stops_rather_than_showing_the_sign_in_page(client):
    url = reverse("insight:import-run", args=["00000000-0000-0000-0000-000000000001"])
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 286
    assert client.get(url).status_code == 302
