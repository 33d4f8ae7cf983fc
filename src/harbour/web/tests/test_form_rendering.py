"""The GOV.UK form renderer gives each Django widget its GOV.UK component."""

from __future__ import annotations

from django import forms

from harbour.web.forms import widget_kind


class Choices(forms.Form):
    many = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    one = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


def test_several_choices_are_checkboxes_and_one_choice_is_radios():
    # CheckboxSelectMultiple subclasses RadioSelect in Django: the order of the checks matters.
    assert widget_kind(forms.CheckboxSelectMultiple()) == "checkboxes"
    assert widget_kind(forms.RadioSelect()) == "radios"
    html = str(Choices())
    assert html.count('type="checkbox"') == 2
    assert html.count('type="radio"') == 2
    assert 'class="govuk-checkboxes__input"' in html
