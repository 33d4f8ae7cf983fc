"""The kit's checked textarea asks whichever checker it is given (ADR 0020): the language app's
when Django starts, none at all in a kit on its own."""

import re
from dataclasses import dataclass

from django import forms
from django.contrib.auth.models import AnonymousUser

from harbour.language.forms import LanguageChecker
from harbour.web import wording
from harbour.web.wording import CheckedTextarea, wording_findings_for


class NoteForm(forms.Form):
    note = forms.CharField(label="Note", widget=CheckedTextarea(context="case_note"))


@dataclass(frozen=True)
class Found:
    text: str
    suggestion: str
    reason: str


class FakeChecker:
    suggestions_template = "language/_suggestions.html"

    def __init__(self):
        self.calls = []

    def check_url(self):
        return "/check-here/"

    def check(self, text, *, context, actor=None):
        self.calls.append((text, context, actor))
        return [Found("refuses", "has not yet been reached", "It blames the child")]


def textarea(form):
    found = re.search(r"<textarea[^>]*>", str(form["note"].as_field_group()))
    assert found is not None
    return found.group(0)


def test_the_language_app_gives_the_kit_its_checker():
    assert isinstance(wording.wording_checker(), LanguageChecker)


def test_without_a_checker_the_field_is_a_plain_textarea_and_nothing_is_checked(monkeypatch):
    monkeypatch.setattr(wording, "_checker", None)
    form = NoteForm({"note": "She refuses to engage."})
    assert form.is_valid()
    assert "hx-post" not in textarea(form)
    assert "harbour-language-suggestions" not in str(form["note"].as_field_group())
    assert wording_findings_for(form, actor=AnonymousUser()) == {}


def test_the_kit_posts_to_the_checker_and_shows_its_findings(monkeypatch):
    checker = FakeChecker()
    monkeypatch.setattr(wording, "_checker", checker)
    form = NoteForm({"note": "She refuses to engage."})
    assert 'hx-post="/check-here/"' in textarea(form)
    actor = AnonymousUser()
    findings = wording_findings_for(form, actor=actor, context="minutes")
    assert [f.text for f in findings["note"]] == ["refuses"]
    assert checker.calls == [("She refuses to engage.", "minutes", actor)]
    rendered = str(form["note"].as_field_group())
    assert "Instead of <strong>‘refuses’</strong>, consider: has not yet been reached." in rendered


def test_a_form_that_was_not_submitted_is_not_checked(monkeypatch):
    checker = FakeChecker()
    monkeypatch.setattr(wording, "_checker", checker)
    assert wording_findings_for(NoteForm()) == {}
    assert checker.calls == []
