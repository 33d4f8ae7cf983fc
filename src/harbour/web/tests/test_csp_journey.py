"""A browser journey under the Content Security Policy (ADR 0042): a leader signs in and reads the
home page, whose chart Vega draws without 'unsafe-eval' (vega-embed's ``ast`` option: Vega's
expressions interpreted, not compiled with ``Function``); the browser reports no violation of
the policy on the way, and the policy really is in force (an inline script is refused)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from harbour.conftest import demo_sign_in
from harbour.demo.generator import generate
from harbour.partnership.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every violation the browser sees, as the page's own event reports it.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def test_a_chart_page_draws_under_the_policy_with_no_violation(page: Any, live_server: Any):
    generate(seed=5, children=60)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)
    base = live_server.url
    demo_sign_in(page, base, Role.STRATEGIC_LEADER)
    response = page.goto(f"{base}/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    assert "no-store" in response.headers["cache-control"]
    expect(page.locator("[data-chart='referrals-by-month'][data-drawn=true] svg")).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
    assert not [m for m in console if "Content Security Policy" in m]

    # The policy is in force: a script the page itself adds inline is refused and reported.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in page.evaluate("window.__cspViolations"))
