from __future__ import annotations

import datetime as dt

from django import template

from harbour.children.models import Assessment
from harbour.children.record import ChildRecord

register = template.Library()


def duration_text(days: int) -> str:
    """A wait in the words a practitioner would say: '3 weeks', '7 months', '2 years 1 month'."""
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 70:
        weeks = days // 7
        return f"{weeks} weeks"
    months = round(days / 30.44)
    years, months = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts) or "0 months"


@register.simple_tag
def wait_text(assessment: Assessment, today: dt.date) -> str:
    return duration_text(assessment.wait_days(today))


@register.filter
def days_text(days: int) -> str:
    return duration_text(days)


@register.simple_tag
def withheld_in(record: ChildRecord, *sections: str) -> list[tuple[str, int, dt.date | None]]:
    """For the sections of one card: each agency holding entries the viewer may not see, how
    many, and the latest date."""
    by_agency: dict[str, list[dt.date | None]] = {}
    for section in sections:
        for item in record.withheld.get(section, []):
            by_agency.setdefault(item.agency, []).append(item.on)
    return [
        (agency, len(dates), max((d for d in dates if d), default=None))
        for agency, dates in sorted(by_agency.items())
    ]
