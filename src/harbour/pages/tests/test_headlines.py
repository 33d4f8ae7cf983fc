"""The home page for leaders, analysts and panel chairs: their headline figures, every count
protected (small ones hidden), each with what changed since they last looked; referrals by month
as a chart beside its table. Everyone else's home page is as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.frontdoor.models import Referral, ReferralDecision
from harbour.pages import headlines
from harbour.pages.models import HomeVisit
from harbour.partnership.models import AgencyType, Role, ThresholdGuidance
from harbour.testing import make_agency, make_staff

pytestmark = pytest.mark.django_db

HEADLINE_ROLES = [Role.STRATEGIC_LEADER, Role.ANALYST, Role.PANEL_CHAIR]
OTHER_ROLES = [
    Role.REFERRER,
    Role.FRONT_DOOR_PRACTITIONER,
    Role.FRONT_DOOR_MANAGER,
    Role.LEAD_PRACTITIONER,
    Role.DATA_PROTECTION_OFFICER,
    Role.ADMINISTRATOR,
]


@pytest.fixture
def agency():
    return make_agency("headlines-la", AgencyType.CHILDRENS_SOCIAL_CARE)


def receive(agency, n, when=None):
    when = when or timezone.now()
    return [
        Referral.objects.create(front_door=agency, referring_agency=agency, received_at=when)
        for _ in range(n)
    ]


def figure(response, key):
    return next(f for f in response.context["headlines"].figures if f.key == key)


@pytest.mark.parametrize("role", HEADLINE_ROLES)
def test_leaders_analysts_and_panel_chairs_see_their_headline_figures(client, agency, role):
    receive(agency, 7)
    client.force_login(make_staff(agency, role))
    response = client.get(reverse("pages:home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Headline figures" in page and "Referrals received by month" in page
    assert figure(response, "referrals-this-month").shown == "7"
    keys = [f.key for f in response.context["headlines"].figures]
    assert keys[:5] == [
        "referrals-this-month",
        "decided-in-time",
        "flags-open",
        "cohort",
        "rapid-open",
    ]
    # The store's freshness is for those who read the store, not panel chairs.
    assert ("store-newest" in keys) == (role != Role.PANEL_CHAIR)
    assert "first time you have looked" in page
    assert HomeVisit.objects.filter(staff__role=role).count() == 1


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_everyone_elses_home_page_is_their_own_work(client, agency, role):
    receive(agency, 7)
    client.force_login(make_staff(agency, role))
    response = client.get(reverse("pages:home"))
    assert response.status_code == 200
    assert response.context["headlines"] is None
    assert "Headline figures" not in response.content.decode()
    assert not HomeVisit.objects.exists()
    with pytest.raises(policy.Forbidden):
        headlines.figures(make_staff(agency, role))


def test_small_counts_are_hidden_in_the_figures_the_table_and_the_chart(client, agency):
    now = timezone.now()
    first = now.replace(day=1)
    last_month = timezone.localtime(first - dt.timedelta(days=2))
    receive(agency, 3)  # this month: hidden
    receive(agency, 12, last_month)
    client.force_login(make_staff(agency, Role.STRATEGIC_LEADER))
    response = client.get(reverse("pages:home"))
    assert figure(response, "referrals-this-month").shown == "[c]"
    assert figure(response, "referrals-this-month").value is None
    months = response.context["headlines"].months
    assert [str(c) for _, c in months[-2:]] == ["12", "[c]"]
    assert len(months) == headlines.MONTHS
    drawn = response.context["headlines"].spec
    data = drawn["datasets"][next(iter(drawn["datasets"]))]
    assert {d["month"]: d["value"] for d in data} == {
        label: cell.value for label, cell in months if not cell.suppressed
    }
    assert months[-1][0] not in {d["month"] for d in data}
    # Every month is on the axis, a hidden one as a gap.
    assert len(drawn["encoding"]["x"]["scale"]["domain"]) == headlines.MONTHS
    page = response.content.decode()
    assert 'id="referrals-by-month-table"' in page and "referrals-by-month-spec" in page


def test_the_share_decided_in_time_hides_what_would_give_back_a_small_count(agency):
    leader = make_staff(agency, Role.STRATEGIC_LEADER)
    guidance = ThresholdGuidance.objects.create(
        title="U", level="universal", version="1", body="b", effective_from=dt.date(2024, 1, 1)
    )
    now = timezone.now()

    def decide(n, hours_early):
        for referral in receive(agency, n, now - dt.timedelta(days=2)):
            Referral.objects.filter(pk=referral.pk).update(
                decision_due_at=now - dt.timedelta(hours=1) + dt.timedelta(hours=hours_early)
            )
            ReferralDecision.objects.create(
                referral=referral,
                outcome="nfa",
                rationale="r",
                threshold=guidance,
                feedback_to_referrer="f",
                decided_by=leader,
                decided_at=now - dt.timedelta(hours=2),
                countersigned_at=now - dt.timedelta(hours=1),
                state="countersigned",
            )

    decide(8, hours_early=5)  # countersigned before it was due
    decide(2, hours_early=-5)  # after: only 2 late, which 8 of 10 would give back
    shown = next(f for f in headlines.figures(leader).figures if f.key == "decided-in-time")
    assert (shown.shown, shown.value) == ("[c]", None)
    assert shown.detail.startswith("[c] of 10 decisions")  # 8 hidden too: 10 less 8 is 2
    decide(6, hours_early=-5)
    shown = next(f for f in headlines.figures(leader).figures if f.key == "decided-in-time")
    assert (shown.shown, shown.value) == ("50%", 50)
    assert shown.detail.startswith("8 of 16 decisions")


def test_each_figure_says_what_changed_since_the_person_last_looked(client, agency):
    leader = make_staff(agency, Role.STRATEGIC_LEADER)
    client.force_login(leader)
    receive(agency, 10)
    client.get(reverse("pages:home"))
    # Looked at an hour ago; since then, six more referrals.
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    HomeVisit.objects.filter(staff=leader).update(looked_at=an_hour_ago)
    receive(agency, 6)
    response = client.get(reverse("pages:home"))
    assert figure(response, "referrals-this-month").change == "Up 6 since you last looked"
    assert figure(response, "flags-open").change == "No change since you last looked"
    # No decisions then or now: nothing hidden, nothing to compare.
    assert figure(response, "decided-in-time").change == "None now or when you last looked"
    assert response.context["headlines"].last_looked == an_hour_ago
    page = response.content.decode()
    assert "Changes are since you last looked, on" in page
    # Reloading within the same sitting keeps comparing with the look before it.
    receive(agency, 1)
    again = client.get(reverse("pages:home"))
    assert figure(again, "referrals-this-month").change == "Up 7 since you last looked"
    # A figure hidden then or now cannot be compared.
    visit = HomeVisit.objects.get(staff=leader)
    visit.before["referrals-this-month"].update(value=None, shown="[c]")
    visit.save()
    hidden = client.get(reverse("pages:home"))
    assert figure(hidden, "referrals-this-month").change.startswith("Cannot be compared")


def test_a_figure_for_another_month_is_not_compared(agency):
    leader = make_staff(agency, Role.STRATEGIC_LEADER)
    now = timezone.now()
    shown = headlines.figures(leader, now)
    headlines.look(leader, shown, now - dt.timedelta(days=40))
    HomeVisit.objects.filter(staff=leader).update(
        figures={"referrals-this-month": {"value": 30, "period": "January 2001"}}
    )
    changed = headlines.look(leader, headlines.figures(leader, now), now)
    first = changed.figures[0]
    assert first.change == "A new month has begun since you last looked"
    assert changed.figures[1].change == "New since you last looked"


def test_one_persons_looks_are_not_anothers(client, agency):
    one, other = (make_staff(agency, Role.STRATEGIC_LEADER) for _ in range(2))
    client.force_login(one)
    client.get(reverse("pages:home"))
    HomeVisit.objects.filter(staff=one).update(looked_at=timezone.now() - dt.timedelta(hours=2))
    client.force_login(other)
    response = client.get(reverse("pages:home"))
    assert response.context["headlines"].last_looked is None
    assert HomeVisit.objects.count() == 2
