from django import forms

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

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not self.errors and not (
            data.get("name", "").strip()
            or data.get("date_of_birth")
            or data.get("postcode", "").strip()
        ):
            raise forms.ValidationError("Enter a name, a date of birth or a postcode to search")
        return data
