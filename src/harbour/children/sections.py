"""The sections of a child's record and the data category each belongs to: what an
information-sharing agreement must cover for another agency's entry in it to be shown (ADR 0002,
ADR 0017)."""

from __future__ import annotations

from harbour.partnership.models import DataCategory

# Record section -> the data category an agreement must cover to show it.
SECTION_LABELS: dict[str, str] = {
    "communication": "how to communicate with the child",
    "about": "strengths, interests and wishes",
    "culture": "faith, heritage and culture",
    "needs": "needs and assessments",
    "voice": "the child's own words",
    "education": "education",
    "family": "family and siblings",
    "involvement": "who is working with the child",
    "plans": "plans",
    "formulation": "formulation meetings",
    "transition": "transition to adult services",
}

SECTION_CATEGORY: dict[str, str] = {
    # Communication needs and developmental age are health data; faith and culture special
    # category data of their own (ADR 0017).
    "communication": DataCategory.COMMUNICATION,
    "about": DataCategory.IDENTITY,
    "culture": DataCategory.FAITH_CULTURE,
    "needs": DataCategory.HEALTH,
    "voice": DataCategory.SOCIAL_CARE,
    "education": DataCategory.EDUCATION,
    "family": DataCategory.FAMILY,
    "involvement": DataCategory.SOCIAL_CARE,
    "plans": DataCategory.SOCIAL_CARE,
    "formulation": DataCategory.SOCIAL_CARE,
    "transition": DataCategory.SOCIAL_CARE,
}

# The parts of the child's profile, each in its own section (and so its own data category).
PROFILE_FIELDS: dict[str, tuple[str, ...]] = {
    "communication": ("communication", "what_helps", "what_to_avoid", "developmental_age_notes"),
    "about": ("preferred_name", "strengths", "interests", "wishes", "preferred_professional"),
    "culture": ("identity_and_culture",),
}
