"""The front door's coded values. Concern categories put serious youth violence and harm outside
the home first, so that it is named as a safeguarding concern in its own right (finding 1.1)."""

from __future__ import annotations

from django.db import models


class Concern(models.TextChoices):
    SERIOUS_YOUTH_VIOLENCE = (
        "serious_youth_violence",
        "Serious youth violence or harm outside the home",
    )
    CRIMINAL_EXPLOITATION = "cce", "Child criminal exploitation"
    SEXUAL_EXPLOITATION = "cse", "Child sexual exploitation"
    COUNTY_LINES = "county_lines", "County lines"
    KNIFE_CRIME = "knife_crime", "Knife or weapon-related harm"
    MISSING = "missing", "Missing from home, care or education"
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    NEGLECT = "neglect", "Neglect"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse in the home"
    MENTAL_HEALTH = "mental_health", "Mental health or self-harm"
    ONLINE_HARM = "online_harm", "Online harm"
    OTHER = "other", "Something else"


# Categories that are harm outside the home: they count towards "SYV named as the concern".
EXTRA_FAMILIAL = frozenset(
    {
        Concern.SERIOUS_YOUTH_VIOLENCE,
        Concern.CRIMINAL_EXPLOITATION,
        Concern.SEXUAL_EXPLOITATION,
        Concern.COUNTY_LINES,
        Concern.KNIFE_CRIME,
    }
)


class KnownNeed(models.TextChoices):
    SEN_SUPPORT = "sen_support", "Special educational needs (SEN support)"
    EHC_PLAN = "ehc_plan", "Education, health and care (EHC) plan"
    SLCN = "slcn", "Speech, language and communication needs"
    NEURODEVELOPMENTAL = (
        "neurodevelopmental",
        "Neurodevelopmental diagnosis (such as ADHD or autism)",
    )
    MENTAL_HEALTH = "mental_health", "Mental health needs"
    PENDING_ASSESSMENT = "pending_assessment", "Waiting for an assessment"
    NONE_KNOWN = "none_known", "No needs known to me"
    NOT_KNOWN = "not_known", "I do not know"


class ParentsAware(models.TextChoices):
    YES = "yes", "Yes, they know about this referral"
    NO = "no", "No"


class Consent(models.TextChoices):
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    NOT_SOUGHT = "not_sought", "Consent not sought"


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate: the child may be at risk of significant harm now"
    TODAY = "today", "Today: the front door should look at this within 24 hours"
    ROUTINE = "routine", "Routine"


class Source(models.TextChoices):
    FORM = "form", "Referral form"
    API = "api", "Automated feed (API)"
    BULK = "bulk", "Automated feed (bulk file)"


class Feed(models.TextChoices):
    """The automated referral feeds (finding 1.3)."""

    CUSTODY = "custody", "Police custody or voluntary interview"
    AMBULANCE = "ambulance", "Ambulance dispatch to a possible serious youth violence incident"
    ED_ASSAULT = "ed_assault", "Emergency department attendance for assault"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    RECEIVED = "received", "Received"
    RATED = "rated", "Rated, awaiting decision"
    DECIDED = "decided", "Decided, awaiting manager"
    CLOSED = "closed", "Decision made"


OPEN_STATUSES = (Status.RECEIVED, Status.RATED, Status.DECIDED)


class Rag(models.TextChoices):
    RED = "red", "Red: act today"
    AMBER = "amber", "Amber: decide within the service level"
    GREEN = "green", "Green: lower concern"


class Outcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action, with advice to the referrer"
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need assessment (section 17)"
    CHILD_PROTECTION = "child_protection", "Child protection enquiry (section 47)"
    RISK_OUTSIDE_THE_HOME = (
        "roth",
        "Risk outside the home (extra-familial harm) pathway",
    )
    COMMUNITY_PANEL = "community_panel", "Community prevention panel"
    VOLUNTARY_SECTOR = "vcse", "Voluntary and community sector support"


class Step(models.TextChoices):
    """The steps the service-level clock measures, from when the referral was received."""

    RAG = "rag", "Rated red, amber or green"
    DECISION = "decision", "Decision made"
    FEEDBACK = "feedback", "Referrer may escalate without an outcome"
    STRATEGY_MEETING = "strategy_meeting", "Strategy meeting held (from the decision to hold one)"
    RAPID_RESPONSE = (
        "rapid_response",
        "Rapid response convened (from opening it after a serious incident)",
    )


class Unit(models.TextChoices):
    HOURS = "hours", "Hours"
    WORKING_DAYS = "working_days", "Working days (Monday to Friday, not bank holidays)"


class ServiceClock(models.TextChoices):
    """Which service levels a referral is timed by (ADR 0019): chosen when it arrives from the
    urgency the referrer gave and whether it arrived out of hours."""

    IMMEDIATE = "immediate", "Immediate"
    TODAY = "today", "Today"
    ROUTINE = "routine", "Routine"
    OUT_OF_HOURS = "out_of_hours", "Out of hours (emergency duty team)"


# The steps timed by the referral's own clock; the others (a strategy meeting, a rapid response)
# have one service level each, whatever the urgency.
REFERRAL_STEPS = (Step.RAG, Step.DECISION, Step.FEEDBACK)
# Clocks that must run in hours: a working-day clock would leave the child waiting for Monday.
HOURS_ONLY_CLOCKS = frozenset({ServiceClock.IMMEDIATE, ServiceClock.OUT_OF_HOURS})


class MeetingRole(models.TextChoices):
    """The agencies a strategy meeting needs (Working Together 2023): police, health, children's
    social care and education, at least."""

    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Children's social care"
    EDUCATION = "education", "Education"
    OTHER = "other", "Other agency"


REQUIRED_MEETING_ROLES = (
    MeetingRole.POLICE,
    MeetingRole.HEALTH,
    MeetingRole.SOCIAL_CARE,
    MeetingRole.EDUCATION,
)

# Which agencies can fill each role at a strategy meeting.
MEETING_ROLE_AGENCY_TYPES: dict[str, tuple[str, ...]] = {
    MeetingRole.POLICE: ("police",),
    MeetingRole.HEALTH: ("nhs_trust", "ambulance"),
    MeetingRole.SOCIAL_CARE: ("childrens_social_care",),
    MeetingRole.EDUCATION: ("school",),
    MeetingRole.OTHER: ("youth_justice", "probation", "vcse", "vru"),
}


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class AuditQuestion(models.TextChoices):
    """What a multi-agency audit of a referral scores (finding 1.5)."""

    CLARITY = "clarity", "The reason for referral is clear"
    VOICE = "voice", "The child's voice is heard"
    IDENTITY = "identity", "Ethnicity, culture and identity are recorded and considered"
    NEEDS = "needs", "The child's needs (SEND, SLCN, health) are known and considered"
    TIMELINESS = "timeliness", "The referral was made, and decided, in good time"


class AuditGrade(models.IntegerChoices):
    GOOD = 4, "Good"
    ADEQUATE = 3, "Adequate"
    REQUIRES_IMPROVEMENT = 2, "Requires improvement"
    INADEQUATE = 1, "Inadequate"


class Sampling(models.TextChoices):
    RANDOM = "random", "Random sample"
    TARGETED = "targeted", "Targeted sample"


class RapidStatus(models.TextChoices):
    """A rapid response after a serious incident (issue 3, part 9): opened, convened, closed."""

    OPEN = "open", "Open: to be convened"
    CONVENED = "convened", "Convened"
    CLOSED = "closed", "Closed"


class LinkKind(models.TextChoices):
    """Why a child is on a rapid response: how they are linked to the serious incident."""

    INVOLVED = "involved", "Involved in the incident"
    SIBLING = "sibling", "Sibling of a child involved"
    ASSOCIATE = "associate", "Known associate of a child involved"
