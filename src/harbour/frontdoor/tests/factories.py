"""Referrals in known states for the front door's tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from harbour.children.codes import Ethnicity
from harbour.frontdoor import services
from harbour.frontdoor.codes import Concern, KnownNeed

COMPLETE: dict[str, Any] = {
    "what_happened": "He was stabbed in the leg outside the youth club on Friday evening.",
    "concerns": [Concern.SERIOUS_YOUTH_VIOLENCE, Concern.KNIFE_CRIME],
    "reason": "Second serious assault in a month; older males are seen collecting him.",
    "child_voice": "I don't feel safe walking home any more.",
    "ethnicity": Ethnicity.BLACK_CARIBBEAN,
    "cultural_heritage": "Family attend a Pentecostal church; grandmother is central.",
    "known_needs": [KnownNeed.SLCN],
    "education_setting": "Riverside Academy, reduced timetable",
    "parents_aware": "yes",
    "consent": "given",
    "actions_taken": "First aid, informed the school DSL, child taken home by mother.",
    "urgency": "today",
}


def draft(p: dict[str, Any], **answers: Any) -> Any:
    referral = services.referral_start(actor=p["officer"])
    services.referral_answer(
        actor=p["officer"],
        referral=referral,
        answers={
            "child_given_name": "Amari",
            "child_family_name": "Okafor-Test",
            "child_date_of_birth": dt.date(2010, 5, 4),
            **answers,
        },
    )
    return referral


def sent(p: dict[str, Any], **answers: Any) -> Any:
    referral = draft(p, **{**COMPLETE, **answers})
    return services.referral_submit(actor=p["officer"], referral=referral)


def confirmed(p: dict[str, Any]) -> Any:
    referral = sent(p)
    services.referral_confirm_child(actor=p["practitioner"], referral=referral, create=True)
    services.referral_rate(
        actor=p["practitioner"],
        referral=referral,
        rag="amber",
        rationale="Escalating violence outside the home, no protective adult present.",
    )
    return referral
