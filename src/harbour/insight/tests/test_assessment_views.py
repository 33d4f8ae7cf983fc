"""The needs assessment, disproportionality and the board report: who may see them, every count
protected (small ones hidden, in the page, the chart and the Excel), the rates against figures
worked out here, and the report an audited export."""

from __future__ import annotations

import io
import json
import math

import pandas as pd
import pytest
from django.urls import reverse
from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs installed

from harbour.access.models import AuditEvent
from harbour.insight import extracts, services
from harbour.insight.tests.conftest import FIXTURES, fixture_bytes
from harbour.insight.tests.test_assessment_queries import FILES
from harbour.partnership.models import Role
from harbour.testing import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(analyst):
    for name, format_code in FILES:
        run = services.import_file(
            actor=analyst, format_code=format_code, content=fixture_bytes(name), file_name=name
        )
        assert run.status == "imported", (name, run.errors)
    return analyst


def section(response, key):
    return next(s for s in response.context["sections"] if s.key == key)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.STRATEGIC_LEADER])
@pytest.mark.parametrize("name", ["insight:needs", "insight:disproportionality"])
def test_analysts_and_leaders_see_the_pages(client, analyst, role, name):
    client.force_login(make_staff(analyst.agency, role))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "Nothing held for this yet" in response.content.decode()


@pytest.mark.parametrize(
    "role", [Role.FRONT_DOOR_PRACTITIONER, Role.REFERRER, Role.LEAD_PRACTITIONER]
)
@pytest.mark.parametrize(
    "name",
    [
        "insight:needs",
        "insight:disproportionality",
        "insight:board-report",
        "insight:board-report-pdf",
    ],
)
def test_practitioners_may_not(client, analyst, role, name):
    client.force_login(make_staff(analyst.agency, role))
    assert client.get(reverse(name)).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("insight:needs"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_the_needs_assessment_hides_small_counts_in_tables_and_charts(client, stocked):
    client.force_login(stocked)
    response = client.get(reverse("insight:needs"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "January 2024 to February 2024" in page
    frame = pd.read_csv(FIXTURES / "2024-01-riverside-stop-and-search.csv", dtype=str)
    ages = frame["Age range"].value_counts()
    who = section(response, "who-age")
    shown = {row.label: row.cells[0] for row in who.rows}
    assert {label: cell.true_value for label, cell in shown.items()} == ages.to_dict()
    for age, count in ages.items():
        # Small counts are hidden; a larger one may be too (secondary), never shown wrong.
        assert str(shown[age]) == "[c]" if count < 5 else str(shown[age]) in ("[c]", f"{count:,}")
    assert any(str(c) == "[c]" for c in shown.values())
    # The chart draws only what the table publishes.
    spec = who.spec
    drawn = {d["label"]: d["value"] for d in spec["datasets"][next(iter(spec["datasets"]))]}
    assert drawn == {a: c.value for a, c in shown.items() if not c.suppressed}
    # No published total gives a hidden count back: the hidden cells are two or more.
    hidden = [r for r in who.rows if r.cells[0].suppressed]
    assert len(hidden) != 1
    when = section(response, "when")
    assert len(when.rows) == 24 and when.total is None
    assert all(c.suppressed == (0 < c.true_value < 5) for row in when.rows for c in row.cells)
    assert 'id="trend-police-spec"' in page and "web/charts.mjs" in page


def test_the_trend_sets_each_month_beside_the_year_and_its_total(client, stocked):
    client.force_login(stocked)
    trend = section(client.get(reverse("insight:needs")), "trend-police")
    street = pd.concat(
        pd.read_csv(FIXTURES / f"2024-0{m}-riverside-street.csv", dtype=str) for m in (1, 2)
    )
    violent = (
        street[
            street["Crime type"].isin(
                ["Violence and sexual offences", "Robbery", "Possession of weapons"]
            )
        ]
        .groupby("Month")
        .size()
    )
    assert trend.columns == ["2024", "All years"]
    assert [r.label for r in trend.rows] == ["January", "February"]
    assert [r.cells[0].true_value for r in trend.rows] == [violent["2024-01"], violent["2024-02"]]
    assert trend.total.cells[-1].true_value == violent.sum()


def expected_children() -> dict[str, float]:
    lines = (FIXTURES / "TS021-ethnic-group-lsoa-riverside.csv").read_text().splitlines()[6:]
    ethnic = pd.read_csv(io.StringIO("\n".join(line for line in lines if line.strip())))
    ethnic = ethnic[ethnic["mnemonic"].astype(str).str.startswith("E0")].set_index("mnemonic")
    ages = pd.read_csv(FIXTURES / "census2021-ts007a-lsoa.csv").set_index("geography code")
    kids = ages["Age: Aged 10 to 14 years"] + 0.6 * ages["Age: Aged 15 to 19 years"]
    both = ethnic.index.intersection(kids.index)
    share = kids[both] / ethnic.loc[both, "Total: All usual residents"]
    return {
        "white": float((share * ethnic.loc[both, "White"]).sum()),
        "mixed": float((share * ethnic.loc[both, "Mixed or Multiple ethnic groups"]).sum()),
    }


def test_disproportionality_gives_rates_per_thousand_and_hides_what_is_small(client, stocked):
    client.force_login(stocked)
    response = client.get(reverse("insight:disproportionality"))
    assert response.status_code == 200
    searched = section(response, "searched")
    rows = {r.label: r for r in searched.rows}
    children = expected_children()
    # The fixture searched 3 white and 2 mixed children: both hidden, with rate and RRI.
    white = rows["White (reference)"]
    assert str(white.cells[0]) == "[c]" and white.cells[1] == f"{children['white']:,.0f}"
    assert white.cells[2:] == ["[c]"] * 4
    assert rows["Mixed or Multiple ethnic groups"].cells[3] == "[c]"
    assert searched.spec is None  # nothing may be drawn


def test_rates_and_intervals_shown_when_counts_are_large(client, stocked, monkeypatch):
    """Counts large enough to show: the figures against Katz's log interval worked out here."""
    from harbour.insight import selectors

    real = selectors.disproportionality_figures

    def bigger(*, actor):
        figures = real(actor=actor)
        counts = pd.DataFrame({"ethnic_group": ["white", "black", "asian"], "count": [40, 30, 6]})
        return selectors.DisproportionalityFigures(
            population=figures.population,
            stages=[selectors.StageFigures("searched", "Stop and search", counts)],
            months=figures.months,
        )

    monkeypatch.setattr(selectors, "disproportionality_figures", bigger)
    client.force_login(stocked)
    response = client.get(reverse("insight:disproportionality"), {"reference": "white"})
    rows = {r.label: r for r in section(response, "searched").rows}
    population = {r.group_code: r.children for r in real(actor=stocked).population.itertuples()}
    rate_w = 40 / population["white"] * 1000
    rate_b = 30 / population["black"] * 1000
    rr = rate_b / rate_w
    half = 1.959963984540054 * math.sqrt(1 / 30 + 1 / 40)
    black = rows["Black, Black British, Black Welsh, Caribbean or African"]
    assert black.cells[2] == f"{rate_b:,.2f}"
    assert black.cells[3] == f"{rr:,.2f}"
    assert black.cells[4] == f"{rr * math.exp(-half):,.2f} to {rr * math.exp(half):,.2f}"
    assert black.cells[5] == ("Wholly above 1" if rr * math.exp(-half) > 1 else "Includes 1")
    spec = json.dumps(section(response, "searched").spec)
    assert '"type": "log"' in spec


def test_a_reference_group_that_is_not_one_is_named_in_an_error_summary(client, stocked):
    client.force_login(stocked)
    response = client.get(reverse("insight:disproportionality"), {"reference": "purple"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Select one of the five ethnic groups" in page
    assert client.get(reverse("insight:board-report"), {"reference": "purple"}).status_code == 400


def test_the_board_report_is_an_audited_excel_of_the_same_protected_tables(client, stocked):
    leader = make_staff(stocked.agency, Role.STRATEGIC_LEADER)
    client.force_login(leader)
    response = client.get(reverse("insight:board-report"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "About this report"
    ages = book["Who - age"]
    values = {
        r[0]: r[1] for r in ages.iter_rows(min_row=5, values_only=True) if r[0] and r[1] is not None
    }
    client.force_login(stocked)
    page = section(client.get(reverse("insight:needs")), "who-age")
    assert values == {
        row.label: "[c]" if row.cells[0].suppressed else row.cells[0].true_value
        for row in [*page.rows, page.total]
    }
    frame = pd.read_csv(FIXTURES / "2024-01-riverside-stop-and-search.csv", dtype=str)
    for age, count in frame["Age range"].value_counts().items():
        if count < 5:
            assert values[age] == "[c]"
    assert "RRI - stop and search" in book.sheetnames and "When - day and hour" in book.sheetnames
    # The census populations are numbers in Excel, as the page's figures are; hidden ones [c].
    stage = book["RRI - stop and search"]
    rows = {r[0]: r for r in stage.iter_rows(min_row=5, values_only=True) if r[0]}
    white = rows["White (reference)"]
    assert white[1] == "[c]" and isinstance(white[2], int | float) and white[2] > 0
    assert white[3:] == ("[c]",) * 4
    event = AuditEvent.objects.get(event="insight.exported")
    assert (event.actor_id, event.purpose) == (leader.pk, "analysis")
    assert event.detail["recipient"] == leader.get_username()
    assert "board report" in event.detail["what"]


@pytest.mark.parametrize(
    "name", ["insight:needs", "insight:disproportionality", "insight:hidden-harm"]
)
def test_the_pages_are_the_needs_assessment_item_of_the_navigation(client, analyst, name):
    client.force_login(analyst)
    navigation = client.get(reverse(name)).context["service_navigation"]
    assert [i["label"] for i in navigation if i["active"]] == ["Needs assessment"]


def test_harbours_own_stages_count_referrals_of_children_by_ethnic_group(client, stocked):
    """Referrals received for children aged 10 to 17 on the day, by the five-group of the
    ethnicity they give: referred, rated red, decided no further action (countersigned)."""
    import datetime as dt

    from django.utils import timezone

    from harbour.frontdoor.models import Referral, ReferralDecision
    from harbour.partnership.models import ThresholdGuidance

    agency = stocked.agency
    guidance = ThresholdGuidance.objects.create(
        title="Universal",
        level="universal",
        version="1",
        body="b",
        effective_from=dt.date(2024, 1, 1),
    )
    received = timezone.make_aware(dt.datetime(2026, 6, 1, 10, 0))
    plan = [
        # (ethnicity, date of birth, rag, decided no further action)
        *[("black_caribbean", dt.date(2011, 1, 1), "red", False)] * 6,
        *[("black_african", dt.date(2012, 1, 1), "amber", True)] * 5,
        *[("white_british", dt.date(2010, 1, 1), "green", True)] * 7,
        ("white_irish", dt.date(2008, 6, 2), "red", False),  # 17 on the day: counted
        ("white_british", dt.date(2008, 6, 1), "red", False),  # 18 on the day: not
        ("refused", dt.date(2012, 1, 1), "", False),
    ]
    for ethnicity, born, rag, decided_nfa in plan:
        referral = Referral.objects.create(
            front_door=agency,
            referring_agency=agency,
            received_at=received,
            child_date_of_birth=born,
            ethnicity=ethnicity,
            rag=rag,
        )
        if decided_nfa:
            ReferralDecision.objects.create(
                referral=referral,
                outcome="nfa",
                rationale="r",
                threshold=guidance,
                feedback_to_referrer="f",
                decided_by=stocked,
                decided_at=received,
                state="countersigned",
            )
    Referral.objects.create(  # a draft, never received: not counted
        front_door=agency, referring_agency=agency, child_date_of_birth=dt.date(2011, 1, 1)
    )
    client.force_login(stocked)
    # Counted from the store's pseudonymised extracts (ADR 0039): nothing before the first.
    before = client.get(reverse("insight:disproportionality"))
    assert not [s for s in before.context["sections"] if s.key.startswith("harbour-")]
    assert "no extract has run yet" in before.content.decode()
    extracts.run_extract()
    response = client.get(reverse("insight:disproportionality"))
    referred = {r.label: r.cells[0] for r in section(response, "harbour-referred").rows}
    assert referred["Black, Black British, Black Welsh, Caribbean or African"].true_value == 11
    assert referred["White (reference)"].true_value == 8
    assert str(referred["Not stated"]) == "[c]"  # 1, and so hidden
    # The total is published, so one more count is hidden with it (the smallest, White's 8).
    assert str(referred["White (reference)"]) == "[c]"
    assert section(response, "harbour-referred").columns[0] == "Referrals"
    # Its own period (when the referrals arrived), not the store's.
    assert section(response, "harbour-referred").period == "June 2026"
    assert "by ethnic group, June 2026" in response.content.decode()
    red = {r.label: r.cells[0] for r in section(response, "harbour-red").rows}
    assert red["Black, Black British, Black Welsh, Caribbean or African"].true_value == 6
    assert red["White (reference)"].true_value == 1
    nfa = {r.label: r.cells[0] for r in section(response, "harbour-nfa").rows}
    assert nfa["Black, Black British, Black Welsh, Caribbean or African"].true_value == 5
    assert nfa["White (reference)"].true_value == 7
    leader = make_staff(stocked.agency, Role.STRATEGIC_LEADER)
    client.force_login(leader)
    assert client.get(reverse("insight:disproportionality")).status_code == 200
