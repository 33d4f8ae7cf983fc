"""The front door's year, written: plans every referral (``timing``, ``who``), writes each as
its referrer wrote it (``answers``), then what the front door did with it — decisions and
countersignatures (``decisions``), what the referrer was told and what they escalated
(``feedback``), tasks back to source agencies and working relationships (``tasks``), strategy
meetings (``meetings``) and a round of the referral audit (``audit``) — in that order, every
part drawing from the one ``Year``."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps as django_apps

from harbour.access import policy
from harbour.demo.referrals.answers import Answers
from harbour.demo.referrals.audit import Audit
from harbour.demo.referrals.decisions import Decisions
from harbour.demo.referrals.feedback import Feedback
from harbour.demo.referrals.meetings import Meetings
from harbour.demo.referrals.rows import Rows, with_ids
from harbour.demo.referrals.tasks import Tasks
from harbour.demo.referrals.timing import Planner
from harbour.demo.referrals.who import Referrers
from harbour.demo.referrals.year import FRONT_DOOR_CODE, Year
from harbour.demo.signins import FRONT_DOOR_PRACTITIONER, REFERRER
from harbour.frontdoor import clocks, messages
from harbour.frontdoor.models import CompletenessRule, Referral
from harbour.partnership.models import Role, Staff, ThresholdGuidance


class ReferralPhase:
    """Writes the front door's referrals, decisions, escalations, tasks back to source agencies,
    notifications, strategy meetings, an audit round, and the front door's relationships with
    the children referred lately."""

    def __init__(self, year: Year) -> None:
        self.year = year
        self.who = Referrers(year)
        self.planner = Planner(year, self.who)
        self.answers = Answers(year, self.who)
        self.decisions = Decisions(year)
        self.feedback = Feedback(year)
        self.tasks = Tasks(year)
        self.meetings = Meetings(year)
        self.audit = Audit(year)

    # -- the run --------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        self.ensure_rules()
        self.year.rules = list(CompletenessRule.objects.all())
        # The clocks by urgency, the working hours and bank holidays (ADR 0019), as the front
        # door's services read them.
        self.year.levels = clocks.service_levels()
        self.year.working_time = clocks.working_time()
        self.planner.plan_open()  # first: the open referrals' relationships depend on nothing else
        self.year.staff = list(
            Staff.objects.filter(agency__isnull=False, is_active=True)
            .select_related("agency", "team")
            .order_by("email")
        )
        self.planner.plan_unconfirmed()
        self.planner.plan_closed()
        self.year.plans.sort(key=lambda p: p.received)
        for plan in self.year.plans:
            self.who.choose_referrer(plan)
        self.who.guarantee_an_outcome_for_the_demo_referrer()
        for plan in self.year.plans:
            self.answers.build(plan)
        self.answers.guarantee_immediate()
        self.answers.guarantee_a_meeting_to_come()
        return self.save()

    @staticmethod
    def ensure_rules() -> None:
        """The partnership's starting rules where none are set (a flushed test database has
        none); an administrator's own rules are left alone."""
        starting = importlib.import_module("harbour.frontdoor.migrations.0002_partnership_rules")
        starting.seed(django_apps, None)
        meetings = importlib.import_module("harbour.frontdoor.migrations.0004_meetings_and_audits")
        meetings.seed_strategy_meeting_level(django_apps, None)
        by_urgency = importlib.import_module("harbour.frontdoor.migrations.0007_clocks_by_urgency")
        by_urgency.seed_clocks(django_apps, None)

    # -- writing --------------------------------------------------------------------------------

    def save(self) -> dict[str, int]:
        practitioners = [
            (s, 2.0 if s.email == FRONT_DOOR_PRACTITIONER.email else 1.0)
            for s in self.year.staff
            if s.agency is not None
            and s.agency.code == FRONT_DOOR_CODE
            and s.role == Role.FRONT_DOOR_PRACTITIONER
        ]
        # Told of decisions waiting for them and of escalations, as the services tell them.
        managers = list(policy.front_door_managers(self.year.front_door, Staff.objects.all()))
        guidance: dict[str, ThresholdGuidance] = {}
        for g in ThresholdGuidance.objects.filter(
            published_by=self.year.front_door, effective_from__lte=self.year.today
        ).order_by("effective_from", "pk"):
            guidance[g.level] = g
        referrals: list[Referral] = []
        started: list[dt.datetime] = []  # when each was started (a form's draft, first)
        for plan in self.year.plans:
            r = plan.referral
            assert r is not None and r.received_at is not None
            worker = self.year.pick(practitioners)
            r.rag_by = worker if r.rag_at is not None else None
            r.child_confirmed_by = worker if r.child_confirmed_at is not None else None
            referrals.append(r)
            draft = dt.timedelta(0) if plan.origin.automated else self.year.hours(0.1, 1.5)
            started.append(r.received_at - draft)
        with_ids(Referral, referrals)
        for r, created_at in zip(referrals, started, strict=True):
            assert r.received_at is not None
            r.reference = messages.referral_reference(r.received_at, r.pk)
            r.created_at = created_at
        Referral.objects.bulk_update(referrals, ["reference", "created_at"], batch_size=500)
        rows = Rows()
        unread_outcome_for = {REFERRER.email}
        for plan in sorted(self.year.plans, key=lambda p: p.received, reverse=True):
            manager = self.year.rng.choice(managers) if managers else None
            decider = plan.referral.rag_by if plan.referral else None
            decider = plan.decider = decider or self.year.pick(practitioners)
            self.decisions.decisions(plan, rows, decider, manager, managers, guidance)
            self.feedback.feedback(plan, rows, manager, managers, unread_outcome_for)
            self.tasks.tasks_and_relationships(plan, rows)
        rows.save()
        # Last, so that every row before them is drawn as it was before they existed.
        self.meetings.save_meetings(managers)
        audit_notifications = self.audit.save_audit(managers)
        return {
            "referrals": len(referrals),
            "referral_decisions": len(rows.decisions),
            "escalations": len(rows.escalations),
            "source_tasks": len(rows.tasks),
            "notifications": len(rows.notifications) + audit_notifications,
            "relationships_added": len(rows.relationships),
        }
