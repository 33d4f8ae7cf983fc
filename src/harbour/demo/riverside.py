"""Riverside: the fictional area of the synthetic partnership. Fixed reference data that does not
depend on the seed — agencies, schools, teams, agreements, threshold guidance, postcodes and
LSOAs. Every name, code and number here is invented."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from harbour.partnership.models import AgencyType, DataCategory, LawfulBasis, Purpose

DEMO_EMAIL_DOMAIN = "demo.harbour.test"

POLICE = "riverside-police"
CSC = "riverside-csc"
ED = "riverside-ed"
AMBULANCE = "riverside-ambulance"
YJS = "riverside-yjs"
PROBATION = "riverside-probation"
VRU = "riverside-vru"
VCSE_RIVERSIDE_OUTREACH = "vcse-riverside-outreach"
VCSE_YOUTH_HUB = "vcse-youth-hub"
VCSE_MENTORING = "vcse-mentoring-trust"
VCSE_NO_AGREEMENT = "vcse-no-agreement"
VCSE_CODES = (VCSE_RIVERSIDE_OUTREACH, VCSE_YOUTH_HUB, VCSE_MENTORING, VCSE_NO_AGREEMENT)


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    agency_type: str
    school_urn: str = ""


@dataclass(frozen=True)
class SchoolSpec:
    urn: str
    name: str
    phase: str  # "primary", "secondary" or "alternative_provision"

    @property
    def code(self) -> str:
        return f"school-{self.urn}"


PRIMARY = "primary"
SECONDARY = "secondary"
ALTERNATIVE_PROVISION = "alternative_provision"

# The first secondary's URN is fixed so the designated safeguarding lead's sign-in is a constant.
FIRST_SECONDARY_URN = "990201"

SCHOOLS: tuple[SchoolSpec, ...] = (
    SchoolSpec(FIRST_SECONDARY_URN, "Riverside Academy", SECONDARY),
    SchoolSpec("990202", "St Benedict's Catholic High School", SECONDARY),
    SchoolSpec("990203", "Kingsmead Academy", SECONDARY),
    SchoolSpec("990204", "Harbourside School", SECONDARY),
    SchoolSpec("990205", "Tannery Lane Community College", SECONDARY),
    SchoolSpec("990206", "Riverside Girls' High School", SECONDARY),
    SchoolSpec("990301", "The Compass Alternative Provision Academy", ALTERNATIVE_PROVISION),
    SchoolSpec("990101", "Riverside Meadows Primary School", PRIMARY),
    SchoolSpec("990102", "St Aidan's Church of England Primary School", PRIMARY),
    SchoolSpec("990103", "Millbrook Primary Academy", PRIMARY),
    SchoolSpec("990104", "Wharfside Community Primary School", PRIMARY),
    SchoolSpec("990105", "Our Lady of the Rosary Catholic Primary School", PRIMARY),
    SchoolSpec("990106", "Kingfisher Primary School", PRIMARY),
    SchoolSpec("990107", "Ferry Lane Primary School", PRIMARY),
    SchoolSpec("990108", "Oakfield Primary School", PRIMARY),
    SchoolSpec("990109", "Canal Street Primary Academy", PRIMARY),
    SchoolSpec("990110", "Hollybank Primary School", PRIMARY),
    SchoolSpec("990111", "Sandpiper Primary School", PRIMARY),
    SchoolSpec("990112", "Weavers Field Primary School", PRIMARY),
    SchoolSpec("990113", "Lockside Primary School", PRIMARY),
)
FIRST_SECONDARY_CODE = f"school-{FIRST_SECONDARY_URN}"
GIRLS_SCHOOL_URN = "990206"

AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(POLICE, "Riverside Police", AgencyType.POLICE),
    AgencySpec(CSC, "Riverside Council Children's Social Care", AgencyType.CHILDRENS_SOCIAL_CARE),
    AgencySpec(ED, "Riverside University Hospitals NHS Trust", AgencyType.NHS_TRUST),
    AgencySpec(AMBULANCE, "Riverside Ambulance Service", AgencyType.AMBULANCE),
    AgencySpec(YJS, "Riverside Youth Justice Service", AgencyType.YOUTH_JUSTICE),
    AgencySpec(PROBATION, "Riverside Probation Delivery Unit", AgencyType.PROBATION),
    AgencySpec(VRU, "Riverside Violence Reduction Unit", AgencyType.VRU),
    *(AgencySpec(s.code, s.name, AgencyType.SCHOOL, s.urn) for s in SCHOOLS),
    AgencySpec(VCSE_RIVERSIDE_OUTREACH, "Riverside Youth Outreach", AgencyType.VCSE),
    AgencySpec(VCSE_YOUTH_HUB, "Riverside Youth Hub", AgencyType.VCSE),
    AgencySpec(VCSE_MENTORING, "Riverside Mentoring Trust", AgencyType.VCSE),
    AgencySpec(VCSE_NO_AGREEMENT, "Northside Boxing Club", AgencyType.VCSE),
)

SAFEGUARDING_TEAM = "Safeguarding"

# (agency code, team name, is the front door)
TEAMS: tuple[tuple[str, str, bool], ...] = (
    (POLICE, "Child Centred Policing Team", False),
    (POLICE, "Response", False),
    (CSC, "Front Door (MASH)", True),
    (CSC, "Adolescent Safeguarding Team", False),
    (CSC, "Child in Need Team", False),
    (ED, "Emergency Department", False),
    (AMBULANCE, "Emergency Operations Centre", False),
    (YJS, "Youth Justice Casework", False),
    (VRU, "Insight Team", False),
    *((s.code, SAFEGUARDING_TEAM, False) for s in SCHOOLS),
    (VCSE_RIVERSIDE_OUTREACH, "Sessions Team", False),
    (VCSE_YOUTH_HUB, "Detached Youth Work", False),
    (VCSE_MENTORING, "Mentoring", False),
    (VCSE_NO_AGREEMENT, "Youth Programme", False),
)


@dataclass(frozen=True)
class AgreementSpec:
    reference: str
    title: str
    parties: tuple[str, ...]
    purposes: tuple[str, ...]
    data_categories: tuple[str, ...]
    special_category_condition: str
    summary: str
    start_date: dt.date = dt.date(2025, 4, 1)
    end_date: dt.date | None = None
    lawful_basis: str = LawfulBasis.PUBLIC_TASK


_SCHEDULE_1_18 = "DPA 2018 Schedule 1 paragraph 18 (safeguarding of children)"
_STATUTORY = (POLICE, CSC, ED, AMBULANCE, YJS, PROBATION)

AGREEMENTS: tuple[AgreementSpec, ...] = (
    AgreementSpec(
        reference="ISA-MASH-2025",
        title="Multi-agency safeguarding hub agreement",
        parties=_STATUTORY,
        purposes=(Purpose.SAFEGUARDING, Purpose.PREVENTION, Purpose.CRIME_REDUCTION),
        data_categories=tuple(DataCategory.values),
        special_category_condition=_SCHEDULE_1_18,
        summary=(
            "The statutory partners share what they know about a child at the front door so that "
            "referrals are decided on the whole picture."
        ),
    ),
    AgreementSpec(
        reference="ISA-SCHOOLS-2025",
        title="Schools safeguarding agreement",
        parties=(CSC, *(s.code for s in SCHOOLS)),
        purposes=(Purpose.SAFEGUARDING, Purpose.PREVENTION),
        data_categories=(
            DataCategory.IDENTITY,
            DataCategory.FAMILY,
            DataCategory.ETHNICITY,
            DataCategory.FAITH_CULTURE,
            DataCategory.HEALTH,
            DataCategory.COMMUNICATION,
            DataCategory.EDUCATION,
        ),
        special_category_condition=_SCHEDULE_1_18,
        summary=(
            "Designated safeguarding leads and children's social care share what they need to "
            "keep pupils safe and to offer early help."
        ),
    ),
    AgreementSpec(
        reference="ISA-VCSE-2025",
        title="Voluntary sector prevention agreement",
        parties=(CSC, YJS, VCSE_RIVERSIDE_OUTREACH, VCSE_YOUTH_HUB, VCSE_MENTORING),
        purposes=(Purpose.PREVENTION, Purpose.SAFEGUARDING),
        data_categories=(DataCategory.IDENTITY, DataCategory.FAMILY, DataCategory.EDUCATION),
        special_category_condition="",
        summary=(
            "Commissioned voluntary organisations share identity, family and education details "
            "with children's social care and youth justice for prevention work."
        ),
    ),
    AgreementSpec(
        reference="ISA-VRU-2025",
        title="Serious Violence Duty analysis agreement",
        parties=(VRU, *_STATUTORY),
        purposes=(Purpose.ANALYSIS,),
        data_categories=(
            DataCategory.IDENTITY,
            DataCategory.ETHNICITY,
            DataCategory.FAITH_CULTURE,
            DataCategory.CRIMINAL,
            DataCategory.HEALTH,
            DataCategory.COMMUNICATION,
        ),
        special_category_condition=_SCHEDULE_1_18,
        summary=(
            "The duty holders share data with the violence reduction unit for the strategic "
            "needs assessment, pseudonymised before analysis."
        ),
    ),
    AgreementSpec(
        reference="ISA-OLD-2022",
        title="Superseded youth offending agreement",
        parties=(POLICE, YJS),
        purposes=(Purpose.CRIME_REDUCTION, Purpose.PREVENTION),
        data_categories=(DataCategory.IDENTITY, DataCategory.CRIMINAL),
        special_category_condition="DPA 2018 Schedule 1 paragraph 10 (preventing crime)",
        summary="Replaced by the multi-agency safeguarding hub agreement on 1 April 2025.",
        start_date=dt.date(2022, 4, 1),
        end_date=dt.date(2025, 3, 31),
    ),
)


@dataclass(frozen=True)
class GuidanceSpec:
    level: str
    title: str
    body: str
    indicators: tuple[str, ...]


GUIDANCE_VERSION = "3.1"
GUIDANCE_EFFECTIVE_FROM = dt.date(2025, 9, 1)

GUIDANCE: tuple[GuidanceSpec, ...] = (
    GuidanceSpec(
        "universal",
        "Universal services",
        "Most children's needs are met by universal services — schools, GPs, health visitors "
        "and youth clubs — working with parents. No referral to children's social care is "
        "needed. Keep talking with the child and family and record any worries as they emerge.",
        (
            "Child is healthy and attends school regularly",
            "Needs are met by parents and carers with ordinary support",
            "No worries about exploitation or violence",
            "Child has trusted adults and positive activities",
        ),
    ),
    GuidanceSpec(
        "early_help",
        "Early help",
        "Early help is for children and families who need extra support from more than one "
        "agency, agreed with the family. A lead practitioner coordinates one family plan. If "
        "the family says no and the worries grow, talk to the front door about a referral.",
        (
            "School attendance falling, or repeated suspensions",
            "Spending time with older young people the family is worried about",
            "Parents asking for help with behaviour or boundaries",
            "Low mood or emerging mental health needs",
            "First contact with the police as a victim or witness",
        ),
    ),
    GuidanceSpec(
        "child_in_need",
        "Child in need (section 17)",
        "A child in need is unlikely to reach a reasonable standard of health or development "
        "without services from the council (Children Act 1989 section 17). Refer to the front "
        "door (MASH). A social worker assesses with the family and agrees a child in need plan.",
        (
            "Needs are complex and not improving with early help",
            "Child is disabled and needs specialist support",
            "Persistent absence or missing education",
            "Repeated missing episodes from home",
            "Parents cannot meet the child's needs despite support",
        ),
    ),
    GuidanceSpec(
        "child_protection",
        "Child protection (section 47)",
        "When there is reasonable cause to suspect a child is suffering, or likely to suffer, "
        "significant harm, call the front door (MASH) straight away and follow up in writing. "
        "A strategy discussion decides whether to start section 47 enquiries. If a child is in "
        "immediate danger, call 999.",
        (
            "An injury, or a child telling you they are being harmed",
            "Child is frightened to go home",
            "Domestic abuse where a child lives",
            "Suspected sexual abuse",
            "Neglect that is causing significant harm",
        ),
    ),
    GuidanceSpec(
        "risk_outside_the_home",
        "Risk outside the home (extra-familial harm)",
        "Some children are harmed outside their family: through criminal or sexual exploitation, "
        "serious youth violence, county lines or harmful peer relationships. Parents and carers "
        "are partners in keeping the child safe, not the source of harm: work with them. Refer "
        "to the front door (MASH); the plan may cover places and peer groups as well as the "
        "child.",
        (
            "Carrying a knife or other weapon, or injured by one",
            "Unexplained money, phones, clothes or travel",
            "Going missing, especially out of the area",
            "Spending time with older people linked to exploitation",
            "Found in a drug-supply setting or arrested far from home",
            "Sudden change in friends, school attendance or behaviour",
        ),
    ),
)


@dataclass(frozen=True)
class Lsoa:
    code: str
    name: str


@dataclass(frozen=True)
class PostcodeSector:
    sector: str  # e.g. "RV1 2": a full postcode adds two unit letters
    lsoas: tuple[Lsoa, ...]


# 60 invented 2021 LSOAs in 20 invented MSOAs ("Riverside 001A" to "Riverside 020C"). The codes
# are E01 + 99xxxx, outside the range of real 2021 LSOA codes.
LSOAS: tuple[Lsoa, ...] = tuple(
    Lsoa(f"E01{990000 + n:06d}", f"Riverside {(n - 1) // 3 + 1:03d}{'ABC'[(n - 1) % 3]}")
    for n in range(1, 61)
)

# 40 postcode sectors in 12 districts of the invented RV postcode area. The first 20 sectors
# each span two LSOAs, the other 20 one each: 60 LSOAs in all.
_DISTRICT_SECTORS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("RV1", (1, 2, 3, 4)),
    ("RV2", (1, 2, 3)),
    ("RV3", (1, 2, 3, 4)),
    ("RV4", (1, 2, 3)),
    ("RV5", (1, 2, 3)),
    ("RV6", (1, 2, 3, 4)),
    ("RV7", (1, 2, 3)),
    ("RV8", (1, 2, 3, 4)),
    ("RV9", (1, 2, 3)),
    ("RV10", (1, 2, 3)),
    ("RV11", (1, 2, 3)),
    ("RV12", (1, 2, 3)),
)
_SECTOR_NAMES = tuple(f"{d} {n}" for d, numbers in _DISTRICT_SECTORS for n in numbers)


def _sectors() -> tuple[PostcodeSector, ...]:
    sectors: list[PostcodeSector] = []
    next_lsoa = 0
    for i, name in enumerate(_SECTOR_NAMES):
        width = 2 if i < 20 else 1
        sectors.append(PostcodeSector(name, LSOAS[next_lsoa : next_lsoa + width]))
        next_lsoa += width
    return tuple(sectors)


POSTCODE_SECTORS: tuple[PostcodeSector, ...] = _sectors()
# Royal Mail never uses C, I, K, M, O or V in the last two letters of a postcode.
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
STREET_NAMES = (
    "Albert", "Victoria", "Station", "Church", "Mill", "Canal", "Wharf", "Chapel", "Park",
    "Oak", "Elm", "Ash", "Willow", "Beech", "Cedar", "Hawthorn", "Rowan", "Sycamore", "Alder",
    "Maple", "Hazel", "Holly", "Laurel", "Kingfisher", "Heron", "Swan", "Lark", "Wren",
    "Nelson", "Wellington", "Gladstone", "Tennyson", "Byron", "Brunel", "Stephenson", "Telford",
    "Priory", "Abbey", "Market", "Bridge", "Ferry", "Quay", "Lock", "Foundry", "Tannery",
    "Weaver", "Cotton", "Ropewalk", "Brewery", "Spring", "Meadow", "Orchard", "Mersey", "Severn",
    "Trent", "Windsor", "Balmoral", "Osborne", "Clarence", "Regent", "Grange", "Manor",
)  # fmt: skip
STREET_SUFFIXES = (
    "Road",
    "Street",
    "Close",
    "Avenue",
    "Lane",
    "Gardens",
    "Court",
    "Way",
    "Crescent",
    "Grove",
    "Terrace",
    "Drive",
    "Walk",
    "Place",
    "Row",
    "Mews",
)
BLOCK_SUFFIXES = ("House", "Court", "Tower", "Point")
