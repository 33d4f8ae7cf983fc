"""The store's pages for analysts and leaders: what is in it (with a chart and its table), an
import from a file with its progress, and the catalogue as CSV (audited as an export)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from harbour import disclosure
from harbour.access import policy
from harbour.insight import alerts as alert_checks
from harbour.insight import (
    assessment,
    charts,
    forms,
    hidden_harm,
    report,
    report_pdf,
    selectors,
    services,
)
from harbour.insight.engine import FORMATS
from harbour.insight.engine.disproportionality import DEFAULT_REFERENCE, GROUPS
from harbour.insight.engine.queries import SOURCE_TABLES
from harbour.insight.presenters import (
    AlertPresenter,
    HoldingPresenter,
    ImportPresenter,
    month_name,
)
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.partnership.models import Staff
from harbour.web import lists
from harbour.web.navigation import current_item
from harbour.web.responses import csv_response, policy_errors, polled_progress


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
    return polled_progress(request, lambda r, polling: _import_run(r, import_id, polling))


@login_required
@policy_errors
def _import_run(
    request: AuthenticatedHttpRequest, import_id: uuid.UUID, polling: bool
) -> HttpResponse:
    run = selectors.import_for_actor(actor=request.user, import_id=import_id)
    template = "insight/_progress.html" if polling else "insight/import_run.html"
    return render(request, template, {"run": ImportPresenter(run)})


def _reference(request: AuthenticatedHttpRequest) -> tuple[forms.ReferenceForm, str]:
    """The reference group asked for (the default when none is), and the form with any error."""
    data = request.GET if "reference" in request.GET else None
    form = forms.ReferenceForm(data, initial={"reference": DEFAULT_REFERENCE})
    if data is not None and form.is_valid():
        return form, form.cleaned_data["reference"]
    return form, DEFAULT_REFERENCE


@login_required
@policy_errors
def needs(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The strategic needs assessment: trend and seasonality, where, when, who and which
    weapons, each a chart beside its table; counts only, small ones hidden."""
    figures = selectors.needs_figures(actor=request.user)
    return render(
        request,
        "insight/needs.html",
        {
            "sections": assessment.needs_sections(figures),
            "period": assessment.period(figures.months),
            "note": disclosure.NOTE,
            # /insight/ is the store's address; these pages are the needs assessment's item.
            **current_item(request, "insight:needs"),
        },
    )


@login_required
@policy_errors
def disproportionality(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Disproportionality by stage: rates per 1,000 children of the population and the relative
    rate index against the chosen group, with intervals."""
    form, reference = _reference(request)
    figures = selectors.disproportionality_figures(actor=request.user)
    return render(
        request,
        "insight/disproportionality.html",
        {
            "form": form,
            "reference": reference,
            "reference_label": GROUPS[reference],
            "sections": assessment.disproportionality_sections(figures, reference),
            "period": assessment.period(figures.months),
            "note": disclosure.NOTE,
            "extracted_at": figures.extracted_at,
            "no_extract": selectors.NO_EXTRACT_YET,
            **current_item(request, "insight:needs"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@policy_errors
def hidden(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Hidden harm: violence health sees and the police do not, by area and group, and girls and
    young women across the sources against the caseloads; counts only, small ones hidden."""
    figures = selectors.hidden_harm_figures(actor=request.user)
    return render(
        request,
        "insight/hidden_harm.html",
        {
            "sections": hidden_harm.hidden_harm_sections(figures),
            "note": disclosure.NOTE,
            **current_item(request, "insight:needs"),
        },
    )


TITLE = "Serious youth violence: strategic needs assessment, disproportionality and hidden harm"


def _board_report(
    request: AuthenticatedHttpRequest,
    write: Callable[..., bytes],
    *,
    kind: str,
    content_type: str,
    extension: str,
) -> HttpResponse:
    """The board report as ``write`` makes it (Excel or PDF): the same sections and protected
    numbers as the pages; an export, audited with its recipient and purpose."""
    form, reference = _reference(request)
    if form.errors:
        return HttpResponse(form.errors["reference"][0], status=400, content_type="text/plain")
    needs_figures = selectors.needs_figures(actor=request.user)
    figures = selectors.disproportionality_figures(actor=request.user)
    needs_sections = assessment.needs_sections(needs_figures)
    stage_sections = assessment.disproportionality_sections(figures, reference)
    hidden_sections = hidden_harm.hidden_harm_sections(
        selectors.hidden_harm_figures(actor=request.user)
    )
    made = timezone.localtime()
    content = write(
        [
            ("Strategic needs assessment", needs_sections),
            (f"Disproportionality by stage (compared with {GROUPS[reference]})", stage_sections),
            ("Hidden harm", hidden_sections),
        ],
        title=TITLE,
        period=assessment.period(sorted({*needs_figures.months, *figures.months})),
        made=made.strftime("%d %B %Y, %H:%M"),
    )
    services.store_exported(
        actor=request.user,
        what=f"the board report in {kind} (needs assessment; disproportionality against "
        f"{reference}; hidden harm)",
        rows=sum(len(s.rows) for s in [*needs_sections, *stage_sections, *hidden_sections]),
    )
    response = HttpResponse(content, content_type=content_type)
    name = f"harbour-board-report-{made.date().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@policy_errors
def board_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The board report in Excel."""
    return _board_report(
        request,
        report.board_report,
        kind="Excel",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        extension="xlsx",
    )


@login_required
@policy_errors
def board_report_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The board report in PDF: each section's chart (the page's own) beside or above its
    table, and a cover."""
    return _board_report(
        request,
        report_pdf.board_report_pdf,
        kind="PDF",
        content_type="application/pdf",
        extension="pdf",
    )


# Emerging-pattern alerts (ADR 0034) ---------------------------------------------------------------


@login_required
@policy_errors
@require_http_methods(["GET"])
def alert_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The alerts the monthly check raised, newest month first, with whether an action was
    recorded: for analysts and leaders."""
    form = forms.AlertFilterForm(request.GET)
    found = selectors.alerts_for(actor=request.user, **form.values())
    page = lists.paginate(found, request.GET.get("page"))
    latest = selectors.latest_alert_check(actor=request.user)
    return render(
        request,
        "insight/alert_list.html",
        {
            "form": form,
            **lists.page_context(page),
            "alerts": [AlertPresenter(a) for a in page],
            "latest_check": latest,
            "latest_month": month_name(latest.month) if latest else "",
            **current_item(request, "insight:alerts"),
        },
    )


@login_required
@policy_errors
@require_http_methods(["GET", "POST"])
def alert(request: AuthenticatedHttpRequest, alert_id: int) -> HttpResponse:
    """One alert: what rose, the method and its figures, the series as a chart beside its table,
    what leaders have done about it, and (for leaders) the form to record an action."""
    found = selectors.alert_for(actor=request.user, alert_id=alert_id)
    may_act = policy.may_act_on_alerts(request.user)
    form = forms.AlertActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_act:
            raise policy.Forbidden(policy.Action.INSIGHT_ALERT_ACT)
        if form.is_valid():
            alert_checks.record_action(
                actor=request.user,
                alert=found,
                action=form.cleaned_data["action"],
                taken_on=form.cleaned_data["taken_on"],
                taken_by=form.cleaned_data["taken_by"],
            )
            messages.success(request, "What was done is recorded")
            return redirect("insight:alert", alert_id=found.pk)
    presenter = AlertPresenter(found)
    return render(
        request,
        "insight/alert.html",
        {
            "alert": presenter,
            "section": assessment.alert_section(presenter),
            "form": form,
            "may_act": may_act,
            "actions": list(found.actions.all()),
            "leaders": [p.get_full_name() or p.get_username() for p in found.measure.leaders.all()],
            "note": disclosure.NOTE,
            **current_item(request, "insight:alerts"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@policy_errors
def alert_measures(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the monthly check watches and how: each measure's settings and the leaders told;
    leaders change them (``alert_measure``)."""
    found = selectors.alert_measures(actor=request.user)
    return render(
        request,
        "insight/alert_measures.html",
        {
            "measures": found,
            "may_act": policy.may_act_on_alerts(request.user),
            **current_item(request, "insight:alerts"),
        },
    )


def _leader_label(person: Staff) -> str:
    name = person.get_full_name() or person.get_username()
    return f"{name}, {person.agency.name}" if person.agency else name


@login_required
@policy_errors
@require_http_methods(["GET", "POST"])
def alert_measure(request: AuthenticatedHttpRequest, series: str) -> HttpResponse:
    """Change how the check watches one measure (leaders; audited by the service)."""
    measure = selectors.alert_measure(actor=request.user, series=series)
    if not policy.may_act_on_alerts(request.user):
        raise policy.Forbidden(policy.Action.INSIGHT_ALERT_ACT)
    leaders = selectors.alert_leaders()
    form = forms.AlertMeasureForm(
        request.POST if request.method == "POST" else None,
        leaders=[(p.get_username(), _leader_label(p)) for p in leaders],
        initial={
            "active": "yes" if measure.active else "no",
            "look_back": measure.look_back,
            "threshold": f"{measure.threshold:g}",
            "min_count": measure.min_count,
            "leaders": [p.get_username() for p in measure.leaders.all()],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        alert_checks.set_measure(
            series=measure.series,
            active=data["active"],
            look_back=data["look_back"],
            threshold=data["threshold"],
            min_count=data["min_count"],
            leaders=data["leaders"],
            actor=request.user,
        )
        messages.success(request, f"{measure.get_series_display()}: the check's settings are saved")
        return redirect("insight:alert-measures")
    return render(
        request,
        "insight/alert_measure.html",
        {"measure": measure, "form": form, **current_item(request, "insight:alerts")},
        status=400 if form.errors else 200,
    )
