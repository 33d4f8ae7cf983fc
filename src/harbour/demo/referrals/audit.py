"""One round of the multi-agency audit of referrals (finding 1.5), drawn by the demo front-door
manager some weeks before "now": sampled from its seed, mostly scored against the five
questions, and partly fed back to the referrer and their team."""

from __future__ import annotations

import datetime as dt
import random

from harbour.access import policy
from harbour.children.codes import Ethnicity
from harbour.demo import referral_text as text
from harbour.demo.referrals.planned import Planned
from harbour.demo.referrals.rows import note, save_with_times
from harbour.demo.referrals.year import Part, Year
from harbour.demo.signins import FRONT_DOOR_MANAGER
from harbour.frontdoor import messages
from harbour.frontdoor.codes import AuditGrade, AuditQuestion, KnownNeed, Sampling
from harbour.frontdoor.models import AuditedReferral, Notification, Referral, ReferralAudit
from harbour.partnership.models import Staff

# One round of a multi-agency audit of referrals, drawn some weeks before "now".
AUDIT_SAMPLE = 10
AUDIT_WEEKS_AGO = (3, 5)
AUDIT_UNSCORED_SHARE = 0.2
AUDIT_FED_BACK_SHARE = 0.6


class Audit(Part):
    """Writes the audit round, its scored cases and the findings fed back."""

    def __init__(self, year: Year) -> None:
        super().__init__(year)
        self.recipients: dict[int, list[Staff]] = {}

    def save_audit(self, managers: list[Staff]) -> int:
        """One round of the multi-agency audit (finding 1.5), drawn by the demo front-door
        manager some weeks ago: a random sample of the referrals received by then, drawn as
        ``frontdoor.meetings.audit_create`` draws it from the stored seed; most scored against
        the five questions, with findings, and some of those fed back to the referrer and their
        team as ``audit_feed_back`` does. Returns the notifications written."""
        creator = self.year.signed_in(FRONT_DOOR_MANAGER.email)
        auditors = managers or [creator]
        day = self.year.today - dt.timedelta(
            days=self.rng.randint(7 * AUDIT_WEEKS_AGO[0], 7 * AUDIT_WEEKS_AGO[1])
        )
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        created = self.year.at(day, self.rng.uniform(9.5, 15.5))
        plans = {p.referral.pk: p for p in self.year.plans if p.referral is not None}
        pool = sorted(
            pk
            for pk, p in plans.items()
            if p.received < created  # as the pool was then
        )
        if not pool:
            return 0
        seed = self.rng.randrange(1, 2**31)
        chosen = sorted(random.Random(seed).sample(pool, min(AUDIT_SAMPLE, len(pool))))
        audit = ReferralAudit(
            title=f"Multi-agency audit of referrals, {self.year.local(created):%B %Y}",
            sampling=Sampling.RANDOM,
            criteria={},
            sample_size=len(chosen),
            seed=seed,
            created_by=creator,
            front_door=self.year.front_door,
        )
        audit.created_at = created
        save_with_times(ReferralAudit, [audit])
        n_unscored = min(len(chosen) - 1, max(1, round(AUDIT_UNSCORED_SHARE * len(chosen))))
        unscored = set(self.rng.sample(chosen, n_unscored))
        cases: list[AuditedReferral] = []
        notifications: list[Notification] = []
        for pk in chosen:
            plan = plans[pk]
            r = plan.referral
            assert r is not None
            case = AuditedReferral(audit=audit, referral=r)
            cases.append(case)
            if pk in unscored:
                continue
            case.scores = self.audit_scores(plan)
            case.findings = self.audit_findings(case.scores)
            case.audited_by = self.rng.choice(auditors)
            case.audited_at = self.year.working(
                self.year.between(created + dt.timedelta(hours=2), created + dt.timedelta(days=10))
            )
            if self.audit_recipients(r) and self.year.chance(AUDIT_FED_BACK_SHARE):
                notifications += self.feed_back(case)
        if not any(c.fed_back_at for c in cases):  # at least one fed back
            scored = [c for c in cases if c.audited_at and self.audit_recipients(c.referral)]
            if scored:
                notifications += self.feed_back(scored[0])
        AuditedReferral.objects.bulk_create(cases)
        save_with_times(Notification, notifications)
        return len(notifications)

    def feed_back(self, case: AuditedReferral) -> list[Notification]:
        """The findings to the referrer and the rest of their team, each message naming the
        referral (as ``audit_feed_back`` sends them)."""
        r = case.referral
        assert case.audited_at is not None
        case.fed_back_at = at = self.year.working(case.audited_at + self.year.hours(1.0, 72.0))
        message = messages.audit_findings(r, case.findings)
        return [
            note(
                self.year,
                recipient,
                r,  # named, so reading it is audited; only the referrer's opens it
                message,
                at,
                read=self.year.chance(0.8),
            )
            for recipient in self.audit_recipients(r)
        ]

    def audit_recipients(self, referral: Referral) -> list[Staff]:
        """The referrer and the rest of their team, whom ``audit_feed_back`` sends the findings
        (the policy says who)."""
        if referral.pk not in self.recipients:
            people = policy.audit_findings_recipients(referral, Staff.objects.all())
            self.recipients[referral.pk] = list(people)
        return self.recipients[referral.pk]

    def audit_scores(self, plan: Planned) -> dict[str, int]:
        """A grade for each question, from what the referral holds (and how fast it was
        decided), give or take the auditor's judgement."""
        r = plan.referral
        assert r is not None
        good, adequate = int(AuditGrade.GOOD), int(AuditGrade.ADEQUATE)
        poor, inadequate = int(AuditGrade.REQUIRES_IMPROVEMENT), int(AuditGrade.INADEQUATE)

        def graded(*steps: tuple[bool, int]) -> int:
            return next((grade for met, grade in steps if met), inadequate)

        needs = list(r.known_needs)
        known = r.ethnicity not in ("", Ethnicity.NOT_KNOWN)
        due, decided = r.decision_due_at, plan.decided_at
        on_time = decided is not None and due is not None and decided <= due
        grades = {
            AuditQuestion.CLARITY: graded(
                (len(r.reason) >= 80, good), (len(r.reason) >= 40, adequate), (bool(r.reason), poor)
            ),
            AuditQuestion.VOICE: graded(
                (bool(r.child_voice), good), (bool(r.child_voice_absent_reason), adequate)
            ),
            AuditQuestion.IDENTITY: graded(
                (known and r.cultural_heritage not in ("", "Not known."), good),
                (known, adequate),
                (bool(r.ethnicity), poor),
            ),
            AuditQuestion.NEEDS: graded(
                (bool(needs) and needs != [KnownNeed.NOT_KNOWN] and bool(r.needs_detail), good),
                (needs == [KnownNeed.NONE_KNOWN], good),
                (bool(needs) and needs != [KnownNeed.NOT_KNOWN], adequate),
                (bool(needs), poor),
            ),
            AuditQuestion.TIMELINESS: graded(
                (on_time and not (plan.escalated or plan.returned), good),
                (on_time, adequate),
                (decided is None or due is None or decided <= due + dt.timedelta(days=1), poor),
            ),
        }
        scores: dict[str, int] = {}
        for question in AuditQuestion:
            grade = grades[question]
            if self.year.chance(0.2):  # the auditor's judgement
                grade = min(good, max(inadequate, grade + self.rng.choice((-1, 1))))
            scores[str(question)] = grade
        return scores

    def audit_findings(self, scores: dict[str, int]) -> str:
        """What went well and, where something fell short, what to do differently: words for the
        referrer's whole team, so they never name the child."""
        order = [str(q) for q in AuditQuestion]
        best = [q for q in order if scores[q] == AuditGrade.GOOD]
        worst = min(order, key=lambda q: (scores[q], order.index(q)))
        parts = [text.AUDIT_STRENGTHS[self.rng.choice(best)]] if best else []
        if scores[worst] <= AuditGrade.REQUIRES_IMPROVEMENT:
            parts.append(text.AUDIT_IMPROVEMENTS[worst])
        elif best:
            parts.append(text.AUDIT_GOOD_PRACTICE)
        else:
            parts.append(text.AUDIT_ADEQUATE)
        return " ".join(parts)
