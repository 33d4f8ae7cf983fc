from django import forms

from harbour.notices.models import Delivery
from harbour.web import lists


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(
        label="When should Harbour email you about new notices?",
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select when Harbour should email you"},
    )


class NoticeFilterForm(lists.ListFilterForm):
    """The notices list's filters (ADR 0031): unread or read, and when."""

    shown = lists.choice_field(
        "Show",
        "Unread and read",
        [("unread", "Unread only"), ("read", "Read only")],
        error="Select which notices to show",
    )
    date_from = lists.date_from_field()
    date_to = lists.date_to_field()
