"""Fixtures for the person index: a small seeded set of synthetic multi-agency records (the
engine's own generator), a model trained on them once per session, and a front door."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from harbour.identity.linkage import model as linkage_model
from harbour.identity.linkage import synthetic
from harbour.identity.models import LinkageModel, SourceRecord
from harbour.partnership.models import Agency, AgencyType, Role, Team
from harbour.testing import make_agency, make_agreement, make_staff

RECORDS = 300
SEED = 41


@pytest.fixture(scope="session")
def synthetic_records() -> pd.DataFrame:
    return synthetic.generate(RECORDS, seed=SEED)


@pytest.fixture(scope="session")
def trained_json(synthetic_records: pd.DataFrame) -> str:
    frame = synthetic_records.drop(columns=["person_id", "errors"])
    return linkage_model.train(frame, seed=1, version=1).to_json()


def store_model(model_json: str) -> LinkageModel:
    trained = linkage_model.TrainedModel.from_json(model_json)
    LinkageModel.objects.filter(is_current=True).update(is_current=False)
    version = (
        LinkageModel.objects.order_by("-version").values_list("version", flat=True).first() or 0
    ) + 1
    return LinkageModel.objects.create(
        version=version,
        model_json=model_json,
        sha256=trained.sha256,
        record_count=trained.record_count,
        seed=trained.seed,
        trained_at=dt.datetime.fromisoformat(trained.trained_at),
        system_actor="test",
        is_current=True,
    )


def load_records(frame: pd.DataFrame, agency: Agency | None = None) -> dict[int, SourceRecord]:
    """The synthetic rows as source records (synthetic unique id -> record); each synthetic
    agency kind becomes an agency unless one ``agency`` is given for all."""
    agencies: dict[str, Agency] = {}
    records: dict[int, SourceRecord] = {}
    for row in frame.to_dict(orient="records"):
        code = str(row["source_agency"])
        holder = agency or agencies.get(code)
        if holder is None:
            holder = Agency.objects.filter(code=f"syn-{code}").first() or make_agency(
                f"syn-{code}", AgencyType.POLICE
            )
            agencies[code] = holder

        def text(name: str, width: int, row: dict = row) -> str:
            value = row.get(name)
            return "" if value is None or value != value else str(value)[:width]

        records[int(row["unique_id"])] = SourceRecord.objects.create(
            agency=holder,
            source_system=text("source_system", 60) or "synthetic",
            source_id=text("source_id", 64),
            given_name=text("first_name", 100),
            family_name=text("surname", 100),
            date_of_birth=dt.date.fromisoformat(row["dob"]) if text("dob", 10) else None,
            sex=text("sex", 1),
            postcode=text("postcode", 8),
            address_line=text("address", 300),
            nhs_number=text("nhs_number", 10),
            as_of=dt.date(2026, 1, 1),
        )
    return records


@pytest.fixture
def front_door(db: Any) -> dict[str, Any]:
    csc = make_agency("csc", AgencyType.CHILDRENS_SOCIAL_CARE)
    Team.objects.create(agency=csc, name="Front Door (MASH)", is_front_door=True)
    police = make_agency("police", AgencyType.POLICE)
    make_agreement(csc, police)
    club = make_agency("club", AgencyType.VCSE)  # shares nothing with anyone
    return {
        "csc": csc,
        "police": police,
        "club": club,
        "practitioner": make_staff(csc, Role.FRONT_DOOR_PRACTITIONER),
        "manager": make_staff(csc, Role.FRONT_DOOR_MANAGER),
        "officer": make_staff(police, Role.REFERRER),
        "analyst": make_staff(csc, Role.ANALYST),
    }


def valid_nhs_number(stem: int) -> str:
    """A 10-digit NHS number passing the modulus 11 check, from a 9-digit stem."""
    while True:
        digits = f"{stem:09d}"
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            return digits + str(check)
        stem += 1
