"""Who each referral is about and who made it: the children a referrer might refer (likelier
if the police, youth justice or social care know them, if they are a teenager and if the
referrer's agency or the front door already holds a record of them), a child new to Harbour
now and then, and the member of staff who referred (the demo sign-ins more often)."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import uuid
from typing import TYPE_CHECKING

from harbour.children.codes import Sex
from harbour.demo import names
from harbour.demo import referral_text as text
from harbour.demo import riverside as rv
from harbour.demo.record import HE, SHE, THEY, THEY_GENDERS
from harbour.demo.referrals.origins import (
    ORIGINS,
    ORIGINS_BY_KEY,
    VCSE_AGENCY,
    VCSE_WEIGHTS,
    Origin,
)
from harbour.demo.referrals.planned import CLOSED, ESCALATED, About, Planned
from harbour.demo.referrals.year import FRONT_DOOR_CODE, Part, Year
from harbour.demo.signins import ED_NURSE, REFERRER, SCHOOL_DSL
from harbour.partnership.models import Role, Staff

if TYPE_CHECKING:
    from harbour.demo.generator import _Child


MAX_REFERRALS_PER_CHILD = 3


# How much likelier a child the front door's agency already holds a record of is referred.
KNOWN_TO_THE_FRONT_DOOR = 5.0


DSL_TITLE = "Designated Safeguarding Lead"


def text_pronouns(sex: str, gender: str) -> dict[str, str]:
    """The words the templates use for the child, as the record phase chooses them."""
    if gender in THEY_GENDERS:
        return THEY
    if gender == "Trans boy":
        return HE
    if gender == "Trans girl":
        return SHE
    if sex == Sex.MALE:
        return HE
    if sex == Sex.FEMALE:
        return SHE
    return THEY


class Referrers(Part):
    """Chooses the child of each referral and its referrer."""

    def __init__(self, year: Year) -> None:
        super().__init__(year)
        self.referred: dict[uuid.UUID, int] = {}
        self.pools: dict[str, tuple[list[_Child], list[float]]] = {}

    def open_origin(self, child: _Child, state: str) -> Origin:
        if state == ESCALATED:
            return ORIGINS_BY_KEY["police"]  # the demo police referrer's
        yesterday = self.year.today - dt.timedelta(days=1 if state != CLOSED else 56)
        options = [
            (o, o.weight * (o.holds_weight if self.holds(child, o) else 1.0))
            for o in ORIGINS
            if self.may_refer(o, child, yesterday)
        ]
        return self.year.pick(options) if options else ORIGINS_BY_KEY["police"]

    @staticmethod
    def age_on(dob: dt.date, day: dt.date) -> int:
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @staticmethod
    def holds(child: _Child, origin: Origin) -> bool:
        if origin.agency_code == VCSE_AGENCY:
            return any(code in rv.VCSE_CODES for code in child.holders)
        if not origin.agency_code:
            return True  # the child's own school
        return origin.agency_code in child.holders

    def may_refer(self, origin: Origin, child: _Child, day: dt.date) -> bool:
        if day <= child.date_of_birth:
            return False
        age = self.age_on(child.date_of_birth, day)
        low, high = origin.ages
        if not low <= age <= high or not self.scenarios(origin, age):
            return False
        if origin.key == "school":
            return child.school is not None and (child.school_started or day) <= day
        if origin.key == "yjs":
            return rv.YJS in child.holders
        if origin.key == "probation":
            return rv.PROBATION in child.holders or rv.YJS in child.holders
        return True

    @staticmethod
    @functools.cache
    def scenarios(origin: Origin, age: int) -> list[tuple[text.Scenario, float]]:
        """The kinds of worry this referrer brings about a child of this age."""
        return [
            (text.SCENARIOS[key], weight)
            for key, weight in text.ORIGIN_SCENARIOS[origin.key]
            if text.SCENARIOS[key].ages[0] <= age <= text.SCENARIOS[key].ages[1]
        ]

    def scenario_for(self, origin: Origin, age: int) -> text.Scenario:
        return self.year.pick(self.scenarios(origin, age) or self.scenarios(origin, 14))

    @staticmethod
    def risk(child: _Child) -> float:
        """How likely a child is to be referred: far likelier if the police, youth justice or
        social care know them, and if they are a teenager."""
        weight = 1.0
        weight += 3.0 * (rv.POLICE in child.holders)
        weight += 4.0 * (rv.YJS in child.holders)
        weight += 2.5 * (rv.CSC in child.holders)
        weight += 1.0 * (rv.ED in child.holders or rv.AMBULANCE in child.holders)
        weight += 1.0 * any(code in rv.VCSE_CODES for code in child.holders)
        if child.age >= 13:
            return weight * 3.0
        if child.age >= 10:
            return weight * 1.5
        return weight * (0.5 if child.age >= 5 else 0.25)

    def weight(self, origin: Origin, child: _Child) -> float:
        """How likely this referrer is to refer this child: more if its agency knows them, far
        more if the front door's agency already does (children are referred again and again)."""
        return (
            self.risk(child)
            * (origin.holds_weight if self.holds(child, origin) else 1.0)
            * (KNOWN_TO_THE_FRONT_DOOR if FRONT_DOOR_CODE in child.holders else 1.0)
        )

    def pool(self, origin: Origin) -> tuple[list[_Child], list[float]]:
        """The children this referrer might ever refer, with cumulative weights."""
        if origin.key not in self.pools:
            low, high = origin.ages
            children = [
                c
                for c in self.year.children
                if low <= c.age <= high + 1
                and (origin.key != "school" or c.school is not None)
                and (origin.key != "yjs" or rv.YJS in c.holders)
            ]
            cumulative = list(itertools.accumulate(self.weight(origin, c) for c in children))
            self.pools[origin.key] = (children, cumulative)
        return self.pools[origin.key]

    def choose_child(self, origin: Origin, day: dt.date) -> _Child | None:
        """A child this referrer could refer on the day, drawn by ``weight`` (draws the child
        cannot be referred on that day are drawn again)."""
        children, cumulative = self.pool(origin)
        chosen: _Child | None = None
        for _ in range(80) if children else ():
            child = self.rng.choices(children, cum_weights=cumulative)[0]
            if self.referred.get(child.id, 0) < MAX_REFERRALS_PER_CHILD and self.may_refer(
                origin, child, day
            ):
                chosen = child
                break
        if chosen is None:
            candidates = [
                (c, self.weight(origin, c))
                for c in self.year.children
                if self.referred.get(c.id, 0) < MAX_REFERRALS_PER_CHILD
                and self.may_refer(origin, c, day)
            ]
            if not candidates:
                return None
            chosen = self.year.pick(candidates)
        self.referred[chosen.id] = self.referred.get(chosen.id, 0) + 1
        return chosen

    def new_child(self, origin: Origin, day: dt.date) -> About:
        """A child Harbour has no record of: new to the area."""
        ethnicity = self.year.pick(names.ETHNICITY_WEIGHTS)
        sex = self.year.pick(((Sex.MALE.value, 0.6), (Sex.FEMALE.value, 0.4)))
        girl = sex == Sex.FEMALE
        pool = self.year.pick(names.NAME_MIX[ethnicity].given)
        if pool == names.FAKER:
            given = str(
                self.year.fake.first_name_female() if girl else self.year.fake.first_name_male()
            )
        else:
            chosen = names.POOLS[pool]
            given = self.rng.choice(chosen.girls if girl else chosen.boys)
        family_pool = self.year.pick(names.NAME_MIX[ethnicity].family)
        if family_pool == names.FAKER:
            family = str(self.year.fake.last_name())
        else:
            family = self.rng.choice(names.POOLS[family_pool].family)
        age = self.rng.randint(max(13, origin.ages[0]), origin.ages[1])
        dob = day - dt.timedelta(days=365 * age + self.rng.randint(30, 330))
        sector = self.rng.choice(rv.POSTCODE_SECTORS)
        postcode = sector.sector + "".join(self.rng.choices(rv.POSTCODE_UNIT_LETTERS, k=2))
        street = f"{self.rng.choice(rv.STREET_NAMES)} {self.rng.choice(rv.STREET_SUFFIXES)}"
        return About(
            given_name=given,
            family_name=family,
            date_of_birth=dob,
            sex=sex,
            ethnicity=ethnicity,
            language=self.year.pick(names.LANGUAGES.get(ethnicity, (("English", 1.0),))),
            address=f"{self.rng.randint(1, 120)} {street}, Riverside",
            postcode=postcode,
            pronouns=text_pronouns(sex, ""),
        )

    # -- referrers ------------------------------------------------------------------------------

    def choose_referrer(self, plan: Planned) -> None:
        origin, child = plan.origin, plan.child
        code = origin.agency_code
        if not code:
            assert child is not None and child.school is not None
            code = child.school.code
        elif code == VCSE_AGENCY:
            held = [c for c in child.holders if c in rv.VCSE_CODES] if child else []
            code = held[0] if held else self.year.pick(VCSE_WEIGHTS)
        plan.agency_code = code
        if origin.automated:
            return
        if plan.state == ESCALATED:
            plan.referrer = self.year.signed_in(REFERRER.email)
            return
        plan.referrer = self.year.pick(self.referrers(code))

    def guarantee_an_outcome_for_the_demo_referrer(self) -> None:
        """The demo police referrer has had at least one outcome back."""
        referrer = self.year.signed_in(REFERRER.email)
        police = [p for p in self.year.plans if p.state == CLOSED and p.origin.key == "police"]
        if police and not any(p.referrer == referrer for p in police):
            police[-1].referrer = referrer

    def referrers(self, code: str) -> list[tuple[Staff, float]]:
        """Who refers from an agency: its referrers (a school's designated safeguarding lead,
        else its SENCo), or anyone there who may refer; the demo sign-ins more often."""
        here = [s for s in self.year.staff if s.agency is not None and s.agency.code == code]
        if code.startswith("school-"):
            pool = [s for s in here if s.job_title == DSL_TITLE] or [
                s for s in here if s.role == Role.REFERRER
            ]
            pool = pool or [self.year.signed_in(SCHOOL_DSL.email)]
        else:
            pool = [s for s in here if s.role == Role.REFERRER] or [
                s for s in here if s.role in (Role.LEAD_PRACTITIONER, Role.PANEL_CHAIR)
            ]
        favourites = {REFERRER.email: 2.0, ED_NURSE.email: 2.0}
        return [(s, favourites.get(s.email, 1.0)) for s in pool]
