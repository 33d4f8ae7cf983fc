"""The strategy meetings the decisions for a section 47 enquiry or the risk outside the home
pathway called (ADR 0010): convened shortly after the decision, due a working day after it,
inviting police, health, children's social care and the child's school, and youth justice or
a voluntary organisation that knows the child. Some held late, some out of hours, a few without
police or health, one or two still to come; each held one with its decisions and actions."""

from __future__ import annotations

import datetime as dt

from harbour.demo import referral_text as text
from harbour.demo import riverside as rv
from harbour.demo.referrals.planned import AWAITING, CLOSED, Planned
from harbour.demo.referrals.rows import with_ids
from harbour.demo.referrals.who import DSL_TITLE
from harbour.demo.referrals.year import FRONT_DOOR_CODE, Part
from harbour.frontdoor.codes import MeetingRole, MeetingStatus, Step
from harbour.frontdoor.meetings import MEETING_OUTCOMES, is_out_of_hours
from harbour.frontdoor.models import MeetingAction, MeetingAgency, StrategyMeeting
from harbour.partnership.models import Agency, Staff

# Strategy meetings: of those held, the shares held late (after the service level), out of hours
# (evenings, early mornings, weekends) and without police or health; a few ordinary ones
# without the school or the other agency invited.
MEETING_LATE_SHARE = 0.12
MEETING_OUT_OF_HOURS_SHARE = 0.1
MEETING_WITHOUT_POLICE_OR_HEALTH_SHARE = 0.12
MEETING_SCHOOL_ABSENT = 0.08
MEETING_OTHER_ABSENT = 0.2
# A decision this recent still has its meeting to come.
MEETING_PLANNED_WITHIN = dt.timedelta(hours=6)


# How a held strategy meeting was timed.
_ON_TIME = "on_time"
_LATE = "late"
_OUT_OF_HOURS = "out_of_hours"


class Meetings(Part):
    """Writes the strategy meetings, their invitees and their actions."""

    def save_meetings(self, managers: list[Staff]) -> None:
        """A strategy meeting for every decision for a section 47 enquiry or the risk outside
        the home pathway (ADR 0010), convened by whoever decided (or a manager) shortly after
        the decision, due a working day after it, inviting police, health, children's social
        care and the child's school, and youth justice or a voluntary organisation that knows
        the child. Those decided in the last hours, and those waiting for countersignature, are
        still to come; of those held, some were late, some out of hours, a few without police or
        health, and each has the meeting's decisions and one to three actions."""
        plans = sorted(
            (
                p
                for p in self.year.plans
                if p.state in (CLOSED, AWAITING)
                and p.outcome in MEETING_OUTCOMES
                and p.decided_at is not None
                and p.referral is not None
                and p.referral.child_id is not None
            ),
            key=lambda p: (p.decided_at, p.received),
        )
        settled = self.year.now - MEETING_PLANNED_WITHIN
        held = [p for p in plans if p.state == CLOSED and p.decided_at and p.decided_at < settled]
        kinds = self.meeting_kinds(held)
        n_absent = min(len(held), max(1, round(MEETING_WITHOUT_POLICE_OR_HEALTH_SHARE * len(held))))
        absent = set(self.rng.sample(held, n_absent))
        meetings: list[StrategyMeeting] = []
        invitations: list[list[MeetingAgency]] = []
        actions: list[list[MeetingAction]] = []
        for plan in plans:
            r, decided = plan.referral, plan.decided_at
            assert r is not None and decided is not None and plan.child is not None
            child_id = r.child_id
            assert child_id is not None
            convener = plan.decider
            if convener is None or (managers and self.year.chance(0.3)):
                convener = self.rng.choice(managers) if managers else convener
            assert convener is not None
            convened = self.year.between(
                decided + dt.timedelta(minutes=5),
                min(decided + self.year.hours(0.2, 2.0), self.year.now - dt.timedelta(minutes=5)),
            )
            due = self.year.due_or(Step.STRATEGY_MEETING, decided, 24)
            kind = kinds.get(id(plan))
            scheduled = self.year.now
            if kind is not None:
                scheduled = self.meeting_time(kind, convened, due)
            is_held = kind is not None and scheduled < self.year.now - dt.timedelta(minutes=10)
            if not is_held:  # still to come, in the next office hours
                scheduled = self.office_slot(
                    self.year.between(
                        max(self.year.now, convened) + dt.timedelta(hours=1),
                        self.year.now + self.year.hours(2.0, 20.0),
                    )
                )
            meeting = StrategyMeeting(
                referral=r,
                child_id=child_id,
                convened_by=convener,
                convened_at=convened,
                scheduled_for=scheduled,
                due_by=self.year.due(Step.STRATEGY_MEETING, decided),
                out_of_hours=is_out_of_hours(scheduled, self.year.working_time),
                status=MeetingStatus.HELD if is_held else MeetingStatus.PLANNED,
                held_at=scheduled if is_held else None,
                recorded_by=convener if is_held else None,
            )
            invited = self.invitees(plan, meeting)
            missing: list[str] = []
            if is_held:
                missing = self.attendance(invited, convener, without=plan in absent)
                meeting.decisions = " ".join(
                    [
                        self.year.fill(self.rng.choice(text.MEETING_DECISIONS[plan.outcome]), plan),
                        *(text.MEETING_ABSENT[role] for role in missing),
                    ]
                )
            meetings.append(meeting)
            invitations.append(invited)
            actions.append(self.meeting_actions(plan, meeting, invited) if is_held else [])
        with_ids(StrategyMeeting, meetings)
        for meeting, invited, planned in zip(meetings, invitations, actions, strict=True):
            for invitee in invited:
                invitee.meeting = meeting
            for action in planned:
                action.meeting = meeting
        MeetingAgency.objects.bulk_create([row for rows in invitations for row in rows])
        MeetingAction.objects.bulk_create([row for rows in actions for row in rows])

    def meeting_kinds(self, held: list[Planned]) -> dict[int, str]:
        """Which held meetings were late and which out of hours (by ``id`` of the plan): at least
        one of each where there are meetings decided long enough ago for either."""
        n_late = max(1, round(MEETING_LATE_SHARE * len(held)))
        n_out = max(1, round(MEETING_OUT_OF_HOURS_SHARE * len(held)))
        old = [
            p for p in held if p.decided_at and p.decided_at < self.year.now - dt.timedelta(days=7)
        ]
        special = self.rng.sample(old, min(len(old), n_late + n_out))
        kinds = {id(p): _ON_TIME for p in held}
        for i, plan in enumerate(special):
            kinds[id(plan)] = _LATE if i < n_late else _OUT_OF_HOURS
        return kinds

    def meeting_time(self, kind: str, convened: dt.datetime, due: dt.datetime) -> dt.datetime:
        earliest = convened + dt.timedelta(minutes=45)
        if kind == _OUT_OF_HOURS:
            return self.out_of_hours_slot(earliest)
        if kind == _LATE:
            return self.office_slot(
                self.year.between(due + dt.timedelta(hours=1), due + self.year.hours(2.0, 50.0))
            )
        moment = self.year.between(earliest, due - dt.timedelta(minutes=15))
        in_office = self.office_slot(moment)
        # Held out of hours rather than late, where the next office hours come too late.
        return in_office if in_office <= due else moment

    def office_slot(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` if it is in office hours, else a time early in the next office day."""
        if not is_out_of_hours(moment, self.year.working_time):
            return moment
        local = self.year.local(moment)
        day = local.date()
        if not self.year.working_time.is_working_day(day) or local.hour >= 9:
            day += dt.timedelta(days=1)
        while not self.year.working_time.is_working_day(day):
            day += dt.timedelta(days=1)
        return self.year.at(day, self.rng.uniform(9.0, 11.5))

    def out_of_hours_slot(self, earliest: dt.datetime) -> dt.datetime:
        """The first out-of-hours time from ``earliest``: an early morning or an evening on a
        weekday, or the day at a weekend."""
        day = self.year.local(earliest).date()
        for offset in range(4):
            d = day + dt.timedelta(days=offset)
            windows = ((7.5, 8.75), (17.5, 21.5)) if d.weekday() < 5 else ((10.0, 19.0),)
            for low, high in windows:
                start, end = max(self.year.at(d, low), earliest), self.year.at(d, high)
                if start <= end:
                    return self.year.between(start, end)
        return earliest

    def invitees(self, plan: Planned, meeting: StrategyMeeting) -> list[MeetingAgency]:
        """Police, health (the hospital trust, or the ambulance service for its own referrals
        and some others), children's social care and the child's school (or the school their
        brothers and sisters go to); youth justice and a voluntary organisation that know the
        child, often."""
        child = plan.child
        assert child is not None
        origin = plan.origin.agency_code
        health = origin if origin in (rv.ED, rv.AMBULANCE) else rv.ED
        if health == rv.ED and origin != rv.ED and self.year.chance(0.2):
            health = rv.AMBULANCE
        school = child.school
        if school is None:
            household = child.household
            school = household.secondary if child.age >= 11 else household.primary
        roles: list[tuple[str, str]] = [
            (MeetingRole.POLICE, rv.POLICE),
            (MeetingRole.HEALTH, health),
            (MeetingRole.SOCIAL_CARE, FRONT_DOOR_CODE),
            (MeetingRole.EDUCATION, school.code),
        ]
        if rv.YJS in child.holders and self.year.chance(0.8):
            roles.append((MeetingRole.OTHER, rv.YJS))
        voluntary = [code for code in child.holders if code in rv.VCSE_CODES]
        if voluntary and self.year.chance(0.5):
            roles.append((MeetingRole.OTHER, voluntary[0]))
        return [
            MeetingAgency(meeting=meeting, role=role, agency=self.year.agencies[code])
            for role, code in roles
        ]

    def attendance(
        self, invited: list[MeetingAgency], convener: Staff, *, without: bool
    ) -> list[str]:
        """Who came, and who did not: police or health (or both, now and then) stayed away from
        the meetings held ``without`` them; now and then the school or another agency. Returns
        the roles the meeting needed that did not attend."""
        away: set[str] = set()
        if without:
            away.add(self.rng.choice((MeetingRole.POLICE.value, MeetingRole.HEALTH.value)))
            if self.year.chance(0.15):
                away |= {MeetingRole.POLICE.value, MeetingRole.HEALTH.value}
        if self.year.chance(MEETING_SCHOOL_ABSENT):
            away.add(MeetingRole.EDUCATION.value)
        missing: list[str] = []
        for invitee in invited:
            came = invitee.role not in away
            if invitee.role == MeetingRole.OTHER:
                came = not self.year.chance(MEETING_OTHER_ABSENT)
            elif invitee.role == MeetingRole.SOCIAL_CARE:
                came = True  # the front door convened it
            invitee.attended = came
            invitee.attendee = self.attendee(invitee.agency, convener) if came else ""
            if not came and invitee.role != MeetingRole.OTHER:
                missing.append(str(invitee.role))
        return missing

    def attendee(self, agency: Agency, convener: Staff) -> str:
        """Who came for an agency, as the meeting's record names them."""
        if agency.code == FRONT_DOOR_CODE:
            person: Staff | None = convener
        else:
            here = [
                s for s in self.year.staff if s.agency is not None and s.agency.code == agency.code
            ]
            leads = [s for s in here if s.job_title == DSL_TITLE]
            person = self.rng.choice(leads or here) if (leads or here) else None
        if person is None:
            return DSL_TITLE if agency.code.startswith("school-") else ""
        return f"{person.get_full_name()}, {person.job_title}".strip(", ")

    def meeting_actions(
        self, plan: Planned, meeting: StrategyMeeting, invited: list[MeetingAgency]
    ) -> list[MeetingAction]:
        """One to three actions, each for an agency at the meeting, due within a fortnight;
        those due by now mostly done."""
        assert meeting.held_at is not None
        held_on = self.year.local(meeting.held_at).date()
        present = [i for i in invited if i.attended]
        by_role = {str(i.role): i for i in reversed(present)}  # the first agency in each role
        roles = sorted(by_role, key=lambda role: role != MeetingRole.SOCIAL_CARE)
        chosen = [
            roles[0],
            *self.rng.sample(roles[1:], min(len(roles) - 1, self.rng.randint(0, 2))),
        ]
        rows: list[MeetingAction] = []
        for role in chosen:
            invitee = by_role[role]
            due_on = held_on + dt.timedelta(days=self.rng.randint(1, 14))
            done_on = None
            if due_on <= self.year.today and self.year.chance(0.8):
                span = (min(due_on, self.year.today) - held_on).days
                done_on = held_on + dt.timedelta(days=self.rng.randint(0, span))
            rows.append(
                MeetingAction(
                    meeting=meeting,
                    description=self.year.fill(self.rng.choice(text.MEETING_ACTIONS[role]), plan),
                    owner_agency=invitee.agency,
                    owner_name=invitee.attendee.split(",")[0],
                    due_on=due_on,
                    done_on=done_on,
                )
            )
        return rows
