"""Lists that can be worked (ADR 0027, ADR 0031): the pieces every list page shares, so that each
paginates, counts, filters and says when nothing matches in the same way.

- ``paginate`` cuts a list into GOV.UK pages (an out-of-range or nonsense page number gives the
  nearest real page, never an error), and ``page_context`` gives a template what
  ``web/pagination.html`` and ``web/list_count.html`` need.
- ``ListFilterForm`` is the base of every list's filters: sent by GET so a filtered list can be
  bookmarked, each filter optional, a "from" date not in the future and a "to" date not before
  it, and ``active`` says whether anything is filtered (for "Clear filters").
- ``AGE_BANDS`` and ``born_in_band`` filter children by their age on today's date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from harbour.web.fields import past_or_today
from harbour.web.forms import GovukDateField

T = TypeVar("T")

PER_PAGE = 25  # a list is worked a page at a time; the queue keeps its own 50 (ADR 0027)

# Age bands for lists of children: (label, youngest, oldest) in whole years on today's date.
AGE_BANDS: dict[str, tuple[str, int, int]] = {
    "under_10": ("Under 10", 0, 9),
    "10_13": ("10 to 13", 10, 13),
    "14_15": ("14 or 15", 14, 15),
    "16_17": ("16 or 17", 16, 17),
    "18_up": ("18 or over", 18, 25),
}


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def born_in_band(band: str, today: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """(born after, born on or before) for the age band, or None for no such band."""
    if band not in AGE_BANDS:
        return None
    _, youngest, oldest = AGE_BANDS[band]
    today = today or timezone.localdate()
    return years_before(today, oldest + 1), years_before(today, youngest)


def filter_age_band(items: QuerySet[Any], band: str, field: str) -> QuerySet[Any]:
    """Only the rows whose date of birth (``field``) puts them in the age band today."""
    born = born_in_band(band)
    if born is None:
        return items
    return items.filter(**{f"{field}__gt": born[0], f"{field}__lte": born[1]})


def filter_dates(
    items: QuerySet[Any], field: str, date_from: dt.date | None, date_to: dt.date | None
) -> QuerySet[Any]:
    """Only the rows whose ``field`` (a date and time) falls on or between the two days."""
    if date_from is not None:
        start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
        items = items.filter(**{f"{field}__gte": start})
    if date_to is not None:
        end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
        items = items.filter(**{f"{field}__lt": end})
    return items


def paginate(items: QuerySet[Any] | Sequence[T], number: Any, per_page: int = PER_PAGE) -> Page:
    """One page of the list: a missing, nonsense or out-of-range number gives the nearest page."""
    return Paginator(items, per_page).get_page(number)


def page_context(page: Page) -> dict[str, Any]:
    """What ``web/pagination.html`` and ``web/list_count.html`` read."""
    return {
        "page_obj": page,
        "page_range": list(
            page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
        ),
    }


class ListFilterForm(forms.Form):
    """The base of a list's filters. Subclasses add their own fields; ``date_from`` and
    ``date_to``, where a subclass has them, are checked here."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "date_from" in self.fields:
            past_or_today(self, "date_from", "The from date")
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data

    def values(self) -> dict[str, Any]:
        """The filters to apply: none at all while any is wrong (the errors are shown)."""
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}

    @property
    def active(self) -> bool:
        """Whether the person asked for any filter (shown or wrong), for "Clear filters"."""
        return any(str(value).strip() for key, value in self.data.items() if key != "page")


def date_from_field(label: str = "From") -> GovukDateField:
    return GovukDateField(label=label, required=False, help_text="For example, 1 12 2026")


def date_to_field(label: str = "To") -> GovukDateField:
    return GovukDateField(label=label, required=False, help_text="For example, 7 12 2026")


def age_band_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Child's age",
        choices=[("", "Any age"), *((key, band[0]) for key, band in AGE_BANDS.items())],
        required=False,
        error_messages={"invalid_choice": "Select an age from the list"},
    )


def choice_field(label: str, any_label: str, choices: Any, *, error: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", any_label), *choices],
        required=False,
        error_messages={"invalid_choice": error},
    )


def back_to(request: HttpRequest, fallback: str) -> str:
    """Where to go back to after working an item of a list (the list as it was: filters and
    page), if the form said and it is this site; otherwise ``fallback``."""
    back = str(request.POST.get("back", ""))
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return fallback
