"""The child's record: sections by agreement, alerts, waits, and changes through GOV.UK forms."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from harbour.access.models import AuditEvent, BreakGlassGrant, RelationshipKind
from harbour.children.models import (
    Assessment,
    ChildProfile,
    EducationEpisode,
    EducationLimit,
    Need,
    VoiceEntry,
)
from harbour.children.templatetags.children_tags import duration_text
from harbour.partnership.models import AgencyType, Role
from harbour.testing import hold_record, make_agency, make_agreement, make_child, make_staff, relate

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def area():
    council = make_agency("council", AgencyType.CHILDRENS_SOCIAL_CARE)
    police = make_agency("police", AgencyType.POLICE)
    make_agreement(police, council, purposes=["safeguarding"], categories=["identity", "family"])
    lead = make_staff(council, role=Role.LEAD_PRACTITIONER, first_name="Grace", last_name="Lead")
    officer = make_staff(police, role=Role.REFERRER)
    child = make_child(council, given_name="Tyrese", family_name="Campbell")
    hold_record(child, council)
    relate(child, lead, kind=RelationshipKind.LEAD_PRACTITIONER)
    ChildProfile.objects.create(
        child=child,
        communication="Give one instruction at a time; check he has understood.",
        developmental_age_notes="Reads at about the level of a 10-year-old.",
    )
    Need.objects.create(child=child, kind="ehc_plan", sen_type="SLCN", description="EHC plan")
    Assessment.objects.create(
        child=child, kind="neurodevelopmental", referred_on=TODAY - dt.timedelta(days=800)
    )
    EducationLimit.objects.update_or_create(status="reduced_timetable", defaults={"max_days": 42})
    EducationEpisode.objects.create(
        child=child, status="reduced_timetable", start_date=TODAY - dt.timedelta(days=70)
    )
    VoiceEntry.objects.create(child=child, said_on=TODAY, words="I want to go back to college.")
    return {"council": council, "police": police, "lead": lead, "officer": officer, "child": child}


def test_the_lead_practitioner_sees_the_whole_picture_top_to_bottom(client, area):
    client.force_login(area["lead"])
    before = AuditEvent.objects.count()
    body = client.get(reverse("children:summary", args=[area["child"].pk])).content.decode()
    order = [
        "How to communicate with Tyrese",
        "Give one instruction at a time",
        "Reads at about the level of a 10-year-old",
        "Needs and assessments",
        'summary-card__title">Education',
        "I want to go back to college.",
    ]
    positions = [body.index(text) for text in order]
    assert positions == sorted(positions)
    assert "2 years 2 months" in body  # the assessment wait
    assert "Part-time or reduced timetable for 2 months" in body
    assert "longer than the partnership's limit of 6 weeks" in body
    assert "EHC plan" in body
    event = AuditEvent.objects.filter(sequence__gt=before).get()
    assert event.section == "record"
    assert "needs" in event.detail["sections"]


def test_sections_outside_the_agreement_are_not_rendered_and_say_whom_to_ask(client, area):
    BreakGlassGrant.objects.create(
        child=area["child"],
        staff=area["officer"],
        reason="An urgent and sufficient reason",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    client.force_login(area["officer"])
    body = client.get(reverse("children:summary", args=[area["child"].pk])).content.decode()
    assert "Campbell" in body and "Personal details" in body  # identity is shared
    # Communication needs are health data: not in the police's agreement with the council.
    assert "Give one instruction at a time" not in body
    assert "EHC plan" not in body
    assert "I want to go back to college." not in body
    assert "Agency council holds 2 more entries here that you may not see" in body
    assert "Parts of this record you cannot see" in body
    assert "Grace Lead" in body
    assert "Add a need" not in body  # break-glass reads; it never changes the record
    change = reverse("children:record-change", args=[area["child"].pk, "need"])
    assert client.get(change).status_code == 403


def test_adding_a_need_with_a_pending_assessment(client, area):
    client.force_login(area["lead"])
    child = area["child"]
    need_url = reverse("children:record-change", args=[child.pk, "need"])
    assert "Add a need" in client.get(need_url).content.decode()
    response = client.post(
        need_url,
        {
            "kind": "neurodevelopmental",
            "description": "Suspected ADHD; referred by the school nurse",
            "sen_type": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#needs")
    assessment_url = reverse("children:record-change", args=[child.pk, "assessment"])
    response = client.post(
        assessment_url,
        {
            "kind": "camhs",
            "provider": "Riverside CAMHS",
            "referred_on_day": "3",
            "referred_on_month": "2",
            "referred_on_year": str(TODAY.year - 1),
            "status": "waiting",
        },
    )
    assert response.status_code == 302
    assert (
        Need.objects.filter(child=child, kind="neurodevelopmental").get().recorded_by
        == (area["lead"])
    )
    assert Assessment.objects.filter(child=child, kind="camhs", status="waiting").exists()
    writes = AuditEvent.objects.filter(event__in=["child.need_added", "child.assessment_added"])
    assert writes.count() == 2
    assert set(writes.values_list("child_id", flat=True)) == {child.pk}


@pytest.mark.parametrize(
    ("part", "data", "field", "message"),
    [
        (
            "need",
            {
                "kind": "ehc_plan",
                "description": "EHC plan",
                "start_date_day": "1",
                "start_date_month": "9",
                "start_date_year": "2024",
                "end_date_day": "1",
                "end_date_month": "9",
                "end_date_year": "2023",
            },
            "end_date",
            "End date must be the same as or after the start date",
        ),
        (
            "need",
            {
                "kind": "slcn",
                "description": "Speech",
                "start_date_day": "1",
                "start_date_month": "1",
                "start_date_year": str(TODAY.year + 1),
            },
            "start_date",
            "Start date must be today or in the past",
        ),
        (
            "assessment",
            {
                "kind": "camhs",
                "status": "completed",
                "referred_on_day": "1",
                "referred_on_month": "1",
                "referred_on_year": "2024",
            },
            "completed_on",
            "Enter the date the assessment was completed",
        ),
        (
            "voice",
            {"words": "", "said_on_day": "1", "said_on_month": "1", "said_on_year": "2026"},
            "words",
            "Enter what the child said",
        ),
        (
            "education",
            {
                "status": "full_time",
                "start_date_day": "1",
                "start_date_month": "9",
                "start_date_year": "2025",
                "attendance_percent": "140",
            },
            "attendance_percent",
            "Attendance must be 100 or less",
        ),
    ],
)
def test_bad_input_shows_a_govuk_error_and_saves_nothing(client, area, part, data, field, message):
    client.force_login(area["lead"])
    counts = (
        Need.objects.count(),
        Assessment.objects.count(),
        VoiceEntry.objects.count(),
        EducationEpisode.objects.count(),
    )
    body = client.post(
        reverse("children:record-change", args=[area["child"].pk, part]), data
    ).content.decode()
    assert "govuk-error-summary" in body
    assert message in body.replace("&#x27;", "'")
    assert f'href="#id_{field}' in body
    assert counts == (
        Need.objects.count(),
        Assessment.objects.count(),
        VoiceEntry.objects.count(),
        EducationEpisode.objects.count(),
    )
    assert not AuditEvent.objects.filter(
        event__startswith="child.", event__endswith="_added"
    ).exists()


def test_the_profile_forms_are_prefilled_and_update_each_part(client, area):
    client.force_login(area["lead"])
    communication = reverse("children:record-change", args=[area["child"].pk, "communication"])
    assert "Give one instruction at a time" in client.get(communication).content.decode()
    response = client.post(communication, {"communication": "Short sentences."})
    assert response.status_code == 302
    about = reverse("children:record-change", args=[area["child"].pk, "profile"])
    page = client.get(about).content.decode()
    assert "Give one instruction" not in page and "Short sentences" not in page
    # A field of another part is not this form's: it is ignored, not saved.
    response = client.post(
        about, {"strengths": "Kind to his sister", "identity_and_culture": "Sikh"}
    )
    assert response.status_code == 302
    culture = reverse("children:record-change", args=[area["child"].pk, "culture"])
    assert client.post(culture, {"identity_and_culture": "Proud of his Jamaican heritage"})[
        "Location"
    ].endswith("#culture")
    profile = ChildProfile.objects.get(child=area["child"])
    assert profile.communication == "Short sentences."
    assert profile.strengths == "Kind to his sister"
    assert profile.identity_and_culture == "Proud of his Jamaican heritage"
    updates = AuditEvent.objects.filter(event="child.profile_updated")
    assert sorted(updates.values_list("section", flat=True)) == [
        "about",
        "communication",
        "culture",
    ]


def test_an_unknown_part_is_404(client, area):
    client.force_login(area["lead"])
    url = reverse("children:record-change", args=[area["child"].pk, "nonsense"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (1, "1 day"),
        (10, "10 days"),
        (21, "3 weeks"),
        (70, "2 months"),
        (800, "2 years 2 months"),
        (365, "1 year"),
    ],
)
def test_waits_are_said_as_a_practitioner_would(days, text):
    assert duration_text(days) == text


def test_the_chronology_lists_everything_newest_first_and_filters(client, area):
    client.force_login(area["lead"])
    url = reverse("children:chronology", args=[area["child"].pk])
    before = AuditEvent.objects.count()
    body = client.get(url).content.decode()
    assert body.index("I want to go back to college.") < body.index(
        "Part-time or reduced timetable"
    )
    assert body.index("Part-time or reduced timetable") < body.index(
        "Referred for Neurodevelopmental"
    )
    event = AuditEvent.objects.filter(sequence__gt=before).get()
    assert event.section == "chronology"
    only_education = client.get(url, {"types": "education"}).content.decode()
    assert "Part-time or reduced timetable" in only_education
    assert "I want to go back to college." not in only_education
    assert "1 entry" in only_education


def test_the_chronology_leaves_out_sections_the_viewer_cannot_see(client, area):
    BreakGlassGrant.objects.create(
        child=area["child"],
        staff=area["officer"],
        reason="An urgent and sufficient reason",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    client.force_login(area["officer"])
    body = client.get(reverse("children:chronology", args=[area["child"].pk])).content.decode()
    assert "I want to go back to college." not in body
    assert "Referred for" not in body
    assert f"Agency council holds a record dated {TODAY.day} {TODAY:%B %Y}" in body
    assert "ask Agency council or the lead practitioner, Grace Lead" in body


def test_a_child_cannot_be_their_own_sibling(client, area):
    from harbour.children.models import FamilyMember

    client.force_login(area["lead"])
    child = area["child"]
    url = reverse("children:record-change", args=[child.pk, "family"])
    body = client.post(
        url,
        {
            "relationship": "sibling",
            "given_name": "Tyrese",
            "family_name": "Campbell",
            "related_child": str(child.pk),
        },
    ).content.decode()
    assert "Select a child from the list" in body
    assert 'href="#id_related_child"' in body
    assert not FamilyMember.objects.exists()


def test_a_sibling_is_linked_from_the_children_the_worker_can_see(client, area):
    from harbour.children.models import FamilyMember

    sister = make_child(area["council"], given_name="Shanice", family_name="Campbell")
    hold_record(sister, area["council"])
    client.force_login(area["lead"])
    url = reverse("children:record-change", args=[area["child"].pk, "family"])
    form = client.get(url).content.decode()
    assert "Shanice" in form
    assert f'value="{area["child"].pk}"' not in form
    response = client.post(
        url,
        {
            "relationship": "sibling",
            "given_name": "Shanice",
            "family_name": "Campbell",
            "related_child": str(sister.pk),
            "lives_with_child": "on",
        },
    )
    assert response.status_code == 302
    member = FamilyMember.objects.get()
    assert member.related_child == sister
    body = client.get(reverse("children:summary", args=[area["child"].pk])).content.decode()
    assert "Shanice: known to" in body


def test_a_plan_with_actions_in_the_order_the_child_chose(client, area):
    from harbour.children.models import Plan

    client.force_login(area["lead"])
    child = area["child"]
    response = client.post(
        reverse("children:record-change", args=[child.pk, "plan"]),
        {
            "plan_type": "risk_outside_the_home",
            "outcomes": "Tyrese feels safe travelling to college",
            "started_on_day": "1",
            "started_on_month": "10",
            "started_on_year": "2026",
            "parents_as_partners": "Mum walks with him on Tuesdays",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(child=child)
    add_action = reverse("children:plan-action-add", args=[child.pk, plan.pk])
    for sequence, text in ((2, "Mentoring with the boxing club"), (1, "Safe route to college")):
        response = client.post(
            add_action,
            {
                "sequence": sequence,
                "description": text,
                "owner_agency": str(area["council"].pk),
                "chosen_by_child": "on",
            },
        )
        assert response.status_code == 302
    body = client.get(reverse("children:summary", args=[child.pk])).content.decode()
    assert body.index("Safe route to college") < body.index("Mentoring with the boxing club")
    assert "Parents as partners" in body
    other = make_child(area["council"])
    hold_record(other, area["council"])
    wrong = reverse("children:plan-action-add", args=[other.pk, plan.pk])
    assert client.get(wrong).status_code == 404


def test_a_transition_plan_is_saved_once_and_changed_after(client, area):
    client.force_login(area["lead"])
    url = reverse("children:record-change", args=[area["child"].pk, "transition"])
    data = {
        "agreed_on_day": "2",
        "agreed_on_month": "11",
        "agreed_on_year": "2026",
        "housing": "Referral to the young people's housing pathway",
    }
    assert client.post(url, data).status_code == 302
    data["housing"] = "Placed in supported lodgings"
    assert client.post(url, data).status_code == 302
    from harbour.children.models import TransitionPlan

    assert TransitionPlan.objects.get().housing == "Placed in supported lodgings"
    assert "Placed in supported lodgings" in client.get(url).content.decode()


def test_adding_someone_to_the_team_lets_them_see_the_record(client, area):
    club = make_agency("club", AgencyType.VCSE)
    youth_worker = make_staff(club, role=Role.REFERRER, first_name="Janet", last_name="Walsh")
    make_agreement(club, area["council"], purposes=["safeguarding"], categories=["identity"])
    record_url = reverse("children:summary", args=[area["child"].pk])
    client.force_login(youth_worker)
    assert client.get(record_url).status_code == 302  # findable: a reason would be needed
    client.force_login(area["lead"])
    url = reverse("children:record-change", args=[area["child"].pk, "team"])
    assert "Janet Walsh, Agency club" in client.get(url).content.decode()
    response = client.post(url, {"staff": str(youth_worker.pk), "kind": "team_around_child"})
    assert response.status_code == 302
    again = client.post(url, {"staff": str(youth_worker.pk), "kind": "team_around_child"})
    assert "already has this part" in again.content.decode()
    assert AuditEvent.objects.filter(event="relationship.started").count() == 1
    client.force_login(youth_worker)
    assert client.get(record_url).status_code == 200


def test_saved_wording_that_blames_the_child_is_questioned_but_never_blocked(client, area):
    from harbour.children.models import Plan
    from harbour.language.models import LanguageCheck

    client.force_login(area["lead"])
    url = reverse("children:record-change", args=[area["child"].pk, "plan"])
    outcomes = "Tyrese stops placing himself at risk by going to the park"
    response = client.post(
        url,
        {
            "plan_type": "risk_outside_the_home",
            "outcomes": outcomes,
            "started_on_day": "1",
            "started_on_month": "10",
            "started_on_year": "2026",
        },
        follow=True,
    )
    body = response.content.decode()
    assert Plan.objects.get().outcomes == outcomes
    assert "Consider changing wording that blames the child" in body
    assert "placing himself at risk" in body
    assert LanguageCheck.objects.filter(source="submit").exists()


def test_suggestions_show_beside_a_field_when_the_form_comes_back_with_errors(client, area):
    client.force_login(area["lead"])
    url = reverse("children:record-change", args=[area["child"].pk, "plan"])
    body = client.post(
        url, {"outcomes": "She keeps putting herself at risk with older males"}
    ).content.decode()
    assert "govuk-error-summary" in body
    assert "harbour-language-suggestions" in body
    assert "putting herself at risk" in body


def test_nobody_joins_the_team_from_an_agency_without_an_agreement(client, area):
    club = make_agency("club", AgencyType.VCSE)
    outsider = make_staff(club, role=Role.REFERRER)
    client.force_login(area["lead"])
    url = reverse("children:record-change", args=[area["child"].pk, "team"])
    body = client.post(
        url, {"staff": str(outsider.pk), "kind": "team_around_child"}
    ).content.decode()
    assert "has no information-sharing agreement in force" in body
    assert not AuditEvent.objects.filter(event="relationship.started").exists()


def test_only_the_lead_practitioner_or_the_front_door_may_add_to_the_team(client, area):
    colleague = make_staff(area["council"], role=Role.LEAD_PRACTITIONER)
    client.force_login(colleague)  # works for the council, but is not this child's lead
    url = reverse("children:record-change", args=[area["child"].pk, "team"])
    assert client.get(url).status_code == 403
    record = client.get(reverse("children:summary", args=[area["child"].pk])).content.decode()
    assert "Add someone" not in record


def test_a_plan_is_reviewed_its_actions_marked_done_and_then_closed(client, area):
    from harbour.children.models import Plan, PlanAction

    child = area["child"]
    plan = Plan.objects.create(
        child=child,
        plan_type="child_in_need",
        outcomes="Back in college",
        started_on=dt.date(2026, 9, 1),
    )
    action = PlanAction.objects.create(
        plan=plan, sequence=1, description="Visit the college", owner_agency=area["council"]
    )
    client.force_login(area["lead"])
    status_url = reverse("children:plan-action-status", args=[child.pk, action.pk])
    assert client.get(status_url).status_code == 405
    assert client.post(status_url, {"status": "done"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    review_url = reverse("children:plan-review-add", args=[child.pk, plan.pk])
    too_early = client.post(
        review_url,
        {
            "held_on_day": "1",
            "held_on_month": "8",
            "held_on_year": "2026",
            "summary": "Early",
            "next_review_due_day": "1",
            "next_review_due_month": "2",
            "next_review_due_year": "2027",
        },
    ).content.decode()
    assert "must be on or after the plan started" in too_early
    response = client.post(
        review_url,
        {
            "held_on_day": "1",
            "held_on_month": "11",
            "held_on_year": "2026",
            "summary": "He is attending three days a week",
            "child_views": "I like the teachers",
            "close_plan": "on",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.closed_on == dt.date(2026, 11, 1)
    assert plan.reviews.get().child_views == "I like the teachers"
    assert client.post(status_url, {"status": "open"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done"  # a closed plan's actions stay as they were
    assert AuditEvent.objects.filter(event="child.plan_closed").count() == 1


def _plan(area, **extra):
    from harbour.children.models import Plan

    return Plan.objects.create(
        child=area["child"],
        plan_type="child_in_need",
        outcomes="Back in college",
        started_on=dt.date(2026, 9, 1),
        **extra,
    )


def _action_data(area, sequence, description):
    return {
        "sequence": str(sequence),
        "description": description,
        "owner_agency": str(area["council"].pk),
    }


def test_an_action_put_at_a_taken_place_moves_the_others_down(client, area):
    from django.db import IntegrityError, transaction

    from harbour.children.models import PlanAction

    child, plan = area["child"], _plan(area)
    client.force_login(area["lead"])
    add = reverse("children:plan-action-add", args=[child.pk, plan.pk])
    for sequence, words in ((1, "Visit the college"), (2, "Boxing on Tuesdays"), (1, "Meet mum")):
        assert client.post(add, _action_data(area, sequence, words)).status_code == 302
    order = list(plan.actions.order_by("sequence").values_list("sequence", "description"))
    assert order == [(1, "Meet mum"), (2, "Visit the college"), (3, "Boxing on Tuesdays")]
    # Editable: the child wants boxing first. The others close up behind it.
    boxing = plan.actions.get(description="Boxing on Tuesdays")
    change = reverse("children:plan-action-change", args=[child.pk, plan.pk, boxing.pk])
    page = client.get(change).content.decode()
    assert 'value="Boxing on Tuesdays"' in page or "Boxing on Tuesdays</textarea>" in page
    assert client.post(change, _action_data(area, 1, "Boxing on Tuesdays")).status_code == 302
    order = list(plan.actions.order_by("sequence").values_list("sequence", "description"))
    assert order == [(1, "Boxing on Tuesdays"), (2, "Meet mum"), (3, "Visit the college")]
    # Past the end: last, numbered without a gap.
    assert client.post(change, _action_data(area, 9, "Boxing on Tuesdays")).status_code == 302
    assert list(plan.actions.order_by("sequence").values_list("sequence", flat=True)) == [1, 2, 3]
    assert plan.actions.get(sequence=3).description == "Boxing on Tuesdays"
    assert AuditEvent.objects.filter(event="child.plan_action_updated").count() == 2
    # The database refuses two actions at one place, whatever writes them.
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanAction.objects.create(
            plan=plan, sequence=1, description="Again", owner_agency=area["council"]
        )
    # Another plan's action is not found through this plan.
    other = _plan(area)
    assert (
        client.get(
            reverse("children:plan-action-change", args=[child.pk, other.pk, boxing.pk])
        ).status_code
        == 404
    )


def test_a_review_sets_the_next_one_and_an_overdue_review_is_shown(client, area):
    from harbour.children.attention import attention_for_caseworker

    child = area["child"]
    plan = _plan(area, review_due=TODAY - dt.timedelta(days=40))
    client.force_login(area["lead"])
    record = client.get(reverse("children:summary", args=[child.pk])).content.decode()
    assert "Review overdue" in record
    reasons = {i.child.pk: i.reasons for i in attention_for_caseworker(actor=area["lead"])}
    assert any("review overdue since" in r for r in reasons[child.pk])
    url = reverse("children:plan-review-add", args=[child.pk, plan.pk])
    held = {
        "held_on_day": str(TODAY.day),
        "held_on_month": str(TODAY.month),
        "held_on_year": str(TODAY.year),
        "summary": "Attending four days a week",
    }
    missing = client.post(url, held).content.decode()
    assert "govuk-error-summary" in missing
    assert "Enter when the plan will next be reviewed, or close the plan" in missing
    same_day = client.post(
        url,
        {
            **held,
            "next_review_due_day": str(TODAY.day),
            "next_review_due_month": str(TODAY.month),
            "next_review_due_year": str(TODAY.year),
        },
    ).content.decode()
    assert "The next review must be after the date of this review" in same_day
    assert not plan.reviews.exists()
    later = TODAY + dt.timedelta(days=90)
    response = client.post(
        url,
        {
            **held,
            "next_review_due_day": str(later.day),
            "next_review_due_month": str(later.month),
            "next_review_due_year": str(later.year),
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.review_due == later
    record = client.get(reverse("children:summary", args=[child.pk])).content.decode()
    assert "Review overdue" not in record
    reasons = {i.child.pk: i.reasons for i in attention_for_caseworker(actor=area["lead"])}
    assert not any("review overdue" in r for r in reasons.get(child.pk, []))


def test_an_actions_words_are_checked_like_the_rest_of_the_plan():
    from harbour.children.forms import PlanActionForm
    from harbour.web.wording import CheckedTextarea

    assert isinstance(PlanActionForm.base_fields["description"].widget, CheckedTextarea)


def test_the_flags_and_needs_tabs_are_offered_only_where_they_open(client, area):
    """One rule (``policy.alerts_open``) for the record's and the chronology's tabs and for the
    pages themselves: under break-glass none of them offers a tab that would answer 404."""
    child = area["child"]
    flags_url = reverse("identity:child-flags", args=[child.pk])
    client.force_login(area["lead"])
    for name in ("children:summary", "children:chronology"):
        assert flags_url in client.get(reverse(name, args=[child.pk])).content.decode()
    assert client.get(flags_url).status_code == 200
    officer = make_staff(area["police"], role=Role.LEAD_PRACTITIONER)
    BreakGlassGrant.objects.create(
        child=child,
        staff=officer,
        reason="An urgent and sufficient reason",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    client.force_login(officer)
    for name in ("children:summary", "children:chronology"):
        assert flags_url not in client.get(reverse(name, args=[child.pk])).content.decode()
    assert client.get(flags_url).status_code == 404
