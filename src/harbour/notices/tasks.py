"""The one background task that reacts to an arrival (ADR 0028), run by ``harbour db_worker``.

It may run more than once for the same arrival (a worker that died, the same event sent again):
everything it does is idempotent (see ``services.react``)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from harbour.notices import services


@task()
def react_to_arrival(*, event_ids: list[int], need_ids: list[int]) -> dict[str, int]:
    return services.react(event_ids=event_ids, need_ids=need_ids).as_dict()


def enqueue_reaction(
    sender: Any, *, event_ids: list[int], need_ids: list[int], **_kwargs: Any
) -> None:
    """``identity.signals.events_arrived``'s receiver: one task per sending, after the commit."""
    react_to_arrival.enqueue(event_ids=list(event_ids), need_ids=list(need_ids))
