"""The board report in PDF: a real PDF (poppler's tools read it as a reader's viewer would), with
a cover, both parts' sections, each chart drawn from the page's own spec, the same hidden
numbers as the pages, and its download an audited export."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from harbour.access.models import AuditEvent
from harbour.insight import report_pdf
from harbour.insight.tests import test_assessment_views
from harbour.partnership.models import Role
from harbour.testing import make_staff

pytestmark = pytest.mark.django_db
# The store stocked with the fixtures, as the pages' tests stock it.
stocked = test_assessment_views.stocked
section = test_assessment_views.section


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is poppler-utils' (make pdf-tools installs it)"
    return path


def pdf_text(content: bytes, *args: str, layout: bool = True) -> str:
    """The text as poppler reads it: laid out as on the page, or in its reading order."""
    done = subprocess.run(
        [poppler("pdftotext"), *(["-layout"] if layout else []), *args, "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def pdf_pages(content: bytes) -> int:
    done = subprocess.run([poppler("pdfinfo"), "-"], input=content, capture_output=True, check=True)
    pages = re.search(r"^Pages:\s+(\d+)$", done.stdout.decode(), re.M)
    assert pages, done.stdout
    return int(pages.group(1))


@pytest.fixture
def leader(stocked):
    return make_staff(stocked.agency, Role.STRATEGIC_LEADER)


def test_the_board_report_is_a_pdf_of_the_pages_sections_with_their_hidden_numbers(
    client,
    stocked,
    leader,
):
    client.force_login(stocked)
    needs = client.get(reverse("insight:needs"))
    stages = client.get(reverse("insight:disproportionality"))
    client.force_login(leader)
    response = client.get(reverse("insight:board-report-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="harbour-board-report-' in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"%PDF-")
    assert pdf_pages(content) >= 4
    cover = " ".join(pdf_text(content, "-l", "1").split())
    assert "strategic needs assessment, disproportionality and hidden harm" in cover
    assert "January 2024 to February 2024" in cover
    assert "What [c] means" in cover and "a count of 1 to 4" in cover
    text = pdf_text(content)
    flat = " ".join(text.split())
    for page in (needs, stages):
        for part in page.context["sections"]:
            assert part.title in flat, part.title
    # Each age range's line carries the page's cell: hidden there, hidden here.
    ages = section(needs, "who-age")
    hidden = [r for r in ages.rows if r.cells[0].suppressed]
    shown = [r for r in ages.rows if not r.cells[0].suppressed]
    assert hidden and shown
    lines = text.splitlines()
    for row in ages.rows:
        # The chart's axis may share the line; the table's row ends it.
        found = [re.search(rf"(?:^|\s){re.escape(row.label)}\s+(\S+)$", x) for x in lines]
        assert [m.group(1) for m in found if m] == [str(row.cells[0])], row.label
    # The white group's searches are hidden on the page, and so here with its rate and RRI.
    white = next(x for x in lines if x.strip().startswith("White (reference)"))
    assert white.split().count("[c]") >= 4
    # Each chart is drawn, with its title: a section's title is in the contents, its heading and
    # its table's caption, and once more where the page has a chart.
    read = " ".join(pdf_text(content, layout=False).split())
    drawn = 0
    for page in (needs, stages):
        for part in page.context["sections"]:
            assert read.count(part.title) == (4 if part.spec else 3), part.title
            drawn += part.spec is not None
    assert drawn >= 5
    event = AuditEvent.objects.get(event="insight.exported")
    assert (event.actor_id, event.purpose) == (leader.pk, "analysis")
    assert event.detail["recipient"] == leader.get_username()
    assert "board report in PDF" in event.detail["what"]


def test_the_reference_group_is_the_chosen_one_and_a_wrong_one_refused(client, stocked):
    client.force_login(stocked)
    assert client.get(reverse("insight:board-report-pdf"), {"reference": "x"}).status_code == 400
    response = client.get(reverse("insight:board-report-pdf"), {"reference": "asian"})
    assert response.status_code == 200
    assert "compared with Asian" in " ".join(pdf_text(response.content).split())


def test_an_empty_store_still_makes_a_report_that_says_so(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("insight:board-report-pdf"))
    assert response.content.startswith(b"%PDF-")
    text = " ".join(pdf_text(response.content).split())
    assert "No data held yet" in text and "Nothing held for this yet" in text


def test_the_chart_drawn_is_the_pages_spec_with_a_width_and_its_data_unchanged(stocked):
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": [{"label": "a", "value": 7}, {"label": "b", "value": 12}]},
        "mark": "bar",
        "encoding": {
            "y": {"field": "label", "type": "nominal"},
            "x": {"field": "value", "type": "quantitative"},
        },
        "width": "container",
    }
    fixed = report_pdf._static(spec, 300)
    assert fixed["width"] == 300 and fixed["data"] == spec["data"]
    titled = report_pdf._static({**spec, "title": "A title long enough to go over two lines"}, 200)
    assert titled["title"] == {"text": ["A title long enough to go", "over two lines"]}
    assert spec["width"] == "container"  # the page's own spec is left as it was
    svg = report_pdf.chart_svg(spec, width=300)
    assert svg.startswith("<svg") and ">12<" in svg
