"""The referral's question pages (one thing per page) and the front door's forms. Free text goes
through the child-centred language checker as it is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from harbour.children.codes import Ethnicity, Sex
from harbour.children.models import postcode_validator
from harbour.children.selectors import normalise_postcode
from harbour.frontdoor.codes import (
    REQUIRED_MEETING_ROLES,
    AuditGrade,
    AuditQuestion,
    Concern,
    Consent,
    KnownNeed,
    MeetingRole,
    Outcome,
    ParentsAware,
    Rag,
    RapidStatus,
    Sampling,
    Status,
    Unit,
    Urgency,
)
from harbour.language.models import CheckContext
from harbour.partnership.forms import agency_filter
from harbour.partnership.models import Agency, ThresholdGuidance
from harbour.web import lists
from harbour.web.fields import (
    PHONE,
    nhs_number_field,
    past_or_today,
    postcode_field,
    text_field,
    time_field,
)
from harbour.web.forms import GovukDateField

REFERRAL = CheckContext.REFERRAL
OLDEST_CHILD_AGE = 25  # care leavers and young adults in transition are referred up to 25


class FindChildForm(forms.Form):
    name = text_field("Name", required="Enter the child's name", max_length=100)
    date_of_birth = GovukDateField(
        label="Date of birth (optional)", required=False, help_text="For example, 27 3 2011"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "date_of_birth", "Date of birth")
        return data


class ChildDetailsForm(forms.Form):
    child_given_name = text_field(
        "First name", required="Enter the child's first name", max_length=100
    )
    child_family_name = text_field(
        "Last name", required="Enter the child's last name", max_length=100
    )
    child_other_names = text_field(
        "Other names the child is known by (optional)",
        max_length=200,
        help_text="Nicknames, previous names, names used online",
    )
    child_date_of_birth = GovukDateField(
        label="Date of birth",
        required=False,
        help_text="If you do not know it, leave it blank and say so in the reason for referral",
    )
    child_sex = forms.ChoiceField(
        label="Sex (optional)", choices=Sex.choices, required=False, widget=forms.RadioSelect
    )
    child_address = text_field("Address (optional)", max_length=300)
    child_postcode = postcode_field()
    child_nhs_number = nhs_number_field()

    def clean_child_postcode(self) -> str:
        value = self.cleaned_data.get("child_postcode", "")
        if not value.strip():
            return ""
        postcode = normalise_postcode(value)
        try:
            postcode_validator(postcode)
        except ValidationError:
            raise forms.ValidationError(
                "Enter a real postcode, like RV1 2AB, or leave it blank"
            ) from None
        return postcode

    def clean_child_nhs_number(self) -> str:
        value = "".join(self.cleaned_data.get("child_nhs_number", "").split())
        if value and (len(value) != 10 or not value.isdigit()):
            raise forms.ValidationError("NHS number must be 10 digits, like 485 777 3456")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "child_date_of_birth", "Date of birth")
        born = data.get("child_date_of_birth")
        today = timezone.localdate()
        if born and born < today.replace(year=today.year - OLDEST_CHILD_AGE):
            self.add_error(
                "child_date_of_birth",
                f"Date of birth must be for someone under {OLDEST_CHILD_AGE}: "
                "the front door takes referrals about children and young people",
            )
        return data


class WhatHappenedForm(forms.Form):
    incident_date = GovukDateField(
        label="When did it happen? (optional)",
        required=False,
        help_text="If it is still going on, when did you first know of it",
    )
    incident_time = time_field(
        "At what time? (optional)",
        help_text="24-hour clock, for example 21:30. Out-of-hours incidents need a strategy "
        "discussion out of hours too",
    )
    incident_location = text_field(
        "Where did it happen? (optional)",
        max_length=300,
        help_text="A place, a street or a postcode",
    )
    what_happened = text_field(
        "What happened",
        required="Enter what happened",
        rows=6,
        checked=REFERRAL,
        max_length=10000,
        help_text="The facts as you know them: who, what, where. Describe harm done to the child",
    )
    others_involved = text_field(
        "Other people involved (optional)",
        rows=3,
        checked=REFERRAL,
        max_length=5000,
        help_text="Suspects, witnesses and other children: names, ages and what you know of "
        "their part",
    )
    incident_reference = text_field(
        "Your agency's reference for it (optional)",
        max_length=64,
        help_text="A police occurrence or incident number, or the health record's reference",
    )
    referrer_phone = text_field(
        "A telephone number the front door can ring you on (optional)",
        max_length=30,
        help_text="For example, 01632 960 123 or +44 7700 900123",
    )

    def clean_referrer_phone(self) -> str:
        value = " ".join(self.cleaned_data.get("referrer_phone", "").split())
        if value and not PHONE.match(value):
            raise forms.ValidationError("Enter a telephone number, like 01632 960 123")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "incident_date", "The date it happened")
        if data.get("incident_time") and not data.get("incident_date"):
            self.add_error("incident_date", "Enter the date it happened as well as the time")
        return data


class ConcernsForm(forms.Form):
    concerns = forms.MultipleChoiceField(
        label="What are you worried about?",
        choices=Concern.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={"required": "Select at least one concern"},
    )


class ReasonForm(forms.Form):
    reason = text_field(
        "Why are you making this referral?",
        required="Enter why you are making this referral",
        rows=5,
        checked=REFERRAL,
        max_length=5000,
        help_text="What you want the front door to do, and why now",
    )


class VoiceForm(forms.Form):
    child_voice = text_field(
        "What has the child said? (optional)",
        rows=5,
        checked=REFERRAL,
        max_length=5000,
        help_text="In the child's own words, as near as you can",
    )
    child_voice_absent_reason = text_field(
        "If you could not hear from the child, why not? (optional)",
        rows=3,
        checked=REFERRAL,
        max_length=2000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (
            data.get("child_voice", "").strip() or data.get("child_voice_absent_reason", "").strip()
        ):
            self.add_error(
                "child_voice",
                "Enter what the child has said, or why you could not hear from them",
            )
        return data


class IdentityForm(forms.Form):
    ethnicity = forms.ChoiceField(
        label="The child's ethnicity",
        choices=[("", "Select ethnicity"), *Ethnicity.choices],
        help_text="As the child or family describe it. Choose 'Not known' if you do not know",
        error_messages={"required": "Select the child's ethnicity, or 'Not known'"},
    )
    cultural_heritage = text_field(
        "Culture, faith, heritage and language (optional)",
        rows=3,
        checked=REFERRAL,
        max_length=2000,
        help_text="What matters to the child about who they are",
    )


class NeedsForm(forms.Form):
    known_needs = forms.MultipleChoiceField(
        label="What needs do you know the child has?",
        choices=KnownNeed.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={"required": "Select the child's known needs, or that you do not know"},
    )
    needs_detail = text_field(
        "Tell us more (optional)",
        rows=3,
        checked=REFERRAL,
        max_length=3000,
        help_text="A diagnosis, what helps the child communicate, an assessment they wait for",
    )

    def clean_known_needs(self) -> list[str]:
        needs: list[str] = self.cleaned_data.get("known_needs", [])
        exclusive = {KnownNeed.NONE_KNOWN, KnownNeed.NOT_KNOWN}
        if len(needs) > 1 and exclusive & set(needs):
            raise forms.ValidationError(
                "Select the needs you know of, or 'No needs known to me', or 'I do not know', "
                "not more than one of these"
            )
        return needs


class EducationForm(forms.Form):
    education_setting = text_field(
        "Where does the child go to school or college? (optional)",
        max_length=200,
        help_text="Or say if they are not in education, on a reduced timetable or excluded",
    )


class ParentsForm(forms.Form):
    parents_aware = forms.ChoiceField(
        label="Do the child's parents or carers know about this referral?",
        choices=ParentsAware.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    consent = forms.ChoiceField(
        label="Consent",
        choices=Consent.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="You do not need consent to refer if a child may be at risk of significant harm",
    )
    consent_reason = text_field(
        "If consent was not sought or was refused, why? (optional)",
        rows=3,
        checked=REFERRAL,
        max_length=2000,
    )


class ActionsForm(forms.Form):
    actions_taken = text_field(
        "What have you already done? (optional)",
        rows=4,
        checked=REFERRAL,
        max_length=5000,
        help_text="Who you have told, what you did to keep the child safe",
    )


class UrgencyForm(forms.Form):
    urgency = forms.ChoiceField(
        label="How urgent is this?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how urgent this is"},
        help_text="If a child is in immediate danger, call 999 first",
    )


@dataclass(frozen=True)
class Question:
    slug: str
    title: str
    form_class: type[forms.Form]


# The question pages, in order. "find-child" comes first and is not a form of answers.
QUESTIONS: tuple[Question, ...] = (
    Question("child", "About the child", ChildDetailsForm),
    Question("what-happened", "What happened?", WhatHappenedForm),
    Question("concerns", "What are you worried about?", ConcernsForm),
    Question("reason", "Why are you making this referral?", ReasonForm),
    Question("voice", "The child's voice", VoiceForm),
    Question("identity", "The child's identity", IdentityForm),
    Question("needs", "The child's needs", NeedsForm),
    Question("education", "The child's education", EducationForm),
    Question("parents", "Parents and carers", ParentsForm),
    Question("actions", "What you have done", ActionsForm),
    Question("urgency", "How urgent is this?", UrgencyForm),
)
QUESTIONS_BY_SLUG = {q.slug: q for q in QUESTIONS}


def next_question(slug: str) -> str | None:
    slugs = [q.slug for q in QUESTIONS]
    index = slugs.index(slug)
    return slugs[index + 1] if index + 1 < len(slugs) else None


# At the front door ------------------------------------------------------------------------------


class RagForm(forms.Form):
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select red, amber or green"},
    )
    rag_rationale = text_field(
        "Why this rating",
        required="Explain the rating",
        rows=4,
        checked=CheckContext.CASE_NOTE,
        max_length=5000,
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision"},
    )
    threshold = forms.ModelChoiceField(
        label="Threshold guidance relied on (optional)",
        queryset=ThresholdGuidance.objects.none(),
        required=False,
        empty_label="Select guidance",
    )
    rationale = text_field(
        "Rationale",
        required="Explain the decision",
        rows=5,
        checked=CheckContext.CASE_NOTE,
        max_length=10000,
        help_text="What you weighed, and why this is the right response for the child",
    )
    parents_as_partners = text_field(
        "Parents and carers as partners (required on the risk outside the home pathway)",
        rows=3,
        checked=CheckContext.CASE_NOTE,
        max_length=5000,
        help_text="When harm is outside the home, parents are partners in keeping the child safe",
    )
    feedback_to_referrer = text_field(
        "What the referrer will be told",
        required="Enter what the referrer will be told",
        rows=3,
        checked=CheckContext.CASE_NOTE,
        max_length=3000,
        help_text="The outcome and what it means for their work with the child",
    )

    def __init__(self, *args: Any, thresholds: list[ThresholdGuidance], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["threshold"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ThresholdGuidance.objects.filter(pk__in=[t.pk for t in thresholds])


class CountersignForm(forms.Form):
    agree = forms.ChoiceField(
        label="Do you agree with this decision?",
        choices=[("yes", "Yes, countersign it"), ("no", "No, return it to the practitioner")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you agree with the decision"},
    )
    note = text_field(
        "Note (required when you return it)",
        rows=3,
        max_length=3000,
        checked=CheckContext.CASE_NOTE,
    )


class ReopenForm(forms.Form):
    reason = text_field(
        "Why is the referral being reopened?",
        required="Explain why the referral is being reopened",
        rows=4,
        max_length=3000,
        checked=CheckContext.CASE_NOTE,
    )


class EscalateForm(forms.Form):
    reason = text_field(
        "What do you need from the front door? (optional)",
        rows=3,
        max_length=2000,
        checked=CheckContext.CASE_NOTE,
    )


class ResolveEscalationForm(forms.Form):
    resolution = text_field(
        "How was it resolved?",
        required="Say how the escalation was resolved",
        rows=3,
        max_length=3000,
        checked=CheckContext.CASE_NOTE,
    )


class CompletenessRuleForm(forms.Form):
    weight = forms.IntegerField(
        label="Weight in the completeness score",
        min_value=0,
        max_value=10,
        help_text="0 to 10. An item with weight 0 is not counted in the score",
        error_messages={
            "required": "Enter a weight from 0 to 10",
            "invalid": "Weight must be a whole number from 0 to 10",
            "min_value": "Weight must be 0 or more",
            "max_value": "Weight must be 10 or less",
        },
    )
    mandatory = forms.BooleanField(
        label="A referral made on the form cannot be sent without it", required=False
    )


# The longest a service level may be, in its unit: a week in hours, four weeks of working days.
MAX_HOURS = 168
MAX_WORKING_DAYS = 20


class ServiceLevelForm(forms.Form):
    amount = forms.IntegerField(
        label="Time allowed",
        min_value=1,
        max_value=500,
        help_text="A whole number: of hours, or of working days",
        error_messages={
            "required": "Enter the time allowed",
            "invalid": "Time allowed must be a whole number",
            "min_value": "Time allowed must be at least 1",
            "max_value": "Time allowed must be 500 or less",
        },
    )
    unit = forms.ChoiceField(
        label="Counted in",
        choices=Unit.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select hours or working days"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount, unit = data.get("amount"), data.get("unit")
        if amount is not None and unit == Unit.HOURS and amount > MAX_HOURS:
            self.add_error("amount", f"Time allowed in hours must be {MAX_HOURS} (a week) or less")
        if amount is not None and unit == Unit.WORKING_DAYS and amount > MAX_WORKING_DAYS:
            self.add_error(
                "amount",
                f"Time allowed in working days must be {MAX_WORKING_DAYS} (four weeks) or less",
            )
        return data


def _clock_time(label: str, hint: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=5,
        help_text=hint,
        widget=forms.TextInput(attrs={"data-width": "5", "inputmode": "numeric"}),
        error_messages={"required": f"Enter the time the office {label.lower()}"},
    )


def _parse_clock_time(text: str) -> dt.time | None:
    try:
        hours, minutes = (int(part) for part in text.strip().replace(".", ":").split(":"))
        return dt.time(hours, minutes)
    except ValueError:
        return None


class WorkingHoursForm(forms.Form):
    opens_at = _clock_time("Opens", "24-hour clock, for example 09:00")
    closes_at = _clock_time("Closes", "24-hour clock, for example 17:00")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = kwargs.get("initial") or {}
        kwargs["initial"] = {
            name: f"{value:%H:%M}" if isinstance(value, dt.time) else value
            for name, value in initial.items()
        }
        super().__init__(*args, **kwargs)

    def _clean_time(self, name: str) -> dt.time:
        moment = _parse_clock_time(self.cleaned_data[name])
        if moment is None:
            raise forms.ValidationError("Enter a real time on the 24-hour clock, like 09:00")
        return moment

    def clean_opens_at(self) -> dt.time:
        return self._clean_time("opens_at")

    def clean_closes_at(self) -> dt.time:
        return self._clean_time("closes_at")


class BankHolidayForm(forms.Form):
    day = GovukDateField(
        label="Date",
        help_text="For example, 14 4 2028. A bank holiday on a weekend moves to a weekday: add "
        "that day",
        error_messages={"required": "Enter the date of the bank holiday"},
    )
    name = text_field("Name", required="Enter the bank holiday's name", max_length=100)


class RemoveBankHolidayForm(forms.Form):
    """Nothing to fill in: the page asks to confirm."""


# Strategy meetings and audits -------------------------------------------------------------------


def _time(label: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=5,
        help_text="24-hour clock, for example 18:30",
        widget=forms.TextInput(attrs={"data-width": "5", "inputmode": "numeric"}),
        **kwargs,
    )


def _at(form: forms.Form, date_field: str, time_field: str) -> dt.datetime | None:
    """Combine a GOV.UK date and an HH:MM time into an aware local datetime (or a field error)."""
    day = form.cleaned_data.get(date_field)
    text = (form.cleaned_data.get(time_field) or "").strip()
    if day is None or not text:
        return None
    try:
        hours, minutes = (int(part) for part in text.replace(".", ":").split(":"))
        moment = dt.time(hours, minutes)
    except ValueError:
        form.add_error(time_field, "Enter a real time on the 24-hour clock, like 18:30")
        return None
    return timezone.make_aware(dt.datetime.combine(day, moment))


class ConveneMeetingForm(forms.Form):
    date = GovukDateField(
        label="Date of the meeting", error_messages={"required": "Enter the date"}
    )
    time = _time("Time", error_messages={"required": "Enter the time"})

    def __init__(self, *args: Any, agency_choices: dict[str, list[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for role in MeetingRole:
            self.fields[f"agencies_{role}"] = forms.ModelMultipleChoiceField(
                label=f"{role.label}{'' if role in REQUIRED_MEETING_ROLES else ' (optional)'}",
                queryset=Agency.objects.filter(pk__in=[a.pk for a in agency_choices[role]]),
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["scheduled_for"] = _at(self, "date", "time")
        return data


class RecordMeetingForm(forms.Form):
    date = GovukDateField(label="Date it was held", error_messages={"required": "Enter the date"})
    time = _time("Time it started", error_messages={"required": "Enter the time"})
    decisions = text_field(
        "What the meeting decided",
        required="Enter what the meeting decided",
        rows=5,
        checked=CheckContext.MINUTES,
        max_length=10000,
    )

    def __init__(self, *args: Any, invitees: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitees = invitees
        for invitee in invitees:
            self.fields[f"attended_{invitee.pk}"] = forms.ChoiceField(
                label=f"Did {invitee.agency} attend?",
                choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect,
                error_messages={"required": f"Say whether {invitee.agency} attended"},
            )
            self.fields[f"attendee_{invitee.pk}"] = forms.CharField(
                label=f"Who attended for {invitee.agency} (optional)",
                required=False,
                max_length=200,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["held_at"] = _at(self, "date", "time")
        data["attendance"] = {
            i.pk: (data.get(f"attended_{i.pk}") == "yes", data.get(f"attendee_{i.pk}", ""))
            for i in self.invitees
            if data.get(f"attended_{i.pk}")
        }
        return data


class MeetingActionForm(forms.Form):
    description = text_field(
        "Action", required="Enter the action", rows=3, checked=CheckContext.MINUTES, max_length=3000
    )
    owner_agency = forms.ModelChoiceField(
        label="Agency responsible",
        queryset=Agency.objects.filter(is_active=True),
        empty_label="Select agency",
        error_messages={"required": "Select the agency responsible"},
    )
    owner_name = text_field("Person responsible (optional)", max_length=200)
    due_on = GovukDateField(label="Due by", error_messages={"required": "Enter when it is due"})


class AuditCreateForm(forms.Form):
    title = text_field("Title", required="Enter a title for the audit", max_length=200)
    sampling = forms.ChoiceField(
        label="How to sample",
        choices=Sampling.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how to sample"},
    )
    sample_size = forms.IntegerField(
        label="How many referrals",
        min_value=1,
        max_value=50,
        error_messages={
            "required": "Enter how many referrals to sample",
            "invalid": "Enter a whole number",
            "min_value": "Sample at least 1 referral",
            "max_value": "Sample at most 50 referrals",
        },
        widget=forms.NumberInput(attrs={"data-width": "3"}),
    )
    agency = forms.ModelChoiceField(
        label="From this agency (targeted, optional)",
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        empty_label="Any agency",
    )
    concern = forms.ChoiceField(
        label="Naming this concern (targeted, optional)",
        choices=[("", "Any concern"), *Concern.choices],
        required=False,
    )
    completeness_below = forms.IntegerField(
        label="Less complete than this score (targeted, optional)",
        min_value=1,
        max_value=100,
        required=False,
        help_text="A percentage, for example 70",
        widget=forms.NumberInput(attrs={"data-width": "3"}),
    )
    received_from = GovukDateField(label="Received on or after (optional)", required=False)
    received_to = GovukDateField(label="Received on or before (optional)", required=False)

    def criteria(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "agency": data["agency"].pk if data.get("agency") else None,
            "concern": data.get("concern") or None,
            "completeness_below": data.get("completeness_below"),
            "received_from": data.get("received_from"),
            "received_to": data.get("received_to"),
        }


class AuditScoreForm(forms.Form):
    findings = text_field(
        "Findings for the referring team",
        required="Enter the findings to feed back to the referring team",
        rows=5,
        checked=CheckContext.CASE_NOTE,
        max_length=5000,
        help_text="About the referral's quality: the team sees this, whoever they are",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in AuditQuestion:
            self.fields[f"score_{question}"] = forms.TypedChoiceField(
                label=question.label,
                choices=[(g.value, g.label) for g in AuditGrade],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select a grade for: {question.label}"},
            )
        # The questions first, then the findings.
        self.order_fields([f"score_{q}" for q in AuditQuestion] + ["findings"])

    def scores(self) -> dict[str, int]:
        return {str(q): self.cleaned_data[f"score_{q}"] for q in AuditQuestion}


# Rapid response after a serious incident (ADR 0016) ---------------------------------------------


class RapidContactForm(forms.Form):
    contact = forms.ChoiceField(
        label="Who will make contact with the child",
        help_text="Someone in your agency, or in an agency that shares with yours, whose role "
        "works with children",
        error_messages={"required": "Select who will make contact with the child"},
    )

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        field = self.fields["contact"]
        assert isinstance(field, forms.ChoiceField)
        by_agency: dict[str, list[tuple[str, str]]] = {}
        for person in people:
            label = f"{person.get_full_name()} ({person.get_role_display()})"
            by_agency.setdefault(str(person.agency), []).append((str(person.pk), label))
        field.choices = [("", "Select a person"), *by_agency.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("contact"):
            data["contact"] = self.people[data["contact"]]
        return data


class RapidRecordForm(forms.Form):
    date = GovukDateField(label="Date it met", error_messages={"required": "Enter the date it met"})
    time = _time("Time it started", error_messages={"required": "Enter the time it started"})
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies that came",
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the agencies that came"},
    )
    decisions = text_field(
        "What the rapid response decided",
        required="Enter what the rapid response decided",
        rows=5,
        checked=CheckContext.MINUTES,
        max_length=10000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "date", "The date it met")
        data["convened_at"] = _at(self, "date", "time")
        return data


class QueueFilterForm(forms.Form):
    """The queue's filters, sent by GET so a filtered queue can be bookmarked."""

    agency = agency_filter("Referring agency")
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=[("", "Any urgency"), *Urgency.choices],
        required=False,
        error_messages={"invalid_choice": "Select an urgency from the list"},
    )
    rating = forms.ChoiceField(
        label="Rating",
        choices=[("", "Any rating"), ("none", "Not rated yet"), *Rag.choices],
        required=False,
        error_messages={"invalid_choice": "Select a rating from the list"},
    )
    allocated = forms.ChoiceField(
        label="Who has it",
        choices=[("", "Anyone or no one"), ("mine", "Allocated to me"), ("none", "No one yet")],
        required=False,
        error_messages={"invalid_choice": "Select who has it from the list"},
    )
    age = forms.ChoiceField(
        label="Child's age",
        choices=[("", "Any age")],
        required=False,
        error_messages={"invalid_choice": "Select an age from the list"},
    )
    received_from = GovukDateField(
        label="Received on or after", required=False, help_text="For example, 1 12 2026"
    )

    def __init__(self, *args: Any, age_bands: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        age = self.fields["age"]
        assert isinstance(age, forms.ChoiceField)
        age.choices = [("", "Any age"), *(age_bands or {}).items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "received_from", "The date received")
        return data


class AllocateForm(forms.Form):
    """``to``: "me", a member of the front door's staff (a manager), or "" for no one."""

    to = forms.CharField(required=False, max_length=40)


class RapidResponseFilterForm(lists.ListFilterForm):
    """The front door's rapid responses: by status, and when opened."""

    status = lists.choice_field(
        "Status", "Any status", RapidStatus.choices, error="Select a status from the list"
    )
    date_from = lists.date_from_field("Opened on or after")
    date_to = lists.date_to_field("Opened on or before")


class MyReferralsFilterForm(lists.ListFilterForm):
    """A referrer's sent referrals: by status, and the day they were sent."""

    status = lists.choice_field(
        "Status",
        "Any status",
        [(value, label) for value, label in Status.choices if value != Status.DRAFT],
        error="Select a status from the list",
    )
    date_from = lists.date_from_field("Sent on or after")
    date_to = lists.date_to_field("Sent on or before")


class MessageFilterForm(lists.ListFilterForm):
    """A person's messages about referrals: unread or read, and when."""

    shown = lists.choice_field(
        "Show",
        "Unread and read",
        [("unread", "Unread only"), ("read", "Read only")],
        error="Select which messages to show",
    )
    date_from = lists.date_from_field()
    date_to = lists.date_to_field()
