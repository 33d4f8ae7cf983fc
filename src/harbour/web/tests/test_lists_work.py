"""Every list page can be worked (issue 12, part 4; ADR 0031): it comes a page at a time with
GOV.UK pagination, a page past the end or a nonsense page number gives a real page, a filter
selects exactly the rows it should, and a filter that matches nothing says so and offers to clear
the filters.

The pages are not a hand list: the test walks the URL conf (``url_patterns``, as
``test_child_data_audited`` does) and every named URL is either in ``LIST_PAGES`` — with who works
it, how to make its rows (``total`` rows of which ``marked`` match the filter) and the filter —
or in ``NOT_A_WORKED_LIST`` with the reason it is not a list that grows without bound. A URL added
later and not classified fails ``test_every_url_is_classified``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from harbour.access.audit import audit_record
from harbour.access.models import BreakGlassGrant, RelationshipKind
from harbour.children.codes import AssessmentKind, AssessmentStatus
from harbour.children.models import Assessment, Child
from harbour.frontdoor.codes import RapidStatus, Status, Urgency
from harbour.frontdoor.models import Notification, RapidResponse, Referral
from harbour.identity import flags
from harbour.identity.models import (
    FlagRule,
    HarmFlag,
    HeldRecord,
    NeedsDiscrepancy,
    Person,
    ReviewPair,
    SourceRecord,
)
from harbour.insight.models import Alert, AlertAction, AlertCheck, AlertMeasure
from harbour.notices.models import Notice
from harbour.partnership.models import AgencyType, Role, Team
from harbour.testing import (
    agency_event,
    hold_record,
    linked_record,
    make_agency,
    make_agreement,
    make_child,
    make_staff,
    relate,
)
from harbour.web import lists
from harbour.web.tests.test_child_data_audited import url_patterns

pytestmark = pytest.mark.django_db

World = dict[str, Any]


@dataclass(frozen=True)
class ListPage:
    """Who works the list, how to make ``total`` of its rows of which ``marked`` match
    ``filter``, and how many rows a page holds."""

    who: str
    make: Callable[[World, int, int], None]
    filter: Callable[[World], dict[str, str]]
    per_page: int = lists.PER_PAGE


def _today() -> dt.date:
    return timezone.localdate()


def _born(age: int) -> dt.date:
    """A date of birth that makes a child ``age`` today (half a year past the birthday)."""
    return lists.years_before(_today(), age) - dt.timedelta(days=180)


# How each list's rows are made ----------------------------------------------------------------


def _referrals(w: World, total: int, marked: int) -> None:
    now = timezone.now()
    Referral.objects.bulk_create(
        Referral(
            reference=f"FD-2026-{n:06d}",
            status=Status.RECEIVED,
            front_door=w["csc"],
            referring_agency=w["police"],
            received_at=now - dt.timedelta(hours=n),
            child_given_name="Child",
            child_family_name=f"Number{n}",
            urgency=Urgency.IMMEDIATE if n < marked else Urgency.ROUTINE,
            rag_due_at=now + dt.timedelta(hours=24 - n),
            decision_due_at=now + dt.timedelta(hours=30 - n),
        )
        for n in range(total)
    )


def _sent_by_officer(w: World, total: int, marked: int) -> None:
    """The officer's own sent referrals (``marked`` of them closed), and a draft, which the page
    shows above the list and never counts in it."""
    now = timezone.now()
    Referral.objects.bulk_create(
        Referral(
            reference=f"FD-2026-{n:06d}" if n < total else "",
            status=Status.DRAFT if n == total else Status.CLOSED if n < marked else Status.RECEIVED,
            front_door=w["csc"],
            referring_agency=w["police"],
            referrer=w["officer"],
            received_at=None if n == total else now - dt.timedelta(hours=n),
            child_given_name="Child",
            child_family_name=f"Number{n}",
        )
        for n in range(total + 1)
    )


def _messages(w: World, total: int, marked: int) -> None:
    """Messages to the officer about referrals, ``marked`` of them unread."""
    now = timezone.now()
    for n in range(total):
        message = Notification.objects.create(
            recipient=w["officer"],
            message=f"Referral FD-2026-{n:06d} has been received",
            read_at=None if n < marked else now,
        )
        Notification.objects.filter(pk=message.pk).update(created_at=now - dt.timedelta(minutes=n))


def _worked_children(w: World) -> tuple[Child, Child]:
    """Two children the front door works with: one 16 (the filter's), one 12."""
    older = make_child(w["csc"], date_of_birth=_born(16))
    younger = make_child(w["csc"], date_of_birth=_born(12))
    for child in (older, younger):
        hold_record(child, w["csc"])
    return older, younger


def _flags(w: World, total: int, marked: int) -> None:
    flags.seed_example_rules()
    rule = FlagRule.objects.filter(is_current=True).earliest("pk")
    older, younger = _worked_children(w)
    for n in range(total):
        child = older if n < marked else younger
        record = linked_record(child, w["police"], f"F{n}")
        event = agency_event(record, _today() - dt.timedelta(days=n % 20), f"EV-{n}")
        HarmFlag.objects.create(
            rule=rule,
            person=Person.objects.get(child=child),
            child=child,
            anchor=event,
            evidence=[],
            explanation="Two incidents of violence in two days",
        )


def _needs(w: World, total: int, marked: int) -> None:
    older, younger = _worked_children(w)
    NeedsDiscrepancy.objects.bulk_create(
        NeedsDiscrepancy(
            child=older if n < marked else younger,
            kind="mental_health",
            lacking_key=f"record:{n}",
            lacking_label="Riverside Academy",
            holders=[{"agency": "Agency police", "recorded_on": "2026-03-04"}],
        )
        for n in range(total)
    )


def _record(w: World, agency: str, source_id: str) -> SourceRecord:
    return SourceRecord.objects.create(
        agency=w[agency], source_system="test", source_id=source_id, as_of=dt.date(2026, 1, 1)
    )


def _pairs(w: World, total: int, marked: int) -> None:
    for n in range(total):
        ReviewPair.objects.create(
            record_l=_record(w, "csc", f"L{n}"),
            record_r=_record(w, "police", f"R{n}"),
            match_probability=0.6 + n / 1000,
            needs_nhs_override=n < marked,
        )


def _held(w: World, total: int, marked: int) -> None:
    for n in range(total):
        HeldRecord.objects.create(
            source_record=_record(w, "police" if n < marked else "csc", f"H{n}"),
            reason="No usable name",
        )


def _attention(w: World, total: int, marked: int) -> None:
    """Children the lead practitioner works with: the marked ones 12 and waiting two years for
    an assessment, the rest turning 18 within the year with no transition plan."""
    for n in range(total):
        young = n < marked
        child = make_child(w["csc"], date_of_birth=_born(12 if young else 17))
        relate(child, w["lead"], RelationshipKind.LEAD_PRACTITIONER)
        if young:
            Assessment.objects.create(
                child=child,
                kind=AssessmentKind.NEURODEVELOPMENTAL,
                referred_on=_today() - dt.timedelta(days=730),
                status=AssessmentStatus.WAITING,
                recorded_by_agency=w["csc"],
            )


def _break_glass(w: World, total: int, marked: int) -> None:
    child = make_child(w["police"])
    now = timezone.now()
    BreakGlassGrant.objects.bulk_create(
        BreakGlassGrant(
            child=child,
            staff=w["officer"] if n < marked else w["practitioner"],
            reason="Stabbed last night; checking who is around him",
            granted_at=now - dt.timedelta(hours=n),
            expires_at=now + dt.timedelta(hours=1),
        )
        for n in range(total)
    )


def _audit_events(w: World, total: int, marked: int) -> None:
    for n in range(total):
        audit_record(
            actor=w["officer"] if n < marked else w["practitioner"],
            event="referral.viewed",
            detail={"n": n},
        )


def _staff(w: World, total: int, marked: int) -> None:
    school = w["school"]
    for n in range(total):
        make_staff(school if n < marked else w["csc"], Role.REFERRER)


def _rapid(w: World, total: int, marked: int) -> None:
    record = _record(w, "police", "RR")
    now = timezone.now()
    for n in range(total):
        incident = agency_event(record, _today(), f"SI-{n}", severity=4)
        RapidResponse.objects.create(
            reference=f"RR-2026-{n:04d}",
            incident=incident,
            front_door=w["csc"],
            opened_by=w["practitioner"],
            opened_at=now - dt.timedelta(hours=n),
            convene_by=now + dt.timedelta(hours=24),
            status=RapidStatus.CLOSED if n < marked else RapidStatus.OPEN,
        )


def _notices(w: World, total: int, marked: int) -> None:
    child = make_child(w["csc"])
    record = _record(w, "police", "NOTICE")
    now = timezone.now()
    for n in range(total):
        Notice.objects.create(
            recipient=w["practitioner"],
            event=agency_event(record, _today(), f"N-{n}"),
            child=child,
            text="Riverside Police has recorded a new event about a child you work with",
            created_at=now - dt.timedelta(minutes=n),
            read_at=None if n < marked else now,
        )


def _alerts(w: World, total: int, marked: int) -> None:
    """Alerts of the monthly check (ADR 0034), ``marked`` of them with no action recorded."""
    w["leader"] = make_staff(w["csc"], Role.STRATEGIC_LEADER)
    measure = AlertMeasure.objects.get_or_create(series="children_searched_share")[0]
    run = AlertCheck.objects.create(month="2026-10")
    for n in range(total):
        alert = Alert.objects.create(
            measure=measure,
            check_run=run,
            key=f"group-{n}",
            key_label=f"Group {n}",
            month=f"{2000 + n // 12:04d}-{n % 12 + 1:02d}",
            observed=20,
            expected=8.0,
            probability=0.0005,
            method="poisson",
            threshold=0.001,
            look_back=12,
        )
        if n >= marked:
            AlertAction.objects.create(
                alert=alert,
                action="Asked why",
                taken_on=_today(),
                taken_by="A leader",
                recorded_by=w["leader"],
            )


# The registry ----------------------------------------------------------------------------------

LIST_PAGES: dict[str, ListPage] = {
    "frontdoor:queue": ListPage(
        "practitioner", _referrals, lambda w: {"urgency": Urgency.IMMEDIATE}, per_page=50
    ),
    "identity:flags": ListPage("practitioner", _flags, lambda w: {"age": "16_17"}),
    "identity:needs": ListPage("practitioner", _needs, lambda w: {"age": "16_17"}),
    "identity:review-queue": ListPage("practitioner", _pairs, lambda w: {"nhs": "differ"}),
    "identity:held": ListPage("practitioner", _held, lambda w: {"agency": str(w["police"].pk)}),
    "children:attention": ListPage("lead", _attention, lambda w: {"reason": "assessment"}),
    "access:break-glass-queue": ListPage(
        "dpo", _break_glass, lambda w: {"agency": str(w["police"].pk)}
    ),
    "access:audit-trail": ListPage(
        "dpo", _audit_events, lambda w: {"person": str(w["officer"].pk)}, per_page=50
    ),
    "partnership:staff-list": ListPage(
        "admin", _staff, lambda w: {"agency": str(w["school"].pk)}, per_page=50
    ),
    "frontdoor:rapid-responses": ListPage(
        "practitioner", _rapid, lambda w: {"status": RapidStatus.CLOSED}
    ),
    "notices:list": ListPage("practitioner", _notices, lambda w: {"shown": "unread"}),
    "frontdoor:notifications": ListPage("officer", _messages, lambda w: {"shown": "unread"}),
    "frontdoor:home": ListPage("officer", _sent_by_officer, lambda w: {"status": Status.CLOSED}),
    "insight:alerts": ListPage("leader", _alerts, lambda w: {"state": "open"}),
}

_ITEM = "one item, or a form about one item: not a list"
_POST = "POST only: a write that answers with a redirect, never a list"
_RULES = "the partnership's own settings, a handful set by administrators, shown whole"
_REPORT = "a report of aggregate figures in tables of fixed size, not items to work through"
_CHILD = "one child's own items, on that child's page: as many as one child has, shown whole"
_FILE = "a download or an upload, not a page"
NOT_A_WORKED_LIST: dict[str, str] = {
    "pages:home": "the start page: links to each list, with their counts",
    "web:sign-in": _ITEM,
    "web:sign-out": _POST,
    "web:accessibility": "a statement",
    "web:password-reset": _ITEM,
    "web:password-reset-sent": "a message",
    "web:password-reset-confirm": _ITEM,
    "web:password-reset-complete": "a message",
    "web:privacy": "a notice",
    "children:search": "a search: at most the closest matches to what was asked, never a list "
    "to work through",
    "children:cohort-report": _REPORT,
    "children:summary": _ITEM,
    "children:chronology": _CHILD,
    "children:break-glass": _ITEM,
    "children:record-change": _ITEM,
    "children:plan-action-add": _ITEM,
    "children:plan-review-add": _ITEM,
    "children:plan-action-change": _ITEM,
    "children:plan-action-status": _POST,
    "children:need-end": _ITEM,
    "children:assessment-close": _ITEM,
    "pages:child-access-log": _CHILD,
    "access:break-glass-review": _ITEM,
    "access:access-alert": _ITEM,
    "access:audit-trail-csv": _FILE,
    "access:audit-chain-check": _POST,
    "frontdoor:start": _ITEM,
    "frontdoor:detail": _ITEM,
    "frontdoor:find-child": _ITEM,
    "frontdoor:choose-child": _POST,
    "frontdoor:check": _ITEM,
    "frontdoor:sent": _ITEM,
    "frontdoor:escalate": _ITEM,
    "frontdoor:question": _ITEM,
    "frontdoor:allocate": _POST,
    "frontdoor:oversight": "what is pressing at the front door today: overdue, escalated and "
    "waiting to be countersigned, each list bounded by its clock",
    "frontdoor:resolve-escalation": _ITEM,
    "frontdoor:rate": _ITEM,
    "frontdoor:decide": _ITEM,
    "frontdoor:reopen": _ITEM,
    "frontdoor:countersign": _ITEM,
    "frontdoor:confirm-child": _ITEM,
    "frontdoor:meeting-convene": _ITEM,
    "frontdoor:meeting": _ITEM,
    "frontdoor:meeting-record": _ITEM,
    "frontdoor:meeting-action-add": _ITEM,
    "frontdoor:audits": "the front door's audits of referrals: a few a quarter",
    "frontdoor:audit-add": _ITEM,
    "frontdoor:audit": _ITEM,
    "frontdoor:audit-case": _ITEM,
    "frontdoor:report": _REPORT,
    "frontdoor:report-csv": _FILE,
    "frontdoor:rapid-incident": _ITEM,
    "frontdoor:rapid-response": _ITEM,
    "frontdoor:rapid-response-record": _ITEM,
    "frontdoor:rapid-response-contact": _ITEM,
    "frontdoor:rapid-response-close": _POST,
    "frontdoor:rules": _RULES,
    "frontdoor:rule-edit": _ITEM,
    "frontdoor:service-level-edit": _ITEM,
    "frontdoor:clock-level-edit": _ITEM,
    "frontdoor:working-hours-edit": _ITEM,
    "frontdoor:bank-holiday-add": _ITEM,
    "frontdoor:bank-holiday-remove": _POST,
    "identity:review-pair": _ITEM,
    "identity:person": _ITEM,
    "identity:person-merge": _ITEM,
    "identity:person-split": _ITEM,
    "identity:held-record": _ITEM,
    "identity:allocate": _POST,
    "identity:import": _FILE,
    "identity:events-import": _FILE,
    "identity:associates": _CHILD,
    "identity:child-needs": _CHILD,
    "identity:child-flags": _CHILD,
    "identity:flag-rules": _RULES,
    "identity:flag-rule-edit": _ITEM,
    "identity:flag-rule-switch": _POST,
    "insight:store": "what the analytical store holds: one row per source table",
    "insight:store-csv": _FILE,
    "insight:import": _FILE,
    "insight:import-run": _ITEM,
    "insight:needs": _REPORT,
    "insight:disproportionality": _REPORT,
    "insight:hidden-harm": _REPORT,
    "insight:board-report": _FILE,
    "insight:board-report-pdf": _FILE,
    "insight:alert": _ITEM,
    "insight:alert-measures": "the measures the monthly check can watch: five, shown whole",
    "insight:alert-measure": _ITEM,
    "language:home": _ITEM,
    "language:check": _POST,
    "language:report": _REPORT,
    "language:report-csv": _FILE,
    "language:rules": _RULES,
    "language:rule-add": _ITEM,
    "language:rule-switch": _POST,
    "language:rule-edit": _ITEM,
    "language:rule-delete": _ITEM,
    "limits:education-limit-list": _RULES,
    "limits:education-limit-edit": _ITEM,
    "partnership:home": "links to the partnership's administration",
    "partnership:agency-list": "the partnership's agencies: a few dozen, shown whole",
    "partnership:agency-add": _ITEM,
    "partnership:agency-detail": _ITEM,
    "partnership:agency-edit": _ITEM,
    "partnership:team-add": _ITEM,
    "partnership:team-edit": _ITEM,
    "partnership:staff-add": _ITEM,
    "partnership:staff-edit": _ITEM,
    "partnership:staff-change-list": "changes to access waiting for a second administrator, "
    "and the latest decided",
    "partnership:staff-change-detail": _ITEM,
    "partnership:staff-change-withdraw": _POST,
    "partnership:agreement-list": "the partnership's information-sharing agreements: a few "
    "dozen, shown whole",
    "partnership:agreement-add": _ITEM,
    "partnership:agreement-detail": _ITEM,
    "partnership:agreement-edit": _ITEM,
    "partnership:threshold-list": _RULES,
    "partnership:threshold-add": _ITEM,
    "partnership:threshold-detail": _ITEM,
    "partnership:threshold-edit": _ITEM,
    "api:api-root": "the API's front page",
    "api:openapi-json": _FILE,
    "api:openapi-view": "the API's documentation",
    "api:person-numbers": "paged for machines by a cursor (after, size; "
    "identity/tests/test_numbers.py), not a page people work through",
    "api:problem-type": _ITEM,
    "api:referral-receive": _POST,
    "api:referral-bulk": _POST,
    "api:referral-status": _ITEM,
    "api:events-receive": _POST,
    "notices:open": _POST.replace("POST only", "GET that marks one notice read"),
    "notices:settings": _ITEM,
    "identity:events-import-run": "one import's progress and outcome",
    "identity:record-start": "the forms an agency without a feed may use: a few, shown whole",
    "identity:record-form": _ITEM,
    "identity:record-check": _ITEM,
    "identity:record-done": _ITEM,
    "api:needs-receive": _POST,
}


# Lists made before ``web/list_count.html`` that say how many in their own words.
OWN_COUNT = {"frontdoor:queue", "access:audit-trail", "partnership:staff-list"}


def test_every_url_is_classified() -> None:
    patterns = set(url_patterns())
    unclassified = patterns - set(LIST_PAGES) - set(NOT_A_WORKED_LIST)
    assert unclassified == set(), (
        "These URLs are not classified. If the page lists things that can grow (referrals, "
        "flags, records, people, events), give it GOV.UK pagination and filters "
        "(harbour.web.lists) and add it to LIST_PAGES with how to make its rows; otherwise add "
        "it to NOT_A_WORKED_LIST with the reason it is not such a list."
    )
    assert set(LIST_PAGES) & set(NOT_A_WORKED_LIST) == set(), "a URL is both"
    assert (set(LIST_PAGES) | set(NOT_A_WORKED_LIST)) - patterns == set(), "these name no URL"


@pytest.fixture
def world(db: Any) -> World:
    csc = make_agency("csc", AgencyType.CHILDRENS_SOCIAL_CARE)
    Team.objects.create(agency=csc, name="Front Door (MASH)", is_front_door=True)
    police = make_agency("police", AgencyType.POLICE)
    school = make_agency("school", AgencyType.SCHOOL)
    make_agreement(csc, police, categories=["identity", "family", "ethnicity", "criminal_justice"])
    return {
        "csc": csc,
        "police": police,
        "school": school,
        "practitioner": make_staff(csc, Role.FRONT_DOOR_PRACTITIONER),
        "manager": make_staff(csc, Role.FRONT_DOOR_MANAGER),
        "lead": make_staff(csc, Role.LEAD_PRACTITIONER),
        "officer": make_staff(police, Role.REFERRER),
        "dpo": make_staff(csc, Role.DATA_PROTECTION_OFFICER),
        "admin": make_staff(csc, Role.ADMINISTRATOR),
    }


def _get(client: Client, name: str, **params: str) -> Any:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, (name, params, response.status_code)
    return response


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_the_list_paginates(world: World, client: Client, name: str) -> None:
    spec = LIST_PAGES[name]
    spec.make(world, spec.per_page + 3, 2)
    client.force_login(world[spec.who])
    first = _get(client, name)
    page = first.context["page_obj"]
    assert page.number == 1 and len(page.object_list) == spec.per_page
    pages = page.paginator.num_pages
    assert pages >= 2 and page.paginator.count >= spec.per_page + 3
    body = first.content.decode()
    assert 'class="govuk-pagination"' in body and 'aria-current="page"' in body
    if name not in OWN_COUNT:
        assert f"Showing 1 to {spec.per_page} of {page.paginator.count}" in body
    second = _get(client, name, page="2").context["page_obj"]
    assert second.number == 2 and len(second.object_list) > 0
    assert {id(r) for r in second.object_list} != {id(r) for r in page.object_list}
    # A page past the end is the last page; a nonsense page number is the first.
    assert _get(client, name, page="999").context["page_obj"].number == pages
    assert _get(client, name, page="nonsense").context["page_obj"].number == 1


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_the_list_filters(world: World, client: Client, name: str) -> None:
    spec = LIST_PAGES[name]
    spec.make(world, 6, 2)
    client.force_login(world[spec.who])
    everything = _get(client, name).context["page_obj"].paginator.count
    filtered = _get(client, name, **spec.filter(world))
    assert filtered.context["page_obj"].paginator.count == 2 < everything
    assert "Clear filters" in filtered.content.decode()


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_a_filter_that_matches_nothing_says_so(world: World, client: Client, name: str) -> None:
    spec = LIST_PAGES[name]
    spec.make(world, 3, 0)
    client.force_login(world[spec.who])
    response = _get(client, name, **spec.filter(world))
    body = response.content.decode()
    assert response.context["page_obj"].paginator.count == 0
    assert "Clear filters" in body and "match" in body


def test_the_shared_pieces_handle_any_page_number() -> None:
    rows = list(range(60))
    assert lists.paginate(rows, None).number == 1
    assert lists.paginate(rows, "-3").number == 3  # the last page, as Django's get_page does
    assert list(lists.paginate(rows, 3)) == list(range(50, 60))
    context = lists.page_context(lists.paginate(rows, 2, per_page=5))
    assert context["page_range"][0] == 1 and context["page_obj"].number == 2


def test_age_bands_count_whole_years_on_today() -> None:
    today = dt.date(2026, 12, 7)
    after, by = lists.born_in_band("16_17", today) or (None, None)
    assert after == dt.date(2008, 12, 7) and by == dt.date(2010, 12, 7)
    assert lists.born_in_band("nonsense", today) is None
    assert lists.years_before(dt.date(2028, 2, 29), 1) == dt.date(2027, 2, 28)
