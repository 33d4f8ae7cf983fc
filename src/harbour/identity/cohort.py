"""Serious violence harm as any agency sees it (ADR 0036): which agencies' events say a child was
harmed by, or involved in, serious violence, whichever agency saw it. The serious youth violence
cohort (``children.attention.syv_cohort``) counts a child with such an event in the last two
years, through the condition registered here when Django starts (the children app sits below
this one and cannot import it, ADR 0020); the hidden harm page (``insight``) counts the same
events by who saw them.

An event is serious violence harm when:

* it is violence or exploitation (``HARM_CATEGORIES``: violence with injury, assault, robbery,
  a knife or weapon, exploitation, a sexual offence) or a weapon was involved, and the child was
  in it as victim, suspect, person arrested, patient, pupil or the subject of a contact (not a
  witness or associate), from **any** agency: an emergency department attendance or ambulance
  call-out for an assault, a police incident, a social care contact about exploitation;
* or it is a youth justice contact;
* or it is a school's suspension or permanent exclusion for a physical assault or an offensive
  weapon (DfE's reasons ``PP``, ``PA`` and ``OW``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from harbour.children import attention
from harbour.identity.models import (
    EXCLUSION_KINDS,
    HARM_CATEGORIES,
    AgencyEvent,
    EventKind,
    EventRole,
    ExclusionReason,
)

#: How far back an event of harm puts a child in the cohort.
LOOKBACK_DAYS = 730

#: The child's part in an event that counts: harmed, or harming, not looking on.
HARMED_OR_HARMING = (
    EventRole.VICTIM,
    EventRole.SUSPECT,
    EventRole.ARRESTED,
    EventRole.PATIENT,
    EventRole.PUPIL,
    EventRole.SUBJECT,
)
#: DfE's exclusion reasons that are serious violence.
VIOLENT_EXCLUSION_REASONS = (
    ExclusionReason.PHYSICAL_ASSAULT_PUPIL,
    ExclusionReason.PHYSICAL_ASSAULT_ADULT,
    ExclusionReason.OFFENSIVE_WEAPON,
)

#: Who saw an event, by its kind: what the hidden harm page sets side by side.
HEALTH_KINDS = (EventKind.ED_ATTENDANCE, EventKind.AMBULANCE)
POLICE_KINDS = (EventKind.INCIDENT, EventKind.ARREST, EventKind.CUSTODY, EventKind.STOP_SEARCH)
SEEN_BY = {
    **{kind: "health" for kind in HEALTH_KINDS},
    **{kind: "police" for kind in POLICE_KINDS},
    EventKind.YOUTH_JUSTICE: "youth_justice",
    **{kind: "school" for kind in EXCLUSION_KINDS},
    EventKind.MISSING: "social_care",
    EventKind.RETURN_INTERVIEW: "social_care",
    EventKind.CONTACT: "social_care",
    EventKind.OTHER: "social_care",
}


def serious_violence_harm() -> Q:
    """The condition on an ``AgencyEvent`` that it is serious violence harm (above)."""
    return (
        ((Q(category__in=HARM_CATEGORIES) | Q(weapon=True)) & Q(role__in=HARMED_OR_HARMING))
        | Q(kind=EventKind.YOUTH_JUSTICE)
        | Q(kind__in=EXCLUSION_KINDS, exclusion_reason__in=VIOLENT_EXCLUSION_REASONS)
    )


def harm_events(events: QuerySet[AgencyEvent] | None = None) -> QuerySet[AgencyEvent]:
    """The events (of ``events``, or every one) that are serious violence harm."""
    return (events if events is not None else AgencyEvent.objects.all()).filter(
        serious_violence_harm()
    )


def known_for_serious_violence(today: dt.date) -> Q:
    """A child (``OuterRef("pk")``) whose person in the index has an event of serious violence
    harm from any agency in the last two years."""
    since = today - dt.timedelta(days=LOOKBACK_DAYS)
    events = harm_events(AgencyEvent.objects.filter(occurred_on__gte=since, occurred_on__lte=today))
    return Q(Exists(events.filter(source_record__person_link__person__child=OuterRef("pk"))))


def register() -> None:
    attention.count_in_cohort(known_for_serious_violence)


__all__ = [
    "HEALTH_KINDS",
    "POLICE_KINDS",
    "SEEN_BY",
    "harm_events",
    "known_for_serious_violence",
    "register",
    "serious_violence_harm",
]
