"""Coded values for the child as a person: ONS 2021 ethnic groups with the DfE children-in-need
(CIN) census codes alongside, sex as in the CIN census (N00783), and relationships."""

from __future__ import annotations

from django.db import models


class Ethnicity(models.TextChoices):
    """ONS 2021 19-group classification, plus 'refused' and 'not yet obtained' kept apart."""

    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_IRISH_TRAVELLER = "white_gypsy_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: Any other White background"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or Multiple: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        "Mixed or Multiple: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed or Multiple: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed_other", "Mixed or Multiple: Any other Mixed or Multiple background"
    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: Any other Asian background"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = (
        "black_other",
        "Black, Black British, Caribbean or African: Any other Black background",
    )
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: Any other ethnic group"
    REFUSED = "refused", "Refused (the child or family chose not to say)"
    NOT_KNOWN = "not_known", "Not known (not yet asked or obtained)"


# ONS 19 groups -> DfE CIN census main code. DfE WROM is "Gypsy/Roma" and WIRT is Irish
# Traveller only: ONS "Gypsy or Irish Traveller" maps to WROM unless the source said Irish
# Traveller. The source system's own code is kept beside the mapped value.
ONS_TO_DFE: dict[str, str] = {
    Ethnicity.WHITE_BRITISH: "WBRI",
    Ethnicity.WHITE_IRISH: "WIRI",
    Ethnicity.WHITE_GYPSY_IRISH_TRAVELLER: "WROM",
    Ethnicity.WHITE_ROMA: "WROM",
    Ethnicity.WHITE_OTHER: "WOTH",
    Ethnicity.MIXED_WHITE_ASIAN: "MWAS",
    Ethnicity.MIXED_WHITE_BLACK_AFRICAN: "MWBA",
    Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN: "MWBC",
    Ethnicity.MIXED_OTHER: "MOTH",
    Ethnicity.ASIAN_BANGLADESHI: "ABAN",
    Ethnicity.ASIAN_CHINESE: "CHNE",
    Ethnicity.ASIAN_INDIAN: "AIND",
    Ethnicity.ASIAN_PAKISTANI: "APKN",
    Ethnicity.ASIAN_OTHER: "AOTH",
    Ethnicity.BLACK_AFRICAN: "BAFR",
    Ethnicity.BLACK_CARIBBEAN: "BCRB",
    Ethnicity.BLACK_OTHER: "BOTH",
    Ethnicity.OTHER_ARAB: "OOTH",
    Ethnicity.OTHER_ANY: "OOTH",
    Ethnicity.REFUSED: "REFU",
    Ethnicity.NOT_KNOWN: "NOBT",
}

DFE_ETHNICITY_LABELS: dict[str, str] = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WROM": "Gypsy/Roma",
    "WOTH": "Any other White background",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}

# The five-group level used for disproportionality by default.
ETHNIC_GROUP_5: dict[str, str] = {
    **{
        c: "White"
        for c in (
            "white_british",
            "white_irish",
            "white_gypsy_traveller",
            "white_roma",
            "white_other",
        )
    },
    **{
        c: "Mixed or Multiple"
        for c in (
            "mixed_white_asian",
            "mixed_white_black_african",
            "mixed_white_black_caribbean",
            "mixed_other",
        )
    },
    **{
        c: "Asian or Asian British"
        for c in (
            "asian_bangladeshi",
            "asian_chinese",
            "asian_indian",
            "asian_pakistani",
            "asian_other",
        )
    },
    **{
        c: "Black, Black British, Caribbean or African"
        for c in ("black_african", "black_caribbean", "black_other")
    },
    **{c: "Other ethnic group" for c in ("other_arab", "other_any")},
    "refused": "Refused",
    "not_known": "Not known",
}


class Sex(models.TextChoices):
    """CIN census N00783 (2024-25 onwards)."""

    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Not known or not recorded"


class Relationship(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    CARER = "carer", "Carer or guardian"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    GRANDPARENT = "grandparent", "Grandparent"
    AUNT_UNCLE = "aunt_uncle", "Aunt or uncle"
    OTHER = "other", "Other family member"


SIBLING_RELATIONSHIPS = frozenset({Relationship.SIBLING, Relationship.HALF_SIBLING})


class NameKind(models.TextChoices):
    ALIAS = "alias", "Alias"
    NICKNAME = "nickname", "Nickname or known as"
    PREVIOUS = "previous", "Previous name"
    PREFERRED = "preferred", "Preferred name"


class NeedKind(models.TextChoices):
    SEN_SUPPORT = "sen_support", "SEN support (school census K)"
    EHC_PLAN = "ehc_plan", "Education, health and care plan (school census E)"
    NEURODEVELOPMENTAL = "neurodevelopmental", "Neurodevelopmental diagnosis"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SLCN = "slcn", "Speech, language and communication needs"
    PHYSICAL = "physical", "Physical or sensory disability"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    OTHER = "other", "Other need"


# SEN2 / school census type of need, ranked 1 and 2.
SEN_TYPE_OF_NEED = {
    "SPLD": "Specific learning difficulty",
    "MLD": "Moderate learning difficulty",
    "SLD": "Severe learning difficulty",
    "PMLD": "Profound and multiple learning difficulty",
    "SEMH": "Social, emotional and mental health",
    "SLCN": "Speech, language and communication needs",
    "HI": "Hearing impairment",
    "VI": "Vision impairment",
    "MSI": "Multi-sensory impairment",
    "PD": "Physical disability",
    "ASD": "Autistic spectrum disorder",
    "OTH": "Other difficulty or disability",
}


class AssessmentKind(models.TextChoices):
    NEURODEVELOPMENTAL = "neurodevelopmental", "Neurodevelopmental (autism or ADHD)"
    EHC_NEEDS = "ehc_needs", "Education, health and care needs assessment"
    CAMHS = "camhs", "Child and adolescent mental health services (CAMHS)"
    SPEECH_AND_LANGUAGE = "speech_and_language", "Speech and language therapy"
    EDUCATIONAL_PSYCHOLOGY = "educational_psychology", "Educational psychology"
    OCCUPATIONAL_THERAPY = "occupational_therapy", "Occupational therapy"


class AssessmentStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EducationStatus(models.TextChoices):
    FULL_TIME = "full_time", "Full-time"
    REDUCED_TIMETABLE = "reduced_timetable", "Part-time or reduced timetable"
    SUSPENDED = "suspended", "Suspended"
    PERMANENTLY_EXCLUDED = "permanently_excluded", "Permanently excluded"
    ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision"
    ELECTIVE_HOME_EDUCATION = "elective_home_education", "Electively home educated"
    NOT_IN_EDUCATION = "not_in_education", "Not in education"


class PlanType(models.TextChoices):
    EARLY_HELP = "early_help", "Early help plan"
    CHILD_IN_NEED = "child_in_need", "Child in need plan"
    CHILD_PROTECTION = "child_protection", "Child protection plan"
    RISK_OUTSIDE_THE_HOME = (
        "risk_outside_the_home",
        "Risk outside the home (extra-familial harm) plan",
    )
    YOUTH_JUSTICE = "youth_justice", "Youth justice plan"
    TRANSITION = "transition", "Transition plan"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    NOT_DONE = "not_done", "Not done"
