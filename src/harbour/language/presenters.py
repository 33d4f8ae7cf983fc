"""Display logic for the language pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from harbour.language.checker import Rule
from harbour.language.models import LanguageRule


def month_label(month: dt.date) -> str:
    return month.strftime("%B %Y")


def _generic(template: str) -> str:
    return template.replace("{them}", "them").replace("{their}", "their")


@dataclass(frozen=True)
class BuiltInRulePresenter:
    rule: Rule

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def title(self) -> str:
        return self.rule.title

    @property
    def examples(self) -> str:
        return ", ".join(f"‘{phrase}’" for phrase in self.rule.phrases[:4])

    @property
    def suggestion(self) -> str:
        return _generic(self.rule.suggestion)

    @property
    def reason(self) -> str:
        return _generic(self.rule.reason)


@dataclass(frozen=True)
class PartnershipRulePresenter:
    rule: LanguageRule

    @property
    def pattern(self) -> str:
        return " ".join(self.rule.pattern)

    @property
    def suggestion(self) -> str:
        return _generic(self.rule.suggestion)

    @property
    def status(self) -> str:
        return "On" if self.rule.is_active else "Off"

    @property
    def status_colour(self) -> str:
        return "govuk-tag--green" if self.rule.is_active else "govuk-tag--grey"

    @property
    def added(self) -> str:
        return f"{self.rule.added_by} on {self.rule.added_at:%-d %B %Y}"
