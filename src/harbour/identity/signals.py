"""What identity tells the apps above it (ADR 0020: identity may not import them; ADR 0028).

``events_arrived`` is sent once per sending (an API request, a file), after the commit of the
events and needs and of their matching on arrival, with the ids of the events and needs that
are new or changed (``event_ids``, ``need_ids``). ``harbour.notices`` connects to it and enqueues
the one background task that reacts (flags, needs, rapid response, notices)."""

from __future__ import annotations

from django.dispatch import Signal

events_arrived = Signal()

__all__ = ["events_arrived"]
