"""GOV.UK forms for agencies with no system feed (issue 11 part 2, ADR 0030): a school recording a
suspension or permanent exclusion, and a youth worker or missing-person coordinator recording a
missing episode and its return-home interview.

A form checks only the shape of what is typed (a date is a date). What it records is turned into
the same ``intake.EventIn`` the API and the files send, with the defaults of the matching file
format (``event_files.FORMATS``), and checked by ``intake.check_event``: one set of rules on every
channel. A rule broken is shown on the form field it concerns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import transaction

from harbour.access import policy
from harbour.children.codes import Sex
from harbour.identity import intake
from harbour.identity.event_files import FORMATS
from harbour.identity.models import EventKind, ExclusionReason
from harbour.language.models import CheckContext
from harbour.partnership.models import Agency, Staff
from harbour.web.fields import nhs_number_field, postcode_field, text_field, time_field
from harbour.web.forms import GovukDateField

#: The agency's own record of a child recorded on a form has this source system; the agency's
#: reference for the child is its source id (the same fields as the API's person).
FORM_SOURCE_SYSTEM = "Harbour form"
RETURN_INTERVIEW_SUFFIX = "-RHI"
YES, NO = "yes", "no"


class PersonForm(forms.Form):
    """The agency's own record of the child: the fields of the API's ``person``."""

    source_id = text_field(
        "Your reference for the child",
        required="Enter your reference for the child",
        max_length=64,
        help_text="The number your records use for them, so a later change updates this record",
    )
    given_name = text_field("First name", required="Enter the child's first name", max_length=100)
    family_name = text_field("Last name", required="Enter the child's last name", max_length=100)
    date_of_birth = GovukDateField(
        label="Date of birth",
        required=True,
        help_text="For example, 14 3 2011",
        error_messages={"required": "Enter the child's date of birth"},
    )
    sex = forms.ChoiceField(
        label="Sex (optional)", choices=Sex.choices, required=False, widget=forms.RadioSelect
    )
    address = text_field("Address (optional)", max_length=300)
    postcode = postcode_field()
    nhs_number = nhs_number_field()

    def person(self, agency: Agency) -> intake.PersonIn:
        data = self.cleaned_data
        return intake.PersonIn(
            source_system=FORM_SOURCE_SYSTEM,
            source_id=data["source_id"].strip(),
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            sex=data.get("sex") or "",
            postcode=data.get("postcode", ""),
            address=data.get("address", ""),
            nhs_number=data.get("nhs_number", ""),
            upn=data.get("upn", ""),
            school_urn=agency.school_urn or "",
        )


class ExclusionForm(PersonForm):
    upn = forms.CharField(
        label="Unique pupil number (optional)",
        required=False,
        max_length=13,
        widget=forms.TextInput(attrs={"data-width": "20"}),
    )
    reference = text_field(
        "Your reference for this suspension or exclusion",
        required="Enter your reference for this suspension or exclusion",
        max_length=64,
    )
    kind = forms.ChoiceField(
        label="Suspension or permanent exclusion",
        choices=[
            (EventKind.SUSPENSION, "Suspension"),
            (EventKind.PERMANENT_EXCLUSION, "Permanent exclusion"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select suspension or permanent exclusion"},
    )
    exclusion_reason = forms.ChoiceField(
        label="Reason",
        help_text="The reason you give in the school census",
        choices=[("", "Select a reason"), *ExclusionReason.choices],
        error_messages={"required": "Select the reason"},
    )
    occurred_on = GovukDateField(
        label="First day of the suspension or exclusion",
        required=True,
        error_messages={"required": "Enter the first day of the suspension or exclusion"},
    )
    summary = text_field(
        "What happened",
        required="Enter what happened",
        rows=5,
        checked=CheckContext.CASE_NOTE,
        max_length=5000,
        help_text="The facts, and anything that suggests the child is being harmed or exploited",
    )

    field_order = [
        "source_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "upn",
        "address",
        "postcode",
        "nhs_number",
        "reference",
        "kind",
        "exclusion_reason",
        "occurred_on",
        "summary",
    ]

    def events(self, agency: Agency) -> list[tuple[intake.EventIn, dict[str, str]]]:
        data = self.cleaned_data
        defaults = FORMATS["exclusions"].defaults
        event = intake.EventIn(
            reference=data["reference"].strip(),
            kind=data["kind"],
            person=self.person(agency),
            role=defaults["role"],
            category=defaults["category"],
            summary=data["summary"],
            occurred_on=data["occurred_on"],
            exclusion_reason=data["exclusion_reason"],
        )
        return [(event, {"person.upn": "upn"})]


class MissingForm(PersonForm):
    reference = text_field(
        "Your reference for this missing episode",
        required="Enter your reference for this missing episode",
        max_length=60,
    )
    missing_on = GovukDateField(
        label="When did they go missing?",
        required=True,
        error_messages={"required": "Enter the date they went missing"},
    )
    missing_time = time_field("At what time? (optional)")
    location = text_field(
        "Where were they found, or where had they been? (optional)", max_length=300
    )
    summary = text_field(
        "What happened",
        required="Enter what happened",
        rows=5,
        checked=CheckContext.CASE_NOTE,
        max_length=5000,
        help_text="What is known of where they were, who with, and any harm to them",
    )
    interview_held = forms.ChoiceField(
        label="Has the return-home interview been held?",
        choices=[(YES, "Yes"), (NO, "No, not yet")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the return-home interview has been held"},
    )
    interview_on = GovukDateField(
        label="Date of the return-home interview (if held)",
        required=False,
    )
    interview_summary = text_field(
        "What the child said in the interview (if held)",
        rows=5,
        checked=CheckContext.CASE_NOTE,
        max_length=5000,
        help_text="In their own words where you can",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("interview_held") == YES:
            if not data.get("interview_on"):
                self.add_error("interview_on", "Enter the date of the return-home interview")
            if not (data.get("interview_summary") or "").strip():
                self.add_error("interview_summary", "Enter what the child said in the interview")
        return data

    def occurred_at(self) -> dt.datetime | None:
        data = self.cleaned_data
        if not data.get("missing_time"):
            return None
        try:
            return intake.aware(dt.datetime.combine(data["missing_on"], data["missing_time"]))
        except ValueError:
            return None  # a time the clocks skip: the intake's rules say so on the date

    def events(self, agency: Agency) -> list[tuple[intake.EventIn, dict[str, str]]]:
        data = self.cleaned_data
        defaults = FORMATS["missing"].defaults
        reference = data["reference"].strip()
        common: dict[str, Any] = {
            "person": self.person(agency),
            "role": defaults["role"],
            "category": defaults["category"],
        }
        made = [
            (
                intake.EventIn(
                    reference=reference,
                    kind=EventKind.MISSING,
                    summary=data["summary"],
                    occurred_on=data["missing_on"],
                    occurred_at=self.occurred_at(),
                    location=data.get("location", ""),
                    **common,
                ),
                {"occurred_on": "missing_on", "occurred_at": "missing_time"},
            )
        ]
        if data.get("interview_held") == YES:
            made.append(
                (
                    intake.EventIn(
                        reference=reference + RETURN_INTERVIEW_SUFFIX,
                        kind=EventKind.RETURN_INTERVIEW,
                        summary=data["interview_summary"],
                        occurred_on=data["interview_on"],
                        **common,
                    ),
                    {"occurred_on": "interview_on", "summary": "interview_summary"},
                )
            )
        return made


RecordForm = ExclusionForm | MissingForm


def check_rules(form: RecordForm, agency: Agency) -> bool:
    """The intake's rules (``check_event``) on what the form would record; each broken rule an
    error on its field. True when every rule is met."""
    for event, where in form.events(agency):
        for error in intake.check_event(intake.normalised_event(event)):
            name = error.field.removeprefix("person.")
            field = where.get(error.field) or (name if name in form.fields else None)
            label = form.fields[field].label if field else "This"
            form.add_error(field, f"{str(label).removesuffix(' (optional)')} {error.detail}")
    return not form.errors


@dataclass(frozen=True)
class EventFormKind:
    slug: str  # as in ``policy.EVENT_FORM_AGENCY_TYPES``
    title: str
    description: str
    form_class: type[ExclusionForm] | type[MissingForm]


EVENT_FORMS: dict[str, EventFormKind] = {
    "exclusion": EventFormKind(
        "exclusion",
        "Record a suspension or permanent exclusion",
        "A pupil suspended or permanently excluded from your school, with the DfE reason.",
        ExclusionForm,
    ),
    "missing": EventFormKind(
        "missing",
        "Record a missing episode",
        "A child who went missing, and their return-home interview when it has been held.",
        MissingForm,
    ),
}


def answers(form: PersonForm) -> list[dict[str, Any]]:
    """Check-your-answers rows for a valid form: label, value as the person would read it, the
    field's id (for the change link) and what the wording checker found in it."""
    rows = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if isinstance(field, forms.ChoiceField):
            value = dict(field.choices).get(value, value) if value else ""  # type: ignore[arg-type]
        elif isinstance(value, dt.date):
            value = f"{value.day} {value:%B %Y}"
        elif isinstance(value, dt.time):
            value = f"{value:%H:%M}"
        findings = getattr(field.widget, "findings", None)
        # A date's and a radio group's first box carries the id.
        several = isinstance(field, GovukDateField) or isinstance(field.widget, forms.RadioSelect)
        anchor = f"id_{name}_0" if several else f"id_{name}"
        rows.append(
            {
                "label": str(field.label).removesuffix(" (optional)"),
                "value": value or "",
                "anchor": anchor,
                "findings": findings,
            }
        )
    return rows


def event_form_record(
    *, actor: Staff, kind: EventFormKind, form: RecordForm
) -> tuple[intake.Received, list[str]]:
    """Record what a valid form says, through the intake's service as the API and the files do:
    checked by the same rules, saved for the actor's agency (audited, with channel
    ``form:<slug>``), the summaries checked for wording on arrival, and the agency's record of
    the child matched against the person index after the commit. Returns what was received and
    the references recorded. ``intake.Rejected`` when a rule is broken (nothing saved)."""
    policy.require_event_form(actor, kind.slug)
    agency = actor.agency
    assert agency is not None  # require_event_form refuses an actor with no agency
    events = [event for event, _ in form.events(agency)]
    received = intake.receive_events(
        agency=agency, events=events, actor=actor, channel=f"form:{kind.slug}"
    )
    # Matched as any arrival is (ADR 0021): after the commit, each record in its own transaction.
    transaction.on_commit(lambda: intake.link_arrivals(received))
    return received, [event.reference.strip() for event in events]
