"""The hidden harm page: who may see it, the counts it gives from agencies' events and the
caseloads (each protected, the charts drawing only what the tables publish), no child on it, and
its sections in the board report."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs installed

from harbour.access.models import AuditEvent
from harbour.children.models import Plan
from harbour.partnership.models import AgencyType, Role
from harbour.testing import agency_event, linked_record, make_agency, make_child, make_staff

pytestmark = pytest.mark.django_db

LSOA = "E01990001"


def section(response, key):
    return next(s for s in response.context["sections"] if s.key == key)


def cells(row):
    return [str(c) for c in row.cells]


@pytest.fixture
def events(analyst):
    """Six girls an emergency department saw after an assault, unknown to the police; six boys
    it saw whom the police saw too, three days later; one girl seen by the police alone."""
    csc = make_agency("hh-csc", AgencyType.CHILDRENS_SOCIAL_CARE)
    ed = make_agency("hh-ed", AgencyType.NHS_TRUST)
    police = make_agency("hh-police", AgencyType.POLICE)
    day = timezone.localdate() - dt.timedelta(days=40)
    children = []
    for n in range(12):
        sex = "F" if n < 6 else "M"
        child = make_child(csc, sex=sex, given_name=f"Hiddenharm{n}", ethnicity="white_british")
        children.append(child)
        seen = agency_event(
            linked_record(child, ed, f"ED-{n}"), day, f"EDA-{n}", kind="ed_attendance",
            role="patient",
        )  # fmt: skip
        seen.lsoa21 = LSOA
        seen.save()
        if sex == "M":
            agency_event(
                linked_record(child, police, f"POL-{n}"),
                day + dt.timedelta(days=3),
                f"INC-{n}",
                kind="incident",
                role="victim",
            )
    alone = make_child(csc, sex="F", given_name="Hiddenharmpolice")
    agency_event(linked_record(alone, police, "POL-A"), day, "INC-A", kind="incident")
    for child in children[:7]:
        Plan.objects.create(
            child=child, plan_type="child_in_need", outcomes="Safe at home", started_on=day
        )
    return children


@pytest.mark.parametrize("role", [Role.ANALYST, Role.STRATEGIC_LEADER])
def test_analysts_and_leaders_see_the_page(client, analyst, role):
    client.force_login(make_staff(analyst.agency, role))
    response = client.get(reverse("insight:hidden-harm"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hidden harm" in page and "Nothing held for this yet" in page


@pytest.mark.parametrize(
    "role", [Role.FRONT_DOOR_PRACTITIONER, Role.LEAD_PRACTITIONER, Role.REFERRER]
)
def test_practitioners_may_not(client, analyst, role):
    client.force_login(make_staff(analyst.agency, role))
    assert client.get(reverse("insight:hidden-harm")).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("insight:hidden-harm"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_the_needs_assessment_links_to_it(client, analyst):
    client.force_login(analyst)
    page = client.get(reverse("insight:needs")).content.decode()
    assert reverse("insight:hidden-harm") in page


def test_violence_health_saw_and_whether_the_police_knew(client, analyst, events):
    client.force_login(analyst)
    response = client.get(reverse("insight:hidden-harm"))
    assert response.status_code == 200
    by_sex = {r.label: cells(r) for r in section(response, "hh-sex").rows}
    # Seen by health: the police did not know, knew too, the share not known; the police's own.
    assert by_sex == {
        "Female": ["6", "0", "100%", "[c]"],
        "Male": ["0", "6", "0%", "[c]"],
    }
    # The one girl known to the police alone is hidden, and so the boys' six (the total, 7,
    # would give her back). Only "did not know" has a total.
    assert cells(section(response, "hh-sex").total) == ["6", "", "", "7"]
    by_area = {r.label: cells(r) for r in section(response, "hh-area").rows}
    assert by_area[LSOA] == ["6", "6", "50%", "0"]
    assert by_area["Not recorded"] == ["0", "0", "–", "7"]
    by_age = section(response, "hh-age")
    assert [r.label for r in by_age.rows] == ["10 to 14", "15 to 17"] or len(by_age.rows) == 1
    page = response.content.decode()
    for child in events:
        assert child.given_name not in page


def test_small_counts_are_hidden_and_never_drawn(client, analyst, events):
    client.force_login(analyst)
    response = client.get(reverse("insight:hidden-harm"))
    found = section(response, "hh-sex")
    police = found.rows[0].cells[3]
    assert police.suppressed and police.true_value == 1
    drawn = {
        (v["label"], v["series"]): v["value"]
        for dataset in found.spec["datasets"].values()
        for v in dataset
    }
    series = [
        "Seen by ED or ambulance: the police did not know",
        "Seen by ED or ambulance: the police knew too",
        "",
        "Violence seen by the police",
    ]
    expected = {
        (row.label, series[i]): cell.true_value
        for row in found.rows
        for i, cell in enumerate(row.cells)
        if series[i] and not cell.suppressed and cell.true_value
    }
    assert drawn == expected
    assert ("Female", "Violence seen by the police") not in drawn
    page = response.content.decode()
    script = page.split('id="hh-sex-spec" type="application/json">')[1].split("</script>")[0]
    assert json.loads(script) == found.spec


def test_girls_across_sources_against_caseloads(client, analyst, events):
    client.force_login(analyst)
    response = client.get(reverse("insight:hidden-harm"))
    rows = {r.label: cells(r) for r in section(response, "hh-girls").rows}
    assert rows["Emergency department or ambulance: violence"] == ["6", "6", "12", "50%"]
    # Six boys and one girl known to the police: the girl is hidden, and so (secondary) are
    # the boys, whom the row's total would give back, and the share.
    assert rows["Police: violence (victim, suspect or arrested)"] == ["[c]", "[c]", "7", "–"]
    assert rows["An open plan"] == ["[c]", "[c]", "7", "–"]
    # All thirteen are in the serious youth violence cohort, the one known only to health too.
    assert rows["In the serious youth violence cohort"] == ["7", "6", "13", "54%"]


def test_the_board_report_has_the_hidden_harm_sheets(client, analyst, events):
    client.force_login(analyst)
    response = client.get(reverse("insight:board-report"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert {"Hidden harm - by sex", "Hidden harm - girls"} <= set(book.sheetnames)
    sheet = book["Hidden harm - by sex"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    female = next(r for r in values if r[0] == "Female")
    assert female[1:5] == [6, 0, "100%", "[c]"]
    exported = AuditEvent.objects.filter(event="insight.exported").latest("pk")
    assert "hidden harm" in exported.detail.get("what", str(exported.detail))
