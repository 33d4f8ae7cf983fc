"""One access event for each child a read or a decision in the person index touches (ADR 0014,
ADR 0015): the pages of pairs, people and held records, the lists of flags and needs, a
child's flags and needs, and decisions about records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.partnership.models import Staff

#: The basis of a read or decision in the person index: the actor's agency reviews identities.
IDENTITY_REVIEW_BASIS = "agency:identity_review"


def audit_children(
    *,
    actor: Staff,
    event: str,
    child_ids: Iterable[Any],
    basis: str = IDENTITY_REVIEW_BASIS,
    section: str = "",
    subject: Any = None,
    detail: dict[str, Any] | None = None,
    even_if_none: bool = False,
) -> None:
    """One event for each child (each once, in a stable order), for the actor's purpose. With
    ``even_if_none``, a read of records known to be no Harbour child is still one event, with
    no child: the records may be a child's all the same."""
    children: list[Any] = sorted(set(child_ids), key=str)
    if not children and even_if_none:
        children = [None]
    for child_id in children:
        audit_record(
            actor=actor,
            event=event,
            child_id=child_id,
            section=section,
            purpose=policy.purpose_for(actor),
            basis=basis,
            subject=subject,
            detail=detail,
        )
