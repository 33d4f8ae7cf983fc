"""The referral itself, as its referrer wrote it: the child as they knew them (with the slips a
busy referrer makes), what happened and why they are worried, the child's voice, identity,
needs, parents and consent, each answered at the referrer's own rates (``origins.Profile``);
scored against the partnership's completeness rules and put on its clock as the front door's
services do; rated, and the outcome the front door will decide. Also the few guarantees the
queue on the reference date needs (immediate referrals, one just past its hour, a strategy
meeting to come)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from harbour.children.codes import Ethnicity, Sex
from harbour.demo import names
from harbour.demo import referral_text as text
from harbour.demo.models import SendStatus
from harbour.demo.referrals.origins import Origin
from harbour.demo.referrals.planned import AWAITING, CLOSED, RATED, RECEIVED, About, Planned
from harbour.demo.referrals.who import Referrers, text_pronouns
from harbour.demo.referrals.year import FRONT_DOOR_CODE, Part, Year
from harbour.frontdoor import completeness, services
from harbour.frontdoor.codes import (
    Consent,
    Feed,
    KnownNeed,
    Outcome,
    ParentsAware,
    Rag,
    Source,
    Status,
    Urgency,
)
from harbour.frontdoor.meetings import MEETING_OUTCOMES
from harbour.frontdoor.models import Referral
from harbour.frontdoor.services import CONTINUING_OUTCOMES

# Outcomes that keep the front door's agency working with a child it already knows.
CONTINUING_BOOST = 2.0


# A red rating seldom ends in no further action; a green one seldom in an enquiry.
OUTCOME_BY_RAG: dict[tuple[str, str], float] = {
    (Rag.RED, Outcome.NO_FURTHER_ACTION): 0.15,
    (Rag.RED, Outcome.COMMUNITY_PANEL): 0.4,
    (Rag.RED, Outcome.VOLUNTARY_SECTOR): 0.4,
    (Rag.GREEN, Outcome.CHILD_PROTECTION): 0.1,
    (Rag.GREEN, Outcome.CHILD_IN_NEED): 0.4,
    (Rag.GREEN, Outcome.RISK_OUTSIDE_THE_HOME): 0.4,
}


# The open immediate referral not yet rated arrived this long before "now": just past its hour.
JUST_LATE = dt.timedelta(minutes=75)


def typo(rng: random.Random, name: str) -> str:
    """One slip of the keyboard: a letter substituted, dropped, or swapped with the next."""
    if len(name) < 2:
        return name
    i = rng.randint(1, len(name) - 1)
    kind = rng.choice(("substitute", "delete", "transpose")) if len(name) >= 3 else "substitute"
    if kind == "delete":
        return name[:i] + name[i + 1 :]
    if kind == "transpose" and i >= 2 and name[i - 1] != name[i]:  # the initial stays
        return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]
    letters = [c for c in "abcdefghijklmnopqrstuvwxyz" if c != name[i].lower()]
    return name[:i] + rng.choice(letters) + name[i + 1 :]


class Answers(Part):
    """Writes each planned referral's answers, rating and outcome (not yet saved)."""

    def __init__(self, year: Year, who: Referrers) -> None:
        super().__init__(year)
        self.who = who
        self.source_ids: dict[str, int] = {}

    def about(self, plan: Planned) -> About:
        if plan.new_child is not None:
            return plan.new_child
        child = plan.child
        assert child is not None
        household = child.household
        day = self.year.local(plan.received).date()
        school = child.school if child.school and (child.school_started or day) <= day else None
        nicknames = (child.nickname,) if child.nickname else names.NICKNAMES.get(child.given_name)
        return About(
            given_name=child.given_name,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth,
            sex=child.sex,
            ethnicity=household.ethnicity,
            language=household.language,
            address=household.address_line,
            postcode=household.postcode,
            nhs_number=child.nhs_number,
            nickname=self.rng.choice(nicknames) if nicknames else "",
            send=child.send,
            school_name=school.name if school else "",
            pronouns=text_pronouns(child.sex, child.gender),
        )

    def build(self, plan: Planned) -> None:
        origin, profile = plan.origin, plan.origin.profile
        about = plan.about = self.about(plan)
        plan.words = {
            "place": self.rng.choice(text.PLACES),
            "town": self.rng.choice(text.TOWNS),
            "wound": self.rng.choice(text.WOUNDS),
            "name": about.given_name,
        }
        age = self.who.age_on(about.date_of_birth, self.year.local(plan.received).date())
        if plan.scenario is None:
            plan.scenario = self.who.scenario_for(origin, age)
        scenario = plan.scenario
        if not plan.urgency:
            plan.urgency = self.year.pick(scenario.urgency)
        referrer = plan.referrer
        r = Referral(
            status=self.status(plan),
            source=Source.FORM,
            front_door=self.year.front_door,
            referring_agency=self.year.agencies[plan.agency_code],
            referring_team=referrer.team if referrer else None,
            referrer=referrer,
            referrer_name=referrer.get_full_name() if referrer else "",
            referrer_contact=referrer.email if referrer else "",
            received_at=plan.received,
        )
        if origin.automated:
            r.source = Source.BULK if plan.bulk else Source.API
            r.feed = origin.feed
            r.source_system = origin.source_system
            r.source_id = self.source_id(origin, plan)
        self.state_child(plan, r, about)
        r.incident_date = self.incident_date(plan, about)
        if self.year.chance(profile.concerns):
            r.concerns = self.concerns(scenario)
        r.what_happened = self.what_happened(plan, scenario)
        if self.year.chance(profile.reason):
            r.reason = self.reason(plan, scenario)
        if self.year.chance(profile.victim_blaming):
            plan.victim_blaming = True
            blame = self.year.fill(self.rng.choice(text.VICTIM_BLAMING), plan)
            if r.reason and self.year.chance(0.6):
                r.reason = f"{r.reason} {blame}"
            else:
                r.what_happened = f"{r.what_happened} {blame}"
        self.voice(plan, r, age)
        self.identity(plan, r)
        self.needs(plan, r)
        if self.year.chance(profile.education):
            r.education_setting = about.school_name or (
                "Not at school yet" if age < 5 else "Not known to me"
            )
        self.parents(plan, r)
        if self.year.chance(profile.actions):
            r.actions_taken = self.year.fill(self.rng.choice(self.actions(origin)), plan)
        if self.year.chance(profile.urgency):
            r.urgency = plan.urgency
        if plan.chosen_by_referrer and plan.child is not None:
            r.child_id = plan.child.id  # found in Harbour before sending
        if not origin.automated:
            self.complete_required(plan, r)
        self.score(r)
        self.clock(r)
        if plan.linked and plan.child is not None:
            r.child_id = plan.child.id
            r.child_confirmed_at = None if plan.chosen_by_referrer else plan.confirmed_at
        if plan.rag_at is not None:
            plan.rag = (
                Rag.RED.value if plan.urgency == Urgency.IMMEDIATE else self.year.pick(scenario.rag)
            )
            r.rag, r.rag_at = plan.rag, plan.rag_at
            r.rag_rationale = self.rag_rationale(plan)
        if plan.state == CLOSED:
            r.closed_at = plan.countersigned_at
        if plan.state in (CLOSED, AWAITING) or plan.returned:
            plan.outcome = self.outcome(plan, scenario)
        if plan.returned:
            plan.first_outcome = (
                Outcome.COMMUNITY_PANEL
                if plan.outcome == Outcome.NO_FURTHER_ACTION
                else Outcome.NO_FURTHER_ACTION
            )
        plan.referral = r

    def rag_rationale(self, plan: Planned) -> str:
        assert plan.scenario is not None
        pool = text.RAG_RATIONALE[plan.scenario.setting][plan.rag]
        return self.year.fill(self.rng.choice(pool), plan)

    def score(self, r: Referral) -> None:
        """Completeness against the partnership's rules, as it was received."""
        services.record_completeness(r, completeness.assess(r, self.year.rules))

    @staticmethod
    def status(plan: Planned) -> str:
        if plan.state == CLOSED:
            return Status.CLOSED
        if plan.state == AWAITING:
            return Status.DECIDED
        return Status.RATED if plan.rag_at is not None else Status.RECEIVED

    def source_id(self, origin: Origin, plan: Planned) -> str:
        last = self.source_ids.get(origin.key) or self.rng.randint(10_000, 90_000)
        self.source_ids[origin.key] = n = last + self.rng.randint(1, 30)
        event = self.year.local(plan.event_at or plan.received)
        if origin.feed == Feed.CUSTODY:
            return f"CU/{event:%y}/{n:06d}"
        if origin.feed == Feed.AMBULANCE:
            return f"CAD-{event:%y%m%d}-{n:05d}"
        return f"ED{event:%y}{n:07d}"

    def state_child(self, plan: Planned, r: Referral, about: About) -> None:
        """The child as the referrer described them: as recorded, for a child found in Harbour
        before sending; otherwise as the referrer had it, with the slips a busy referrer makes
        when the front door has not yet matched the child."""
        profile = plan.origin.profile
        if plan.chosen_by_referrer:
            r.child_given_name, r.child_family_name = about.given_name, about.family_name
            r.child_date_of_birth, r.child_sex = about.date_of_birth, about.sex
            r.child_address, r.child_postcode = about.address, about.postcode
            return
        given, family = about.given_name, about.family_name
        dob = about.date_of_birth
        if not plan.linked and plan.new_child is None:
            roll = self.rng.random()
            if roll < 0.45 and about.nickname:
                given = about.nickname
            elif roll < 0.75:
                given = typo(self.rng, given)
            else:
                family = typo(self.rng, family)
            if dob.day <= 12 and dob.day != dob.month and self.year.chance(0.2):
                dob = dob.replace(day=dob.month, month=dob.day)
        r.child_given_name, r.child_family_name = given, family
        r.child_date_of_birth = dob if self.year.chance(profile.date_of_birth) else None
        r.child_sex = about.sex if about.sex != Sex.UNKNOWN or self.year.chance(0.5) else ""
        if self.year.chance(profile.address):
            r.child_address, r.child_postcode = about.address, about.postcode
        if about.nhs_number and self.year.chance(profile.nhs_number):
            r.child_nhs_number = about.nhs_number
        if about.nickname and given != about.nickname and self.year.chance(profile.other_names):
            r.child_other_names = f"Known as {about.nickname}"

    def incident_date(self, plan: Planned, about: About) -> dt.date:
        if plan.event_at is not None:
            return self.year.local(plan.event_at).date()
        back = self.year.pick(((0, 0.5), (1, 0.3), (2, 0.1), (3, 0.1)))
        day = self.year.local(plan.received).date() - dt.timedelta(days=back)
        return max(day, about.date_of_birth + dt.timedelta(days=1))

    def concerns(self, scenario: text.Scenario) -> list[str]:
        chosen = list(scenario.concerns)
        chosen += [concern for concern, p in scenario.also if self.year.chance(p)]
        return chosen

    def what_happened(self, plan: Planned, scenario: text.Scenario) -> str:
        origin = plan.origin
        if not origin.automated:
            return self.year.fill(self.rng.choice(scenario.what_happened), plan)
        events = scenario.event or ("injuries after an assault",)
        return self.year.fill(
            self.rng.choice(text.FEED_WHAT_HAPPENED[origin.feed]),
            plan,
            event=self.year.fill(self.rng.choice(events), plan),
            disposal=self.rng.choice(text.FEED_DISPOSALS[origin.feed]),
        )

    def reason(self, plan: Planned, scenario: text.Scenario) -> str:
        if plan.origin.automated:
            return self.rng.choice(text.FEED_REASONS[plan.origin.feed])
        return self.year.fill(self.rng.choice(scenario.reason), plan)

    def absent(self, plan: Planned) -> str:
        pool = text.VOICE_ABSENT.get(plan.origin.words, text.VOICE_ABSENT["police"])
        return self.year.fill(self.rng.choice(pool), plan)

    def voice(self, plan: Planned, r: Referral, age: int) -> None:
        profile = plan.origin.profile
        roll = self.rng.random()
        if roll < profile.voice:
            r.child_voice = self.rng.choice(text.VOICE_TEEN if age >= 11 else text.VOICE_YOUNG)
        elif roll < profile.voice + profile.voice_absent:
            r.child_voice_absent_reason = self.absent(plan)

    def identity(self, plan: Planned, r: Referral) -> None:
        about, profile = plan.about, plan.origin.profile
        assert about is not None
        roll = self.rng.random()
        if plan.chosen_by_referrer:
            # The form fills it in from the child's record; the referrer may change it.
            r.ethnicity = about.ethnicity if roll < 0.85 else Ethnicity.NOT_KNOWN.value
        elif roll < profile.ethnicity:
            r.ethnicity = about.ethnicity
        elif roll < profile.ethnicity + profile.ethnicity_not_known:
            r.ethnicity = Ethnicity.NOT_KNOWN.value
        if self.year.chance(profile.heritage):
            parts = [self.rng.choice(text.FAITH.get(about.ethnicity, text.HERITAGE_DEFAULT))]
            if about.language != "English":
                parts.append(text.LANGUAGE_AT_HOME.replace("{language}", about.language))
            r.cultural_heritage = self.year.fill(" ".join(parts), plan)

    def needs(self, plan: Planned, r: Referral) -> None:
        about, profile = plan.about, plan.origin.profile
        assert about is not None
        roll = self.rng.random()
        if roll < profile.needs:
            codes: list[str] = []
            if about.send == SendStatus.EHC_PLAN:
                codes.append(KnownNeed.EHC_PLAN.value)
            elif about.send == SendStatus.SEN_SUPPORT:
                codes.append(KnownNeed.SEN_SUPPORT.value)
            if self.year.chance(0.15):
                codes.append(KnownNeed.NEURODEVELOPMENTAL.value)
            if plan.scenario and text.MENTAL_HEALTH in plan.scenario.concerns:
                codes.append(KnownNeed.MENTAL_HEALTH.value)
            r.known_needs = codes or [KnownNeed.NONE_KNOWN.value]
            r.needs_detail = " ".join(
                self.year.fill(self.rng.choice(text.NEEDS_DETAIL[c]), plan) for c in codes
            )
        elif roll < profile.needs + profile.needs_not_known:
            r.known_needs = [KnownNeed.NOT_KNOWN.value]

    def parents(self, plan: Planned, r: Referral) -> None:
        if self.year.chance(plan.origin.profile.parents):
            r.parents_aware = ParentsAware.YES if self.year.chance(0.88) else ParentsAware.NO
            if r.parents_aware == ParentsAware.YES and self.year.chance(0.75):
                r.consent = Consent.GIVEN
            else:
                r.consent = self.year.pick(((Consent.NOT_SOUGHT, 0.6), (Consent.REFUSED, 0.4)))
                r.consent_reason = self.year.fill(self.rng.choice(text.CONSENT_REASONS), plan)
        elif self.year.chance(0.4):
            r.parents_aware = ParentsAware.YES  # and nothing said about consent

    @staticmethod
    def actions(origin: Origin) -> tuple[str, ...]:
        if origin.feed == Feed.CUSTODY:
            return ("Parent informed by the custody officer.",)
        if origin.feed == Feed.ED_ASSAULT:
            return ("Safeguarding flag added to the ED record.",)
        if origin.feed == Feed.AMBULANCE:
            return ("Handed over to ED staff.",)
        return text.ACTIONS[origin.words]

    def complete_required(self, plan: Planned, r: Referral) -> None:
        """The form sends nothing without what the partnership's rules require: the referrer
        answered, if only with "not known"."""
        about = plan.about
        assert about is not None and plan.scenario is not None
        scenario = plan.scenario

        def parents() -> None:
            r.parents_aware = r.parents_aware or ParentsAware.YES
            if r.consent != Consent.GIVEN:
                r.consent = r.consent or Consent.NOT_SOUGHT
                r.consent_reason = r.consent_reason or self.year.fill(text.CONSENT_REASONS[0], plan)

        fillers: dict[str, Callable[[], object]] = {
            "child_identity": lambda: setattr(r, "child_date_of_birth", about.date_of_birth),
            "concerns": lambda: setattr(r, "concerns", list(scenario.concerns)),
            "reason": lambda: setattr(r, "reason", self.year.fill("Worried about {name}.", plan)),
            "child_voice": lambda: setattr(r, "child_voice_absent_reason", self.absent(plan)),
            "ethnicity": lambda: setattr(r, "ethnicity", Ethnicity.NOT_KNOWN.value),
            "cultural_heritage": lambda: setattr(r, "cultural_heritage", "Not known."),
            "known_needs": lambda: setattr(r, "known_needs", [KnownNeed.NOT_KNOWN.value]),
            "education_setting": lambda: setattr(
                r, "education_setting", about.school_name or "Not known to me"
            ),
            "parents": parents,
            "actions_taken": lambda: setattr(r, "actions_taken", "None yet."),
            "urgency": lambda: setattr(r, "urgency", plan.urgency),
        }
        for item in completeness.assess(r, self.year.rules).blocking:
            fillers.get(item.key, lambda: None)()

    def outcome(self, plan: Planned, scenario: text.Scenario) -> str:
        """Outcomes after which the front door's agency keeps working with the child go, in a
        closed referral, only to children that agency holds a record of."""
        held = plan.child is not None and FRONT_DOOR_CODE in plan.child.holders
        options = [
            (outcome, weight * OUTCOME_BY_RAG.get((plan.rag, outcome), 1.0))
            for outcome, weight in scenario.outcomes
            if plan.state != CLOSED or held or outcome not in CONTINUING_OUTCOMES
        ]
        if held:
            options = [
                (o, w * (CONTINUING_BOOST if o in CONTINUING_OUTCOMES else 1.0)) for o, w in options
            ]
        return self.year.pick(options)

    def clock(self, r: Referral) -> None:
        """Put the referral on the clock its stated urgency and arrival call for, as the front
        door's services do when it arrives."""
        assert r.received_at is not None
        services.start_clock(
            r, r.received_at, levels=self.year.levels, working=self.year.working_time
        )

    def guarantee_immediate(self) -> None:
        """At least two open referrals say the child may be at risk of significant harm now,
        and one of them, made on the form, arrived an hour and a quarter ago and is not rated
        yet: just past its one-hour clock, so the front door's staff see the alert (ADR 0019)."""
        open_plans = [p for p in self.year.plans if p.state != CLOSED]
        self.guarantee_one_just_late(open_plans)
        immediate = [
            p for p in open_plans if p.referral and p.referral.urgency == Urgency.IMMEDIATE
        ]
        candidates = [
            p
            for p in open_plans
            if p not in immediate and p.state in (RECEIVED, RATED) and p.linked
        ]
        candidates.sort(key=lambda p: p.child is None or p.child.age < 11)
        for plan in candidates[: max(0, 2 - len(immediate))]:
            r = plan.referral
            assert r is not None
            plan.urgency = r.urgency = Urgency.IMMEDIATE.value
            if plan.rag_at is not None:
                plan.rag = r.rag = Rag.RED.value
                r.rag_rationale = self.rag_rationale(plan)
            self.score(r)
            self.clock(r)

    def guarantee_one_just_late(self, open_plans: list[Planned]) -> None:
        """An immediate referral received 75 minutes before "now", not rated: one made on the
        form about a confirmed child and waiting to be rated (an immediate one where there is
        one), moved to that time. Nothing random is drawn, so the rest is as it was."""
        waiting = [
            p
            for p in open_plans
            if p.state == RECEIVED and p.linked and not p.origin.automated and p.referral
        ]
        if not waiting:
            return
        waiting.sort(key=lambda p: (p.urgency != Urgency.IMMEDIATE, p.received))
        plan = waiting[0]
        r = plan.referral
        assert r is not None
        plan.received = r.received_at = self.year.now - JUST_LATE
        if plan.confirmed_at is not None:
            plan.confirmed_at = plan.received + dt.timedelta(minutes=12)
            r.child_confirmed_at = None if plan.chosen_by_referrer else plan.confirmed_at
        plan.urgency = r.urgency = Urgency.IMMEDIATE.value
        self.score(r)
        self.clock(r)

    def guarantee_a_meeting_to_come(self) -> None:
        """At least one decision waiting for countersignature calls for a strategy meeting, so
        the front door has one still planned: the latest such decision becomes one for the risk
        outside the home pathway (or a section 47 enquiry, where the harm is at home)."""
        awaiting = [p for p in self.year.plans if p.state == AWAITING and p.decided_at is not None]
        if not awaiting or any(p.outcome in MEETING_OUTCOMES for p in awaiting):
            return
        plan = max(awaiting, key=lambda p: (p.decided_at, p.received))
        assert plan.scenario is not None
        outside = plan.scenario.setting == text.OUTSIDE
        plan.outcome = Outcome.RISK_OUTSIDE_THE_HOME if outside else Outcome.CHILD_PROTECTION
