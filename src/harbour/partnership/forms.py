"""Forms for the partnership pages. They check the shape of what was entered, with GOV.UK error
messages; the services check the rules that need the database or the actor."""

from __future__ import annotations

from typing import Any

from django import forms

from harbour.access import policy
from harbour.partnership import services
from harbour.partnership.models import (
    Agency,
    AgencyType,
    DataCategory,
    LawfulBasis,
    Purpose,
    Role,
    Team,
    ThresholdLevel,
)
from harbour.web.fields import PHONE
from harbour.web.forms import GovukDateField

DATE_HINT = "For example, 27 3 2025"


def _text(
    label: str,
    *,
    max_length: int,
    required: str = "",
    help_text: str = "",
    widget: forms.Widget | None = None,
) -> forms.CharField:
    """A text field whose messages follow the GOV.UK pattern. ``required`` is the message shown
    when it is left empty; without one the field is optional."""
    messages = {"max_length": f"{label} must be {max_length} characters or fewer"}
    if required:
        messages["required"] = required
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=bool(required),
        help_text=help_text,
        widget=widget,
        error_messages=messages,
    )


def _agencies() -> forms.ModelChoiceField[Agency]:
    return forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.order_by("name"),
        empty_label="Select an agency",
        error_messages={
            "required": "Select the agency they work for",
            "invalid_choice": "Select an agency from the list",
        },
    )


def _active(help_text: str) -> forms.BooleanField:
    return forms.BooleanField(label="Active", required=False, initial=True, help_text=help_text)


class AgencyForm(forms.Form):
    name = _text("Name", max_length=200, required="Enter the agency's name")
    code = forms.SlugField(
        label="Short code",
        max_length=60,
        help_text=(
            "Used in reports and the audit trail. Letters, numbers, hyphens and underscores only, "
            "for example riverside-police"
        ),
        widget=forms.TextInput(attrs={"data-width": "20", "spellcheck": "false"}),
        error_messages={
            "required": "Enter a short code for the agency",
            "invalid": "Short code must only include letters, numbers, hyphens and underscores",
            "max_length": "Short code must be 60 characters or fewer",
        },
    )
    agency_type = forms.ChoiceField(
        label="Type of agency",
        choices=AgencyType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of agency"},
    )
    school_urn = forms.CharField(
        label="School URN",
        required=False,
        help_text="Schools only. The 6-digit unique reference number, for example 123456",
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "numeric"}),
    )
    is_active = _active("Inactive agencies stay in agreements and reports")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problem = services.school_urn_problem(
            data.get("agency_type", ""), data.get("school_urn", "").strip()
        )
        if problem:
            self.add_error("school_urn", problem)
        return data


class TeamForm(forms.Form):
    name = _text("Team name", max_length=200, required="Enter the team's name")
    is_front_door = forms.BooleanField(
        label="Front door (MASH) team",
        required=False,
        help_text="Receives and decides on referrals",
    )


class StaffForm(forms.Form):
    first_name = _text("First name", max_length=150, required="Enter their first name")
    last_name = _text("Last name", max_length=150, required="Enter their last name")
    email = forms.EmailField(
        label="Email address",
        max_length=150,
        help_text="They sign in with this address",
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 150 characters or fewer",
        },
    )
    agency = _agencies()
    team = forms.ModelChoiceField(
        label="Team (optional)",
        queryset=Team.objects.select_related("agency").order_by("agency__name", "name"),
        required=False,
        empty_label="No team",
        help_text="The team must be in the agency you selected",
        error_messages={"invalid_choice": "Select a team from the list"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        help_text="The role decides what they can see and do",
        error_messages={"required": "Select their role"},
    )
    job_title = _text("Job title (optional)", max_length=200)
    phone = _text(
        "Telephone (optional)",
        max_length=30,
        help_text="Where colleagues ring them about a child, like 01632 960 123",
    )
    is_active = _active(
        "Deactivated staff cannot sign in. Staff are never deleted, so the audit trail keeps "
        "their name"
    )

    def clean_phone(self) -> str:
        value = " ".join(str(self.cleaned_data.get("phone", "")).split())
        if value and not PHONE.match(value):
            raise forms.ValidationError("Enter a telephone number, like 01632 960 123")
        return value

    def __init__(self, *args: Any, editing_self: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An administrator changing their own account: the service refuses a change of their
        # role, agency or team too; the form says so first, on the field.
        self.editing_self = editing_self

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency, team = data.get("agency"), data.get("team")
        if agency is not None and team is not None and team.agency_id != agency.pk:
            self.add_error("team", services.TEAM_NOT_IN_AGENCY)
        if self.editing_self:
            self._refuse_own_access_change(data)
        return data

    def _refuse_own_access_change(self, data: dict[str, Any]) -> None:
        submitted = {
            "role": data.get("role") or "",
            "agency": data["agency"].pk if data.get("agency") is not None else None,
            "team": data["team"].pk if data.get("team") is not None else None,
        }
        now = {
            "role": self.initial.get("role") or "",
            "agency": self.initial.get("agency"),
            "team": self.initial.get("team"),
        }
        for name, value in submitted.items():
            if name in data and value != now[name]:
                self.add_error(name, policy.OWN_ACCOUNT_REFUSALS[name])


class StaffChangeDecisionForm(forms.Form):
    """A second administrator's decision on a change to someone's access."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            ("approve", "Approve: the change applies now"),
            ("refuse", "Refuse: nothing changes"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you approve or refuse this change"},
    )
    reason = _text(
        "Why are you refusing it? (only if you refuse)",
        max_length=2000,
        help_text="The administrator who asked, and the data protection officer, will read this",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "refuse" and not str(data.get("reason", "")).strip():
            self.add_error("reason", services.REFUSAL_REASON_REQUIRED)
        return data


def agency_filter(label: str = "Agency", empty_label: str = "Any agency") -> forms.ModelChoiceField:
    """A list's filter by agency (ADR 0031), the same on every list."""
    return forms.ModelChoiceField(
        label=label,
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label=empty_label,
        error_messages={"invalid_choice": "Select an agency from the list"},
    )


class StaffFilterForm(forms.Form):
    """Filters for the staff list, sent by GET so that a filtered list can be bookmarked."""

    agency = agency_filter(empty_label="All agencies")
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "All roles"), *Role.choices],
        required=False,
        error_messages={"invalid_choice": "Select a role from the list"},
    )


class AgreementForm(forms.Form):
    title = _text("Title", max_length=200, required="Enter the agreement's title")
    reference = _text(
        "Reference",
        max_length=40,
        required="Enter the agreement's reference",
        help_text="For example, ISA-2025-01",
        widget=forms.TextInput(attrs={"data-width": "20"}),
    )
    parties = forms.ModelMultipleChoiceField(
        label="Parties",
        queryset=Agency.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text="Select every agency that signed the agreement",
        error_messages={
            "required": services.TOO_FEW_PARTIES,
            "invalid_choice": "Select agencies from the list",
            "invalid_pk_value": "Select agencies from the list",
        },
    )
    purposes = forms.MultipleChoiceField(
        label="Purposes",
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select every purpose the agreement allows sharing for",
        error_messages={
            "required": "Select at least one purpose",
            "invalid_choice": "Select purposes from the list",
        },
    )
    data_categories = forms.MultipleChoiceField(
        label="Categories of data",
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select every category of data the parties may share",
        error_messages={
            "required": "Select at least one category of data",
            "invalid_choice": "Select categories of data from the list",
        },
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the lawful basis"},
    )
    special_category_condition = _text(
        "Special category condition (optional)",
        max_length=300,
        help_text=(
            "The condition for special category and criminal offence data, for example "
            "DPA 2018 Schedule 1 paragraph 18"
        ),
    )
    start_date = GovukDateField(
        label="Start date",
        help_text=DATE_HINT,
        error_messages={"required": "Enter the start date"},
    )
    end_date = GovukDateField(
        label="End date",
        required=False,
        help_text=f"Leave empty if the agreement has no end date. {DATE_HINT}",
    )
    summary = _text(
        "Summary (optional)",
        max_length=5000,
        help_text="What the agreement allows, in plain English",
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parties = data.get("parties")
        if parties is not None and len(parties) < 2:
            self.add_error("parties", services.TOO_FEW_PARTIES)
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", services.END_BEFORE_START)
        return data


class ThresholdGuidanceForm(forms.Form):
    title = _text("Title", max_length=200, required="Enter the guidance's title")
    level = forms.ChoiceField(
        label="Level of need",
        choices=ThresholdLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the level of need"},
    )
    version = _text(
        "Version",
        max_length=20,
        required="Enter the version",
        help_text="For example, 2.1",
        widget=forms.TextInput(attrs={"data-width": "10"}),
    )
    body = _text(
        "Guidance",
        max_length=20000,
        required="Enter what the partnership expects at this level",
        help_text="What the partnership expects at this level, in plain English",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    indicators = _text(
        "Indicators (optional)",
        max_length=20000,
        help_text="One indicator per line",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    effective_from = GovukDateField(
        label="Effective from",
        help_text=DATE_HINT,
        error_messages={"required": "Enter the date the guidance takes effect"},
    )
    published_by = forms.ModelChoiceField(
        label="Published by (optional)",
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label="Not recorded",
        error_messages={"invalid_choice": "Select an agency from the list"},
    )
