from django import forms

from harbour.access.models import ReviewOutcome
from harbour.access.services import MIN_BREAK_GLASS_REASON, REASON_TOO_SHORT


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
