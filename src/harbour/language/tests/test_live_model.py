"""What practitioners are shown: the rules' suggestions, and the sentence model's only when the
partnership turns it on (``HARBOUR_LANGUAGE_MODEL``; ADR 0044's addendum). Ordinary notes about
harm done to a child get no suggestion from the live checker."""

from __future__ import annotations

import pytest

from harbour.language import selectors
from harbour.language.checker import MODEL_PREFIX
from harbour.language.models import LanguageRule

pytestmark = pytest.mark.django_db

ORDINARY = [
    "Amira (14) attended ED with a stab wound to the thigh.",
    "School report he is doing well in maths and enjoys football.",
    "Jordan was punched by an older boy outside the station.",
]
AGE_CONTRAST = "Tia (15) has been seeing her boyfriend Dean (23) for six months."


def model_findings(text: str) -> list[str]:
    return [
        f.rule_id
        for f in selectors.partnership_checker().check(text)
        if f.rule_id.startswith(MODEL_PREFIX)
    ]


def test_by_default_practitioners_see_the_rules_only(settings):
    settings.HARBOUR_LANGUAGE_MODEL = False
    for text in [*ORDINARY, AGE_CONTRAST]:
        assert model_findings(text) == [], text
    findings = selectors.partnership_checker().check("He refuses to engage with services.")
    assert [f.rule_id for f in findings] == ["not_engaging"]


def test_turned_on_the_model_suggests_too_with_the_partnerships_rules(settings, administrator):
    settings.HARBOUR_LANGUAGE_MODEL = True
    assert model_findings(AGE_CONTRAST)
    LanguageRule.objects.create(
        rule_id="local-gang-member",
        pattern=[{"LOWER": "gang"}, {"LOWER": "member"}],
        suggestion="Say who is exploiting the child",
        reason="A child drawn into a gang is being exploited",
        example="Kai (15) is a gang member.",
        added_by=administrator,
    )
    assert model_findings(AGE_CONTRAST)
    settings.HARBOUR_LANGUAGE_MODEL = False
    assert model_findings(AGE_CONTRAST) == []
