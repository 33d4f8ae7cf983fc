"""What a complete referral holds. The items and what satisfies each are fixed here (they are
questions on the form); which items count, their weights and which block submission are the
partnership's rules (``CompletenessRule``), changed by an administrator."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from harbour.children.codes import Ethnicity
from harbour.frontdoor.codes import Consent, KnownNeed


def _text(value: str) -> bool:
    return bool(value and value.strip())


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    step: str  # the question page that answers it
    met: Callable[[Any], bool]


ITEMS: tuple[Item, ...] = (
    Item(
        "child_identity",
        "The child's name and date of birth",
        "child",
        lambda r: (
            r.child_id is not None
            or (
                _text(r.child_given_name)
                and _text(r.child_family_name)
                and bool(r.child_date_of_birth)
            )
        ),
    ),
    Item("what_happened", "What happened", "what-happened", lambda r: _text(r.what_happened)),
    Item("concerns", "The concern categories", "concerns", lambda r: bool(r.concerns)),
    Item("reason", "The reason for the referral", "reason", lambda r: _text(r.reason)),
    Item(
        "child_voice",
        "The child's own words, or why they could not be obtained",
        "voice",
        lambda r: _text(r.child_voice) or _text(r.child_voice_absent_reason),
    ),
    # "Not known" is an answer (and counted in the reports), an empty field is not.
    Item("ethnicity", "The child's ethnicity", "identity", lambda r: bool(r.ethnicity)),
    Item(
        "cultural_heritage",
        "The child's culture, faith and heritage",
        "identity",
        lambda r: _text(r.cultural_heritage),
    ),
    Item("known_needs", "Known needs", "needs", lambda r: bool(r.known_needs)),
    Item(
        "education_setting",
        "Where the child is educated",
        "education",
        lambda r: _text(r.education_setting),
    ),
    Item(
        "parents",
        "Whether parents know, and consent (or why not)",
        "parents",
        lambda r: (
            bool(r.parents_aware)
            and bool(r.consent)
            and (r.consent == Consent.GIVEN or _text(r.consent_reason))
        ),
    ),
    Item(
        "actions_taken",
        "What the referrer has already done",
        "actions",
        lambda r: _text(r.actions_taken),
    ),
    Item("urgency", "How urgent it is", "urgency", lambda r: bool(r.urgency)),
)
ITEMS_BY_KEY = {item.key: item for item in ITEMS}
ITEM_CHOICES = [(item.key, item.label) for item in ITEMS]


@dataclass(frozen=True)
class Completeness:
    score: int  # per cent of the weighted items met
    met: tuple[Item, ...]
    missing: tuple[Item, ...]
    blocking: tuple[Item, ...]  # missing and mandatory


def assess(referral: Any, rules: Iterable[Any]) -> Completeness:
    """Score a referral against the rules (objects with ``item``, ``weight``, ``mandatory``).
    Items with no rule are not counted."""
    met: list[Item] = []
    missing: list[Item] = []
    blocking: list[Item] = []
    total = got = 0
    for rule in rules:
        item = ITEMS_BY_KEY.get(rule.item)
        if item is None:
            continue
        total += rule.weight
        if item.met(referral):
            got += rule.weight
            met.append(item)
        else:
            missing.append(item)
            if rule.mandatory:
                blocking.append(item)
    score = round(100 * got / total) if total else 100
    return Completeness(score, tuple(met), tuple(missing), tuple(blocking))


def ethnicity_not_known(referral: Any) -> bool:
    """Counted apart in the reports: answered, but the child's ethnicity is still not known."""
    return referral.ethnicity in ("", Ethnicity.NOT_KNOWN)


def needs_not_known(referral: Any) -> bool:
    return KnownNeed.NOT_KNOWN in (referral.known_needs or [])
