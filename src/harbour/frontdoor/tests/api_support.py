"""Fixtures and helpers for the automated referrals API's tests (``test_api``, ``test_bulk``)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.test import Client

from harbour.frontdoor import tokens
from harbour.partnership.models import Agency, AgencyType, Team
from harbour.testing import make_agency

PROBLEM = "application/problem+json"

COMPLETE_JSON: dict[str, Any] = {
    "occurred_at": "2026-03-27T21:40:00+00:00",
    "child_given_name": "Amari",
    "child_family_name": "Okafor-Test",
    "child_date_of_birth": "2010-05-04",
    "child_sex": "M",
    "child_postcode": "rv1 2ab",
    "what_happened": "Arrested after a fight outside the station; a knife was found nearby.",
    "concerns": ["serious_youth_violence", "knife_crime"],
    "reason": "Third arrest this month with older males; he says he owes them money.",
    "child_voice": "I can't say no to them.",
    "ethnicity": "black_caribbean",
    "cultural_heritage": "Family attend a Pentecostal church; grandmother is central.",
    "known_needs": ["slcn"],
    "education_setting": "Riverside Academy",
    "parents_aware": "yes",
    "consent": "given",
    "actions_taken": "Appropriate adult called; mother collected him.",
    "urgency": "today",
    "referrer_name": "Custody sergeant 1234",
    "referrer_contact": "custody@riverside-police.test",
}


@dataclass
class Sender:
    """One agency's system: its agency, its token and a client that sends as it."""

    agency: Agency
    secret: str
    client: Client

    def headers(self, key: str | None = "auto", **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.secret}", **extra}
        if key == "auto":
            key = str(uuid.uuid4())
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def post(self, feed: str, body: Any, key: str | None = "auto", **headers: str) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(
            f"/api/referrals/{feed}",
            data=data,
            content_type="application/json",
            headers=self.headers(key, **headers),
        )

    def post_csv(self, feed: str, text: str | bytes, key: str | None = "auto") -> Any:
        return self.client.post(
            f"/api/referrals/{feed}/bulk",
            data=text,
            content_type="text/csv",
            headers=self.headers(key),
        )

    def get(self, reference: str) -> Any:
        return self.client.get(f"/api/referrals/{reference}", headers=self.headers(None))


def sender(agency: Agency) -> Sender:
    made = tokens.token_create(agency=agency, name=f"{agency.code} system", system_actor="test")
    return Sender(agency, made.secret, Client())


def referral_body(source_id: str | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "source_system": "niche",
        "source_id": source_id or str(uuid.uuid4()),
        **COMPLETE_JSON,
        **fields,
    }


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    return body


def make_feeds() -> dict[str, Any]:
    csc = make_agency("csc", AgencyType.CHILDRENS_SOCIAL_CARE)
    Team.objects.create(agency=csc, name="Front Door (MASH)", is_front_door=True)
    police = make_agency("police", AgencyType.POLICE)
    ambulance = make_agency("ambulance", AgencyType.AMBULANCE)
    trust = make_agency("trust", AgencyType.NHS_TRUST)
    school = make_agency("school", AgencyType.SCHOOL)
    other_police = make_agency("other-police", AgencyType.POLICE)
    return {
        "csc": csc,
        "police": sender(police),
        "ambulance": sender(ambulance),
        "trust": sender(trust),
        "school": sender(school),
        "other_police": sender(other_police),
    }
