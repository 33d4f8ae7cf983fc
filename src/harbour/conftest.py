"""Fixtures shared by every app's tests: the browser (Debian's Chromium driven by Playwright) and
axe-core accessibility checks."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.templatetags.static import static

# pytest-django's live_server runs in a thread beside sync Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PROJECT_DIR = Path(__file__).resolve().parents[2]
AXE_JS = PROJECT_DIR / "build" / "static" / "vendor" / "axe.min.js"
SCREENSHOTS = PROJECT_DIR / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (npm, pinned in package.json) on the page against WCAG 2.2 AA."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make test`, which builds the front-end assets")
    # A click may have started a navigation: check the page that arrives, not the one leaving.
    page.wait_for_load_state("load")
    # From Harbour's own static files, not inline: the Content Security Policy refuses inline
    # script (ADR 0042), and the journeys run under it.
    page.add_script_tag(url=static("vendor/axe.min.js"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_22_AA,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def message_banner(page: Any) -> Any:
    """The banner with the page's message (what was saved, a suggestion), not the banner of
    immediate referrals past their clock that front-door staff see on every page (ADR 0019)."""
    return page.locator(".govuk-notification-banner:not([data-clock-alerts])")


def assert_accessible(page: Any, name: str) -> None:
    """Axe finds nothing, and save a screenshot for people to look at."""
    violations = axe_violations(page)
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert violations == [], f"{name}: " + json.dumps(violations, indent=2)


# The rows the migrations seed (the front door's rules and clocks, the flag rules, the education
# limits…), as they stood after migrating: a transactional test (a browser journey's live server)
# ends by flushing every table, and the next test on the same worker would find them gone.
_SEEDED: list[tuple[Any, str]] = []  # (model class, its rows as JSON)
# Made again by the flush itself (post_migrate), with ids of their own.
_REMADE_BY_FLUSH = {"contenttypes.contenttype", "auth.permission"}


def _snapshot_seeded_rows() -> None:
    from django.apps import apps
    from django.core import serializers

    for model in apps.get_models():
        if model._meta.label_lower in _REMADE_BY_FLUSH or not model._meta.managed:
            continue
        if model._base_manager.exists():
            rows = serializers.serialize("json", model._base_manager.order_by("pk"))
            _SEEDED.append((model, rows))


def _restore_seeded_rows() -> None:
    """Put back the migrations' rows a flush took, with the ids they had, and move each table's
    id sequence past them (PostgreSQL), as ``loaddata`` does."""
    from django.core import serializers
    from django.core.management.color import no_style
    from django.db import connection, transaction

    missing = [(model, rows) for model, rows in _SEEDED if not model._base_manager.exists()]
    if not missing:
        return
    with transaction.atomic(), connection.constraint_checks_disabled():
        for _model, rows in missing:
            for item in serializers.deserialize("json", rows):
                item.save()
    connection.check_constraints(table_names=[m._meta.db_table for m, _ in missing])
    statements = connection.ops.sequence_reset_sql(no_style(), [m for m, _ in missing])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """After a transactional test's flush, the migrations' rows back for the tests that follow."""
    result = yield
    # With no next test, the session's teardown has already dropped the test database.
    if _SEEDED and nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _restore_seeded_rows()
    return result


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Any:
    """Note the rows the migrations seeded (restored after every transactional test's flush).
    Before the test database is dropped, end any session a server thread left open on it, so
    PostgreSQL can drop it rather than leave it behind."""
    with django_db_blocker.unblock():
        _snapshot_seeded_rows()
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


def demo_sign_in(page: Any, base: str, role: str) -> Any:
    """Sign in through the page as the demo account for ``role``; returns the Staff row."""
    from harbour.demo.signins import DEMO_PASSWORD, DEMO_SIGN_INS
    from harbour.partnership.models import Staff

    email = next(s.email for s in DEMO_SIGN_INS if s.role == role)
    page.goto(f"{base}/sign-in/")
    page.fill("#id_username", email)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")
    return Staff.objects.get(email=email)
