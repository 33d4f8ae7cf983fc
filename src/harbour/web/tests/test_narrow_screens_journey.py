"""Every page at 320 px, the narrowest width GOV.UK designs for (issue 12, part 8): no page
scrolls sideways. The walk is the one `test_child_data_audited` classifies: each page that shows
a child's data, opened by the first person the classification names, with the same world; and
each page that takes no argument and shows no child, opened by the first of a few people whom it
answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from harbour.conftest import SCREENSHOTS
from harbour.web.tests.child_data_world import World, build_world
from harbour.web.tests.test_child_data_audited import API, NO_CHILD_DATA, PAGES, url_patterns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROWEST = {"width": 320, "height": 900}
# Who opens a page that takes no argument: the first of these it answers with a page.
OPENERS = ("admin", "dpo", "analyst", "leader", "manager", "lead", "officer")
# Saved under docs/screenshots for people to look at: a list that used to widen the page.
LOOKED_AT = ("partnership:staff-list", "api:openapi-view")
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


def test_no_page_scrolls_sideways_at_320_px(page: Any, live_server: Any) -> None:
    world = build_world()
    base = live_server.url
    page.set_viewport_size(NARROWEST)
    cookies: dict[str, str] = {}
    problems: list[str] = []
    seen = 0
    for name in sorted(PAGES):
        visit = next((v for v in PAGES[name](world) if v.viewer != API), None)
        if visit is None:
            continue
        url = reverse(name, kwargs=visit.kwargs) + (f"?{visit.query}" if visit.query else "")
        _sign_in_as(page, base, world, visit.viewer, cookies)
        if not _open(page, base + url):
            continue  # a download or a redirect away; what it leads to is walked on its own
        seen += 1
        problems += _wide(page, f"{name} as {visit.viewer}")
    patterns = url_patterns()
    for name in sorted(NO_CHILD_DATA):
        if patterns.get(name):
            continue  # it takes arguments: its page is reached from one walked here
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        for viewer in OPENERS:
            _sign_in_as(page, base, world, viewer, cookies)
            if _open(page, base + url):
                seen += 1
                problems += _wide(page, f"{name} as {viewer}")
                if name in LOOKED_AT:
                    page.screenshot(path=str(SCREENSHOTS / f"{name.replace(':', '-')}-320px.png"))
                break
    assert seen > 80, f"only {seen} pages walked"
    assert problems == [], "\n".join(problems)
