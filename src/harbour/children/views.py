"""Thin views: parse, call a selector or service, render. No child model is queried here."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from harbour import disclosure
from harbour.access import policy
from harbour.access import services as access_services
from harbour.access.forms import BreakGlassForm
from harbour.children import attention as attention_lists
from harbour.children import chronology as chronology_entries
from harbour.children import forms, happening, record, selectors, services
from harbour.children.codes import AssessmentStatus
from harbour.children.presenters import ChildPresenter
from harbour.partnership.http import AuthenticatedHttpRequest
from harbour.partnership.models import DataCategory
from harbour.web import lists
from harbour.web.formpages import FormPage, form_page
from harbour.web.responses import forbidden, not_found, policy_errors


@login_required
@policy_errors
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.CHILD_SEARCH)
    form = forms.ChildSearchForm(request.GET or None)
    results: list[selectors.SearchResult] = []
    more = False
    searched = False
    if form.is_bound and form.is_valid():
        searched = True
        results, more = selectors.child_search(
            actor=request.user,
            search=selectors.ChildSearch(
                name=form.cleaned_data["name"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                postcode=form.cleaned_data["postcode"],
            ),
        )
    rows = [(r, ChildPresenter(r.child)) for r in results]
    return render(
        request,
        "children/search.html",
        {
            "form": form,
            "rows": rows,
            "more": more,
            "searched": searched,
            "limit": selectors.MAX_SEARCH_RESULTS,
        },
    )


@login_required
@policy_errors
def summary(request: AuthenticatedHttpRequest, child_id: uuid.UUID) -> HttpResponse:
    result = record.child_record(actor=request.user, child_id=child_id)
    if isinstance(result, policy.Decision):
        return redirect("children:break-glass", child_id=child_id)
    assert result.decision is not None
    return render(
        request,
        "children/record.html",
        {
            "record": result,
            "child": ChildPresenter(result.child),
            "happening": happening.happening_now(
                actor=request.user, child=result.child, decision=result.decision
            ),
        },
    )


@login_required
@policy_errors
def break_glass(request: AuthenticatedHttpRequest, child_id: uuid.UUID) -> HttpResponse:
    child, decision = selectors.child_find_for_actor(
        actor=request.user, child_id=child_id, action=policy.Action.CHILD_BREAK_GLASS
    )
    if not decision.allowed:
        return redirect("children:summary", child_id=child_id)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access_services.break_glass_grant(
                actor=request.user, child=child, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error.messages[0])
        else:
            return redirect("children:summary", child_id=child_id)
    return render(request, "children/break_glass.html", {"form": form, "child_id": child_id})


# Changing the record ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordForm:
    form_class: type[Form]
    category: str
    section: str  # the record section, and the anchor to return to
    title: str
    submit: str
    done: str
    save: Callable[..., Any]
    # Extra arguments for the form, from the actor and the child (such as sibling candidates).
    form_kwargs: Callable[[Any, Any], dict[str, Any]] | None = None
    # The existing object the form changes, if any (one per child: profile, transition plan),
    # from the actor and the child.
    instance: Callable[[Any, Any], Any] | None = None


RECORD_FORMS: dict[str, RecordForm] = {
    "communication": RecordForm(
        forms.ChildCommunicationForm,
        DataCategory.COMMUNICATION,
        "communication",
        "How to communicate with {name}",
        "Save",
        "How to communicate with them is saved",
        functools.partial(services.child_profile_update, part="communication"),
        instance=lambda actor, child: selectors.child_profile_for_edit(
            actor=actor, child=child, category=DataCategory.COMMUNICATION
        ),
    ),
    "profile": RecordForm(
        forms.ChildAboutForm,
        DataCategory.IDENTITY,
        "about",
        "{name}'s strengths, interests and wishes",
        "Save",
        "Profile saved",
        functools.partial(services.child_profile_update, part="about"),
        instance=lambda actor, child: selectors.child_profile_for_edit(
            actor=actor, child=child, category=DataCategory.IDENTITY
        ),
    ),
    "culture": RecordForm(
        forms.ChildCultureForm,
        DataCategory.FAITH_CULTURE,
        "culture",
        "{name}'s faith, heritage and culture",
        "Save",
        "Faith, heritage and culture saved",
        functools.partial(services.child_profile_update, part="culture"),
        instance=lambda actor, child: selectors.child_profile_for_edit(
            actor=actor, child=child, category=DataCategory.FAITH_CULTURE
        ),
    ),
    "need": RecordForm(
        forms.NeedForm,
        DataCategory.HEALTH,
        "needs",
        "Add a need",
        "Add need",
        "Need added",
        services.need_add,
    ),
    "assessment": RecordForm(
        forms.AssessmentForm,
        DataCategory.HEALTH,
        "needs",
        "Add an assessment",
        "Add assessment",
        "Assessment added",
        services.assessment_add,
    ),
    "voice": RecordForm(
        forms.VoiceEntryForm,
        DataCategory.SOCIAL_CARE,
        "voice",
        "Record {name}'s own words",
        "Save their words",
        "Their words are recorded",
        services.voice_entry_add,
    ),
    "education": RecordForm(
        forms.EducationEpisodeForm,
        DataCategory.EDUCATION,
        "education",
        "Add an education placement or status",
        "Add",
        "Education added",
        services.education_episode_add,
    ),
    "family": RecordForm(
        forms.FamilyMemberForm,
        DataCategory.FAMILY,
        "family",
        "Add a family member",
        "Add family member",
        "Family member added",
        services.family_member_add,
        form_kwargs=lambda actor, child: {
            "candidates": selectors.sibling_candidates(actor=actor, child=child)
        },
    ),
    "team": RecordForm(
        forms.TeamMemberForm,
        DataCategory.SOCIAL_CARE,
        "involvement",
        "Add someone to the team around {name}",
        "Add to the team",
        "Added to the team around the child",
        services.team_member_add,
    ),
    "plan": RecordForm(
        forms.PlanForm,
        DataCategory.SOCIAL_CARE,
        "plans",
        "Start a plan",
        "Start plan",
        "Plan started",
        services.plan_add,
    ),
    "formulation": RecordForm(
        forms.FormulationForm,
        DataCategory.SOCIAL_CARE,
        "plans",
        "Record a formulation meeting",
        "Save",
        "Formulation meeting recorded",
        services.formulation_add,
    ),
    "transition": RecordForm(
        forms.TransitionPlanForm,
        DataCategory.SOCIAL_CARE,
        "transition",
        "{name}'s move to adult services",
        "Save transition plan",
        "Transition plan saved",
        services.transition_plan_save,
        instance=lambda actor, child: selectors.transition_plan_for_edit(actor=actor, child=child),
    ),
}


@login_required
@policy_errors
def record_change(
    request: AuthenticatedHttpRequest, child_id: uuid.UUID, part: str
) -> HttpResponse:
    spec = RECORD_FORMS.get(part)
    if spec is None:
        return not_found(request)
    child = selectors.child_for_edit(
        actor=request.user, child_id=child_id, category=spec.category, section=spec.section
    )
    if part == "team" and not policy.may_appoint_team(request.user, child):
        return forbidden(request)
    name = ChildPresenter(child).full_name
    back = reverse("children:summary", args=[child.pk]) + f"#{spec.section}"
    instance = spec.instance(request.user, child) if spec.instance else None
    return form_page(
        request,
        form_class=spec.form_class,
        instance=instance,
        form_kwargs=spec.form_kwargs(request.user, child) if spec.form_kwargs else None,
        save=lambda data: spec.save(actor=request.user, child=child, **data),
        done=lambda saved: (spec.done, back),
        page=FormPage(
            title=spec.title.format(name=child.given_name),
            back_url=back,
            submit=spec.submit,
            caption=name,
        ),
    )


@login_required
@policy_errors
def attention(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require_capability(request.user, policy.Action.CHILD_VIEW)
    form = forms.AttentionFilterForm(request.GET)
    page = attention_lists.attention_page(
        actor=request.user, **form.values(), page=request.GET.get("page")
    )
    return render(
        request,
        "children/attention.html",
        {
            "form": form,
            **lists.page_context(page),
            "rows": [(item, ChildPresenter(item.child)) for item in page],
        },
    )


@login_required
@policy_errors
def cohort_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    report = attention_lists.cohort_report(actor=request.user)
    return render(
        request,
        "children/cohort_report.html",
        {"report": report, "suppression_note": disclosure.NOTE},
    )


@login_required
@policy_errors
def chronology(request: AuthenticatedHttpRequest, child_id: uuid.UUID) -> HttpResponse:
    agency = request.GET.get("agency", "")
    types = [t for t in request.GET.getlist("types") if t in chronology_entries.EntryType.LABELS]
    result = chronology_entries.child_chronology(
        actor=request.user, child_id=child_id, agency=agency, types=types
    )
    if isinstance(result, policy.Decision):
        return redirect("children:break-glass", child_id=child_id)
    form = forms.ChronologyFilterForm(
        request.GET or None, agencies=result.agencies, types=chronology_entries.EntryType.LABELS
    )
    form.is_valid()
    return render(
        request,
        "children/chronology.html",
        {
            "chronology": result,
            "child": ChildPresenter(result.child),
            "form": form,
            "happening": happening.happening_now(
                actor=request.user, child=result.child, decision=result.decision
            ),
        },
    )


@login_required
@policy_errors
def plan_action_add(
    request: AuthenticatedHttpRequest, child_id: uuid.UUID, plan_id: int
) -> HttpResponse:
    child = selectors.child_for_edit(
        actor=request.user, child_id=child_id, category=DataCategory.SOCIAL_CARE, section="plans"
    )
    plan = selectors.plan_for_edit(actor=request.user, child=child, plan_id=plan_id)
    back = reverse("children:summary", args=[child.pk]) + "#plans"
    return form_page(
        request,
        form_class=forms.PlanActionForm,
        instance=None,
        save=lambda data: services.plan_action_add(
            actor=request.user, child=child, plan=plan, **data
        ),
        done=lambda saved: ("Action added", back),
        page=FormPage(
            title=f"Add an action to the {plan.get_plan_type_display().lower()}",
            back_url=back,
            submit="Add action",
            caption=ChildPresenter(child).full_name,
        ),
    )


@login_required
@policy_errors
def plan_action_change(
    request: AuthenticatedHttpRequest, child_id: uuid.UUID, plan_id: int, action_id: int
) -> HttpResponse:
    child = selectors.child_for_edit(
        actor=request.user, child_id=child_id, category=DataCategory.SOCIAL_CARE, section="plans"
    )
    plan = selectors.plan_for_edit(actor=request.user, child=child, plan_id=plan_id)
    action = selectors.plan_action_for_edit(plan=plan, action_id=action_id)
    back = reverse("children:summary", args=[child.pk]) + "#plans"
    return form_page(
        request,
        form_class=forms.PlanActionForm,
        instance=action,
        save=lambda data: services.plan_action_change(
            actor=request.user, child=child, action_id=action.pk, **data
        ),
        done=lambda saved: ("Action changed", back),
        page=FormPage(
            title=f"Change action {action.sequence} of the {plan.get_plan_type_display().lower()}",
            back_url=back,
            submit="Save action",
            caption=ChildPresenter(child).full_name,
        ),
    )


@login_required
@policy_errors
def plan_review_add(
    request: AuthenticatedHttpRequest, child_id: uuid.UUID, plan_id: int
) -> HttpResponse:
    child = selectors.child_for_edit(
        actor=request.user, child_id=child_id, category=DataCategory.SOCIAL_CARE, section="plans"
    )
    plan = selectors.plan_for_edit(actor=request.user, child=child, plan_id=plan_id)
    back = reverse("children:summary", args=[child.pk]) + "#plans"
    return form_page(
        request,
        form_class=forms.PlanReviewForm,
        instance=None,
        save=lambda data: services.plan_review_add(
            actor=request.user, child=child, plan=plan, **data
        ),
        done=lambda saved: ("Review recorded", back),
        page=FormPage(
            title=f"Review the {plan.get_plan_type_display().lower()}",
            back_url=back,
            submit="Record review",
            caption=ChildPresenter(child).full_name,
        ),
    )


@login_required
@policy_errors
def need_end(request: AuthenticatedHttpRequest, child_id: uuid.UUID, need_id: int) -> HttpResponse:
    child = selectors.child_for_edit(
        actor=request.user, child_id=child_id, category=DataCategory.HEALTH, section="needs"
    )
    need = selectors.need_for_edit(actor=request.user, child=child, need_id=need_id)
    back = reverse("children:summary", args=[child.pk]) + "#needs"
    if need.end_date is not None:
        messages.info(request, f"This need ended on {need.end_date:%-d %B %Y}")
        return redirect(back)
    started = f" Started {need.start_date:%-d %B %Y}." if need.start_date else ""
    return form_page(
        request,
        form_class=forms.NeedEndForm,
        instance=None,
        save=lambda data: services.need_end(
            actor=request.user, child=child, need_id=need.pk, **data
        ),
        done=lambda saved: ("Need marked as ended", back),
        page=FormPage(
            title="Mark the need as ended",
            back_url=back,
            submit="Mark as ended",
            caption=ChildPresenter(child).full_name,
            intro=(
                f"{need.get_kind_display()}: {need.description}.{started} It stays in the "
                "record, with the date it ended."
            ),
        ),
    )


@login_required
@policy_errors
def assessment_close(
    request: AuthenticatedHttpRequest, child_id: uuid.UUID, assessment_id: int
) -> HttpResponse:
    child = selectors.child_for_edit(
        actor=request.user, child_id=child_id, category=DataCategory.HEALTH, section="needs"
    )
    assessment = selectors.assessment_for_edit(
        actor=request.user, child=child, assessment_id=assessment_id
    )
    back = reverse("children:summary", args=[child.pk]) + "#needs"
    if assessment.status != AssessmentStatus.WAITING:
        messages.info(
            request, f"This assessment is already {assessment.get_status_display().lower()}"
        )
        return redirect(back)
    provider = f" by {assessment.provider}" if assessment.provider else ""
    return form_page(
        request,
        form_class=forms.AssessmentOutcomeForm,
        instance=None,
        save=lambda data: services.assessment_close(
            actor=request.user, child=child, assessment_id=assessment.pk, **data
        ),
        done=lambda saved: (f"Assessment marked as {saved.get_status_display().lower()}", back),
        page=FormPage(
            title="Mark the assessment as completed or withdrawn",
            back_url=back,
            submit="Save",
            caption=ChildPresenter(child).full_name,
            intro=(
                f"{assessment.get_kind_display()}, referred on "
                f"{assessment.referred_on:%-d %B %Y}{provider}. Once it is completed or "
                "withdrawn, the child no longer counts as waiting."
            ),
        ),
    )


@require_POST
@login_required
@policy_errors
def plan_action_status(
    request: AuthenticatedHttpRequest, child_id: uuid.UUID, action_id: int
) -> HttpResponse:
    child = selectors.child_for_edit(
        actor=request.user, child_id=child_id, category=DataCategory.SOCIAL_CARE, section="plans"
    )
    form = forms.ActionStatusForm(request.POST)
    back = reverse("children:summary", args=[child.pk]) + "#plans"
    if not form.is_valid():
        return redirect(back)
    try:
        services.plan_action_set_status(
            actor=request.user, child=child, action_id=action_id, status=form.cleaned_data["status"]
        )
    except ValidationError as error:
        messages.warning(request, error.messages[0])
    else:
        messages.success(request, "Action updated")
    return redirect(back)
