"""The front-door report publishes no small number (issue 13, part 7): counts of 1 to 4 are
``[c]``, a column that shares out the period's referrals is protected with its total, and a share
or a mean over a hidden group is hidden with it — on the page and in every CSV."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from django.urls import reverse
from django.utils.html import escape

from harbour import disclosure
from harbour.frontdoor import reports
from harbour.frontdoor.codes import Concern
from harbour.frontdoor.reports import Share, Stat, Table
from harbour.frontdoor.tests.factories import sent
from harbour.partnership.models import AgencyType, Role
from harbour.testing import make_agency, make_agreement, make_staff


def _by_agency(counts: dict[str, int]) -> Table:
    return Table(
        "by-agency",
        "By agency",
        ["Agency", "Referrals", "With the child's words", "Mean completeness"],
        [[name, n, Share(n // 2, n), Stat("70", n)] for name, n in counts.items()],
        total_column=1,
    )


def test_a_small_count_takes_another_with_it_and_its_row_is_hidden():
    table = reports.protect(_by_agency({"Police": 10, "School": 8, "Hospital": 2}), below=5)
    shown = {row[0]: [str(c) for c in row[1:]] for row in table.rows}
    assert shown["Police"] == ["10", "50%", "70"]
    # The hospital's 2 is small; with the total published, the next smallest goes too.
    assert shown["Hospital"] == ["[c]", "[c]", "[c]"]
    assert shown["School"] == ["[c]", "[c]", "[c]"]
    assert disclosure.NOTE in table.note


@pytest.mark.parametrize(
    "counts",
    [
        (10, 8, 2),
        (1, 1, 30),
        (3, 0, 12, 7),
        (5, 5, 5),
        (4, 9),
        (2,),
        (0, 0, 6),
    ],
)
def test_no_hidden_count_can_be_worked_out_from_the_total_and_the_rest(counts):
    """The attacker's best: the period's total (published at the top of the report) less the
    counts shown leaves the hidden ones; try every split of it and see if a hidden count has
    only one possible value."""
    table = reports.protect(_by_agency({f"Agency {i}": n for i, n in enumerate(counts)}), below=5)
    total = sum(counts)
    published_total = disclosure.protect_count(total, threshold=5)
    cells = [row[1] for row in table.rows]
    hidden = [i for i, c in enumerate(cells) if c.suppressed]
    for i in hidden:
        assert 0 < counts[i] < 5 or any(0 < counts[j] < 5 for j in hidden), "a needless [c]"
    if published_total.suppressed:
        return  # nothing to subtract from
    left = total - sum(c.true_value for c in cells if not c.suppressed)
    splits = [s for s in itertools.product(range(left + 1), repeat=len(hidden)) if sum(s) == left]
    for k, i in enumerate(hidden):
        possible = {split[k] for split in splits}
        assert counts[i] in possible
        assert len(possible) > 1, f"the hidden count of agency {i} can only be {possible}"


def test_a_share_of_a_small_part_is_hidden_and_zero_is_shown():
    table = Table(
        "concerns",
        "Concerns",
        ["Concern", "Referrals naming it", "Share"],
        [["Missing", 2, Share(2, 40)], ["Knife", 0, Share(0, 40)], ["Violence", 30, Share(30, 40)]],
    )
    shown = {row[0]: [str(c) for c in row[1:]] for row in reports.protect(table, below=5).rows}
    assert shown == {"Missing": ["[c]", "[c]"], "Knife": ["0", "0%"], "Violence": ["30", "75%"]}


@pytest.mark.django_db
def test_the_page_and_the_csv_show_the_same_protected_numbers(client, partnership):
    school = make_agency("school", AgencyType.SCHOOL)
    make_agreement(partnership["csc"], school)
    teacher = make_staff(school, Role.REFERRER)
    for _ in range(6):
        sent(partnership, concerns=[Concern.SERIOUS_YOUTH_VIOLENCE])
    for _ in range(2):
        sent({**partnership, "officer": teacher}, concerns=[Concern.MISSING])
    manager = partnership["manager"]
    report = reports.front_door_report(actor=manager)
    assert str(report.received) == "8"
    agencies = {
        row[0]: [str(c) for c in row[1:]] for row in report.table("completeness-by-agency").rows
    }
    # The school's 2 is small, and 8 less the police's 6 would give it back: both hidden.
    assert agencies[school.name][0] == "[c]"
    assert agencies[partnership["police"].name][0] == "[c]"
    assert all(cell == "[c]" for cell in agencies[school.name])
    concerns = {row[0]: [str(c) for c in row[1:]] for row in report.table("concerns").rows}
    assert concerns[Concern.SERIOUS_YOUTH_VIOLENCE.label] == ["6", "75%"]
    assert concerns[Concern.MISSING.label] == ["[c]", "[c]"]

    client.force_login(manager)
    page = client.get(reverse("frontdoor:report")).content.decode()
    assert escape(disclosure.NOTE) in page
    response = client.get(reverse("frontdoor:report-csv", args=["completeness-by-agency"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert by_name[school.name][0] == "[c]"
    assert by_name[partnership["police"].name][0] == "[c]"
    assert "2" not in {cell for row in rows[1:] for cell in row[1:2]}
