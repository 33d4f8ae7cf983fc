"""Answers to policy refusals, rendered inside the request's transaction so that the audit event
of a denied attempt commits with it, and CSV downloads.

The kit sits below every app (ADR 0020), so it does not import the access policy: the access
app tells it which refusals to answer, and how (``answer_refusal``, from ``AccessConfig.ready``).
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


# Each refusal and its answer, in the order they are tried.
_REFUSALS: dict[type[Exception], Callable[[HttpRequest], HttpResponse]] = {}


def answer_refusal(refusal: type[Exception], answer: Callable[[HttpRequest], HttpResponse]) -> None:
    """Have ``policy_errors`` answer ``refusal`` (and its subclasses) with ``answer``."""
    _REFUSALS[refusal] = answer


def policy_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn the policy's refusals into their answers (``policy.NotFound`` into 404 and
    ``policy.Forbidden`` into 403), as responses (not exceptions), so the transaction — and any
    denial event — commits."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except tuple(_REFUSALS) as refusal:
            answer = next(a for kind, a in _REFUSALS.items() if isinstance(refusal, kind))
            return answer(request)

    return wrapper


def polled_progress(
    request: HttpRequest, show: Callable[[Any, bool], HttpResponse]
) -> HttpResponse:
    """A progress page htmx polls (an import's): ``show(request, polling)``, whose own
    ``login_required`` sends anyone signed out to sign in, except a poll whose session ended,
    which gets 286 so htmx stops rather than swap the sign-in page into the progress box."""
    polling = request.headers.get("HX-Request") == "true"
    if polling and not request.user.is_authenticated:
        return HttpResponse(status=286)
    return show(request, polling)


FORMULA_STARTS = frozenset("=+-@")
_SKIPPED = "".join(chr(c) for c in range(33)) + "\x7f"  # spaces and control characters


def csv_cell(value: object) -> object:
    """Spreadsheet programs run a cell that starts with = + - or @ as a formula, also after
    spaces, tabs or other control characters, which they skip: such a cell gets a leading '."""
    if isinstance(value, str):
        first = value.lstrip(_SKIPPED)[:1]
        if first in FORMULA_STARTS or value[:1] in {"\t", "\r"}:
            return "'" + value
    return value


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable[object]]
) -> HttpResponse:
    """A CSV download, every cell made safe to open in a spreadsheet."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response
