"""The store's pages for analysts and leaders: what is in it (with a chart and its table), an
import from a file with its progress, and the catalogue as CSV (audited as an export)."""

from __future__ import annotations

import uuid
from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from harbour.access import policy
from harbour.insight import charts, forms, selectors, services
from harbour.insight.engine import FORMATS
from harbour.insight.engine.queries import SOURCE_TABLES
from harbour.insight.presenters import HoldingPresenter, ImportPresenter, month_name
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.web.responses import csv_response, policy_errors


@login_required
@policy_errors
def store(request: AuthenticatedHttpRequest) -> HttpResponse:
    catalogue = selectors.store_catalogue(actor=request.user)
    monthly = catalogue.monthly
    months = sorted(monthly["month"].unique())
    # The chart and its table show the sources the store holds, not every one it could.
    held = {t: label for t, label in SOURCE_TABLES.items() if t in set(monthly["source"])}
    by_source = {(row.source, row.month): int(row.rows) for row in monthly.itertuples(index=False)}
    table_rows = [(month_name(m), [by_source.get((t, m), 0) for t in held]) for m in months]
    return render(
        request,
        "insight/store.html",
        {
            "catalogue": catalogue,
            "imports": [ImportPresenter(run) for run in catalogue.imports],
            "holdings": [HoldingPresenter(h) for h in catalogue.holdings],
            "spec": charts.rows_by_month(monthly, held) if months else None,
            "sources": list(held.values()),
            "table_rows": table_rows,
            "may_import": policy.may_import_insight(request.user),
        },
    )


@login_required
@policy_errors
def store_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    catalogue = selectors.store_catalogue(actor=request.user)
    rows = [
        (h.table, h.label, h.rows, h.months, h.first_month, h.last_month)
        for h in catalogue.holdings
    ]
    services.store_exported(actor=request.user, what="the store's catalogue", rows=len(rows))
    return csv_response(
        f"insight-store-{timezone.localdate().isoformat()}.csv",
        ["table", "source", "rows", "months", "first_month", "last_month"],
        rows,
    )


@login_required
@policy_errors
def import_file(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.INSIGHT_IMPORT)
    posted = request.method == "POST"
    form = forms.ImportForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.import_start(
            actor=request.user,
            format_code=form.cleaned_data["format"],
            content=upload.read(),
            file_name=upload.name,
        )
        return redirect("insight:import-run", import_id=run.pk)
    return render(
        request,
        "insight/import.html",
        {"form": form, "formats": FORMATS.values()},
        status=400 if form.errors else 200,
    )


def import_run(request: HttpRequest, import_id: uuid.UUID) -> HttpResponse:
    polling = request.headers.get("HX-Request") == "true"
    if polling and not request.user.is_authenticated:
        # The session ended while the page polled: 286 tells htmx to stop, rather than swap the
        # sign-in page into the progress box.
        return HttpResponse(status=286)
    # login_required on _import_run sends anyone else to sign in.
    return _import_run(cast(AuthenticatedHttpRequest, request), import_id, polling)


@login_required
@policy_errors
def _import_run(
    request: AuthenticatedHttpRequest, import_id: uuid.UUID, polling: bool
) -> HttpResponse:
    run = selectors.import_for_actor(actor=request.user, import_id=import_id)
    template = "insight/_progress.html" if polling else "insight/import_run.html"
    return render(request, template, {"run": ImportPresenter(run)})
