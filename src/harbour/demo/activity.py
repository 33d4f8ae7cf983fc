"""A working week's traces in the demo, made by calling the services a person's actions call:
break-glass accesses (one reviewed by the data protection officer, the rest waiting in the
queue) and the child-centred language checker used while typing and on save, so the DPO's
break-glass queue and the leaders' language report do not open empty (issue 12, part 9).

``harbour demo activity``, run by ``make demo`` after the generator. Every row it makes is what
the pages would make: the same policy decisions, the same audit events."""

from __future__ import annotations

import random
from dataclasses import dataclass

from harbour.access import policy
from harbour.access.models import BreakGlassGrant, ReviewOutcome
from harbour.access.services import break_glass_grant, break_glass_review
from harbour.children.models import Child
from harbour.demo.signins import (
    DATA_PROTECTION_OFFICER,
    ED_NURSE,
    FRONT_DOOR_PRACTITIONER,
    LEAD_PRACTITIONER,
    NO_AGREEMENT_YOUTH_WORKER,
    PANEL_CHAIR,
    REFERRER,
    SCHOOL_DSL,
)
from harbour.language.models import CheckContext, CheckSource
from harbour.language.services import language_check_record
from harbour.partnership.models import Staff

# Why someone opened a record they had no relationship with: what a DPO expects to read.
BREAK_GLASS_REASONS = (
    "Called to a stabbing at 02:10; the child gave this name and I need to know who works with "
    "him before the strategy discussion.",
    "Child reported missing from school this morning; checking whether social care know of "
    "any adults who pose a risk to her.",
    "Custody sergeant asked whether there is an appropriate adult and a lead practitioner for "
    "this child, arrested overnight.",
)

# What practitioners write, some in the words the checker suggests changing (synthetic).
WRITING = (
    (CheckContext.CASE_NOTE, "He was not engaging with services and refused to attend."),
    (
        CheckContext.CASE_NOTE,
        "Visited at home; she showed me her drawings and talked about her sister.",
    ),
    (CheckContext.REFERRAL, "She is putting herself at risk by going to parties with older males."),
    (
        CheckContext.REFERRAL,
        "Child found with a knife after being chased; he said he carries it because he is scared.",
    ),
    (CheckContext.PLAN, "Weekly boxing sessions with his youth worker, which he chose."),
    (CheckContext.MINUTES, "Known gang member, lifestyle choice to sell drugs."),
    (CheckContext.ASSESSMENT, "She says she wants to go back to school and see her friends."),
    (CheckContext.CASE_NOTE, "He is streetwise and can look after himself."),
)
WRITERS = (REFERRER, SCHOOL_DSL, FRONT_DOOR_PRACTITIONER, LEAD_PRACTITIONER, PANEL_CHAIR)


@dataclass
class Activity:
    break_glass: int = 0
    reviewed: int = 0
    checks: int = 0


def _break_glass_candidate(actor: Staff, rng: random.Random) -> Child | None:
    """A child the actor may find (an agreement covers the agency holding them) but has no
    relationship with: the only children break-glass is for."""
    purpose = policy.purpose_for(actor)
    visible = policy.visible_children(actor, Child.objects.all()).values("pk")
    candidates = list(
        policy.findable_children(actor, Child.objects.all(), purpose)
        .exclude(pk__in=visible)
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    return Child.objects.get(pk=rng.choice(candidates)) if candidates else None


def record_activity(*, seed: int = 2026) -> Activity:
    """Break-glass accesses by the police referrer, the school's safeguarding lead and the ED
    nurse (one reviewed by the DPO), and a week of wording checked by six practitioners."""
    rng = random.Random(seed)
    staff = {
        s.email: s for s in Staff.objects.filter(is_active=True).select_related("agency", "team")
    }
    done = Activity()
    grants: list[BreakGlassGrant] = []
    for sign_in, reason in zip((REFERRER, SCHOOL_DSL, ED_NURSE), BREAK_GLASS_REASONS, strict=True):
        actor = staff.get(sign_in.email)
        if actor is None:
            continue
        child = _break_glass_candidate(actor, rng)
        if child is not None:
            grants.append(break_glass_grant(actor=actor, child=child, reason=reason))
    done.break_glass = len(grants)
    dpo = staff.get(DATA_PROTECTION_OFFICER.email)
    if grants and dpo is not None:
        break_glass_review(
            actor=dpo,
            grant=grants[0],
            outcome=ReviewOutcome.JUSTIFIED,
            note="Out of hours, serious incident; the officer opened the record once and "
            "closed it. No further action.",
        )
        done.reviewed = 1
    writers = [staff[s.email] for s in (*WRITERS, NO_AGREEMENT_YOUTH_WORKER) if s.email in staff]
    for writer in writers:
        for context, text in rng.sample(WRITING, k=4):
            # While typing the checker runs at each pause; on save once.
            for source in (CheckSource.TYPING, CheckSource.TYPING, CheckSource.SUBMIT):
                language_check_record(actor=writer, text=text, context=context, source=source)
                done.checks += 1
    return done
