"""GOV.UK forms for the review queue, merging and splitting people by hand, deciding about held
records, and changing a cumulative-harm rule or switching it off or on."""

from __future__ import annotations

from typing import Any

from django import forms

from harbour.identity.flags import (
    CHOICE_PARAMETERS,
    RULE_PARAMETERS,
    Parameter,
    parameter,
    values_chosen,
)
from harbour.identity.models import FlagRule, HeldDecisionKind
from harbour.identity.services import MIN_REASON, REASON_TOO_SHORT
from harbour.partnership.forms import agency_filter
from harbour.web import lists

SAME, DIFFERENT = "same", "different"


def _reason_field(label: str, help_text: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        min_length=MIN_REASON,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Explain your decision", "min_length": REASON_TOO_SHORT},
    )


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Are these records the same person?",
        choices=[(SAME, "Yes, the same person"), (DIFFERENT, "No, different people")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether these records are the same person"},
    )
    reason = _reason_field(
        "Why?",
        "Say what made you sure, for example a school confirmed the date of birth. Your "
        "decision is used the next time records are linked.",
    )
    nhs_override_reason = _reason_field(
        "Why override the different NHS numbers?",
        "Only if they are the same person: for example one NHS number was mistyped. A "
        "front-door manager must make this decision.",
        required=False,
    )

    def __init__(self, *args: Any, needs_override: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not needs_override:
            del self.fields["nhs_override_reason"]


class MergeForm(forms.Form):
    other = forms.CharField(
        label="Which person is the same as this one?",
        help_text="Their person number, like P-000123",
        max_length=20,
        widget=forms.TextInput(attrs={"data-width": "10", "autocomplete": "off"}),
        error_messages={"required": "Enter the person number, like P-000123"},
    )
    reason = _reason_field("Why are they the same person?", "This is kept with the change.")
    nhs_override_reason = _reason_field(
        "If their NHS numbers differ, why override them?",
        "Needed only when the two people have different NHS numbers.",
        required=False,
    )


class SplitForm(forms.Form):
    records = forms.MultipleChoiceField(
        label="Which records are a different person?",
        help_text="They become a new person. Leave at least one record here.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the records that are a different person"},
    )
    reason = _reason_field("Why are they a different person?", "This is kept with the change.")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = choices  # type: ignore[attr-defined]


class HeldDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What should happen to this record?",
        choices=[
            (HeldDecisionKind.ATTACH, "Attach it to a person in the index"),
            (HeldDecisionKind.KEEP, "Keep it held, with a note"),
            (HeldDecisionKind.CLOSE, "Close it: it is not a record of a person"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what should happen to this record"},
    )
    person = forms.CharField(
        label="If attaching, which person is it?",
        help_text="Their person number, like P-000123. It is on the person's page and on the "
        "pairs to review.",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"data-width": "10", "autocomplete": "off"}),
    )
    reason = _reason_field(
        "Why? If keeping it held, your note",
        "For example: the police confirmed the reference is this child; or asked the school "
        "for a date of birth. This is kept with the record's history.",
    )
    nhs_override_reason = _reason_field(
        "If the NHS numbers differ, why override them?",
        "Needed only when the record's NHS number is not the person's. A front-door manager "
        "must make this decision.",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == HeldDecisionKind.ATTACH and not data.get("person", "").strip():
            self.add_error("person", "Enter the person number, like P-000123")
        return data


MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    agency = forms.ChoiceField(
        label="Whose records are these?",
        error_messages={"required": "Select the agency whose records these are"},
    )
    file = forms.FileField(
        label="CSV file",
        help_text="In the format of the import guide; at most 20 MB",
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Select an agency"), *agencies]  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 20 MB")
        return upload


class EventsImportForm(forms.Form):
    """An agency's events or needs file in one of the formats (docs/events-intake.md)."""

    agency = forms.ChoiceField(
        label="Whose records are these?",
        error_messages={"required": "Select the agency whose records these are"},
    )
    file_format = forms.ChoiceField(
        label="Format",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the format of the file"},
    )
    file = forms.FileField(
        label="CSV file",
        help_text="In the columns of the format (docs/events-intake.md); at most 20 MB",
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )

    def __init__(
        self,
        *args: Any,
        agencies: list[tuple[str, str]],
        formats: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Select an agency"), *agencies]  # type: ignore[attr-defined]
        self.fields["file_format"].choices = formats  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 20 MB")
        return upload


def _number_field(spec: Parameter) -> forms.IntegerField:
    """A whole number within the parameter's bounds, with GOV.UK error messages that name it."""
    bounds = f"a whole number from {spec.minimum} to {spec.maximum}"
    noun = spec.noun[:1].upper() + spec.noun[1:]
    return forms.IntegerField(
        label=spec.label,
        help_text=f"{spec.hint}. {bounds[:1].upper()}{bounds[1:]}.",
        min_value=spec.minimum,
        max_value=spec.maximum,
        widget=forms.TextInput(attrs={"data-width": "4", "inputmode": "numeric"}),
        error_messages={
            "required": f"Enter {spec.noun}, {bounds}",
            "invalid": f"{noun} must be {bounds}, like {spec.default}",
            "min_value": f"{noun} must be {bounds}",
            "max_value": f"{noun} must be {bounds}",
        },
    )


class FlagRuleForm(forms.Form):
    """A rule's title and description, its numbers as fields of their own for its kind
    (``flags.RULE_PARAMETERS``), each checked against its bounds, and its sets of values (the
    kinds of event, the roles: ``flags.CHOICE_PARAMETERS``) as checkboxes, at least one ticked
    while the rule is in use. ``parameters()`` gives them back as the rule's parameters."""

    title = forms.CharField(
        label="Title",
        help_text="What the rule looks for, in words a practitioner reads on a flag",
        max_length=200,
        error_messages={"required": "Enter the rule's title"},
    )
    description = forms.CharField(
        label="Description (optional)",
        help_text="Why the partnership looks for this pattern",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, rule: FlagRule, **kwargs: Any) -> None:
        specs = RULE_PARAMETERS[rule.kind]
        choice_specs = CHOICE_PARAMETERS.get(rule.kind, ())
        initial = {
            "title": rule.title,
            "description": rule.description,
            **{spec.name: parameter(rule.kind, rule.parameters, spec.name) for spec in specs},
            **{
                spec.name: [
                    value
                    for value, _label in spec.choices
                    if value in values_chosen(rule.kind, rule.parameters, spec.name)
                ]
                for spec in choice_specs
            },
        }
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.kind = rule.kind
        self.in_use = rule.in_use
        self.specs = specs
        self.choice_specs = choice_specs
        for spec in specs:
            self.fields[spec.name] = _number_field(spec)
        for choice in choice_specs:
            # Checked in ``clean``: none may be ticked only while the rule is switched off.
            self.fields[choice.name] = forms.MultipleChoiceField(
                label=choice.label,
                help_text=choice.hint,
                choices=choice.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for choice in self.choice_specs:
            if self.in_use and choice.name in data and not data[choice.name]:
                self.add_error(choice.name, choice.required)
        count, agencies = data.get("count"), data.get("agencies")
        if count is not None and agencies is not None and agencies > count:
            # Each incident is one agency's record, so n incidents come from n agencies at most.
            self.add_error(
                "agencies",
                f"The number of agencies must be {count} or fewer: {count} incidents cannot "
                "come from more agencies than that",
            )
        return data

    def parameters(self) -> dict[str, Any]:
        """The rule's parameters as saved (valid forms only)."""
        values: dict[str, Any] = {spec.name: self.cleaned_data[spec.name] for spec in self.specs}
        for choice in self.choice_specs:
            values[choice.name] = list(self.cleaned_data[choice.name])
        return values


ON, OFF = "on", "off"


class FlagRuleSwitchForm(forms.Form):
    """Switch a rule off, or on again, with why. ``to`` is what the page offered (the opposite
    of the rule's state when it was drawn), so that a rule someone else switched meanwhile is
    not switched back by mistake: the service refuses it."""

    to = forms.ChoiceField(
        choices=[(ON, ON), (OFF, OFF)],
        widget=forms.HiddenInput,
        error_messages={
            "required": "Go back to the rules and open the rule again",
            "invalid_choice": "Go back to the rules and open the rule again",
        },
    )
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, rule: FlagRule, **kwargs: Any) -> None:
        kwargs["initial"] = {"to": OFF if rule.in_use else ON, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        if rule.in_use:
            reason.label = "Why is the partnership switching this rule off?"
            reason.help_text = (
                "For example, the information governance group agreed on 3 March to pause it "
                "while its data protection impact assessment is reviewed. Do not name children. "
                "This is kept with the rule and in the audit trail."
            )
            reason.error_messages["required"] = "Say why the rule is being switched off"
        else:
            reason.label = "Why is the partnership switching this rule on?"
            reason.help_text = (
                "For example, the strategic board agreed the roles that count on 3 March, and "
                "the data protection impact assessment covers it. Do not name children. This "
                "is kept with the rule and in the audit trail."
            )
            reason.error_messages["required"] = "Say why the rule is being switched on"

    @property
    def in_use(self) -> bool:
        """What the rule is to be (valid forms only)."""
        return bool(self.cleaned_data["to"] == ON)


WHO_HAS_IT = [("mine", "Allocated to me"), ("none", "No one yet")]


class _WorkedListFilterForm(lists.ListFilterForm):
    """A front door's shared list: who has it is a filter only where the list is worked by
    allocation (``policy.may_allocate_work``)."""

    allocated = lists.choice_field(
        "Who has it", "Anyone or no one", WHO_HAS_IT, error="Select who has it from the list"
    )

    def __init__(self, *args: Any, allocation: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allocation:
            del self.fields["allocated"]


class AlertListFilterForm(_WorkedListFilterForm):
    """Flags and needs discrepancies: by the child's age and when raised. No filter by rule or
    need: one kept back would be told by whether it matched (ADR 0031)."""

    age = lists.age_band_field()
    date_from = lists.date_from_field("Raised on or after")
    date_to = lists.date_to_field("Raised on or before")
    field_order = ["age", "date_from", "date_to", "allocated"]


class ReviewListFilterForm(_WorkedListFilterForm):
    """Record pairs and held records: by agency, and when found or held."""

    agency = agency_filter()
    date_from = lists.date_from_field("On or after")
    date_to = lists.date_to_field("On or before")
    field_order = ["agency", "date_from", "date_to", "allocated"]


class PairListFilterForm(ReviewListFilterForm):
    nhs = lists.choice_field(
        "NHS numbers",
        "Any",
        [("differ", "Different NHS numbers")],
        error="Select NHS numbers from the list",
    )
    field_order = ["agency", "nhs", "date_from", "date_to", "allocated"]
