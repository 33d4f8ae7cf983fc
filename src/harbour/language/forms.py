"""The child-centred language checker as the web kit's wording checker (``LanguageChecker``,
given to the kit when Django starts: ``LanguageConfig.ready``), the checked textarea with the
language app's default context, and the forms of the language pages.

The kit (``harbour.web.wording``) draws the textarea and asks the checker: the web kit sits below
every app (ADR 0020), so the language app gives it the checker rather than the kit importing it.
Any form opts in with ``text_field(..., checked=CheckContext.CASE_NOTE)`` or::

    note = forms.CharField(widget=LanguageCheckedTextarea(context=CheckContext.CASE_NOTE))
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from harbour.language import selectors, services
from harbour.language.checker import Finding
from harbour.language.models import CheckContext, CheckSource
from harbour.partnership.models import Staff
from harbour.web.wording import CheckedTextarea

MAX_CHECK_CHARACTERS = 50_000


class LanguageChecker:
    """Checks wording for the kit: as you type (``language:check``) and on submit, where with an
    actor the check is recorded for the leaders' report (counts only, never the text)."""

    suggestions_template = "language/_suggestions.html"

    def check_url(self) -> str:
        return reverse("language:check")

    def check(
        self, text: str, *, context: str, actor: AbstractBaseUser | AnonymousUser | None = None
    ) -> list[Finding]:
        text = text[:MAX_CHECK_CHARACTERS]
        if isinstance(actor, Staff):
            return services.language_check_record(
                actor=actor, text=text, context=context, source=CheckSource.SUBMIT
            )
        return selectors.partnership_checker().check(text)


class LanguageCheckedTextarea(CheckedTextarea):
    """The kit's checked textarea; without a context the wording is checked as "other"."""

    def __init__(
        self, attrs: dict[str, Any] | None = None, *, context: str = CheckContext.OTHER
    ) -> None:
        super().__init__(attrs, context=context)


class CheckWordingForm(forms.Form):
    text = forms.CharField(
        label="Your wording",
        help_text=(
            "Paste or type a case note, referral or minutes. Harbour does not keep the text: it "
            "only counts which suggestions were made."
        ),
        max_length=MAX_CHECK_CHARACTERS,
        widget=LanguageCheckedTextarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter some wording to check",
            "max_length": f"Wording must be {MAX_CHECK_CHARACTERS:,} characters or fewer",
        },
    )


class LanguageRuleForm(forms.Form):
    pattern = forms.CharField(
        label="Words to look for",
        help_text=(
            "Words separated by spaces. Each word also finds its other forms (sell finds sells, "
            "selling and sold). Use REFLEXIVE for himself, herself or themselves, POSSESSIVE for "
            "his, her or their, ANY for any one word, and = before a word to find only that exact "
            "form, like =consensual."
        ),
        max_length=200,
        error_messages={"required": "Enter the words to look for"},
    )
    suggestion = forms.CharField(
        label="Suggested child-centred wording",
        help_text="Write {them} or {their} where the child's pronoun should go",
        max_length=300,
        error_messages={"required": "Enter the suggested wording"},
    )
    reason = forms.CharField(
        label="Why the wording matters",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Enter why the wording matters"},
    )
    example = forms.CharField(
        label="Example sentence the rule should flag",
        help_text="Make one up. Never use a real child's name or details.",
        max_length=300,
        error_messages={"required": "Enter an example sentence"},
    )
    about_child = forms.BooleanField(
        label="Only flag the words when they are about the child, not an adult",
        required=False,
        initial=True,
    )

    def clean_pattern(self) -> list[str]:
        return str(self.cleaned_data["pattern"]).split()


class RuleSwitchForm(forms.Form):
    rule = forms.SlugField(max_length=60)
    is_active = forms.BooleanField(required=False)
