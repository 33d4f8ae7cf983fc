"""The insight tests' store: a fresh directory for each test, and the fixture files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(autouse=True)
def store_dir(settings: Any, tmp_path: Path) -> Path:
    settings.HARBOUR_INSIGHT_STORE = str(tmp_path / "store")
    settings.HARBOUR_INSIGHT_RUNNER = "inline"
    settings.HARBOUR_INSIGHT_QUARANTINE_ROWS = False
    # The extracts' key: a file of this test's, outside its store (ADR 0039).
    settings.HARBOUR_PSEUDONYM_KEY = ""
    settings.HARBOUR_PSEUDONYM_KEY_FILE = str(tmp_path / "pseudonym.key")
    return tmp_path / "store"


@pytest.fixture
def analyst(db: Any) -> Any:
    from harbour.partnership.models import AgencyType, Role
    from harbour.testing import make_agency, make_staff

    vru = make_agency("insight-vru", AgencyType.VRU)
    return make_staff(vru, Role.ANALYST, first_name="Ada", last_name="Analyst")
