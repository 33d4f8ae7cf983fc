from __future__ import annotations

from typing import Any

from django import forms

from harbour.access import trail
from harbour.access.models import ReviewOutcome
from harbour.access.services import MIN_BREAK_GLASS_REASON, REASON_TOO_SHORT
from harbour.partnership.forms import agency_filter
from harbour.partnership.models import Staff
from harbour.web import lists
from harbour.web.fields import past_or_today
from harbour.web.forms import GovukDateField


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this record now?",
        help_text=(
            "Say what has happened and why it cannot wait. "
            "The data protection officer will review this access."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=MIN_BREAK_GLASS_REASON,
        max_length=2000,
        error_messages={
            "required": "Enter why you need to open this record",
            "min_length": REASON_TOO_SHORT,
        },
    )


class BreakGlassReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Was this access justified?",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the access was justified"},
    )
    note = forms.CharField(
        label="Review note",
        required=False,
        help_text="Required when the access was not justified: say what happens next",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (
            data.get("outcome") == ReviewOutcome.NOT_JUSTIFIED
            and not str(data.get("note", "")).strip()
        ):
            self.add_error("note", "Say what happens next when the access was not justified")
        return data


class AuditTrailFilterForm(forms.Form):
    """Filters for the audit trail, sent by GET so that a filtered trail can be bookmarked and
    downloaded as it stands."""

    person = forms.ModelChoiceField(
        label="Person",
        queryset=Staff.objects.order_by("first_name", "last_name", "email"),
        required=False,
        empty_label="Everyone",
        error_messages={"invalid_choice": "Select a person from the list"},
    )
    agency = agency_filter(empty_label="All agencies")
    action = forms.ChoiceField(
        label="What they did",
        required=False,
        error_messages={"invalid_choice": "Select what they did from the list"},
    )
    date_from = GovukDateField(label="From", required=False, help_text="For example, 1 12 2026")
    date_to = GovukDateField(label="To", required=False, help_text="For example, 7 12 2026")
    about = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].label_from_instance = _staff_label  # type: ignore[attr-defined]
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [("", "Anything"), *trail.action_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "date_from", "The from date")
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data

    def filters(self) -> trail.TrailFilters:
        data = self.cleaned_data
        return trail.TrailFilters(
            person=data.get("person"),
            agency=data.get("agency"),
            action=data.get("action") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            about=data.get("about"),
        )


def _staff_label(staff: Staff) -> str:
    agency = f", {staff.agency.name}" if staff.agency_id and staff.agency else ""
    return f"{staff.get_full_name() or staff.email}{agency}"


class BreakGlassFilterForm(lists.ListFilterForm):
    """The break-glass accesses waiting for review: by the agency of whoever opened the record,
    and when."""

    agency = agency_filter("Their agency")
    date_from = lists.date_from_field("Opened on or after")
    date_to = lists.date_to_field("Opened on or before")


class AccessAlertForm(forms.Form):
    note = forms.CharField(
        label="What you found or did",
        help_text="For example: asked their manager; the records were a rota handover",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Say what you found or did"},
    )
