"""Every page that can show a child's data writes one access event for each child it shows, in
the same transaction, and shows nothing when the event cannot be written (ADR 0004).

The pages are not a hand list: the test walks the URL conf (``get_resolver()``), and every
pattern is either in ``PAGES`` — which says how to fill its arguments from one rich synthetic
world (``child_data_world``) and who opens it — or in ``NO_CHILD_DATA`` with the reason it never
shows a child. An unclassified pattern fails ``test_every_url_is_classified``, so a page added
later cannot escape.

For each visit the test finds which of the world's children the answer shows — by full name,
by first name (each is unique and synthetic), by any alias, or by their record id in a link or a
choice — and asserts that the events the request wrote name exactly those children (and those the
page reads without naming, declared in ``about``), all with the response's request id and the
viewer as actor. Then it asks again with the audit write failing: the answer is 503 and names no
child."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from harbour.access.models import AuditEvent
from harbour.children.views import RECORD_FORMS
from harbour.frontdoor import forms as frontdoor_forms
from harbour.frontdoor import reports
from harbour.partnership.models import Staff
from harbour.web.tests.child_data_world import World, build_world

# What each URL shows --------------------------------------------------------------------------

API = "system:police"  # the police's custody system, with its bearer token


@dataclass(frozen=True)
class Visit:
    """One GET of a page by one viewer. ``about``: children the page reads and audits without
    naming them (a form captioned with a referral's reference). ``shows``: False for pages that
    must name no child at all (aggregates, lists without names)."""

    viewer: str
    kwargs: dict[str, Any]
    query: str = ""
    about: frozenset[uuid.UUID] = frozenset()
    shows: bool = True


Visits = Callable[[World], list[Visit]]

CHILD_PAGE_VIEWERS = ("officer", "practitioner", "manager", "lead", "panel")


def _each(
    viewers: tuple[str, ...],
    kwargs: Callable[[World], dict[str, Any]] | None = None,
    **extra: Any,
) -> Visits:
    return lambda w: [Visit(v, kwargs(w) if kwargs else {}, **extra) for v in viewers]


def _child(key: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"child_id": w.child(key).pk}


def _child_page(w: World) -> list[Visit]:
    """A child's own page: as every casework role working with Quillon (the police and the
    council hold his record; he has a lead practitioner and a panel), and as the school's
    teacher who broke glass to open Perpetua's."""
    return [Visit(v, {"child_id": w.child("quillon").pk}) for v in CHILD_PAGE_VIEWERS] + [
        Visit("teacher", {"child_id": w.child("perpetua").pk})
    ]


def _referral(key: str, viewer: str, **extra: Any) -> Visits:
    return lambda w: [
        Visit(
            viewer,
            {"referral_id": w.referrals[key].pk},
            about=_referral_children(w, key),
            **extra,
        )
    ]


def _referral_children(w: World, *keys: str) -> frozenset[uuid.UUID]:
    return frozenset(child_id for k in keys if (child_id := w.referrals[k].child_id) is not None)


def _sent_referral_children(w: World) -> frozenset[uuid.UUID]:
    return _referral_children(w, *(k for k, r in w.referrals.items() if r.status != "draft"))


def _record_change(w: World) -> list[Visit]:
    """Every part of Quillon's record that has a form, as his lead practitioner and the front
    door (who may also appoint to his team); the family form, whose choice of relatives known to
    Harbour differs by viewer, as every casework role working with him."""
    quillon = w.child("quillon").pk
    return [
        Visit(viewer, {"child_id": quillon, "part": part})
        for part in RECORD_FORMS
        for viewer in ("lead", "practitioner")
    ] + [
        Visit(viewer, {"child_id": quillon, "part": "family"})
        for viewer in ("officer", "manager", "panel")
    ]


def _questions(w: World) -> list[Visit]:
    """Every question page of the officer's draft about Quillon (the child page itself sends a
    known child back to the search), and the typed-in draft's child page."""
    draft, typed = w.referrals["draft"], w.referrals["typed"]
    return [
        Visit("officer", {"referral_id": draft.pk, "slug": q.slug}, about=w.ids("quillon"))
        for q in frontdoor_forms.QUESTIONS
        if q.slug != "child"
    ] + [Visit("officer", {"referral_id": typed.pk, "slug": "child"}, shows=False)]


def _linked_named(w: World) -> frozenset[uuid.UUID]:
    """The rapid response's linked children the front door may find (all but Ambrose)."""
    return w.ids("quillon", "thaddeus", "zephyrine", "ysolde", "perpetua")


def _notifications(w: World) -> list[Visit]:
    """Messages: the officer's (an outcome and the audit findings about Quillon's referral), his
    colleague's (the findings, sent to the whole team) and the manager's (two decisions to
    countersign, an escalation). Each message about a referral reads the child it is about."""
    return [
        Visit("officer", {}, about=_referral_children(w, "decided")),
        Visit("colleague", {}, about=_referral_children(w, "decided")),
        Visit("manager", {}, about=_referral_children(w, "decided", "awaiting", "escalated")),
    ]


PAGES: dict[str, Visits] = {
    # Home: the children this person works with.
    "pages:home": lambda w: [Visit("lead", {}), Visit("panel", {})],
    # Finding and reading a child.
    "children:search": lambda w: (
        [
            Visit(v, {}, query="name=Marchetti-Oyelaran")
            for v in ("officer", "practitioner", "manager", "lead", "panel", "teacher")
        ]
        + [Visit("lead", {}, query="name=Quilly")]
    ),
    "children:attention": _each(CHILD_PAGE_VIEWERS),
    "children:cohort-report": _each(("manager", "analyst", "leader"), shows=False),
    "children:summary": _child_page,
    "children:chronology": _child_page,
    "children:break-glass": lambda w: [
        Visit("teacher", {"child_id": w.child("leopold").pk}, shows=False)
    ],
    "children:record-change": _record_change,
    "children:plan-action-add": lambda w: [
        Visit("lead", {"child_id": w.child("quillon").pk, "plan_id": w.objects["plan"].pk})
    ],
    "children:plan-action-change": lambda w: [
        Visit(
            "lead",
            {
                "child_id": w.child("quillon").pk,
                "plan_id": w.objects["plan"].pk,
                "action_id": w.objects["action"].pk,
            },
        )
    ],
    "children:plan-review-add": lambda w: [
        Visit("lead", {"child_id": w.child("quillon").pk, "plan_id": w.objects["plan"].pk})
    ],
    "children:need-end": lambda w: [
        Visit("lead", {"child_id": w.child("quillon").pk, "need_id": w.objects["need"].pk})
    ],
    "children:assessment-close": lambda w: [
        Visit(
            "lead",
            {"child_id": w.child("quillon").pk, "assessment_id": w.objects["assessment"].pk},
        )
    ],
    # Who has viewed a record; break-glass and the trail, for the data protection officer.
    "pages:child-access-log": lambda w: [
        Visit("lead", {"child_id": w.child("quillon").pk}),
        Visit("dpo", {"child_id": w.child("ambrose").pk}),
    ],
    # The reason given, which names the child, is only on the review page.
    "access:break-glass-queue": _each(("dpo",), shows=False),
    "access:break-glass-review": lambda w: [Visit("dpo", {"grant_id": w.objects["grant"].pk})],
    # The trail lists child record ids as text, never names (ADR 0004).
    "access:audit-trail": _each(("dpo",), shows=False),
    # The person index.
    "identity:review-queue": _each(("practitioner", "manager"), shows=False),
    "identity:review-pair": lambda w: [
        Visit(v, {"pair_id": w.objects["pair"].pk}) for v in ("practitioner", "manager")
    ],
    "identity:person": lambda w: [
        Visit(v, {"number": w.objects["person"].number}) for v in ("practitioner", "manager")
    ],
    "identity:person-merge": lambda w: [
        Visit("manager", {"number": w.objects["person"].number}, about=w.ids("quillon"))
    ],
    "identity:person-split": lambda w: [Visit("manager", {"number": w.objects["person"].number})],
    "identity:held": _each(("practitioner", "manager"), shows=False),
    "identity:held-record": lambda w: [
        Visit("practitioner", {"held_id": w.objects["held_known"].pk}),
        Visit("practitioner", {"held_id": w.objects["held_unknown"].pk}, shows=False),
    ],
    "identity:associates": _child_page,
    "identity:needs": _each(("lead", "practitioner", "manager")),
    "identity:flags": _each(("lead", "practitioner", "manager")),
    "identity:child-needs": _each(("lead", "practitioner", "manager"), _child("quillon")),
    "identity:child-flags": _each(("lead", "practitioner", "manager"), _child("quillon")),
    # The referrer's pages.
    "frontdoor:home": lambda w: [Visit("officer", {}), Visit("colleague", {})],
    "frontdoor:notifications": _notifications,
    "frontdoor:detail": lambda w: [
        Visit("officer", {"referral_id": w.referrals["decided"].pk}),
        *(
            Visit("practitioner", {"referral_id": w.referrals[k].pk})
            for k in ("decided", "awaiting", "escalated")
        ),
        Visit("practitioner", {"referral_id": w.referrals["unconfirmed"].pk}, shows=False),
    ],
    "frontdoor:find-child": _referral("draft", "officer", query="name=Marchetti-Oyelaran"),
    "frontdoor:check": _referral("draft", "officer"),
    "frontdoor:sent": _referral("decided", "officer"),
    "frontdoor:escalate": _referral("escalated", "officer"),
    "frontdoor:question": _questions,
    # The front door.
    "frontdoor:queue": _each(("practitioner", "manager")),
    "frontdoor:oversight": _each(("manager",)),
    "frontdoor:confirm-child": _referral("unconfirmed", "practitioner"),
    "frontdoor:rate": _referral("escalated", "practitioner"),
    "frontdoor:decide": _referral("escalated", "practitioner"),
    "frontdoor:reopen": _referral("decided", "manager"),
    "frontdoor:countersign": lambda w: [
        Visit(
            "manager",
            {"decision_id": w.objects["awaiting_decision"].pk},
            about=_referral_children(w, "awaiting"),
        )
    ],
    "frontdoor:resolve-escalation": lambda w: [
        Visit(
            "manager",
            {"escalation_id": w.objects["escalation"].pk},
            about=_referral_children(w, "escalated"),
        )
    ],
    "frontdoor:meeting-convene": _referral("decided", "practitioner"),
    "frontdoor:meeting": lambda w: [Visit("practitioner", {"meeting_id": w.objects["meeting"].pk})],
    "frontdoor:meeting-record": lambda w: [
        Visit("practitioner", {"meeting_id": w.objects["meeting"].pk}, about=w.ids("quillon"))
    ],
    "frontdoor:meeting-action-add": lambda w: [
        Visit("practitioner", {"meeting_id": w.objects["meeting"].pk}, about=w.ids("quillon"))
    ],
    "frontdoor:audits": _each(("manager",), shows=False),
    "frontdoor:audit": lambda w: [
        Visit("manager", {"audit_id": w.objects["audit"].pk}, about=_sent_referral_children(w))
    ],
    "frontdoor:audit-case": lambda w: [Visit("manager", {"case_id": w.objects["audit_case"].pk})],
    # Reports and their CSV files are counts: they name no child.
    "frontdoor:report": _each(("manager", "analyst", "leader"), shows=False),
    "frontdoor:report-csv": lambda w: [
        Visit(v, {"table": table}, shows=False)
        for table in reports.TABLES
        for v in ("manager", "analyst")
    ],
    "language:report": _each(("analyst", "leader"), shows=False),
    "language:report-csv": _each(("analyst", "leader"), shows=False),
    # Rapid response after a serious incident (ADR 0016).
    "frontdoor:rapid-responses": _each(("practitioner", "manager")),
    "frontdoor:rapid-incident": lambda w: [
        Visit("practitioner", {"event_id": w.objects["stabbing"].pk}),
        # Ambrose's own incident: the police share it, but Ambrose may not be named here.
        Visit("practitioner", {"event_id": w.objects["ambrose_incident"].pk}, shows=False),
    ],
    "frontdoor:rapid-response": lambda w: [
        Visit(v, {"response_id": w.objects["rapid"].pk}) for v in ("practitioner", "manager")
    ],
    "frontdoor:rapid-response-contact": lambda w: [
        Visit(
            "practitioner",
            {"response_id": w.objects["rapid"].pk, "row_id": w.objects["rapid_row"].pk},
            about=_linked_named(w),
        ),
        Visit(
            "practitioner",
            {"response_id": w.objects["rapid"].pk, "row_id": w.objects["rapid_hidden_row"].pk},
            about=_linked_named(w),
        ),
    ],
    "frontdoor:rapid-response-record": lambda w: [
        Visit("practitioner", {"response_id": w.objects["rapid"].pk}, about=_linked_named(w))
    ],
    # The automated referrals API: what became of a referral, to the system that sent it.
    "api:referral-status": lambda w: [
        Visit(
            API,
            {"reference": w.referrals["automated"].reference},
            about=_referral_children(w, "automated"),
        )
    ],
}

_ADMIN = (
    "partnership administration (agencies, teams, staff and changes to their access waiting for "
    "a second administrator, agreements, guidance, limits)"
)
_RULES = "the partnership's rules, set by administrators; no child"
_POST_ONLY = "POST only: a write that answers with a redirect, never a page"
NO_CHILD_DATA: dict[str, str] = {
    "web:sign-in": "sign-in",
    "notices:list": "the signed-in person's own notices: which agency recorded what kind of "
    "event, never which child (no name, no id); each notice was audited with its child when made",
    "notices:open": "marks the person's own notice read and redirects to the child's record, "
    "whose own view authorises and audits the read",
    "notices:settings": "the signed-in person's choice of email at once or a daily digest",
    "web:sign-out": "sign-out (POST)",
    "web:accessibility": "the accessibility statement",
    "web:password-reset": "asks for an email address",
    "web:password-reset-sent": "says an email was sent, if the address has an account",
    "web:password-reset-confirm": "a new password for the account the emailed link names",
    "web:password-reset-complete": "says the password changed",
    "web:privacy": "the privacy notice",
    "children:plan-action-status": _POST_ONLY,
    "frontdoor:start": "before a referral: the threshold guidance and where it goes",
    "frontdoor:choose-child": _POST_ONLY,
    "frontdoor:allocate": _POST_ONLY,
    "identity:allocate": _POST_ONLY,
    "frontdoor:audit-add": "the form to draw a sample: agencies, concerns and dates, no referral",
    "frontdoor:rapid-response-close": _POST_ONLY,
    "frontdoor:rules": _RULES,
    "frontdoor:rule-edit": _RULES,
    "frontdoor:service-level-edit": _RULES,
    "frontdoor:clock-level-edit": _RULES,
    "frontdoor:working-hours-edit": _RULES,
    "frontdoor:bank-holiday-add": _RULES,
    "frontdoor:bank-holiday-remove": _RULES,
    "identity:import": "administrators upload an agency's file; the answer is counts and "
    "line-numbered errors in that file, never a record Harbour holds",
    "identity:events-import-run": "an events import's progress: counts and line-numbered "
    "errors in that file",
    "identity:events-import": "administrators upload an agency's events or needs file; the "
    "answer is counts and line-numbered errors in that file, never a record Harbour holds",
    "identity:record-start": "the event forms this person may use; no child",
    "identity:record-form": "a blank form, or the details this person typed in this session: "
    "nothing Harbour holds is read",
    "identity:record-check": "the details this person typed in this session, to check before "
    "sending: nothing Harbour holds is read",
    "identity:record-done": "the references this person just sent, naming no child",
    "identity:flag-rules": _RULES,
    "identity:flag-rule-edit": _RULES,
    "identity:flag-rule-switch": _RULES,
    "language:home": "checking one's own wording",
    "language:check": "POST only: suggestions for the text just sent",
    "language:rules": _RULES,
    "language:rule-add": _RULES,
    "language:rule-switch": _RULES,
    "language:rule-edit": _RULES,
    "language:rule-delete": _RULES,
    "api:api-root": "the API's root",
    "api:openapi-json": "the API's OpenAPI document",
    "api:openapi-view": "the API's documentation page",
    "api:problem-type": "what a problem type means",
    "api:referral-receive": "POST only: the answer gives the reference and what is missing, "
    "never the child",
    "api:referral-bulk": "POST only: the answer gives references and line numbers, never a child",
    "api:events-receive": "POST only: the answer gives Harbour's id for the event, whether it "
    "was new and what matching did, never a child's details",
    "api:needs-receive": "POST only: the answer gives Harbour's id for the need, whether it was "
    "new and what matching did, never a child's details",
    "api:person-numbers": "the agency's own record identifiers and Harbour's person numbers for "
    "them, no child's details; each page audited as an export (identity/tests/test_numbers.py)",
    **{
        f"partnership:{name}": _ADMIN
        for name in (
            "home",
            "agency-list",
            "agency-add",
            "agency-detail",
            "agency-edit",
            "team-add",
            "team-edit",
            "staff-list",
            "staff-add",
            "staff-edit",
            "staff-change-list",
            "staff-change-detail",
            "staff-change-withdraw",
            "agreement-list",
            "agreement-add",
            "agreement-detail",
            "agreement-edit",
            "threshold-list",
            "threshold-add",
            "threshold-detail",
            "threshold-edit",
        )
    },
    "limits:education-limit-list": _ADMIN,
    "limits:education-limit-edit": _ADMIN,
    "access:audit-trail-csv": "the audit trail as CSV: people, what they did and why; no child "
    "is named and no child's id is written",
    "access:audit-chain-check": _POST_ONLY,
    "access:access-alert": "a suspicious-access alert: a member of staff, times, sections and "
    "audit event numbers; no child is named and no child's id is written",
    "insight:store": "the analytical store's catalogue: published and partners' files, counts",
    "insight:store-csv": "the analytical store's catalogue as CSV: files and counts, no person",
    "insight:import": "an analyst uploads a public or partner's aggregate file (police.uk, "
    "census, ISTV …): never a person",
    "insight:import-run": "an import's progress: counts and line-numbered errors in that file",
    "insight:needs": "the strategic needs assessment: counts of police.uk, ISTV and census "
    "records, small ones hidden; no person",
    "insight:disproportionality": "rates per 1,000 and relative rate indices by ethnic group: "
    "counts and census populations, no person",
    "insight:hidden-harm": "hidden harm: counts of events, referrals, plans and the cohort by "
    "area, age band, sex and ethnic group, small ones hidden; no child",
    "insight:board-report": "the board report in Excel: the same aggregate tables, no person",
    "insight:board-report-pdf": "the board report in PDF: the same aggregate tables, no person",
    "insight:alert-measures": "the monthly check's settings for each measure and the leaders "
    "it tells: no child",
    "insight:alert-measure": "one measure's settings, changed by a leader: no child",
    "insight:alerts": "emerging-pattern alerts: a group's, an area's or a source's monthly "
    "counts against expected, small ones hidden; no person",
    "insight:alert": "one alert's figures and series (aggregate counts, small ones hidden) and "
    "leaders' actions; no person",
}


def url_patterns() -> dict[str, list[str]]:
    """Every named URL pattern in the URL conf, with its converters' names."""
    found: dict[str, list[str]] = {}

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or ""
                walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"URL {pattern.pattern} has no name: name it and add it here"
                found[f"{namespace}{pattern.name}"] = list(pattern.pattern.converters)

    walk(get_resolver().url_patterns, "")
    return found


def test_every_url_is_classified() -> None:
    patterns = url_patterns()
    unclassified = {
        name: converters
        for name, converters in patterns.items()
        if name not in PAGES and name not in NO_CHILD_DATA
    }
    assert unclassified == {}, (
        "These URLs are not classified. If the page can show a child's data, add it to PAGES "
        "with how to fill its arguments from the world and who opens it (add to "
        "child_data_world.py what it needs); otherwise add it to NO_CHILD_DATA with the reason "
        "it never shows a child."
    )
    assert set(PAGES) & set(NO_CHILD_DATA) == set(), "a URL is both a page and not one"
    assert (set(PAGES) | set(NO_CHILD_DATA)) - set(patterns) == set(), "these name no URL"
    assert all(NO_CHILD_DATA.values()), "give the reason each URL shows no child"


# The world, once per module -------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once inside a transaction that is rolled back at the end; each test runs in a
    savepoint inside it, so what a test does is undone and the world is the same for the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# Which children an answer shows ----------------------------------------------------------------


def _patterns(world: World) -> dict[uuid.UUID, list[re.Pattern[str]]]:
    found: dict[uuid.UUID, list[re.Pattern[str]]] = {}
    for key, child in world.children.items():
        names = [f"{child.given_name} {child.family_name}", child.given_name, *world.aliases[key]]
        found[child.pk] = [re.compile(rf"\b{re.escape(name)}\b") for name in names]
    return found


def _as_text(response: Any) -> str:
    """The answer as a person would read it: JSON decoded (so escaped text is text again)."""
    body = response.content.decode()
    if response.get("Content-Type", "").startswith("application/") and "json" in response.get(
        "Content-Type", ""
    ):
        return json.dumps(json.loads(body), ensure_ascii=False)
    return body


def children_shown(world: World, text: str, *, ids_anywhere: bool = False) -> set[uuid.UUID]:
    """The world's children named in ``text``, or whose record id is in a link or a choice
    (anywhere at all with ``ids_anywhere``)."""
    shown: set[uuid.UUID] = set()
    for child_id, patterns in _patterns(world).items():
        named = any(p.search(text) for p in patterns)
        if ids_anywhere:
            linked = str(child_id) in text
        else:
            linked = bool(
                re.search(rf'(?:href|action|src|value)="[^"]*{re.escape(str(child_id))}', text)
            )
        if named or linked:
            shown.add(child_id)
    return shown


def _label(world: World, ids: set[uuid.UUID] | frozenset[uuid.UUID]) -> list[str]:
    names = {c.pk: str(c) for c in world.children.values()}
    return sorted(names.get(i, str(i)) for i in ids)


# The walk ---------------------------------------------------------------------------------------


def _get(client: Client, world: World, visit: Visit, url: str) -> Any:
    if visit.viewer == API:
        return client.get(url, headers={"Authorization": f"Bearer {world.api_secret}"})
    return client.get(url)


def _actor_ok(event: AuditEvent, world: World, visit: Visit) -> bool:
    if visit.viewer == API:
        return event.actor_id is None and event.actor_username == "api:police"
    staff: Staff = world.staff[visit.viewer]
    return event.actor_id == staff.pk


def check_visit(
    client: Client, world: World, name: str, visit: Visit, monkeypatch: Any
) -> list[str]:
    """What is wrong with one visit: every child shown has its event, no event for a child not
    shown (or declared), each event is this request's and the viewer's; and with the audit
    write failing, 503 with no child named."""
    problems: list[str] = []
    url = reverse(name, kwargs=visit.kwargs) + (f"?{visit.query}" if visit.query else "")
    where = f"{name} as {visit.viewer} ({url})"
    if visit.viewer != API:
        client.force_login(world.staff[visit.viewer])
    before = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    response = _get(client, world, visit, url)
    if response.status_code != 200:
        return [f"{where}: answered {response.status_code}, not 200"]
    # A page with a child's data is never kept by the browser or a proxy (ADR 0042).
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"{where}: has no Cache-Control: no-store")
    text = _as_text(response)
    shown = children_shown(world, text, ids_anywhere=visit.viewer == API)
    events = list(AuditEvent.objects.filter(sequence__gt=before or 0))
    audited = {e.child_id for e in events if e.child_id is not None}
    missing = shown - audited
    if missing:
        problems.append(f"{where}: shows {_label(world, missing)} with no access event")
    extra = audited - shown - visit.about
    if extra:
        problems.append(f"{where}: audits {_label(world, extra)}, which it does not show")
    unread = visit.about - audited
    if unread:
        problems.append(f"{where}: reads {_label(world, unread)} but wrote no event for them")
    if visit.shows and not (shown or visit.about):
        problems.append(f"{where}: shows no child of the world, so this visit tests nothing")
    if not visit.shows and shown:
        problems.append(f"{where}: should name no child but shows {_label(world, shown)}")
    request_id = response["X-Request-ID"]
    for event in events:
        if event.request_id != request_id or not _actor_ok(event, world, visit):
            problems.append(
                f"{where}: event {event.sequence} ({event.event}) is not this request's or "
                "not the viewer's"
            )
    if events:
        problems += _check_refused(client, world, visit, url, where, monkeypatch)
    return problems


def _check_refused(
    client: Client, world: World, visit: Visit, url: str, where: str, monkeypatch: Any
) -> list[str]:
    def refuse(**fields: Any) -> None:
        raise DatabaseError("permission denied for table access_auditevent")

    with monkeypatch.context() as patch:
        patch.setattr(AuditEvent.objects, "create", refuse)
        response = _get(client, world, visit, url)
    if response.status_code != 503:
        return [f"{where}: with the audit failing, answered {response.status_code}, not 503"]
    leaked = children_shown(world, response.content.decode(), ids_anywhere=True)
    if leaked:
        return [f"{where}: with the audit failing, still shows {_label(world, leaked)}"]
    return []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_audits_each_child_it_shows(
    client: Client, world: World, name: str, monkeypatch: Any
) -> None:
    visits = PAGES[name](world)
    assert visits, f"{name}: no visit"
    problems = [p for visit in visits for p in check_visit(client, world, name, visit, monkeypatch)]
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_pages_said_to_show_no_child_name_none(client: Client, world: World) -> None:
    """The ones that take no argument, as an administrator, a lead practitioner and the front
    door: whatever they answer names none of the world's children."""
    names = sorted(n for n, takes in url_patterns().items() if n in NO_CHILD_DATA and not takes)
    answered = 0
    for viewer in ("admin", "lead", "practitioner"):
        client.force_login(world.staff[viewer])
        for name in names:
            response = client.get(reverse(name))
            answered += response.status_code == 200
            shown = children_shown(world, response.content.decode(), ids_anywhere=True)
            assert not shown, f"{name} as {viewer} shows {_label(world, shown)}"
    assert answered >= 10


def test_the_walk_finds_a_child_shown_without_an_event(
    client: Client, world: World, monkeypatch: Any
) -> None:
    """The check can fail: with the associates page's events for the other children it names
    taken away, the walk reports each of them."""
    from harbour.identity import associates

    monkeypatch.setattr(associates, "_audit_named_children", lambda *args: None)
    visit = Visit("lead", {"child_id": world.child("quillon").pk})
    problems = check_visit(client, world, "identity:associates", visit, monkeypatch)
    assert problems == [
        f"identity:associates as lead ({reverse('identity:associates', kwargs=visit.kwargs)}): "
        "shows ['Thaddeus Brightwater-Nkemelu', 'Ysolde Featherstonehaugh'] with no access event"
    ]


def test_the_walk_finds_a_child_page_that_may_be_cached(
    client: Client, world: World, monkeypatch: Any, settings: Any
) -> None:
    """The no-store check can fail: without the middleware that adds it, the child's own page
    is reported."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("NoStoreMiddleware")]
    visit = Visit("lead", {"child_id": world.child("quillon").pk})
    problems = check_visit(client, world, "children:summary", visit, monkeypatch)
    assert problems == [
        f"children:summary as lead ({reverse('children:summary', kwargs=visit.kwargs)}): "
        "has no Cache-Control: no-store"
    ]


# What each page does for the children it names ------------------------------------------------


def _events_of(response: Any, **filters: Any) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(request_id=response["X-Request-ID"], **filters).order_by(
            "sequence"
        )
    )


@pytest.mark.django_db
def test_the_home_page_lists_the_children_a_person_works_with_and_audits_each(
    client: Client, world: World
) -> None:
    client.force_login(world.staff["lead"])
    response = client.get(reverse("pages:home"))
    body = response.content.decode()
    assert "Children you work with" in body
    assert "Quillon Marchetti-Oyelaran" in body and "Thaddeus Brightwater-Nkemelu" in body
    assert "Zephyrine" not in body  # held by the council, but not a personal relationship
    assert sorted((e.child_id, e.section, e.basis) for e in _events_of(response)) == sorted(
        [
            (world.child("quillon").pk, "home_list", "relationship:lead_practitioner"),
            (world.child("thaddeus").pk, "home_list", "relationship:team_around_child"),
        ]
    )


@pytest.mark.django_db
def test_each_child_named_among_associates_is_in_their_own_who_has_viewed(
    client: Client, world: World
) -> None:
    quillon, thaddeus, ysolde = (world.child(k) for k in ("quillon", "thaddeus", "ysolde"))
    client.force_login(world.staff["lead"])
    response = client.get(reverse("identity:associates", args=[quillon.pk]))
    named = _events_of(response, section="associate_of_another_child")
    assert {(e.child_id, e.basis) for e in named} == {
        (thaddeus.pk, "relationship:team_around_child"),
        (ysolde.pk, "agency:agency_record"),
    }
    assert all(e.detail == {"via_child": str(quillon.pk)} for e in named)
    assert all(e.event == "child.viewed" and e.actor_id == world.staff["lead"].pk for e in named)
    client.force_login(world.staff["dpo"])
    log = client.get(reverse("pages:child-access-log", args=[thaddeus.pk])).content.decode()
    assert "Viewed: named among another child&#x27;s associates" in log
    assert world.staff["lead"].get_full_name() in log
    # A child shown only as another child (Ambrose, known only to the boxing club) is not
    # named, so not read.
    client.force_login(world.staff["practitioner"])
    hidden = client.get(reverse("identity:associates", args=[thaddeus.pk]))
    assert "Another child" in hidden.content.decode()
    assert {e.child_id for e in _events_of(hidden, section="associate_of_another_child")} == (
        world.ids("quillon", "perpetua")
    )


@pytest.mark.django_db
def test_the_family_form_audits_each_child_it_offers_as_a_relative(
    client: Client, world: World
) -> None:
    quillon = world.child("quillon")
    client.force_login(world.staff["lead"])
    response = client.get(reverse("children:record-change", args=[quillon.pk, "family"]))
    offered = set(re.findall(r'<option value="([0-9a-f-]{36})"', response.content.decode()))
    assert str(world.child("zephyrine").pk) in offered and str(quillon.pk) not in offered
    events = _events_of(response, section="sibling_candidates")
    assert {str(e.child_id) for e in events} == offered
    assert all(e.detail == {"via_child": str(quillon.pk)} and e.basis for e in events)


@pytest.mark.django_db
def test_findings_sent_to_a_whole_team_are_audited_and_open_only_for_the_referrer(
    client: Client, world: World
) -> None:
    referral = world.referrals["decided"]
    link = f'href="{reverse("frontdoor:detail", args=[referral.pk])}"'
    for who, basis, opens in (
        ("officer", "referral:referrer", True),
        ("colleague", "notification:recipient", False),
    ):
        client.force_login(world.staff[who])
        response = client.get(reverse("frontdoor:notifications"))
        body = response.content.decode()
        assert "Audit findings for referral" in body and "Quillon Marchetti-Oyelaran" in body
        assert (link in body) is opens
        (read,) = _events_of(response)
        assert (read.event, read.section, read.basis) == ("referral.viewed", "notification", basis)
        assert read.child_id == referral.child_id
        # The colleague may not open the referral itself.
        detail = client.get(reverse("frontdoor:detail", args=[referral.pk]))
        assert detail.status_code == (200 if opens else 404)


@pytest.mark.django_db
def test_a_child_the_front_door_may_not_find_has_no_details_on_a_rapid_response(
    client: Client, world: World
) -> None:
    client.force_login(world.staff["practitioner"])
    response = client.get(reverse("frontdoor:rapid-response", args=[world.objects["rapid"].pk]))
    body = response.content.decode()
    cards = body.count('class="govuk-summary-card"')
    assert cards == 6 and body.count("Another child") >= 1
    # Why each child is linked (which record, date and role) only for the five it may name.
    assert body.count(">Why linked<") == 5
    assert "You cannot see who this child is: ask Riverside Boxing Club" in body
    # The agency's own account of an incident is about the child on that record.
    stabbing = client.get(
        reverse("frontdoor:rapid-incident", args=[world.objects["stabbing"].pk])
    ).content.decode()
    assert "stabbed in the thigh" in stabbing
    hidden = client.get(
        reverse("frontdoor:rapid-incident", args=[world.objects["ambrose_incident"].pk])
    ).content.decode()
    assert "punched and kicked" not in hidden and "Ambrose" not in hidden
    assert "OCC-AMB" in hidden
    assert "you cannot see who the child on this record is" in hidden
    assert "ask Riverside Police, who recorded it" in hidden
