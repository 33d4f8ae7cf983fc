"""`make audit`'s exception process (ADR 0042): an accepted advisory needs a reason, who accepted
it and a review date, and stops being accepted once the date has passed. The audit itself needs
the advisory services, so it is not run here."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
spec = importlib.util.spec_from_file_location("harbour_audit", ROOT / "scripts" / "audit.py")
assert spec and spec.loader
audit = importlib.util.module_from_spec(spec)
sys.modules["harbour_audit"] = audit  # dataclasses look their module up
spec.loader.exec_module(audit)

TODAY = dt.date(2026, 12, 7)
ENTRY = """
[[accepted]]
id = "GHSA-aaaa-bbbb-cccc"
ecosystem = "npm"
package = "vega"
reason = "Only affects specs from users; Harbour draws only its own specs."
accepted_by = "A. Person"
review_by = {review_by}
"""


def test_an_exception_in_date_is_accepted():
    accepted, problems = audit.load_exceptions(ENTRY.format(review_by="2027-03-01"), TODAY)
    assert problems == []
    assert [(a.id, a.ecosystem, a.package) for a in accepted] == [
        ("GHSA-aaaa-bbbb-cccc", "npm", "vega")
    ]


def test_an_exception_past_its_review_date_fails_the_audit():
    accepted, problems = audit.load_exceptions(ENTRY.format(review_by="2026-12-06"), TODAY)
    assert accepted == []
    assert problems == [
        "exception GHSA-aaaa-bbbb-cccc (vega) was due for review on 2026-12-06: review it, then "
        "renew or remove it"
    ]


def test_an_exception_without_a_reason_or_owner_is_refused():
    text = ENTRY.format(review_by="2027-03-01").replace('reason = "Only', 'note = "Only')
    text = text.replace("accepted_by", "by")
    accepted, problems = audit.load_exceptions(text, TODAY)
    assert accepted == []
    assert problems == ["exception 1: missing reason, accepted_by"]


def test_the_shipped_file_is_valid():
    _, problems = audit.load_exceptions(audit.EXCEPTIONS.read_text(), TODAY)
    assert problems == []


def test_npm_findings_name_each_advisory():
    report = {
        "vulnerabilities": {
            "vega": {"via": [{"url": "https://github.com/advisories/GHSA-aaaa-bbbb-cccc"}]},
            "vega-embed": {"via": ["vega"]},  # only through another package
        }
    }
    assert audit.npm_findings(report) == [("vega", "GHSA-aaaa-bbbb-cccc")]
