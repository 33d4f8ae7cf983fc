from django import forms

from harbour.notices.models import Delivery


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(
        label="When should Harbour email you about new notices?",
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select when Harbour should email you"},
    )
