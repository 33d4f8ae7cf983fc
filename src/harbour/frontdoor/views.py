"""Thin views: parse, call a selector or service, render. Referrals are read only through
``frontdoor.selectors`` (policy and audit) and changed only through ``frontdoor.services``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from harbour.access import policy
from harbour.children.presenters import ChildPresenter
from harbour.children.selectors import ChildSearch, child_search
from harbour.frontdoor import forms, meetings, report_charts, reports, selectors, services
from harbour.frontdoor.codes import (
    HOURS_ONLY_CLOCKS,
    AuditQuestion,
    Concern,
    KnownNeed,
    MeetingRole,
    Status,
    Step,
)
from harbour.frontdoor.completeness import ITEMS_BY_KEY
from harbour.frontdoor.models import BankHoliday, CompletenessRule, ServiceLevel, WorkingHours
from harbour.partnership import selectors as partnership_selectors
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.web import lists, navigation
from harbour.web.formpages import FormPage, add_service_errors, form_page, suggest_wording
from harbour.web.responses import csv_response, policy_errors
from harbour.web.wording import wording_findings_for

# The navigation item the front door's pages belong to, its queue (``harbour.pages.navigation``).
FRONT_DOOR = "frontdoor:queue"

# The referrer's journey -------------------------------------------------------------------------


@login_required
@policy_errors
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.REFERRAL_MAKE)
    form = forms.MyReferralsFilterForm(request.GET)
    page = lists.paginate(
        selectors.my_sent_referrals(actor=request.user, **form.values()), request.GET.get("page")
    )
    return render(
        request,
        "frontdoor/home.html",
        {
            "drafts": selectors.my_drafts(actor=request.user),
            "form": form,
            **lists.page_context(page),
            "sent": selectors.my_referrals_shown(actor=request.user, referrals=page),
            "notifications": selectors.notifications(actor=request.user, unread_only=True),
        },
    )


@login_required
@policy_errors
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.REFERRAL_MAKE)
    if request.method == "POST":
        try:
            referral = services.referral_start(actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("frontdoor:home")
        return redirect("frontdoor:find-child", referral_id=referral.pk)
    return render(
        request,
        "frontdoor/start.html",
        {"thresholds": selectors.thresholds(), "front_door": services.front_door_agency()},
    )


def _draft(request: AuthenticatedHttpRequest, referral_id: int) -> Any:
    """The referrer's draft; once sent (Back after sending, an old tab), its page, which says
    what was sent and what happens next, rather than "not found"."""
    referral = selectors.referral_for_actor(
        actor=request.user, referral_id=referral_id, action=policy.Action.REFERRAL_MAKE
    )
    if referral.status != Status.DRAFT:
        messages.info(
            request,
            f"Referral {referral.reference} has been sent, so it cannot be changed. "
            "This is what you sent.",
        )
        return redirect("frontdoor:detail", referral_id=referral.pk)
    return referral


@login_required
@policy_errors
def find_child(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = _draft(request, referral_id)
    if isinstance(referral, HttpResponse):
        return referral
    form = forms.FindChildForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results, _ = child_search(
            actor=request.user,
            search=ChildSearch(
                name=form.cleaned_data["name"], date_of_birth=form.cleaned_data["date_of_birth"]
            ),
        )
    return render(
        request,
        "frontdoor/find_child.html",
        {"referral": referral, "form": form, "results": results},
    )


@require_POST
@login_required
@policy_errors
def choose_child(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = _draft(request, referral_id)
    if isinstance(referral, HttpResponse):
        return referral
    child = None
    chosen = request.POST.get("child", "")
    if chosen:
        try:
            child = selectors.child_for_referral(actor=request.user, child_id=uuid.UUID(chosen))
        except ValueError:
            child = None
        if child is None:
            raise policy.NotFound(chosen)
    services.referral_choose_child(actor=request.user, referral=referral, child=child)
    if child is not None:
        messages.success(request, f"The referral is about {child}, as recorded in Harbour")
        return redirect("frontdoor:question", referral_id=referral.pk, slug="what-happened")
    return redirect("frontdoor:question", referral_id=referral.pk, slug="child")


def _initial(referral: Any, form_class: type[django_forms.Form]) -> dict[str, Any]:
    return {name: getattr(referral, name) for name in form_class.base_fields}


@login_required
@policy_errors
def question(request: AuthenticatedHttpRequest, referral_id: int, slug: str) -> HttpResponse:
    referral = _draft(request, referral_id)
    if isinstance(referral, HttpResponse):
        return referral
    step = forms.QUESTIONS_BY_SLUG.get(slug)
    if step is None:
        raise Http404(slug)
    if slug == "child" and referral.child_id is not None and request.method != "POST":
        # A known child's details come from their record; choose again to change them.
        return redirect("frontdoor:find-child", referral_id=referral.pk)
    from_check = request.GET.get("from") == "check" or request.POST.get("from") == "check"
    form = step.form_class(
        request.POST if request.method == "POST" else None,
        initial=_initial(referral, step.form_class),
    )
    if form.is_bound and form.is_valid():
        try:
            services.referral_answer(
                actor=request.user, referral=referral, answers=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            suggest_wording(request, form)
            following = forms.next_question(slug)
            if from_check or following is None:
                return redirect("frontdoor:check", referral_id=referral.pk)
            return redirect("frontdoor:question", referral_id=referral.pk, slug=following)
    if form.is_bound:
        wording_findings_for(form)
    slugs = [q.slug for q in forms.QUESTIONS]
    index = slugs.index(slug)
    if from_check:
        back = reverse("frontdoor:check", args=[referral.pk])
    elif index == 0 or (index == 1 and referral.child_id is not None):
        back = reverse("frontdoor:find-child", args=[referral.pk])
    else:
        back = reverse("frontdoor:question", args=[referral.pk, slugs[index - 1]])
    return render(
        request,
        "frontdoor/question.html",
        {
            "referral": referral,
            "form": form,
            "step": step,
            "number": index + 1,
            "count": len(slugs),
            "back": back,
            "from_check": from_check,
            "thresholds": selectors.thresholds() if slug in ("concerns", "urgency") else [],
        },
    )


def _answers(referral: Any, *, wording: bool = False) -> list[dict[str, Any]]:
    """Check-your-answers rows: label, value, and the question page that changes it; with
    ``wording``, what the language checker found in each answer when it arrived (ADR 0030)."""
    concerns = dict(Concern.choices)
    needs = dict(KnownNeed.choices)

    def date(value: Any) -> str:
        return value.strftime("%-d %B %Y") if value else ""

    rows = [
        (
            "Child",
            f"{referral.child_stated_name}"
            + (
                f", born {date(referral.child_date_of_birth)}"
                if referral.child_date_of_birth
                else ""
            )
            + (" (known to Harbour)" if referral.child_id else ""),
            "child",
        ),
        ("Other names", referral.child_other_names, "child"),
        (
            "Address",
            " ".join(filter(None, [referral.child_address, referral.child_postcode])),
            "child",
        ),
        (
            "When it happened",
            " ".join(
                filter(
                    None,
                    [
                        date(referral.incident_date),
                        referral.incident_time.strftime("%H:%M") if referral.incident_time else "",
                    ],
                )
            ),
            "what-happened",
        ),
        ("Where it happened", referral.incident_location, "what-happened"),
        ("What happened", referral.what_happened, "what-happened", "what_happened"),
        ("Other people involved", referral.others_involved, "what-happened", "others_involved"),
        ("The referring agency's reference", referral.incident_reference, "what-happened"),
        ("Telephone number for the referrer", referral.referrer_phone, "what-happened"),
        ("Concerns", ", ".join(concerns.get(c, c) for c in referral.concerns), "concerns"),
        ("Reason for referral", referral.reason, "reason", "reason"),
        ("The child's own words", referral.child_voice, "voice", "child_voice"),
        (
            "Why the child's words could not be obtained",
            referral.child_voice_absent_reason,
            "voice",
            "child_voice_absent_reason",
        ),
        ("Ethnicity", referral.get_ethnicity_display() if referral.ethnicity else "", "identity"),
        (
            "Culture, faith and heritage",
            referral.cultural_heritage,
            "identity",
            "cultural_heritage",
        ),
        ("Known needs", ", ".join(needs.get(n, n) for n in referral.known_needs), "needs"),
        ("More about needs", referral.needs_detail, "needs", "needs_detail"),
        ("Education", referral.education_setting, "education"),
        (
            "Parents or carers know",
            referral.get_parents_aware_display() if referral.parents_aware else "",
            "parents",
        ),
        ("Consent", referral.get_consent_display() if referral.consent else "", "parents"),
        (
            "Why consent was not sought or was refused",
            referral.consent_reason,
            "parents",
            "consent_reason",
        ),
        ("What you have already done", referral.actions_taken, "actions", "actions_taken"),
        ("Urgency", referral.get_urgency_display() if referral.urgency else "", "urgency"),
    ]
    found: dict[str, list[Any]] = {}
    if wording:
        for finding in referral.wording_findings.all():
            found.setdefault(finding.field_name, []).append(finding)
    return [
        {
            "label": label,
            "value": value,
            "slug": slug,
            "findings": found.get(name[0]) if name else None,
        }
        for label, value, slug, *name in rows
    ]


@login_required
@policy_errors
def check(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = _draft(request, referral_id)
    if isinstance(referral, HttpResponse):
        return referral
    errors: list[dict[str, str]] = []
    result = None
    if request.method == "POST":
        try:
            services.referral_submit(actor=request.user, referral=referral)
        except ValidationError as error:
            if isinstance(error, services.ReferralIncomplete):
                result = error.assessment  # the refusal's own assessment: not assessed twice
            for item in error.error_list:
                key = item.code or ""
                slug = ITEMS_BY_KEY[key].step if key in ITEMS_BY_KEY else "child"
                errors.append(
                    {
                        "text": item.messages[0],
                        "href": reverse("frontdoor:question", args=[referral.pk, slug])
                        + "?from=check",
                    }
                )
        else:
            return redirect("frontdoor:sent", referral_id=referral.pk)
    if result is None:
        result = services.assess(referral)
    return render(
        request,
        "frontdoor/check.html",
        {
            "referral": referral,
            "answers": _answers(referral),
            "completeness": result,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
@policy_errors
def sent(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_for_actor(
        actor=request.user, referral_id=referral_id, action=policy.Action.REFERRAL_MAKE
    )
    if referral.status == Status.DRAFT:
        return redirect("frontdoor:check", referral_id=referral.pk)
    return render(request, "frontdoor/sent.html", {"referral": referral})


@login_required
@policy_errors
def detail(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_for_actor(
        actor=request.user, referral_id=referral_id, action=policy.Action.REFERRAL_MAKE
    )
    if referral.status == Status.DRAFT:
        return redirect("frontdoor:check", referral_id=referral.pk)
    basis = policy.referral_basis(request.user, referral)
    at_front_door = policy.at_front_door(basis)
    context: dict[str, Any] = {
        "referral": referral,
        "answers": _answers(referral, wording=at_front_door),
        "at_front_door": at_front_door,
        "decision": selectors.current_decision(referral),
        "may_escalate": policy.may_escalate_as_referrer(request.user, referral)
        and services.may_escalate(referral),
        "missing": [
            ITEMS_BY_KEY[k].label for k in referral.completeness_missing if k in ITEMS_BY_KEY
        ],
        "audit_findings": selectors.audit_findings_for_referrer(referral=referral),
        # The address is under /referrals/ for both: which tab is current depends on who looks.
        **navigation.current_item(request, FRONT_DOOR if at_front_door else "frontdoor:home"),
    }
    if at_front_door:
        now = timezone.now()
        clock = selectors.clock_for(referral, now) if referral.is_open else None
        context.update(
            clock=clock,
            clock_reason=clock.kind.reason(selectors.working_time().describe())
            if clock is not None and clock.kind is not None
            else "",
            history=selectors.history(actor=request.user, referral=referral),
            can_countersign=policy.can(request.user, policy.Action.FRONT_DOOR_COUNTERSIGN),
            # The meeting follows the decision, so it can be convened after the referral closes.
            may_convene=meetings.meeting_decision(referral) is not None,
        )
    return render(request, "frontdoor/detail.html", context)


@login_required
@policy_errors
def escalate(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_for_actor(
        actor=request.user, referral_id=referral_id, action=policy.Action.REFERRAL_MAKE
    )
    if policy.referral_basis(request.user, referral) != policy.REFERRAL_REFERRER:
        raise policy.NotFound(referral_id)
    form = forms.EscalateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_escalate(
                actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Escalated. The front-door managers have been told")
            return redirect("frontdoor:detail", referral_id=referral.pk)
    return render(
        request,
        "frontdoor/escalate.html",
        {
            "referral": referral,
            "form": form,
            "route": selectors.escalation_route(),
            "may_escalate": services.may_escalate(referral),
        },
    )


@login_required
@policy_errors
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.is_active_actor(request.user):
        raise policy.Forbidden("notifications")
    if request.method == "POST":
        services.notifications_mark_read(actor=request.user)
        return redirect("frontdoor:notifications")
    form = forms.MessageFilterForm(request.GET)
    page = lists.paginate(
        selectors.my_messages(actor=request.user, **form.values()), request.GET.get("page")
    )
    return render(
        request,
        "frontdoor/notifications.html",
        {
            "form": form,
            **lists.page_context(page),
            "items": selectors.messages_shown(actor=request.user, notifications=page),
        },
    )


# The front door ---------------------------------------------------------------------------------


@login_required
@policy_errors
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.FRONT_DOOR_TRIAGE)
    form = forms.QueueFilterForm(
        request.GET, age_bands={k: v[0] for k, v in selectors.AGE_BANDS.items()}
    )
    filters = selectors.QueueFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.QueueFilters(
            agency=data["agency"],
            urgency=data["urgency"],
            rating=data["rating"],
            allocated=data["allocated"],
            age=data["age"],
            received_from=data["received_from"],
        )
    queue = selectors.front_door_queue_page(
        actor=request.user, page=request.GET.get("page"), filters=filters
    )
    return render(
        request,
        "frontdoor/queue.html",
        {
            "form": form,
            "filters": filters,
            "workload": selectors.front_door_workload(actor=request.user),
            "colleagues": selectors.front_door_colleagues(actor=request.user),
            "back_to": request.get_full_path(),
            "rows": queue.rows,
            **lists.page_context(queue.page),
            "is_manager": policy.can(request.user, policy.Action.FRONT_DOOR_COUNTERSIGN),
            "other_lists": navigation.held_by(request.user, FRONT_DOOR),
        },
    )


@login_required
@policy_errors
@require_POST
def allocate(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    """Take a referral ("assign to me"), or, as a manager, give it to someone or to no one."""
    referral = selectors.referral_for_actor(
        actor=request.user, referral_id=referral_id, action=policy.Action.FRONT_DOOR_TRIAGE
    )
    form = forms.AllocateForm(request.POST)
    wanted = form.data.get("to", "") if form.is_valid() else ""
    to = partnership_selectors.allocation_choice(actor=request.user, wanted=wanted)
    try:
        services.referral_allocate(actor=request.user, referral=referral, to=to)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        who = partnership_selectors.allocation_who(actor=request.user, to=to)
        messages.success(request, f"{referral.reference} is now with {who}")
    return redirect(lists.back_to(request, reverse("frontdoor:queue")))


@login_required
@policy_errors
def oversight(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "frontdoor/oversight.html", {"oversight": selectors.oversight(actor=request.user)}
    )


def _at_front_door(request: AuthenticatedHttpRequest, referral_id: int) -> Any:
    referral = selectors.referral_for_actor(
        actor=request.user, referral_id=referral_id, action=policy.Action.FRONT_DOOR_TRIAGE
    )
    if not referral.is_open:
        messages.warning(request, "This referral has been closed")
        return None
    return referral


@login_required
@policy_errors
def confirm_child(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = _at_front_door(request, referral_id)
    if referral is None:
        return redirect("frontdoor:detail", referral_id=referral_id)
    error = ""
    if request.method == "POST":
        chosen = request.POST.get("child", "")
        try:
            if chosen == "new":
                services.referral_confirm_child(actor=request.user, referral=referral, create=True)
            else:
                try:
                    child = selectors.child_for_referral(
                        actor=request.user, child_id=uuid.UUID(chosen)
                    )
                except ValueError:
                    child = None
                if child is None:
                    raise ValidationError("Select the child, or record a new child")
                services.referral_confirm_child(actor=request.user, referral=referral, child=child)
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            messages.success(request, "Child confirmed")
            return redirect("frontdoor:detail", referral_id=referral.pk)
    return render(
        request,
        "frontdoor/confirm_child.html",
        {
            "referral": referral,
            "candidates": selectors.child_candidates(actor=request.user, referral=referral),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@policy_errors
def rate(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = _at_front_door(request, referral_id)
    if referral is None:
        return redirect("frontdoor:detail", referral_id=referral_id)
    back = reverse("frontdoor:detail", args=[referral.pk])
    return form_page(
        request,
        form_class=forms.RagForm,
        instance=referral if referral.rag else None,
        save=lambda data: services.referral_rate(
            actor=request.user,
            referral=referral,
            rag=data["rag"],
            rationale=data["rag_rationale"],
        ),
        done=lambda r: (f"Rated {r.get_rag_display().split(':')[0].lower()}", back),
        page=FormPage(
            title="Rate the referral",
            caption=str(referral.reference),
            back_url=back,
            submit="Save rating",
        ),
    )


@login_required
@policy_errors
def decide(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = _at_front_door(request, referral_id)
    if referral is None:
        return redirect("frontdoor:detail", referral_id=referral_id)
    back = reverse("frontdoor:detail", args=[referral.pk])
    thresholds = selectors.thresholds()
    return form_page(
        request,
        form_class=forms.DecisionForm,
        instance=None,
        save=lambda data: services.referral_decide(actor=request.user, referral=referral, **data),
        done=lambda d: (
            "Decision recorded"
            if d.countersigned_at
            else "Decision recorded. A manager will countersign it before the referrer is told",
            back,
        ),
        page=FormPage(
            title="Decide",
            caption=str(referral.reference),
            back_url=back,
            submit="Record decision",
            intro="Read the partnership's threshold guidance before deciding. On the risk "
            "outside the home pathway, parents and carers are partners in keeping the child "
            "safe, not the cause of the harm.",
            aside="frontdoor/_referral_aside.html",
            context={"referral": referral, "answers": _answers(referral)},
        ),
        form_kwargs={"thresholds": thresholds},
    )


@login_required
@policy_errors
def countersign(request: AuthenticatedHttpRequest, decision_id: int) -> HttpResponse:
    decision = selectors.decision_for_actor(actor=request.user, decision_id=decision_id)
    back = reverse("frontdoor:detail", args=[decision.referral_id])
    return form_page(
        request,
        form_class=forms.CountersignForm,
        instance=None,
        save=lambda data: services.decision_countersign(
            actor=request.user, decision=decision, agree=data["agree"] == "yes", note=data["note"]
        ),
        done=lambda d: (
            "Countersigned. The referrer has been told"
            if d.state == "countersigned"
            else "Returned to the practitioner",
            back,
        ),
        page=FormPage(
            title=f"Countersign: {decision.get_outcome_display()}",
            caption=str(decision.referral.reference),
            back_url=back,
            submit="Save",
            intro="Read what you are signing: the child, the referral, its rating, the decision "
            "and what the referrer will be told. Once you countersign, the referrer is told.",
            before="frontdoor/_decision_evidence.html",
            context={
                "referral": decision.referral,
                "decision": decision,
                "answers": _answers(decision.referral),
                "child": ChildPresenter(decision.referral.child)
                if decision.referral.child is not None
                else None,
            },
        ),
    )


@login_required
@policy_errors
def reopen(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_for_actor(
        actor=request.user, referral_id=referral_id, action=policy.Action.FRONT_DOOR_COUNTERSIGN
    )
    back = reverse("frontdoor:detail", args=[referral.pk])
    return form_page(
        request,
        form_class=forms.ReopenForm,
        instance=None,
        save=lambda data: services.referral_reopen(
            actor=request.user, referral=referral, reason=data["reason"]
        ),
        done=lambda r: ("Referral reopened: it is back on the queue", back),
        page=FormPage(
            title="Reopen the referral",
            caption=str(referral.reference),
            back_url=back,
            submit="Reopen",
            intro="The decision stays in the referral's history. The referral goes back on the "
            "queue with a new clock, and the referrer is told.",
        ),
    )


@login_required
@policy_errors
def resolve_escalation(request: AuthenticatedHttpRequest, escalation_id: int) -> HttpResponse:
    escalation = selectors.escalation_for_actor(actor=request.user, escalation_id=escalation_id)
    back = reverse("frontdoor:oversight")
    return form_page(
        request,
        form_class=forms.ResolveEscalationForm,
        instance=None,
        save=lambda data: services.escalation_resolve(
            actor=request.user, escalation=escalation, resolution=data["resolution"]
        ),
        done=lambda e: ("Escalation resolved. The referrer has been told", back),
        page=FormPage(
            title="Resolve the escalation",
            caption=str(escalation.referral.reference),
            back_url=back,
            submit="Resolve",
            intro=escalation.reason,
        ),
    )


# The partnership's rules ------------------------------------------------------------------------


@login_required
@policy_errors
def rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.FRONT_DOOR_RULES_MANAGE)
    holidays = selectors.bank_holidays()
    today = timezone.localdate()
    return render(
        request,
        "frontdoor/rules.html",
        {
            "rules": selectors.completeness_rules(),
            "clocks": selectors.clock_levels(),
            "levels": selectors.service_levels(),
            "working": selectors.working_time(),
            "bank_holidays": [h for h in holidays if h.day >= today],
            "past_bank_holidays": len([h for h in holidays if h.day < today]),
            # Warn before the list runs out: next year's must be added in time.
            "bank_holidays_run_out": not any(
                h.day >= today + dt.timedelta(days=365) for h in holidays
            ),
            "route": selectors.escalation_route(),
        },
    )


@login_required
@policy_errors
def rule_edit(request: AuthenticatedHttpRequest, item: str) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.FRONT_DOOR_RULES_MANAGE)
    rule = CompletenessRule.objects.filter(item=item).first()
    if rule is None or item not in ITEMS_BY_KEY:
        raise Http404(item)
    back = reverse("frontdoor:rules")
    return form_page(
        request,
        form_class=forms.CompletenessRuleForm,
        instance=rule,
        save=lambda data: services.completeness_rule_update(
            actor=request.user, rule=rule, weight=data["weight"], mandatory=data["mandatory"]
        ),
        done=lambda r: (f"Rule changed: {ITEMS_BY_KEY[r.item].label}", back),
        page=FormPage(title=ITEMS_BY_KEY[item].label, caption="Completeness rule", back_url=back),
    )


@login_required
@policy_errors
def service_level_edit(
    request: AuthenticatedHttpRequest, step: str, clock: str = ""
) -> HttpResponse:
    """One step's time on one clock (``clock`` is empty for a step with no clock: a strategy
    meeting's, a rapid response's)."""
    policy.require_capability(request.user, policy.Action.FRONT_DOOR_RULES_MANAGE)
    level = ServiceLevel.objects.filter(step=step, clock=clock).first()
    if level is None:
        raise Http404(step)
    back = reverse("frontdoor:rules")
    caption = f"Service level: {level.get_clock_display().lower()} clock" if clock else ""
    intro = (
        "Referrals keep the clock they were received on: a change times the referrals received "
        "from now on."
    )
    if clock in HOURS_ONLY_CLOCKS:
        intro += " This clock runs in hours, through evenings, nights and weekends."
    return form_page(
        request,
        form_class=forms.ServiceLevelForm,
        instance=level,
        save=lambda data: services.service_level_update(
            actor=request.user, level=level, amount=data["amount"], unit=data["unit"]
        ),
        done=lambda lv: (f"Service level changed: {lv}", back),
        page=FormPage(
            title=Step(step).label,
            caption=caption or "Service level",
            back_url=back,
            intro=intro,
        ),
    )


@login_required
@policy_errors
def working_hours_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.FRONT_DOOR_RULES_MANAGE)
    back = reverse("frontdoor:rules")
    return form_page(
        request,
        form_class=forms.WorkingHoursForm,
        instance=WorkingHours.objects.order_by("pk").first(),
        save=lambda data: services.working_hours_update(
            actor=request.user, opens_at=data["opens_at"], closes_at=data["closes_at"]
        ),
        done=lambda hours: (f"Working hours changed: {hours}, Monday to Friday", back),
        page=FormPage(
            title="The front door's working hours",
            caption="Front-door rules",
            back_url=back,
            intro="Monday to Friday, except bank holidays. A referral received outside these "
            "hours is out of hours: unless it is immediate or routine, the emergency duty team's "
            "clock applies.",
        ),
    )


@login_required
@policy_errors
def bank_holiday_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.FRONT_DOOR_RULES_MANAGE)
    back = reverse("frontdoor:rules") + "#bank-holidays-heading"
    return form_page(
        request,
        form_class=forms.BankHolidayForm,
        instance=None,
        save=lambda data: services.bank_holiday_add(
            actor=request.user, day=data["day"], name=data["name"]
        ),
        done=lambda holiday: (f"Bank holiday added: {holiday}", back),
        page=FormPage(
            title="Add a bank holiday",
            caption="Front-door rules",
            back_url=back,
            submit="Add bank holiday",
            intro="A bank holiday is not a working day, and referrals received on it are out of "
            "hours.",
        ),
    )


@login_required
@policy_errors
def bank_holiday_remove(request: AuthenticatedHttpRequest, holiday_id: int) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.FRONT_DOOR_RULES_MANAGE)
    holiday = BankHoliday.objects.filter(pk=holiday_id).first()
    if holiday is None:
        raise Http404(holiday_id)
    back = reverse("frontdoor:rules") + "#bank-holidays-heading"
    return form_page(
        request,
        form_class=forms.RemoveBankHolidayForm,
        instance=None,
        save=lambda data: services.bank_holiday_remove(actor=request.user, holiday=holiday),
        done=lambda _: (f"Bank holiday removed: {holiday}", back),
        page=FormPage(
            title=f"Remove {holiday.name}, {holiday.day:%-d %B %Y}?",
            caption="Front-door rules",
            back_url=back,
            submit="Remove bank holiday",
            intro="The day becomes a working day for referrals received from now on.",
        ),
    )


# Strategy meetings ------------------------------------------------------------------------------


@login_required
@policy_errors
def meeting_convene(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_for_actor(
        actor=request.user, referral_id=referral_id, action=policy.Action.FRONT_DOOR_TRIAGE
    )
    back = reverse("frontdoor:detail", args=[referral.pk])
    choices = selectors.meeting_agency_choices()

    def save(data: dict[str, Any]) -> Any:
        return meetings.meeting_convene(
            actor=request.user,
            referral=referral,
            scheduled_for=data["scheduled_for"],
            agencies={role: data.get(f"agencies_{role}") or [] for role in MeetingRole},
        )

    return form_page(
        request,
        form_class=forms.ConveneMeetingForm,
        instance=None,
        save=save,
        done=lambda m: (
            "Strategy meeting convened" + (" (out of hours)" if m.out_of_hours else ""),
            reverse("frontdoor:meeting", args=[m.pk]),
        ),
        page=FormPage(
            title="Convene a strategy meeting",
            caption=str(referral.reference),
            back_url=back,
            submit="Convene meeting",
            intro="Invite police, health, children's social care and education at least. "
            "Meetings can be held at any hour: the child's safety sets the time.",
        ),
        form_kwargs={"agency_choices": choices},
    )


@login_required
@policy_errors
def meeting(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    found = selectors.meeting_for_actor(actor=request.user, meeting_id=meeting_id)
    return render(
        request,
        "frontdoor/meeting.html",
        {"meeting": found, "referral": found.referral, "roles": dict(MeetingRole.choices)},
    )


@login_required
@policy_errors
def meeting_record(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    found = selectors.meeting_for_actor(actor=request.user, meeting_id=meeting_id)
    back = reverse("frontdoor:meeting", args=[found.pk])
    return form_page(
        request,
        form_class=forms.RecordMeetingForm,
        instance=None,
        save=lambda data: meetings.meeting_record(
            actor=request.user,
            meeting=found,
            held_at=data["held_at"],
            attendance=data["attendance"],
            decisions=data["decisions"],
        ),
        done=lambda m: ("Meeting recorded", back),
        page=FormPage(
            title="Record the strategy meeting",
            caption=str(found.referral.reference),
            back_url=back,
            submit="Save",
        ),
        form_kwargs={"invitees": list(found.agencies.all())},
    )


@login_required
@policy_errors
def meeting_action_add(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    found = selectors.meeting_for_actor(actor=request.user, meeting_id=meeting_id)
    back = reverse("frontdoor:meeting", args=[found.pk])
    return form_page(
        request,
        form_class=forms.MeetingActionForm,
        instance=None,
        save=lambda data: meetings.meeting_action_add(actor=request.user, meeting=found, **data),
        done=lambda a: ("Action added", back),
        page=FormPage(
            title="Add an action",
            caption=str(found.referral.reference),
            back_url=back,
            submit="Add action",
        ),
    )


# Audits of referrals ----------------------------------------------------------------------------


@login_required
@policy_errors
def audits(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "frontdoor/audits.html",
        {"audits": selectors.audits(actor=request.user), "is_manager": True},
    )


@login_required
@policy_errors
def audit_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.REFERRAL_AUDIT)
    back = reverse("frontdoor:audits")
    return form_page(
        request,
        form_class=forms.AuditCreateForm,
        instance=None,
        save=lambda data: meetings.audit_create(
            actor=request.user,
            title=data["title"],
            sampling=data["sampling"],
            sample_size=data["sample_size"],
            criteria={
                "agency": data["agency"].pk if data.get("agency") else None,
                "concern": data.get("concern") or None,
                "completeness_below": data.get("completeness_below"),
                "received_from": data.get("received_from"),
                "received_to": data.get("received_to"),
            },
        ),
        done=lambda a: (
            f"{a.sample_size} referrals sampled",
            reverse("frontdoor:audit", args=[a.pk]),
        ),
        page=FormPage(
            title="Start a referral audit",
            back_url=back,
            submit="Draw the sample",
            intro="A random sample draws from every referral to the front door. A targeted "
            "sample draws from those that match what you choose below.",
        ),
    )


@login_required
@policy_errors
def audit(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    found, cases = selectors.audit_for_actor(actor=request.user, audit_id=audit_id)
    return render(
        request,
        "frontdoor/audit.html",
        {"audit": found, "cases": cases, "questions": AuditQuestion.choices},
    )


@login_required
@policy_errors
def audit_case(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = selectors.audit_case_for_actor(actor=request.user, case_id=case_id)
    if request.method == "POST" and request.POST.get("feed_back"):
        try:
            meetings.audit_feed_back(actor=request.user, case=case)
        except ValidationError as error:
            messages.warning(request, error.messages[0])
        else:
            messages.success(request, "Findings sent to the referring team")
        return redirect("frontdoor:audit", audit_id=case.audit_id)
    initial = {f"score_{q}": v for q, v in case.scores.items()} | {"findings": case.findings}
    form = forms.AuditScoreForm(request.POST or None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            meetings.audit_score(
                actor=request.user,
                case=case,
                scores=form.scores(),
                findings=form.cleaned_data["findings"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            suggest_wording(request, form)
            messages.success(request, f"Scored {case.referral.reference}")
            return redirect("frontdoor:audit", audit_id=case.audit_id)
    return render(
        request,
        "frontdoor/audit_case.html",
        {"case": case, "referral": case.referral, "form": form, "answers": _answers(case.referral)},
    )


# Reports ----------------------------------------------------------------------------------------


@login_required
@policy_errors
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    period = request.GET.get("period", reports.DEFAULT_PERIOD)
    if period not in reports.PERIODS:
        period = reports.DEFAULT_PERIOD
    data = reports.front_door_report(actor=request.user, period=period)
    return render(
        request,
        "frontdoor/report.html",
        {
            "report": data,
            "sections": [(table, report_charts.chart_for(table)) for table in data.tables],
            "period": period,
            "periods": reports.PERIODS,
        },
    )


@login_required
@policy_errors
def report_csv(request: AuthenticatedHttpRequest, table: str) -> HttpResponse:
    period = request.GET.get("period", reports.DEFAULT_PERIOD)
    found = reports.front_door_table(actor=request.user, key=table, period=period)
    if found is None:
        raise Http404(table)
    return csv_response(
        f"front-door-{found.table.key}-{found.since:%Y-%m}-to-{found.until:%Y-%m-%d}.csv",
        found.table.columns,
        reports.csv_rows(found.table),
    )
