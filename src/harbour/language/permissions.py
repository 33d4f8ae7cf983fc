"""Who may use the language pages: thin names over the one access policy.

* Every active member of staff with a role and an agency may check their own wording.
* Strategic leaders and analysts see the usage report (``language.report.view``): counts by
  team, month and rule, no text and no child.
* Administrators extend the phrase list (``language.rules.manage``).
"""

from __future__ import annotations

from harbour.access import policy
from harbour.partnership.models import Staff


def can_check(actor: Staff) -> bool:
    return policy.is_active_actor(actor)


def can_view_report(actor: Staff) -> bool:
    return policy.can(actor, policy.Action.LANGUAGE_REPORT_VIEW)


def can_manage_rules(actor: Staff) -> bool:
    return policy.can(actor, policy.Action.LANGUAGE_RULES_MANAGE)


def require_check(actor: Staff) -> None:
    if not can_check(actor):
        raise policy.Forbidden("language.check")


def require_report(actor: Staff) -> None:
    policy.require_capability(actor, policy.Action.LANGUAGE_REPORT_VIEW)


def require_manage_rules(actor: Staff) -> None:
    policy.require_capability(actor, policy.Action.LANGUAGE_RULES_MANAGE)
