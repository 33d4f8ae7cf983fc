"""Display logic for a child: labels and ages, so templates stay declarative."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from harbour.children.codes import DFE_ETHNICITY_LABELS, ETHNIC_GROUP_5
from harbour.children.models import Child


@dataclass(frozen=True)
class ChildPresenter:
    child: Child

    @property
    def full_name(self) -> str:
        return f"{self.child.given_name} {self.child.family_name}"

    @property
    def age(self) -> int:
        return self.child.age_on(timezone.localdate())

    @property
    def date_of_birth(self) -> str:
        return self.child.date_of_birth.strftime("%-d %B %Y")

    @property
    def approaching_adulthood(self) -> bool:
        """Within a year of 18: transitional safeguarding should be planned."""
        today = timezone.localdate()
        dob = self.child.date_of_birth
        try:
            eighteenth = dob.replace(year=dob.year + 18)
        except ValueError:  # 29 February
            eighteenth = dt.date(dob.year + 18, 3, 1)
        return today <= eighteenth <= today + dt.timedelta(days=365)

    @property
    def ethnicity(self) -> str:
        return self.child.get_ethnicity_display()

    @property
    def ethnic_group(self) -> str:
        return ETHNIC_GROUP_5[self.child.ethnicity]

    @property
    def ethnicity_dfe(self) -> str:
        code = self.child.ethnicity_dfe_code
        return f"{code} – {DFE_ETHNICITY_LABELS.get(code, code)}"
