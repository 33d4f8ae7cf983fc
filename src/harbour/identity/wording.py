"""The language checker on agencies' events as they arrive (issue 11 part 5, ADR 0030): each new
or changed event's summary is checked with the partnership's rules, and what was found is kept
beside it (``EventWordingFinding``), with the version of the rule that found it, and shown to
staff where the summary is shown. The summary is kept exactly as the agency sent it."""

from __future__ import annotations

from collections.abc import Sequence

from harbour.identity.models import AgencyEvent, EventWordingFinding
from harbour.language import selectors as language_selectors
from harbour.language import services as language_services
from harbour.language.checker import Finding

#: The event's free text the checker reads.
CHECKED_TEXT_FIELDS = ("summary",)


CHUNK = 500  # events per query, well under SQLite's limit on parameters


def event_wording_check(*, new: Sequence[AgencyEvent], changed: Sequence[AgencyEvent]) -> int:
    """Check the summaries of these saved events, replacing what was found in a changed one
    before. Returns how many findings were kept."""
    events = [*new, *changed]
    if not events:
        return 0
    checker = language_selectors.partnership_checker()
    memo: dict[str, list[Finding]] = {}  # a file's repeated summaries are checked once
    for at in range(0, len(changed), CHUNK):
        EventWordingFinding.objects.filter(
            event__in=[e.pk for e in changed[at : at + CHUNK]]
        ).delete()
    found = [
        finding
        for event in events
        for finding in language_services.stored_findings_for(
            EventWordingFinding,
            texts={name: getattr(event, name) for name in CHECKED_TEXT_FIELDS},
            checker=checker,
            memo=memo,
            event=event,
        )
    ]
    EventWordingFinding.objects.bulk_create(found, batch_size=2000)
    return len(found)
