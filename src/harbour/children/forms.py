import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import RelationshipKind
from harbour.children import attention, limits
from harbour.children.codes import (
    SEN_TYPE_OF_NEED,
    ActionStatus,
    AssessmentKind,
    AssessmentStatus,
    EducationStatus,
    NeedKind,
    PlanType,
    Relationship,
)
from harbour.children.models import OUTWARD_CODE, Child, postcode_validator
from harbour.children.selectors import normalise_postcode
from harbour.language.models import CheckContext
from harbour.partnership.models import Agency, AgencyType, Staff
from harbour.web import lists
from harbour.web.fields import past_or_today, text_field
from harbour.web.forms import GovukDateField


class ChildSearchForm(forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=100,
        help_text="First name, last name, or a name the child is known by",
    )
    date_of_birth = GovukDateField(
        label="Date of birth", required=False, help_text="For example, 27 3 2011"
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"data-width": "10", "autocomplete": "off"}),
    )

    def clean_date_of_birth(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("date_of_birth")
        if value and value > timezone.localdate():
            raise forms.ValidationError("Date of birth must be today or in the past")
        return value

    def clean_postcode(self) -> str:
        """A whole postcode (``RV1 2AB``) or its first part (``RV1``), never a guess."""
        value = self.cleaned_data.get("postcode", "").strip()
        if not value:
            return ""
        postcode = normalise_postcode(value)
        if re.match(OUTWARD_CODE, postcode):
            return postcode
        try:
            postcode_validator(postcode)
        except ValidationError:
            raise forms.ValidationError(
                "Enter a postcode, like RV1 2AB, or the first part of one, like RV1"
            ) from None
        return postcode

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not self.errors and not (
            data.get("name", "").strip()
            or data.get("date_of_birth")
            or data.get("postcode", "").strip()
        ):
            raise forms.ValidationError("Enter a name, a date of birth or a postcode to search")
        return data


class ChildCommunicationForm(forms.Form):
    """How to communicate with the child: communication needs and developmental age (health
    data, in its own category)."""

    communication = text_field(
        "How to communicate with me (optional)",
        rows=4,
        checked=CheckContext.CASE_NOTE,
        max_length=5000,
        help_text="Speech, language and communication needs, in plain words",
    )
    what_helps = text_field(
        "What helps (optional)", rows=3, checked=CheckContext.CASE_NOTE, max_length=5000
    )
    what_to_avoid = text_field(
        "What to avoid (optional)", rows=3, checked=CheckContext.CASE_NOTE, max_length=5000
    )
    developmental_age_notes = text_field(
        "Developmental age (optional)",
        rows=3,
        checked=CheckContext.CASE_NOTE,
        max_length=5000,
        help_text="Where the child's development differs from their age, and how",
    )


class ChildAboutForm(forms.Form):
    """Who the child is in their own terms: strengths, interests and wishes."""

    preferred_name = text_field("Preferred name (optional)", max_length=100)
    strengths = text_field(
        "Strengths (optional)", rows=3, checked=CheckContext.CASE_NOTE, max_length=5000
    )
    interests = text_field(
        "Interests (optional)", rows=3, checked=CheckContext.CASE_NOTE, max_length=5000
    )
    wishes = text_field(
        "Wishes and feelings (optional)", rows=3, checked=CheckContext.CASE_NOTE, max_length=5000
    )
    preferred_professional = text_field(
        "Who the child would like to work with (optional)", max_length=200
    )


class ChildCultureForm(forms.Form):
    """Faith, heritage and culture as the child describes them (special category data, in its
    own category)."""

    identity_and_culture = text_field(
        "Faith, heritage and culture (optional)",
        rows=4,
        checked=CheckContext.CASE_NOTE,
        max_length=5000,
        help_text="As the child describes them, in their words",
    )


class NeedForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type of need",
        choices=NeedKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of need"},
    )
    sen_type = forms.ChoiceField(
        label="Type of need in the school census (optional)",
        choices=[("", "Not applicable"), *SEN_TYPE_OF_NEED.items()],
        required=False,
    )
    description = text_field(
        "Describe the need",
        required="Describe the need",
        max_length=500,
        help_text="For example, the diagnosis and who made it",
    )
    start_date = GovukDateField(
        label="Start date (optional)", required=False, help_text="For example, 27 3 2024"
    )
    end_date = GovukDateField(
        label="End date (optional)", required=False, help_text="Leave empty if it continues"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        past_or_today(self, "start_date", "Start date")
        if start and end and end < start:
            self.add_error("end_date", "End date must be the same as or after the start date")
        return data


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Assessment",
        choices=AssessmentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the assessment"},
    )
    provider = text_field("Service providing it (optional)", max_length=200)
    referred_on = GovukDateField(
        label="Date referred",
        help_text="For example, 27 3 2024",
        error_messages={"required": "Enter the date the child was referred"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=AssessmentStatus.choices,
        widget=forms.RadioSelect,
        initial=AssessmentStatus.WAITING,
        error_messages={"required": "Select the status"},
    )
    completed_on = GovukDateField(label="Date completed (optional)", required=False)
    outcome = text_field("Outcome (optional)", max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        referred, completed = data.get("referred_on"), data.get("completed_on")
        past_or_today(self, "referred_on", "Date referred")
        if data.get("status") == AssessmentStatus.COMPLETED and not completed:
            self.add_error("completed_on", "Enter the date the assessment was completed")
        if referred and completed and completed < referred:
            self.add_error(
                "completed_on", "Date completed must be the same as or after the date referred"
            )
        return data


class NeedEndForm(forms.Form):
    end_date = GovukDateField(
        label="When did the need end?",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the need ended"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "end_date", "The date the need ended")
        return data


class AssessmentOutcomeForm(forms.Form):
    """Close a pending assessment: it was completed (with its outcome) or withdrawn. Either way
    the wait ends on the date given."""

    status = forms.ChoiceField(
        label="What happened?",
        choices=[
            (AssessmentStatus.COMPLETED, "The assessment was completed"),
            (AssessmentStatus.WITHDRAWN, "The referral was withdrawn or closed"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the assessment was completed or withdrawn"},
    )
    completed_on = GovukDateField(
        label="Date completed or withdrawn",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the assessment was completed or withdrawn"},
    )
    outcome = text_field(
        "Outcome, or why it was withdrawn",
        rows=3,
        checked=CheckContext.ASSESSMENT,
        max_length=500,
        help_text="What the assessment found, such as a diagnosis; required if it was completed",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "completed_on", "The date completed or withdrawn")
        if data.get("status") == AssessmentStatus.COMPLETED and not data.get("outcome", "").strip():
            self.add_error("outcome", "Enter the outcome of the assessment")
        return data


class VoiceEntryForm(forms.Form):
    said_on = GovukDateField(
        label="When did they say it?",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date they said it"},
    )
    words = text_field(
        "What they said, in their own words",
        required="Enter what the child said",
        rows=5,
        max_length=5000,
    )
    setting = text_field("Where, or at what meeting (optional)", max_length=200)
    shared_with_child_and_family = text_field(
        "What was shared with the child and family (optional)",
        rows=3,
        checked=CheckContext.CASE_NOTE,
        max_length=5000,
    )
    child_and_family_views = text_field(
        "Their views on it (optional)", rows=3, checked=CheckContext.CASE_NOTE, max_length=5000
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "said_on", "The date they said it")
        return data


class EducationEpisodeForm(forms.Form):
    status = forms.ChoiceField(
        label="Education status",
        choices=EducationStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the education status"},
    )
    setting = forms.ModelChoiceField(
        label="School or provision (optional)",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Not a partner agency, or none",
    )
    setting_name = text_field("Other school or provision (optional)", max_length=200)
    start_date = GovukDateField(
        label="Start date", error_messages={"required": "Enter the start date"}
    )
    end_date = GovukDateField(label="End date (optional)", required=False)
    hours_per_week = forms.DecimalField(
        label="Hours a week (optional)",
        required=False,
        min_value=0,
        max_value=60,
        decimal_places=1,
        widget=forms.TextInput(attrs={"data-width": "3", "inputmode": "decimal"}),
        error_messages={"invalid": "Hours a week must be a number, like 12.5"},
    )
    attendance_percent = forms.IntegerField(
        label="Attendance percentage (optional)",
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.TextInput(attrs={"data-width": "3", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Attendance must be a whole number from 0 to 100",
            "max_value": "Attendance must be 100 or less",
            "min_value": "Attendance must be 0 or more",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["setting"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(agency_type=AgencyType.SCHOOL).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        past_or_today(self, "start_date", "Start date")
        if start and end and end < start:
            self.add_error("end_date", "End date must be the same as or after the start date")
        return data


class ChronologyFilterForm(forms.Form):
    agency = forms.ChoiceField(label="Agency", required=False)
    types = forms.MultipleChoiceField(
        label="Show", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, agencies: list[str], types: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ChoiceField)
        agency.choices = [("", "All agencies"), *((a, a) for a in agencies)]
        kinds = self.fields["types"]
        assert isinstance(kinds, forms.MultipleChoiceField)
        kinds.choices = list(types.items())


class FamilyMemberForm(forms.Form):
    relationship = forms.ChoiceField(
        label="Relationship to the child",
        choices=Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the relationship"},
    )
    given_name = text_field("First name", required="Enter their first name", max_length=100)
    family_name = text_field("Last name", required="Enter their last name", max_length=100)
    date_of_birth = GovukDateField(label="Date of birth (optional)", required=False)
    related_child = forms.ModelChoiceField(
        label="If they are a child known to Harbour, choose them (optional)",
        queryset=Child.objects.none(),
        required=False,
        empty_label="Not known to Harbour",
        help_text="Children you can see with the same last name or postcode",
        error_messages={"invalid_choice": "Select a child from the list"},
    )
    has_parental_responsibility = forms.BooleanField(
        label="Has parental responsibility", required=False
    )
    lives_with_child = forms.BooleanField(label="Lives with the child", required=False)

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["related_child"]
        assert isinstance(field, forms.ModelChoiceField)
        if candidates is not None:
            field.queryset = candidates

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "date_of_birth", "Date of birth")
        return data


class PlanForm(forms.Form):
    plan_type = forms.ChoiceField(
        label="Type of plan",
        choices=PlanType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of plan"},
    )
    outcomes = text_field(
        "What should be different for the child",
        required="Enter the outcomes the plan is for",
        rows=4,
        checked=CheckContext.PLAN,
        max_length=5000,
    )
    started_on = GovukDateField(
        label="Start date", error_messages={"required": "Enter the start date"}
    )
    review_due = GovukDateField(label="Review due (optional)", required=False)
    parents_as_partners = text_field(
        "How parents are working with us as partners (optional)",
        rows=3,
        checked=CheckContext.PLAN,
        max_length=5000,
        help_text="For risk outside the home: parents are partners in keeping their child safe",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, review = data.get("started_on"), data.get("review_due")
        past_or_today(self, "started_on", "Start date")
        if start and review and review < start:
            self.add_error("review_due", "Review date must be after the start date")
        return data


class PlanActionForm(forms.Form):
    sequence = forms.IntegerField(
        label="Order",
        min_value=1,
        max_value=99,
        help_text="What comes first, as the child chooses: 1 is first. An action already at "
        "that place, and those after it, move down one",
        widget=forms.TextInput(attrs={"data-width": "2", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter where this comes in the order",
            "invalid": "Order must be a number, like 1",
        },
    )
    description = text_field(
        "Action",
        required="Describe the action",
        max_length=500,
        rows=2,
        checked=CheckContext.PLAN,
    )
    owner_agency = forms.ModelChoiceField(
        label="Agency responsible",
        queryset=Agency.objects.none(),
        error_messages={"required": "Select the agency responsible"},
    )
    owner_name = text_field("Person responsible (optional)", max_length=200)
    due_on = GovukDateField(label="Due (optional)", required=False)
    chosen_by_child = forms.BooleanField(label="The child chose this action", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(is_active=True).order_by("name")


class TransitionPlanForm(forms.Form):
    agreed_on = GovukDateField(
        label="Date agreed", error_messages={"required": "Enter the date the plan was agreed"}
    )
    adult_services = text_field(
        "Adult social care and services (optional)",
        rows=3,
        checked=CheckContext.PLAN,
        max_length=5000,
    )
    probation = text_field(
        "Probation (optional)", rows=3, checked=CheckContext.PLAN, max_length=5000
    )
    housing = text_field("Housing (optional)", rows=3, checked=CheckContext.PLAN, max_length=5000)
    health = text_field("Health (optional)", rows=3, checked=CheckContext.PLAN, max_length=5000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "agreed_on", "Date agreed")
        return data


class FormulationForm(forms.Form):
    held_on = GovukDateField(
        label="Date of the meeting", error_messages={"required": "Enter the date of the meeting"}
    )
    attendees = text_field(
        "Who attended",
        required="Enter who attended",
        rows=4,
        max_length=5000,
        help_text="One per line, with their agency",
    )
    summary = text_field(
        "The shared understanding of the child",
        required="Enter the summary",
        rows=6,
        checked=CheckContext.MINUTES,
        max_length=10000,
        help_text="A trauma-informed account of what has happened to the child and what they need",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "held_on", "Date of the meeting")
        return data


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        title = f" ({obj.job_title})" if obj.job_title else ""
        return f"{obj.get_full_name()}, {obj.agency}{title}"


class TeamMemberForm(forms.Form):
    staff = StaffChoiceField(
        label="Who",
        queryset=Staff.objects.none(),
        error_messages={"required": "Select who is joining the team around the child"},
    )
    kind = forms.ChoiceField(
        label="Their part",
        widget=forms.RadioSelect,
        choices=[
            (RelationshipKind.TEAM_AROUND_CHILD, "Member of the team around the child"),
            (RelationshipKind.LEAD_PRACTITIONER, "Lead practitioner"),
        ],
        error_messages={"required": "Select their part"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            policy.people_who_work_with_children(Staff.objects.all())
            .select_related("agency")
            .order_by("agency__name", "last_name")
        )


class PlanReviewForm(forms.Form):
    held_on = GovukDateField(
        label="Date of the review", error_messages={"required": "Enter the date of the review"}
    )
    summary = text_field(
        "What the review found",
        required="Enter what the review found",
        rows=5,
        max_length=10000,
        checked=CheckContext.MINUTES,
    )
    child_views = text_field(
        "What the child said, in their words (optional)", rows=3, max_length=5000
    )
    next_review_due = GovukDateField(
        label="When will the plan next be reviewed?",
        required=False,
        help_text="Required unless this review closes the plan. For example, 9 3 2027",
    )
    close_plan = forms.BooleanField(label="Close the plan after this review", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        past_or_today(self, "held_on", "Date of the review")
        held, due = data.get("held_on"), data.get("next_review_due")
        if not data.get("close_plan") and due is None and "next_review_due" not in self.errors:
            self.add_error(
                "next_review_due", "Enter when the plan will next be reviewed, or close the plan"
            )
        if held and due and due <= held:
            self.add_error(
                "next_review_due", "The next review must be after the date of this review"
            )
        return data


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)


class EducationLimitForm(forms.Form):
    max_days = forms.IntegerField(
        label="Limit in days",
        help_text=(
            f"A whole number of days from {limits.MIN_DAYS} to {limits.MAX_DAYS}. For example, "
            "42 for 6 weeks"
        ),
        min_value=limits.MIN_DAYS,
        max_value=limits.MAX_DAYS,
        widget=forms.TextInput(attrs={"data-width": "3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the limit in days",
            "invalid": limits.DAYS_RANGE,
            "min_value": limits.DAYS_RANGE,
            "max_value": limits.DAYS_RANGE,
        },
    )


class AttentionFilterForm(lists.ListFilterForm):
    """Children who need someone to look again: by why, and by the child's age."""

    reason = lists.choice_field(
        "Why", "Any reason", attention.REASONS.items(), error="Select why from the list"
    )
    age = lists.age_band_field()
