"""The demo sign-ins: one account for each role, plus referrers from a hospital, a school and a
voluntary organisation outside every information-sharing agreement. All use ``DEMO_PASSWORD``."""

from __future__ import annotations

from dataclasses import dataclass

from harbour.demo import riverside as rv
from harbour.partnership.models import Role

DEMO_PASSWORD = "harbour-demo-2026"  # noqa: S105  (a published demo password, synthetic data only)


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    agency_code: str
    team_name: str
    job_title: str
    description: str
    # A fixed name, for an account added after the seeded names were drawn (so adding it changes
    # no one else's); otherwise the generator draws one.
    name: tuple[str, str] | None = None


def _email(local: str, agency_code: str) -> str:
    return f"{local}@{agency_code}.{rv.DEMO_EMAIL_DOMAIN}"


REFERRER = DemoSignIn(
    Role.REFERRER,
    _email("referrer", rv.POLICE),
    rv.POLICE,
    "Child Centred Policing Team",
    "Police Constable",
    "Refers children and sees the three children in their team around the child",
)
FRONT_DOOR_PRACTITIONER = DemoSignIn(
    Role.FRONT_DOOR_PRACTITIONER,
    _email("frontdoor", rv.CSC),
    rv.CSC,
    "Front Door (MASH)",
    "Social Worker",
    "Receives referrals at the front door and gathers what partners know",
)
FRONT_DOOR_MANAGER = DemoSignIn(
    Role.FRONT_DOOR_MANAGER,
    _email("frontdoor.manager", rv.CSC),
    rv.CSC,
    "Front Door (MASH)",
    "Team Manager",
    "Decides on referrals at the front door",
)
LEAD_PRACTITIONER = DemoSignIn(
    Role.LEAD_PRACTITIONER,
    _email("lead", rv.CSC),
    rv.CSC,
    "Adolescent Safeguarding Team",
    "Social Worker",
    "Lead practitioner for twelve children",
)
PANEL_CHAIR = DemoSignIn(
    Role.PANEL_CHAIR,
    _email("chair", rv.YJS),
    rv.YJS,
    "Youth Justice Casework",
    "Service Manager",
    "Chairs the exploitation and violence panel of fifteen children",
)
ANALYST = DemoSignIn(
    Role.ANALYST,
    _email("analyst", rv.VRU),
    rv.VRU,
    "Insight Team",
    "Analyst",
    "Works on pseudonymised and aggregate data, never a named child",
)
STRATEGIC_LEADER = DemoSignIn(
    Role.STRATEGIC_LEADER,
    _email("leader", rv.CSC),
    rv.CSC,
    "",
    "Director of Children's Services",
    "Sees the partnership's aggregate picture",
)
DATA_PROTECTION_OFFICER = DemoSignIn(
    Role.DATA_PROTECTION_OFFICER,
    _email("dpo", rv.CSC),
    rv.CSC,
    "",
    "Data Protection Officer",
    "Reviews break-glass access and reads the audit trail",
)
ADMINISTRATOR = DemoSignIn(
    Role.ADMINISTRATOR,
    _email("admin", rv.CSC),
    rv.CSC,
    "",
    "Systems Administrator",
    "Manages agencies, teams, staff and agreements",
)
ED_NURSE = DemoSignIn(
    Role.REFERRER,
    _email("nurse", rv.ED),
    rv.ED,
    "Emergency Department",
    "Emergency Department Nurse",
    "Refers from the emergency department; sees children the trust holds",
)
SCHOOL_DSL = DemoSignIn(
    Role.REFERRER,
    _email("dsl", rv.FIRST_SECONDARY_CODE),
    rv.FIRST_SECONDARY_CODE,
    rv.SAFEGUARDING_TEAM,
    "Designated Safeguarding Lead",
    "Refers from a secondary school; sees the school's pupils",
)
NO_AGREEMENT_YOUTH_WORKER = DemoSignIn(
    Role.REFERRER,
    _email("youthworker", rv.VCSE_NO_AGREEMENT),
    rv.VCSE_NO_AGREEMENT,
    "Youth Programme",
    "Youth Worker",
    "A voluntary organisation in no sharing agreement: sees only its own four children",
)

# A second administrator: a change that gives someone access to children's data waits for an
# administrator other than the one who asked (ADR 0018), so the demo needs two.
SECOND_ADMINISTRATOR = DemoSignIn(
    Role.ADMINISTRATOR,
    _email("admin2", rv.CSC),
    rv.CSC,
    "",
    "Systems Administrator",
    "A second administrator: approves or refuses changes that let staff see children's data",
    name=("Morgan", "Achebe"),
)

DEMO_SIGN_INS: tuple[DemoSignIn, ...] = (
    REFERRER,
    FRONT_DOOR_PRACTITIONER,
    FRONT_DOOR_MANAGER,
    LEAD_PRACTITIONER,
    PANEL_CHAIR,
    ANALYST,
    STRATEGIC_LEADER,
    DATA_PROTECTION_OFFICER,
    ADMINISTRATOR,
    ED_NURSE,
    SCHOOL_DSL,
    NO_AGREEMENT_YOUTH_WORKER,
    SECOND_ADMINISTRATOR,
)

DEACTIVATED_EMAIL = _email("former.officer", rv.POLICE)
