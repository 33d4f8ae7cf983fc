"""What to do with one record that arrived (ADR 0013, ADR 0021, ADR 0038): the one rule that both
the real-time path (``identity.intake.link_arrival``, a record at a time) and the file path
(``identity.bulk_arrivals``, a whole file at once) follow, so the two cannot part.

In order:

1. a record already in a person is left alone (``already_linked``);
2. a person the agency named (by person id) is joined unless the record's valid NHS number is
   none of that person's (``named``); a record that named a person and is not joined to them
   waits for a model, when there is none (``no_model``);
3. a record whose details cannot be matched safely is held (``held``), with or without a model;
4. without a trained model nothing more can be done (``no_model``);
5. among the candidates, best first (the record itself left out), the first one in a person
   decides: at or above ``threshold`` the record joins that person (``linked``) unless the NHS
   numbers differ, when the pair waits for review (``review``, ``nhs``); in
   ``[review_threshold, threshold)`` the pair waits for review; below it, or with no candidate
   in a person, the record is a new person (``new_person``).

The callers supply what the rule reads (the candidates, a candidate's person, whether the NHS
numbers conflict) from wherever they keep it: the database one record at a time, or memory for a
whole file. Plain Python: no Django here (ADR 0020)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: A candidate: (record id, match probability, match weight), best first.
Candidate = tuple[int, float, float]


@dataclass(frozen=True)
class Decision:
    """The outcome for one record (``intake.Arrival``'s outcomes) and, for ``named``,
    ``linked`` and ``review``, the person (their id, as the caller keeps ids); for ``review``,
    the candidate record paired with it, its probability and weight, and whether the pair waits
    because the NHS numbers differ; for ``held``, why."""

    outcome: str
    person: int | None = None
    candidate: int = 0
    probability: float = 0.0
    weight: float = 0.0
    nhs: bool = False
    reason: str = ""


def decide(
    *,
    already_linked: bool,
    named_given: bool,
    named: int | None,
    has_model: bool,
    hold_reason: Callable[[], str],
    candidates: Callable[[], Iterable[Candidate]],
    person_of: Callable[[int], int | None],
    conflicts: Callable[[int], bool],
    threshold: float,
    review_threshold: float,
) -> Decision:
    """The decision for one record (the module docstring). ``named_given``: the agency named a
    person (by id); ``named``: that (kept) person, when they exist. ``hold_reason`` and
    ``candidates`` are asked only when needed (the first gives "" for a usable record).
    ``person_of``: the (kept) person a candidate record is in, or None. ``conflicts(person)``:
    the record's valid NHS number is none of the person's valid ones (and they have some)."""
    if already_linked:
        return Decision("already_linked")
    if named is not None and not conflicts(named):
        return Decision("named", named)
    if named_given and not has_model:
        return Decision("no_model")
    reason = hold_reason()
    if reason:
        return Decision("held", reason=reason)
    if not has_model:
        return Decision("no_model")
    for candidate, probability, weight in candidates():
        person = person_of(candidate)
        if person is None:
            continue
        if probability >= threshold:
            if conflicts(person):
                return Decision("review", person, candidate, probability, weight, nhs=True)
            return Decision("linked", person, candidate, probability, weight)
        if probability >= review_threshold:
            return Decision("review", person, candidate, probability, weight)
        break
    return Decision("new_person")
