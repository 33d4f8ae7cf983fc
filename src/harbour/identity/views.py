"""Thin views for the person index: the review queue, a pair side by side with why the model
scored it, a person with merge and split by hand, and records held back from matching. Reads go
through ``identity.selectors`` (policy and audit), writes through ``identity.services``."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from harbour.access import policy
from harbour.children.happening import happening_now
from harbour.children.presenters import ChildPresenter
from harbour.identity import associates as child_associates_module
from harbour.identity import charts, forms, selectors, services
from harbour.identity.event_files import FORMATS
from harbour.identity.event_imports import event_import_start
from harbour.identity.imports import ImportRejected, import_person_records
from harbour.identity.linkage.model import normalise_postcode
from harbour.identity.models import EventImport, HeldDecisionKind
from harbour.identity.presenters import HeldRecordPresenter, record_reference
from harbour.partnership import selectors as partnership_selectors
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.partnership.models import Staff
from harbour.web import lists
from harbour.web.formpages import FormPage, add_service_errors, form_page
from harbour.web.responses import policy_errors, polled_progress


def _work_filters(form: forms.ReviewListFilterForm) -> selectors.WorkFilters:
    return selectors.WorkFilters(**form.values())


def _worked_list(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """What every worked list's allocation cells need (``web/allocate.html``)."""
    return {
        "may_allocate": policy.may_allocate_work(request.user),
        "colleagues": partnership_selectors.front_door_colleagues(actor=request.user),
        "back_to": request.get_full_path(),
    }


@login_required
@policy_errors
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.IDENTITY_REVIEW)
    form = forms.PairListFilterForm(request.GET, allocation=policy.may_allocate_work(request.user))
    queue = selectors.review_queue(actor=request.user, filters=_work_filters(form))
    page = lists.paginate(queue, request.GET.get("page"))
    pairs = list(page)
    for pair in pairs:
        pair.evidence = charts.deciding_evidence(pair.contributions)
    return render(
        request,
        "identity/review_queue.html",
        {
            "form": form,
            **lists.page_context(page),
            **_worked_list(request),
            "pairs": pairs,
            "decided": list(selectors.recently_decided(actor=request.user)),
            "held": selectors.held_count(actor=request.user),
        },
    )


@login_required
@policy_errors
def review_pair(request: AuthenticatedHttpRequest, pair_id: int) -> HttpResponse:
    view = selectors.review_pair_for_actor(actor=request.user, pair_id=pair_id)
    pair = view.pair
    form = forms.ReviewDecisionForm(
        request.POST if request.method == "POST" else None,
        needs_override=pair.needs_nhs_override,
    )
    if request.method == "POST" and not pair.is_decided and form.is_valid():
        try:
            services.review_decide(
                actor=request.user,
                pair=pair,
                same_person=form.cleaned_data["decision"] == forms.SAME,
                reason=form.cleaned_data["reason"],
                nhs_override_reason=form.cleaned_data.get("nhs_override_reason", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            same = form.cleaned_data["decision"] == forms.SAME
            messages.success(
                request,
                f"Recorded: {'the same person' if same else 'different people'}. The next "
                "linkage run will use your decision",
            )
            return redirect("identity:review-queue")
    return render(
        request,
        "identity/review_pair.html",
        {
            "view": view,
            "pair": pair,
            "form": form,
            "rows": _side_by_side(pair.record_l, pair.record_r),
            "bars": charts.bars(pair.contributions),
            "spec": charts.waterfall_spec(pair.contributions, probability=pair.match_probability),
            "may_override": policy.may_override_nhs_number(request.user),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@policy_errors
def person(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    view = selectors.person_for_actor(
        actor=request.user, number=number, action=policy.Action.IDENTITY_REVIEW
    )
    return render(
        request,
        "identity/person.html",
        {
            "view": view,
            "may_change": policy.can(request.user, policy.Action.IDENTITY_MERGE_SPLIT)
            and view.person.merged_into_id is None,
        },
    )


def _side_by_side(left: Any, right: Any) -> list[tuple[str, str, str]]:
    def born(record: Any) -> str:
        if record.date_of_birth:
            return f"{record.date_of_birth:%-d %B %Y}"
        given = getattr(record, "date_of_birth_given", "")
        return f"{given} (as given; not used for matching)" if given else ""

    def seen(record: Any) -> str:
        return f"{record.as_of:%-d %B %Y}"

    def postcode(record: Any) -> str:
        if not record.postcode or normalise_postcode(record.postcode):
            return str(record.postcode)
        return f"{record.postcode} (not a UK postcode; not used for matching)"

    return [
        ("Agency", left.agency.name, right.agency.name),
        ("Their reference", record_reference(left), record_reference(right)),
        ("First name", left.given_name, right.given_name),
        ("Last name", left.family_name, right.family_name),
        ("Date of birth", born(left), born(right)),
        ("Sex", left.sex, right.sex),
        ("Address", left.address_line, right.address_line),
        ("Postcode", postcode(left), postcode(right)),
        ("NHS number", left.nhs_number, right.nhs_number),
        ("School URN", left.school_urn, right.school_urn),
        ("UPN", left.upn, right.upn),
        ("As recorded on", seen(left), seen(right)),
    ]


def _record_label(record: Any) -> str:
    born = f", born {record.date_of_birth:%-d %B %Y}" if record.date_of_birth else ""
    name = record.full_name or "No name"
    return f"{record.agency.name} ({record.source_system} {record.source_id}): {name}{born}"


@login_required
@policy_errors
def person_merge(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    view = selectors.person_for_actor(
        actor=request.user, number=number, action=policy.Action.IDENTITY_MERGE_SPLIT
    )
    back = reverse("identity:person", args=[number])

    def save(data: dict[str, Any]) -> Any:
        found = selectors.person_by_display_id(data["other"])
        if found is None:
            raise ValidationError({"other": "No person has that number"})
        try:
            other = selectors.person_for_actor(
                actor=request.user,
                number=found.number,
                action=policy.Action.IDENTITY_MERGE_SPLIT,
            ).person
        except policy.NotFound:
            raise ValidationError({"other": "No person has that number"}) from None
        return services.person_merge(
            actor=request.user,
            person=view.person,
            other=other,
            reason=data["reason"],
            nhs_override_reason=data["nhs_override_reason"],
        )

    return form_page(
        request,
        form_class=forms.MergeForm,
        instance=None,
        save=save,
        done=lambda change: (
            f"{change.other.display_id} is now part of {change.person.display_id}",
            reverse("identity:person", args=[change.person.number]),
        ),
        page=FormPage(
            title="Merge with another person",
            caption=view.person.display_id,
            back_url=back,
            submit="Merge",
            intro="The older person number is kept; the other points to it and is never "
            "deleted. People with different NHS numbers are merged only with a reason.",
        ),
    )


def _split_done(change: Any) -> tuple[str, str]:
    return (
        f"The records are now {change.other.display_id}",
        reverse("identity:person", args=[change.other.number]),
    )


@login_required
@policy_errors
def person_split(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    view = selectors.person_for_actor(
        actor=request.user, number=number, action=policy.Action.IDENTITY_MERGE_SPLIT
    )
    back = reverse("identity:person", args=[number])
    choices = [(str(r.pk), _record_label(r)) for r in view.records]
    return form_page(
        request,
        form_class=forms.SplitForm,
        instance=None,
        save=lambda data: services.person_split(
            actor=request.user,
            person=view.person,
            source_record_ids=[int(pk) for pk in data["records"]],
            reason=data["reason"],
        ),
        done=_split_done,
        page=FormPage(
            title="Split records into a new person",
            caption=view.person.display_id,
            back_url=back,
            submit="Split",
        ),
        form_kwargs={"choices": choices},
    )


@login_required
@policy_errors
def held_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Records held back from matching, waiting for someone to decide (no names)."""
    policy.require_capability(request.user, policy.Action.IDENTITY_REVIEW)
    form = forms.ReviewListFilterForm(
        request.GET, allocation=policy.may_allocate_work(request.user)
    )
    held = selectors.held_records(actor=request.user, filters=_work_filters(form))
    page = lists.paginate(held, request.GET.get("page"))
    return render(
        request,
        "identity/held_list.html",
        {
            "form": form,
            **lists.page_context(page),
            **_worked_list(request),
            "rows": [HeldRecordPresenter(held) for held in page],
        },
    )


WORKED = {
    "flag": ("flag", "identity:flags"),
    "pair": ("record pair", "identity:review-queue"),
    "held": ("held record", "identity:held"),
}


@login_required
@policy_errors
@require_POST
def work_allocate(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """Take a flag, record pair or held record ("assign to me"), or, as a front-door manager,
    give it to someone or to no one; back to the list as it was."""
    if kind not in WORKED:
        raise policy.NotFound(pk)
    what, list_url = WORKED[kind]
    item = selectors.worked_item(actor=request.user, kind=kind, pk=pk)
    to = partnership_selectors.allocation_choice(
        actor=request.user, wanted=str(request.POST.get("to", ""))
    )
    try:
        services.work_allocate(actor=request.user, item=item, to=to)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        who = partnership_selectors.allocation_who(actor=request.user, to=to)
        messages.success(request, f"The {what} is now with {who}")
    return redirect(lists.back_to(request, reverse(list_url)))


def _held_decide(actor: Staff, held: Any, data: dict[str, Any]) -> str:
    """Apply the decision; returns what to tell the person."""
    kind = data["decision"]
    if kind == HeldDecisionKind.ATTACH:
        person = selectors.person_to_join(
            actor=actor, text=data["person"], action=policy.Action.IDENTITY_REVIEW
        )
        services.held_record_attach(
            actor=actor,
            held=held,
            person=person,
            reason=data["reason"],
            nhs_override_reason=data.get("nhs_override_reason") or "",
        )
        return f"The record is now part of {person.display_id}"
    if kind == HeldDecisionKind.KEEP:
        services.held_record_keep(actor=actor, held=held, note=data["reason"])
        return "The record stays held, with your note"
    services.held_record_close(actor=actor, held=held, reason=data["reason"])
    return "The record is closed as not a record of a person"


@login_required
@policy_errors
def held_record(request: AuthenticatedHttpRequest, held_id: int) -> HttpResponse:
    view = selectors.held_record_for_actor(actor=request.user, held_id=held_id)
    form = forms.HeldDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            message = _held_decide(request.user, view.held, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("identity:held")
    return render(
        request,
        "identity/held_record.html",
        {
            "view": view,
            "held": HeldRecordPresenter(view.held),
            "form": form,
            "rows": _record_rows(view.record),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _record_rows(record: Any) -> list[tuple[str, str]]:
    """One record's details, as ``_side_by_side`` shows two."""
    return [(label, value) for label, value, _ in _side_by_side(record, record)]


@login_required
@policy_errors
def import_records(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Administrators import an agency's person records (docs/identity-import.md)."""
    policy.require_capability(request.user, policy.Action.IDENTITY_IMPORT)
    agencies = selectors.import_agencies(actor=request.user)
    form = forms.ImportForm(
        request.POST or None,
        request.FILES or None,
        agencies=[(str(a.pk), a.name) for a in agencies],
    )
    rejected: ImportRejected | None = None
    warnings: list[Any] = []
    if request.method == "POST" and form.is_valid():
        agency = next(a for a in agencies if str(a.pk) == form.cleaned_data["agency"])
        try:
            summary = import_person_records(
                agency=agency, content=form.cleaned_data["file"].read(), actor=request.user
            )
        except ImportRejected as error:
            rejected = error
            form.add_error("file", str(error))
        else:
            messages.success(
                request,
                f"{summary.rows:,} rows for {agency.name}: {summary.created:,} new, "
                f"{summary.updated:,} updated, {summary.unchanged:,} unchanged",
            )
            if not summary.warnings:
                return redirect("identity:import")
            warnings = summary.warnings
    if warnings:
        # Saved: a fresh form, with what was kept but not used for matching listed below it.
        form = forms.ImportForm(agencies=[(str(a.pk), a.name) for a in agencies])
    return render(
        request,
        "identity/import.html",
        {
            "form": form,
            "errors": rejected.errors[:200] if rejected else [],
            "error_count": rejected.error_count if rejected else 0,
            "warnings": warnings[:200],
            "warning_count": len(warnings),
        },
        status=400 if form.errors else 200,
    )


@login_required
@policy_errors
def events_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Administrators import an agency's events or needs file (docs/events-intake.md): it runs
    in the background and its page shows how far it has got, then the counts and what matching
    on arrival did, or every problem by line and column."""
    agencies = selectors.event_import_agencies(actor=request.user)
    form = forms.EventsImportForm(
        request.POST or None,
        request.FILES or None,
        agencies=[(str(a.pk), a.name) for a in agencies],
        formats=[(name, f"{name}: {f.title}") for name, f in FORMATS.items()],
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = event_import_start(
            actor=request.user,
            agency=next(a for a in agencies if str(a.pk) == form.cleaned_data["agency"]),
            format_name=form.cleaned_data["file_format"],
            content=upload.read(),
            file_name=upload.name or "upload.csv",
        )
        return redirect("identity:events-import-run", import_id=run.pk)
    return render(
        request,
        "identity/events_import.html",
        {"form": form, "errors": [], "error_count": 0},
        status=400 if form.errors else 200,
    )


def events_import_run(request: HttpRequest, import_id: uuid.UUID) -> HttpResponse:
    return polled_progress(request, lambda r, polling: _events_import_run(r, import_id, polling))


@login_required
@policy_errors
def _events_import_run(
    request: AuthenticatedHttpRequest, import_id: uuid.UUID, polling: bool
) -> HttpResponse:
    run = selectors.event_import_for_actor(actor=request.user, import_id=import_id)
    template = "identity/_events_progress.html" if polling else "identity/events_import_run.html"
    return render(request, template, {"run": run, "percent": _percent(run)})


def _percent(run: EventImport) -> int:
    """How far through: checking and saving are the first tenth, matching the rest."""
    if run.is_finished:
        return 100
    if run.stage == "matching" and run.total:
        return 10 + (90 * run.done) // run.total
    return 5 if run.stage == "saving" else 0


@login_required
@policy_errors
def child_associates(request: AuthenticatedHttpRequest, child_id: uuid.UUID) -> HttpResponse:
    """Who the child has been involved with in agency events (issue 4, part 8)."""
    result = child_associates_module.child_associates(actor=request.user, child_id=child_id)
    if isinstance(result, policy.Decision):
        return redirect("children:break-glass", child_id=child_id)
    return render(
        request,
        "identity/associates.html",
        {
            "result": result,
            "child": ChildPresenter(result.child),
            "happening": happening_now(
                actor=request.user, child=result.child, decision=result.decision
            ),
        },
    )
