"""Display logic for the person index: an agency's reference for a record, what a held record
holds and why it was held, in words (no values, so lists name no one), and a cumulative-harm
rule's numbers and whether it is in use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from harbour.identity.flags import CHOICE_PARAMETERS, RULE_PARAMETERS, parameter, values_chosen
from harbour.identity.linkage.model import (
    normalise_name,
    normalise_nhs_number,
    normalise_postcode,
)
from harbour.identity.models import (
    HARBOUR_SOURCE_SYSTEM,
    FlagRule,
    HeldRecord,
    SourceRecord,
)


def record_reference(record: SourceRecord) -> str:
    """The agency's own reference for the record: its system and id."""
    if record.source_system == HARBOUR_SOURCE_SYSTEM:
        return "Harbour's own record of the child"
    return f"{record.source_system} {record.source_id}"


def _usable(check: Callable[[str], Any], why: str) -> Callable[[str], str]:
    return lambda value: "" if check(value) else why


# Field, what it is called, and why a value there cannot be used for matching ('' if it can).
_DETAILS: tuple[tuple[str, str, Callable[[str], str]], ...] = (
    ("given_name", "First name", _usable(normalise_name, "not usable: a placeholder")),
    ("family_name", "Last name", _usable(normalise_name, "not usable: a placeholder")),
    ("date_of_birth", "Date of birth", lambda _value: ""),
    (
        "date_of_birth_given",
        "Date of birth as given",
        lambda _value: "not a whole, real date: not used for matching",
    ),
    ("nhs_number", "NHS number", _usable(normalise_nhs_number, "fails its check digit")),
    ("sex", "Sex", lambda _value: ""),
    ("postcode", "Postcode", _usable(normalise_postcode, "not a UK postcode")),
    ("address_line", "Address", lambda _value: ""),
    ("school_urn", "School URN", lambda _value: ""),
    ("upn", "UPN", lambda _value: ""),
)


def details_present(record: SourceRecord) -> list[str]:
    """Which details the record holds, by name, with any that matching cannot use said so."""
    found = []
    for field, label, unusable in _DETAILS:
        value = getattr(record, field)
        if value in (None, ""):
            continue
        why = unusable(str(value))
        found.append(f"{label} ({why})" if why else label)
    return found


@dataclass(frozen=True)
class HeldRecordPresenter:
    held: HeldRecord

    @property
    def record(self) -> SourceRecord:
        return self.held.source_record

    @property
    def reference(self) -> str:
        return record_reference(self.record)

    @property
    def present(self) -> str:
        found = details_present(self.record)
        return ", ".join(found) if found else "Only the agency's reference"

    @property
    def why(self) -> str:
        """The engine's reasons ('no usable name; no usable ...') as a sentence."""
        text = "; and ".join(part.strip() for part in self.held.reason.split(";"))
        return text[:1].upper() + text[1:]


def flag_rule_parameters(rule: FlagRule) -> list[tuple[str, str]]:
    """A rule's numbers, and the kinds of event or roles it counts, as (label, value) rows."""
    rows = [
        (spec.label, str(parameter(rule.kind, rule.parameters, spec.name)))
        for spec in RULE_PARAMETERS.get(rule.kind, ())
    ]
    for choice in CHOICE_PARAMETERS.get(rule.kind, ()):
        picked = values_chosen(rule.kind, rule.parameters, choice.name)
        labels = [label for value, label in choice.choices if value in picked]
        rows.append((choice.label, ", ".join(labels) if labels else "None"))
    return rows


@dataclass(frozen=True)
class FlagRuleUse:
    """Whether a rule version is in use, in words: who switched it and when, and why."""

    rule: FlagRule

    @property
    def status(self) -> str:
        if not self.rule.is_current:
            return "No, replaced"
        return "In use" if self.rule.in_use else "Switched off"

    @property
    def changed(self) -> str:
        """'Switched off by Sam Jones on 3 March 2026', or '' if never switched."""
        rule = self.rule
        if rule.in_use_changed_at is None:
            return ""
        who = (
            rule.in_use_changed_by.get_full_name() or rule.in_use_changed_by.get_username()
            if rule.in_use_changed_by is not None
            else rule.in_use_changed_by_system or "a member of staff no longer in Harbour"
        )
        when = timezone.localtime(rule.in_use_changed_at)
        return f"Switched {'on' if rule.in_use else 'off'} by {who} on {when:%-d %B %Y}"

    @property
    def action(self) -> str:
        """What an administrator may do to the current version: 'Switch off' or 'Switch on'."""
        return "Switch off" if self.rule.in_use else "Switch on"
