"""Every page at 320 px, the narrowest width GOV.UK designs for (issue 12, part 8): no page
scrolls sideways. The walk is the one `test_child_data_audited` classifies: each page that shows
a child's data, opened by the first person the classification names, with the same world; and
each page that takes no argument and shows no child, opened by the first of a few people whom it
answers; then each page that takes an argument and shows no child (an agency, a rule, a setting's
form) that a page walked links to, opened by the person who followed the link."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from harbour.conftest import SCREENSHOTS
from harbour.web.tests.child_data_world import World, build_world
from harbour.web.tests.test_child_data_audited import API, NO_CHILD_DATA, PAGES, url_patterns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROWEST = {"width": 320, "height": 900}
# Who opens a page that takes no argument: the first of these it answers with a page.
OPENERS = ("admin", "dpo", "analyst", "leader", "manager", "lead", "officer")
# Saved under docs/screenshots for people to look at: a list that used to widen the page.
LOOKED_AT = ("partnership:staff-list", "api:openapi-view", "partnership:agency-detail")
# What widens a page: the elements wider than the window, for the message.
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className)
  .trim().split(/\\s+/).join('.') : ''))"""


def _sign_in_as(page: Any, base: str, world: World, viewer: str, cookies: dict[str, str]) -> None:
    if viewer not in cookies:
        client = Client()
        client.force_login(world.staff[viewer])
        cookies[viewer] = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookies[viewer], "url": base}]
    )


def _wide(page: Any, where: str) -> list[str]:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= NARROWEST["width"]:
        return []
    return [f"{where} is {width} px wide at 320 px: {page.evaluate(WIDE)}"]


def _open(page: Any, url: str) -> bool:
    """Open ``url`` if it answers with a page: asked first without the window (the same
    cookies), so a download, a refusal or a POST-only action is never navigated to."""
    answer = page.request.get(url, max_redirects=0)
    if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
        return False
    page.goto(url)
    return True


def _links(page: Any, viewer: str, found: dict[str, tuple[str, str]]) -> None:
    """Note each page this one links to that takes an argument and shows no child (an agency,
    a rule, an alert), with who can follow the link, to walk it afterwards."""
    for href in page.eval_on_selector_all("a[href^='/']", "els => els.map(e => e.pathname)"):
        try:
            match = resolve(href)
        except Resolver404:
            continue
        if match.view_name in NO_CHILD_DATA and match.kwargs:
            found.setdefault(match.view_name, (href, viewer))


def test_no_page_scrolls_sideways_at_320_px(page: Any, live_server: Any) -> None:
    world = build_world()
    base = live_server.url
    page.set_viewport_size(NARROWEST)
    cookies: dict[str, str] = {}
    problems: list[str] = []
    walked: set[str] = set()
    linked: dict[str, tuple[str, str]] = {}

    def walk(name: str, viewer: str, url: str) -> bool:
        _sign_in_as(page, base, world, viewer, cookies)
        if not _open(page, base + url):
            return False  # a download, a refusal or a redirect away
        walked.add(name)
        problems.extend(_wide(page, f"{name} as {viewer}"))
        if name in LOOKED_AT:
            page.screenshot(path=str(SCREENSHOTS / f"{name.replace(':', '-')}-320px.png"))
        _links(page, viewer, linked)
        return True

    for name in sorted(PAGES):
        visit = next((v for v in PAGES[name](world) if v.viewer != API), None)
        if visit is not None:
            query = f"?{visit.query}" if visit.query else ""
            walk(name, visit.viewer, reverse(name, kwargs=visit.kwargs) + query)
    patterns = url_patterns()
    for name in sorted(NO_CHILD_DATA):
        if patterns.get(name):
            continue  # it takes arguments: walked below if a page walked here links to it
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        any(walk(name, viewer, url) for viewer in OPENERS)
    # The pages that take an argument, reached by a link from a page walked above.
    for name, (url, viewer) in sorted(linked.items()):
        if name not in walked:
            walk(name, viewer, url)
    with_arguments = {n for n in walked if patterns.get(n) and n in NO_CHILD_DATA}
    # 106 pages, 13 with arguments, on this suite's data (the rows the migrations seed, the
    # front door's rules and clocks and the flag rules, are put back after every transactional
    # test's flush: harbour/conftest.py); a floor a little under, so a new page needs no edit.
    assert len(walked) > 100 and len(with_arguments) >= 11, (len(walked), sorted(with_arguments))
    assert problems == [], "\n".join(problems)
