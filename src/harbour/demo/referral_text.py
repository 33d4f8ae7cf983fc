"""Words for the synthetic referrals: what happened, why the referrer is worried, the child's own
words, and what the front door said and decided.

Most are written in child-centred language, as the record's are (``record_text``). A few
(``VICTIM_BLAMING``) are not, on purpose: real referrals say a child is "placing himself at risk",
and the language checker and the front door's reports need something to find. Templates use
``{name}`` and ``{him}``, ``{his}``, ``{himself}`` (the child's own pronouns), ``{place}`` and
``{town}``; a sentence never starts with a pronoun, so verbs agree whichever pronouns the child
uses."""

from __future__ import annotations

from dataclasses import dataclass

from harbour.children.codes import Ethnicity
from harbour.frontdoor.codes import Concern, Outcome, Rag, Urgency

SYV = Concern.SERIOUS_YOUTH_VIOLENCE.value
CCE = Concern.CRIMINAL_EXPLOITATION.value
CSE = Concern.SEXUAL_EXPLOITATION.value
COUNTY_LINES = Concern.COUNTY_LINES.value
KNIFE = Concern.KNIFE_CRIME.value
MISSING = Concern.MISSING.value
PHYSICAL = Concern.PHYSICAL_ABUSE.value
SEXUAL = Concern.SEXUAL_ABUSE.value
EMOTIONAL = Concern.EMOTIONAL_ABUSE.value
NEGLECT = Concern.NEGLECT.value
DOMESTIC = Concern.DOMESTIC_ABUSE.value
MENTAL_HEALTH = Concern.MENTAL_HEALTH.value
ONLINE = Concern.ONLINE_HARM.value

IMMEDIATE = Urgency.IMMEDIATE.value
TODAY = Urgency.TODAY.value
ROUTINE = Urgency.ROUTINE.value

NFA = Outcome.NO_FURTHER_ACTION.value
EARLY_HELP = Outcome.EARLY_HELP.value
CIN = Outcome.CHILD_IN_NEED.value
S47 = Outcome.CHILD_PROTECTION.value
ROTH = Outcome.RISK_OUTSIDE_THE_HOME.value
PANEL = Outcome.COMMUNITY_PANEL.value
VCSE = Outcome.VOLUNTARY_SECTOR.value

PLACES = (
    "the Tannery Lane shops",
    "Riverside bus station",
    "the skate park by the river",
    "the retail park on Wharf Road",
    "the park behind Canal Street",
    "the chicken shop on Market Street",
    "the underpass by Ferry Lane",
    "the Kingsmead estate",
)
# Invented towns out of the area (county lines run to them).
TOWNS = ("Northport", "Eastmere", "Westbridge", "Kingsholm", "Saltmarsh", "Ashby Cross")
WOUNDS = ("thigh", "arm", "back", "buttock", "hand")


@dataclass(frozen=True)
class Scenario:
    """A kind of worry: the concerns it names, for which ages, and the words for it."""

    key: str
    concerns: tuple[str, ...]
    # Concerns sometimes named as well, with how often.
    also: tuple[tuple[str, float], ...]
    ages: tuple[int, int]  # at the time of the referral, inclusive
    what_happened: tuple[str, ...]
    reason: tuple[str, ...]
    urgency: tuple[tuple[str, float], ...]
    rag: tuple[tuple[str, float], ...]
    outcomes: tuple[tuple[str, float], ...]
    # What an automated feed says happened (custody offence, ambulance call, ED attendance).
    event: tuple[str, ...] = ()

    @property
    def setting(self) -> str:
        """Where the harm is: outside the home, at home, or the child's own wellbeing."""
        if self.outcomes == _EXTRA_FAMILIAL:
            return OUTSIDE
        return HOME if self.outcomes == _IN_THE_FAMILY else WELLBEING


OUTSIDE = "outside"
HOME = "home"
WELLBEING = "wellbeing"

_RED = ((Rag.RED.value, 0.55), (Rag.AMBER.value, 0.4), (Rag.GREEN.value, 0.05))
_AMBER = ((Rag.RED.value, 0.15), (Rag.AMBER.value, 0.65), (Rag.GREEN.value, 0.2))
_GREEN = ((Rag.RED.value, 0.05), (Rag.AMBER.value, 0.45), (Rag.GREEN.value, 0.5))
_URGENT = ((IMMEDIATE, 0.3), (TODAY, 0.55), (ROUTINE, 0.15))
_SOON = ((IMMEDIATE, 0.06), (TODAY, 0.5), (ROUTINE, 0.44))
_ROUTINE = ((IMMEDIATE, 0.02), (TODAY, 0.28), (ROUTINE, 0.7))
# Harm outside the home: the risk outside the home pathway, prevention panel and youth work.
_EXTRA_FAMILIAL = (
    (ROTH, 0.34),
    (PANEL, 0.12),
    (VCSE, 0.1),
    (EARLY_HELP, 0.12),
    (CIN, 0.06),
    (S47, 0.04),
    (NFA, 0.18),
)
_IN_THE_FAMILY = (
    (S47, 0.2),
    (CIN, 0.25),
    (EARLY_HELP, 0.25),
    (NFA, 0.22),
    (VCSE, 0.04),
    (PANEL, 0.04),
)
_WELLBEING = ((EARLY_HELP, 0.3), (CIN, 0.1), (NFA, 0.35), (VCSE, 0.15), (PANEL, 0.1))

SCENARIOS: dict[str, Scenario] = {
    s.key: s
    for s in (
        Scenario(
            "stabbed",
            (SYV, KNIFE),
            ((CCE, 0.25),),
            (11, 17),
            (
                "{name} was stabbed in the {wound} near {place} by a group of older teenagers and "
                "taken to Riverside ED by ambulance. The wound was stitched and {name} went home "
                "the next day.",
                "{name} was found with a stab wound to the {wound} at {place}. {name} has not "
                "said who hurt {him} and is frightened to go out.",
                "{name} was chased and stabbed near {place} on the way home from a friend's "
                "house. Surgery was needed and {name} was on the children's ward for three days.",
            ),
            (
                "{name} has been seriously hurt and the people who hurt {him} are still around. "
                "Worried about further violence and about who is using {him}.",
                "A child has been stabbed. {name} needs a plan to be safe in the places where "
                "this happened, and support with what {name} has been through.",
            ),
            _URGENT,
            _RED,
            _EXTRA_FAMILIAL,
            (
                "stab wound to the {wound}",
                "stab wound to the {wound} after an assault by a group",
            ),
        ),
        Scenario(
            "knife",
            (KNIFE,),
            ((SYV, 0.5), (CCE, 0.2)),
            (11, 17),
            (
                "{name} was stopped near {place} and found to be carrying a kitchen knife. "
                "{name} told officers it was for protection after being threatened online.",
                "A knife was found in {name}'s bag at school. {name} said older boys had told "
                "{him} to look after it.",
                "{name} was seen with a large knife at {place} during a fight between two groups "
                "of young people.",
            ),
            (
                "{name} feels so unsafe that {name} carries a knife. Worried {name} will be hurt "
                "or will hurt someone, and that older people are behind this.",
                "Carrying a weapon for protection: {name} needs adults to make {him} safe so "
                "that {name} does not feel the need to.",
            ),
            _SOON,
            _AMBER,
            _EXTRA_FAMILIAL,
            ("possession of a bladed article in a public place",),
        ),
        Scenario(
            "robbed",
            (SYV,),
            ((KNIFE, 0.3),),
            (11, 17),
            (
                "{name} was robbed of {his} phone and jacket at knifepoint near {place} by three "
                "older teenagers.",
                "{name} has been robbed twice this month on the way home from school; the second "
                "time {name} was punched in the face.",
                "{name} was surrounded at {place}, threatened and made to hand over {his} bank "
                "card and PIN.",
            ),
            (
                "{name} is a victim of repeated robbery and is now scared to travel to school.",
                "Worried the same group will target {name} again and that {name} may be drawn "
                "into carrying a weapon to feel safe.",
            ),
            _SOON,
            _AMBER,
            _EXTRA_FAMILIAL,
        ),
        Scenario(
            "assaulted",
            (SYV,),
            ((ONLINE, 0.2),),
            (11, 17),
            (
                "{name} was assaulted by a group at {place}: head injury and bruising to the "
                "ribs. The attack was filmed and shared online.",
                "{name} was punched and kicked by older boys at {place} and lost consciousness "
                "for a short time.",
                "{name} was attacked at {place} by young people from another area; it followed "
                "threats made on social media the week before.",
            ),
            (
                "{name} has been hurt in a serious assault and the threats are continuing online.",
                "Worried about retaliation in both directions: {name} has been hurt and friends "
                "are talking about getting back at the group.",
            ),
            _SOON,
            _AMBER,
            _EXTRA_FAMILIAL,
            (
                "head injury after an assault",
                "facial injuries after being attacked by a group",
                "injuries to the face and ribs after an assault",
            ),
        ),
        Scenario(
            "county_lines",
            (COUNTY_LINES, CCE),
            ((MISSING, 0.7), (SYV, 0.2)),
            (12, 17),
            (
                "{name} was found by police in a flat in {town}, more than 40 miles from home, "
                "with cash and two phones. Mum had reported {him} missing two days before.",
                "{name} was stopped at Riverside station travelling to {town} with a large amount "
                "of cash and a train ticket bought by someone else.",
                "{name} was arrested in {town} in a house used to supply drugs. Adults at the "
                "address were also arrested.",
            ),
            (
                "{name} is being criminally exploited: the travel out of the area, the cash and "
                "the phones are signs that adults are using {him} to move drugs.",
                "Exploitation through county lines. {name} is a child and a victim, and is at "
                "risk of serious harm from the people controlling the line.",
            ),
            _URGENT,
            _RED,
            _EXTRA_FAMILIAL,
            ("possession with intent to supply a class A drug",),
        ),
        Scenario(
            "exploitation_signs",
            (CCE,),
            ((MISSING, 0.3), (SYV, 0.2)),
            (11, 17),
            (
                "Staff have noticed {name} arriving with new clothes, money and a second phone, "
                "and being collected after school by adults in a car.",
                "{name} owes money to older people after a package was taken from {him}; {name} "
                "says they are threatening {his} family.",
                "{name}'s attendance has dropped sharply and {name} has been seen at {place} "
                "with adults who are known to exploit children.",
            ),
            (
                "Signs of criminal exploitation: money, phones and adults who collect {him}. "
                "Worried {name} is being groomed to sell or carry drugs.",
                "{name} is in debt to people who are threatening {him} and {his} family; this is "
                "how children are controlled and exploited.",
            ),
            _SOON,
            _AMBER,
            _EXTRA_FAMILIAL,
            ("possession with intent to supply cannabis",),
        ),
        Scenario(
            "missing",
            (MISSING,),
            ((CCE, 0.35), (CSE, 0.1)),
            (10, 17),
            (
                "{name} has been reported missing three times in the last month, each time "
                "coming home after midnight with no explanation of where {name} had been.",
                "{name} went missing overnight and was found the next morning in {town}.",
                "{name} has been missing from home for two nights; {his} phone was last used "
                "near {place}.",
            ),
            (
                "Repeated missing episodes and links to {town} suggest {name} is being "
                "exploited by someone.",
                "{name} goes missing more often and for longer; nobody yet knows who {name} is "
                "with, or why.",
            ),
            _URGENT,
            _AMBER,
            _EXTRA_FAMILIAL,
        ),
        Scenario(
            "sexual_exploitation",
            (CSE,),
            ((ONLINE, 0.5), (MISSING, 0.3)),
            (12, 17),
            (
                "{name} has been seen getting into cars with adult men outside school and has "
                "been given gifts, alcohol and a new phone.",
                "An older man has been messaging {name} online and asking to meet; {name} shared "
                "images after being pressured.",
                "{name} was found at a party at an adult's flat at 3am, drunk and distressed.",
            ),
            (
                "Worried {name} is being groomed and sexually exploited by adult men.",
                "{name} is a child being pressured and groomed by adults; the gifts and the "
                "secrecy are how exploitation starts.",
            ),
            _URGENT,
            _RED,
            _EXTRA_FAMILIAL,
        ),
        Scenario(
            "peer_threats",
            (SYV,),
            ((ONLINE, 0.6),),
            (11, 16),
            (
                "A video of {name} being beaten by other pupils was shared on social media and "
                "the threats have continued online.",
                "{name} has been added to group chats where weapons and threats against another "
                "group of young people are shared.",
                "{name} has been threatened by young people from another school who say they "
                "will wait for {him} at {place}.",
            ),
            (
                "{name} is frightened of a group of young people and the threats are growing.",
                "Harmful peer relationships: {name} needs to be and feel safe on the way to "
                "and from school.",
            ),
            _ROUTINE,
            _GREEN,
            _EXTRA_FAMILIAL,
        ),
        Scenario(
            "friend_killed",
            (SYV, MENTAL_HEALTH),
            ((KNIFE, 0.3),),
            (12, 17),
            (
                "A close friend of {name} was killed in a stabbing last month. Since then {name} "
                "has stopped coming to school and has been seen at {place} late at night.",
                "{name} was with a friend who was fatally stabbed and gave first aid at the scene.",
            ),
            (
                "{name} is grieving and traumatised, and is at risk of being drawn into "
                "retaliation.",
                "Worried about {name}'s mental health and safety after seeing a friend killed.",
            ),
            _SOON,
            _AMBER,
            _EXTRA_FAMILIAL,
        ),
        Scenario(
            "domestic_abuse",
            (DOMESTIC,),
            ((EMOTIONAL, 0.4),),
            (0, 17),
            (
                "Police were called to a domestic incident at the family home at night. {name} "
                "was there and saw mum being assaulted.",
                "{name} told a teacher that dad shouts and hits mum and that {name} is scared to "
                "go home.",
                "A neighbour called police after hearing shouting and a child crying; {name} was "
                "found hiding upstairs.",
            ),
            (
                "{name} is living with domestic abuse and is frightened at home.",
                "A child living with domestic abuse: worried for {name}'s safety and for mum's.",
            ),
            _SOON,
            _AMBER,
            _IN_THE_FAMILY,
        ),
        Scenario(
            "self_harm",
            (MENTAL_HEALTH,),
            ((SYV, 0.15),),
            (11, 17),
            (
                "{name} came to ED after taking an overdose of paracetamol, and said {name} felt "
                "hopeless after being hurt by a group at {place}.",
                "{name} has been self-harming and told the school nurse about thoughts of ending "
                "{his} life.",
                "{name} has stopped eating and sleeping since being threatened online and is "
                "cutting {his} arms.",
            ),
            (
                "Worried about {name}'s mental health and safety; the self-harm is getting worse.",
                "{name} needs urgent mental health support and adults who can keep {him} safe.",
            ),
            _SOON,
            _AMBER,
            _WELLBEING,
            ("overdose", "self-inflicted injuries to the arms"),
        ),
        Scenario(
            "neglect",
            (NEGLECT,),
            ((EMOTIONAL, 0.2),),
            (0, 12),
            (
                "{name} regularly arrives at school hungry and in the same clothes, and has "
                "missed several medical appointments.",
                "{name} was found by a neighbour alone in the flat in the evening with no food "
                "in the house.",
                "{name} has untreated tooth decay and head lice, and says there is often no food "
                "at home.",
            ),
            (
                "{name}'s basic needs are not being met at home.",
                "Worried about neglect: {name} is hungry, unwell and often left alone.",
            ),
            _ROUTINE,
            _AMBER,
            _IN_THE_FAMILY,
        ),
        Scenario(
            "injury_at_home",
            (PHYSICAL,),
            ((EMOTIONAL, 0.3),),
            (0, 15),
            (
                "{name} came to school with bruising to the arm and said it happened at home.",
                "{name} was brought to ED with a fractured wrist; the explanation given does not "
                "fit the injury.",
                "{name} has marks on {his} face and told staff that mum's partner grabbed {him}.",
            ),
            (
                "An injury that {name} says happened at home: worried {name} is being hurt.",
                "The injury and what {name} has said mean {name} may be suffering significant "
                "harm.",
            ),
            _URGENT,
            _RED,
            _IN_THE_FAMILY,
        ),
        Scenario(
            "online_harm",
            (ONLINE,),
            ((CSE, 0.2), (EMOTIONAL, 0.2)),
            (8, 16),
            (
                "{name} has been sent violent and sexual videos by older young people in a "
                "group chat and is now too upset to sleep.",
                "Images of {name} were shared around school without {his} consent.",
            ),
            (
                "{name} is being harmed online and does not know how to make it stop.",
                "Worried about the effect on {name} and about who else has the images.",
            ),
            _ROUTINE,
            _GREEN,
            _WELLBEING,
        ),
    )
}

# Which kinds of worry each referrer brings, and how often.
ORIGIN_SCENARIOS: dict[str, tuple[tuple[str, float], ...]] = {
    "police": (
        ("knife", 0.14),
        ("robbed", 0.12),
        ("county_lines", 0.14),
        ("exploitation_signs", 0.1),
        ("missing", 0.16),
        ("sexual_exploitation", 0.05),
        ("stabbed", 0.07),
        ("assaulted", 0.07),
        ("domestic_abuse", 0.12),
        ("injury_at_home", 0.03),
    ),
    "custody": (
        ("knife", 0.35),
        ("county_lines", 0.3),
        ("exploitation_signs", 0.2),
        ("assaulted", 0.15),
    ),
    "school": (
        ("exploitation_signs", 0.16),
        ("knife", 0.1),
        ("peer_threats", 0.16),
        ("missing", 0.08),
        ("sexual_exploitation", 0.06),
        ("friend_killed", 0.04),
        ("self_harm", 0.08),
        ("neglect", 0.1),
        ("domestic_abuse", 0.08),
        ("injury_at_home", 0.07),
        ("online_harm", 0.07),
    ),
    "ed": (
        ("stabbed", 0.3),
        ("assaulted", 0.25),
        ("self_harm", 0.25),
        ("injury_at_home", 0.1),
        ("sexual_exploitation", 0.05),
        ("neglect", 0.05),
    ),
    "ed_feed": (("stabbed", 0.4), ("assaulted", 0.6)),
    "ambulance": (
        ("stabbed", 0.3),
        ("assaulted", 0.25),
        ("self_harm", 0.2),
        ("neglect", 0.15),
        ("domestic_abuse", 0.1),
    ),
    "ambulance_feed": (("stabbed", 0.45), ("assaulted", 0.55)),
    "yjs": (
        ("exploitation_signs", 0.3),
        ("county_lines", 0.25),
        ("knife", 0.2),
        ("missing", 0.1),
        ("friend_killed", 0.15),
    ),
    "vcse": (
        ("exploitation_signs", 0.25),
        ("peer_threats", 0.25),
        ("friend_killed", 0.1),
        ("knife", 0.15),
        ("self_harm", 0.1),
        ("missing", 0.15),
    ),
    "probation": (("exploitation_signs", 0.4), ("county_lines", 0.4), ("knife", 0.2)),
}

# What an automated feed's record says, before the scenario's event.
FEED_WHAT_HAPPENED: dict[str, tuple[str, ...]] = {
    "custody": (
        "Detained at Riverside custody suite: {event}. Interviewed with an appropriate adult. "
        "{disposal}.",
        "Voluntary interview at Riverside police station about {event}, with an appropriate "
        "adult. {disposal}.",
    ),
    "ambulance": (
        "Ambulance called to {place}: {event}. Conveyed to Riverside ED.",
        "Ambulance dispatched to a young person at {place} with {event}. Treated at scene and "
        "conveyed to Riverside ED.",
    ),
    "ed_assault": (
        "Attended Riverside ED with {event}. {disposal}.",
        "Brought to Riverside ED by ambulance with {event}. {disposal}.",
    ),
}
FEED_DISPOSALS: dict[str, tuple[str, ...]] = {
    "custody": (
        "Released under investigation",
        "Bailed to return",
        "Released with no further action",
        "Charged and bailed to the youth court",
    ),
    "ambulance": ("",),
    "ed_assault": (
        "Treated and discharged home with mum",
        "Admitted to the children's ward",
        "Treated and discharged home with a carer",
    ),
}
FEED_REASONS: dict[str, tuple[str, ...]] = {
    "custody": (
        "Automatic referral: a child detained in police custody.",
        "Child in custody; exploitation indicators noted by the custody officer.",
    ),
    "ambulance": ("Automatic referral: a child injured in a possible violent incident.",),
    "ed_assault": ("Automatic referral: a child attending ED after an assault.",),
}

# The child's own words, as the referrer wrote them down.
VOICE_TEEN = (
    "I don't feel safe walking home past the shops any more.",
    "They said I owed them for the stuff that got taken, so I had to go.",
    "I just want it to stop. I didn't want to go but I didn't know how to say no.",
    "I carry it because I'm scared. Everyone round here does.",
    "Please don't tell my mum, she's got enough going on.",
    "I want to go to college and do mechanics. I just need this to be over.",
    "He was nice to me at first. He bought me things.",
    "Home is fine. It's outside I'm worried about.",
    "I don't want to talk to the police. Can I talk to my youth worker?",
    "I'm scared they'll come for my little brother.",
    "I miss my friend. Nobody talks about him.",
    "I can't sleep. I keep seeing it.",
    "If I stop going they'll know where I live.",
    "I didn't think anyone would believe me.",
    "I want to move schools so I don't have to see them.",
)
VOICE_YOUNG = (
    "I'm hungry a lot. Mum is sad all the time.",
    "I don't like it when dad shouts. I hide under my bed.",
    "I want to stay with Nan.",
    "It hurts when I move my arm.",
    "I like school because there's breakfast club.",
)
VOICE_ABSENT: dict[str, tuple[str, ...]] = {
    "police": (
        "{name} was upset and did not want to talk at the scene.",
        "Not spoken to alone: arrested and interviewed under caution, so views were not sought "
        "outside the interview.",
        "{name} was asleep when officers attended.",
        "Officers spoke with mum; {name} was not seen.",
    ),
    "custody": ("Not recorded in the custody record.",),
    "ed": (
        "Too unwell to talk when seen in the department.",
        "{name} left the department before staff could talk with {him} alone.",
    ),
    "ambulance": ("Not able to talk with {name} at the scene: treatment came first.",),
    "school": (
        "{name} communicates with symbols; views are recorded in {his} communication book and "
        "shared with the school's log.",
        "{name} did not want to talk about it yet; {his} key adult will try again tomorrow.",
    ),
    "yjs": ("{name} did not want to say more until {his} solicitor was present.",),
    "vcse": ("{name} did not want to talk about it at the session.",),
    "probation": ("Not seen: information came from the family.",),
}

NEEDS_DETAIL = {
    "ehc_plan": (
        "EHC plan for social, emotional and mental health needs.",
        "EHC plan; speech and language needs mean {name} often agrees without understanding.",
        "EHC plan for autism; needs warning of changes and a quiet place to talk.",
    ),
    "sen_support": (
        "SEN support at school for literacy and social communication.",
        "SEN support; on the waiting list for a neurodevelopmental assessment.",
        "SEN support for speech and language needs.",
    ),
    "neurodevelopmental": (
        "ADHD, diagnosed last year; finds it hard to sit through long meetings.",
        "Autistic; needs plain words and time to answer.",
    ),
    "mental_health": ("Known to CAMHS for anxiety.", "Low mood since the assault."),
}

FAITH: dict[str, tuple[str, ...]] = {
    Ethnicity.ASIAN_PAKISTANI: ("The family are Muslim and attend the local mosque.",),
    Ethnicity.ASIAN_BANGLADESHI: ("The family are Muslim; {name} goes to the mosque on Fridays.",),
    Ethnicity.OTHER_ARAB: ("The family are Muslim.",),
    Ethnicity.ASIAN_INDIAN: ("The family are Sikh and go to the gurdwara.", "Hindu family."),
    Ethnicity.BLACK_AFRICAN: (
        "The family are Somali and Muslim; {name} goes to the mosque with {his} uncle.",
        "Nigerian heritage; the family go to a Pentecostal church every Sunday.",
    ),
    Ethnicity.BLACK_CARIBBEAN: (
        "Jamaican heritage through {his} grandparents, who {name} is close to.",
        "The family go to church on Sundays; {name} sings in the choir.",
    ),
    Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN: (
        "Mixed White and Black Caribbean heritage; {name} is proud of {his} dad's Jamaican family.",
    ),
    Ethnicity.WHITE_GYPSY_IRISH_TRAVELLER: (
        "Irish Traveller family with close extended family nearby.",
    ),
    Ethnicity.WHITE_ROMA: ("Roma family who moved from Slovakia in 2019.",),
    Ethnicity.WHITE_IRISH: ("Irish family; Catholic.",),
    Ethnicity.WHITE_OTHER: ("Polish family; Catholic.", "Romanian family; Orthodox Christian."),
    Ethnicity.WHITE_BRITISH: (
        "White British; the family have no faith.",
        "White British; {name} boxes at the club on Mill Road and supports Riverside FC.",
    ),
}
HERITAGE_DEFAULT = (
    "{name} says {his} culture and family are important to {him}.",
    "Family heritage and faith not discussed yet.",
)
LANGUAGE_AT_HOME = "{language} is spoken at home; {name} speaks English at school."

ACTIONS: dict[str, tuple[str, ...]] = {
    "police": (
        "Crime report raised and intelligence submitted. {name} was taken home to mum.",
        "{name} was taken home; officers told mum what happened.",
        "Crime report raised; {name} and mum were given the victim support leaflet.",
    ),
    "school": (
        "Spoke with {name} and with mum; the DSL log is updated and the school nurse is aware.",
        "Safety plan agreed with {name} for the journey to and from school; mum informed.",
        "{name} has a key adult to go to each morning; parents told about this referral.",
    ),
    "ed": (
        "Paediatric liaison nurse informed; GP and school nurse letters sent.",
        "Discussed with the safeguarding team; mum was with {name} in the department.",
    ),
    "ambulance": ("Handed over to ED staff with the safeguarding concern.",),
    "yjs": (
        "Discussed in supervision; YJS worker visiting twice a week.",
        "Raised at the exploitation panel; mum is aware of this referral.",
    ),
    "vcse": (
        "Youth worker meeting {name} weekly; mum knows we are referring.",
        "Mentor has talked with {name} about staying safe and is keeping in touch daily.",
    ),
    "probation": ("Discussed with the YJS worker; family told about this referral.",),
}

CONSENT_REASONS = (
    "Consent not needed: there is a risk of significant harm.",
    "Not sought yet: officers could not reach a parent at the time.",
    "Mum refused; referred because of the risk to {name}.",
)

# Language the checker should find: responsibility for harm put on the child. Each sentence
# holds one of ``VICTIM_BLAMING_PHRASES``.
VICTIM_BLAMING = (
    "{name} is placing {himself} at risk by going to {place} late at night with older boys.",
    "{name} is streetwise and chose to associate with older males known to police.",
    "Mum says {name} is not engaging with the youth offer; this appears to be a lifestyle choice.",
    "{name} is believed to be involved in county lines and is putting {himself} at risk.",
    "{name} is putting {himself} at risk by staying out all night.",
)
VICTIM_BLAMING_PHRASES = (
    "placing himself",
    "placing herself",
    "placing themself",
    "streetwise",
    "lifestyle choice",
    "involved in county lines",
    "putting himself",
    "putting herself",
    "putting themself",
)

# -- the front door ---------------------------------------------------------------------------

# By where the harm is, then the rating.
RAG_RATIONALE: dict[str, dict[str, tuple[str, ...]]] = {
    OUTSIDE: {
        Rag.RED.value: (
            "Serious injury and a continuing threat from the same group: act today.",
            "{name} is at risk from people exploiting {him} and may go missing again: act today.",
            "Immediate safety plan needed before {name} goes home tonight.",
        ),
        Rag.AMBER.value: (
            "Clear signs of harm outside the home that are growing; decide within the service "
            "level.",
            "Worries across school and police about the same adults; partners' checks needed.",
            "Not in immediate danger, but the pattern is escalating; partners' checks needed.",
        ),
        Rag.GREEN.value: (
            "Lower concern: no injury, the family are working with school, and {name} has a "
            "trusted adult.",
            "Worries are real but met by the support already around {name}.",
        ),
    },
    HOME: {
        Rag.RED.value: (
            "An injury {name} says happened at home: strategy discussion today.",
            "{name} is frightened to go home: act today.",
        ),
        Rag.AMBER.value: (
            "A pattern of worries at home; checks with school, health and police needed.",
            "Not in immediate danger, but the worries at home are growing.",
        ),
        Rag.GREEN.value: (
            "Lower concern: the family are asking for help and school knows {name} well.",
        ),
    },
    WELLBEING: {
        Rag.RED.value: ("{name}'s life may be at risk: safety plan with health today.",),
        Rag.AMBER.value: (
            "Growing worries about {name}'s wellbeing; checks with CAMHS and school needed.",
        ),
        Rag.GREEN.value: (
            "Lower concern: {name} has support at school and the family are worried and involved.",
        ),
    },
}

RATIONALE: dict[str, tuple[str, ...]] = {
    NFA: (
        "Checks with partners show that the support already around {name} meets the worries for "
        "now: no role for children's social care. Advice given to the referrer on what to look "
        "out for.",
        "Checks with partners show no further concerns, and the family have support in place. "
        "No further action, with advice.",
    ),
    EARLY_HELP: (
        "Needs are emerging and the family want support: early help with one family plan and "
        "a lead practitioner.",
        "Below the threshold for a social work assessment; the family agreed to early help.",
    ),
    CIN: (
        "Needs are complex and have not improved with early help: a child in need assessment "
        "is needed.",
        "Several agencies worried about {name} and the family asking for help: assess under "
        "section 17.",
    ),
    S47: (
        "Reasonable cause to suspect significant harm: a strategy discussion was held and "
        "section 47 enquiries have started.",
        "Injury and what {name} has said meet the threshold for a strategy discussion; section "
        "47 enquiries agreed with police.",
    ),
    ROTH: (
        "Harm is outside the home, from older people exploiting {name}: accepted on the risk "
        "outside the home pathway, with a plan for the places and the peer group as well as "
        "for {name}.",
        "Extra-familial harm: {name} is being exploited and hurt by people outside the family. "
        "Risk outside the home assessment and a safety plan with partners.",
    ),
    PANEL: (
        "Below the threshold for statutory services: the community prevention panel can offer "
        "mentoring and positive activities close to home.",
        "Early signs of harm outside the home; the prevention panel will agree support with "
        "school and youth services.",
    ),
    VCSE: (
        "{name} asked for a youth worker rather than a social worker; referred to a voluntary "
        "youth project with the family's agreement.",
        "A trusted adult outside statutory services is what will help most: referred to the "
        "mentoring service.",
    ),
}
FEEDBACK: dict[str, tuple[str, ...]] = {
    NFA: (
        "Thank you for your referral. Children's social care will take no further action. "
        "Please keep talking with {name} and refer again if the worries grow.",
        "No further action by the front door. Advice: share your worries with the school's DSL "
        "and the GP, and call us if anything changes.",
    ),
    EARLY_HELP: (
        "Thank you. The family have agreed to early help; a lead practitioner will contact you "
        "to join the family plan.",
    ),
    CIN: (
        "Accepted for a child in need assessment. A social worker will be in touch with you "
        "this week.",
    ),
    S47: (
        "A strategy discussion has been held and section 47 enquiries have started. A social "
        "worker will contact you.",
    ),
    ROTH: (
        "Accepted on the risk outside the home pathway; a social worker will call you to plan "
        "together.",
        "Accepted on the risk outside the home pathway. Please keep sharing intelligence about "
        "the places and people involved.",
    ),
    PANEL: (
        "Referred to the community prevention panel, which meets on Thursday; you are invited.",
    ),
    VCSE: (
        "Referred to a voluntary youth project, with the family's agreement. The youth worker "
        "will contact {name} this week.",
    ),
}
PARENTS_AS_PARTNERS = (
    "Mum is worried and wants to help keep {name} safe; she will share what she knows about "
    "who {name} spends time with, and is part of the safety plan.",
    "Dad and his partner are partners in the plan: they will agree times and routes with {name} "
    "and tell the social worker at once if {name} goes missing.",
    "Grandmother, who {name} lives with, is a protective adult; the plan supports her, not "
    "blames her, and she chooses how to be contacted.",
    "Both parents want {name} safe and feel powerless; they will be offered a parents' group "
    "and a named worker to call at any time.",
)
MANAGER_NOTES = (
    "",
    "Agreed.",
    "Agreed: a proportionate decision, clearly explained.",
    "Agreed; good use of the threshold guidance.",
)
RETURN_NOTES = (
    "Please reconsider: check with school, health and youth justice before deciding; they may "
    "know more about {name}.",
    "Please reconsider against the threshold guidance: these worries are more than the support "
    "already around {name} can meet.",
)
ESCALATION_REASONS = (
    "No outcome after five working days, and the worries about {name} have not gone away.",
    "I have heard nothing back, and we saw {name} again yesterday: the worries are the same.",
)
ESCALATION_RESOLUTIONS = (
    "Sorry for the delay. The decision was made today and I have called the referrer.",
    "Decision expedited by the manager; feedback sent to the referrer.",
)

# -- strategy meetings ------------------------------------------------------------------------

# What the meeting decided, by the decision that called it.
MEETING_DECISIONS: dict[str, tuple[str, ...]] = {
    S47: (
        "Threshold for section 47 enquiries met. A social worker and a police officer will visit "
        "today and see {name} alone; what {name} wants to happen will be heard and written down. "
        "Health will offer a medical assessment.",
        "Section 47 enquiries agreed, led by children's social care with police sharing what "
        "they hold. {name} will stay with grandmother tonight, agreed with mum, while the "
        "enquiries start.",
        "Reasonable cause to suspect {name} is suffering significant harm. Joint visit by social "
        "care and police tomorrow morning; school to tell the social worker at once if {name} "
        "does not arrive.",
    ),
    ROTH: (
        "{name} is a child being harmed and exploited outside the home. Agreed a safety plan for "
        "the places {name} goes, including {place}: police patrols, a youth worker {name} already "
        "trusts, and mum supported as a partner in the plan.",
        "The harm is at {place} and from adults who exploit children: police will disrupt the "
        "adults involved, school will agree a safe route and a trusted adult, and the social "
        "worker will see {name} this week.",
        "Risk outside the home assessment agreed. {name}'s friendship group and the places named "
        "are part of the plan, not only {name}; a referral to the national referral mechanism "
        "will be considered at the next review.",
    ),
}
# Said when an agency the meeting needed did not come, by role.
MEETING_ABSENT: dict[str, str] = {
    "police": "Police did not attend: the chair will share these decisions with the duty "
    "sergeant today and ask for police checks by tomorrow.",
    "health": "Health did not attend: the decisions will go to the named nurse for "
    "safeguarding, with a request for the health chronology.",
    "education": "School did not attend: the designated safeguarding lead will be told of the "
    "plan today.",
}
# What each agency is to do after the meeting, by role.
MEETING_ACTIONS: dict[str, tuple[str, ...]] = {
    "social_care": (
        "Visit {name} at home and see {him} alone; write down what {name} wants to happen.",
        "Talk with mum about the safety plan and the support she would like.",
        "Complete the assessment and share it with everyone at the meeting.",
    ),
    "police": (
        "Share what police hold about the adults seen with {name} at {place}.",
        "Disruption visits to the addresses linked to the people harming {name}.",
        "Check for further reports naming {name} and pass them to the social worker.",
    ),
    "health": (
        "Send the health chronology, with any emergency department attendances, to the social "
        "worker.",
        "Tell the GP of the meeting's decisions and offer {name} a health assessment.",
    ),
    "education": (
        "Agree a trusted adult and a safe way to and from school with {name}.",
        "Share attendance and any worries from school with the social worker each week.",
    ),
    "other": (
        "Share what {name} has said about the people around {him} with the social worker.",
        "Keep seeing {name} twice a week and tell the social worker of any change.",
    ),
}

# -- a multi-agency audit of referrals --------------------------------------------------------

# Fed back to the referrer and their team, so they never name the child.
AUDIT_STRENGTHS: dict[str, str] = {
    "clarity": "The reason for the referral was clear and specific.",
    "voice": "The child's own words were recorded and shaped the referral.",
    "identity": "Ethnicity, culture and faith were recorded and thought about.",
    "needs": "What was known of the child's needs (SEND, communication, health) was shared.",
    "timeliness": "Referred promptly, and decided within the partnership's time.",
}
AUDIT_IMPROVEMENTS: dict[str, str] = {
    "clarity": "Say plainly why you are worried and what you want the front door to do.",
    "voice": "The child's own words are missing: write down what they said, or why they "
    "could not be asked.",
    "identity": "Ethnicity was not recorded: ask the child and family, and think about what "
    "it means for the child's safety.",
    "needs": "The child's needs were not known: check with school and health before "
    "referring, or say that you do not know.",
    "timeliness": "The decision took longer than the partnership's time; the front-door "
    "manager is looking at why.",
}
AUDIT_GOOD_PRACTICE = "Good practice to share with the team."
AUDIT_ADEQUATE = "The referral met the partnership's standard in every area."
