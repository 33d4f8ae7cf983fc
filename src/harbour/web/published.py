"""Published counts at the partnership's threshold: ``harbour.disclosure`` (plain Python) with
the threshold from settings, for every app's reports and their CSVs."""

from __future__ import annotations

from django.conf import settings

from harbour import disclosure


def threshold() -> int:
    """Counts from 1 to this less one are not published (``HARBOUR_DISCLOSURE_THRESHOLD``: 5
    unless the partnership chooses more)."""
    return int(getattr(settings, "HARBOUR_DISCLOSURE_THRESHOLD", disclosure.THRESHOLD))


def count(value: int) -> disclosure.Published:
    """One count published with nothing to subtract it from: 1 to 4 is ``[c]``."""
    return disclosure.protect_count(int(value), threshold=threshold())


def csv_cell(value: object) -> object:
    """A published count as its CSV shows it: the number without separators, or ``[c]``."""
    return value.csv if isinstance(value, disclosure.Published) else value
