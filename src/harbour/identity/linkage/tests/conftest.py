"""A small synthetic partnership and a model trained on it, shared by the engine's tests."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from harbour.identity.linkage import model, synthetic

SMALL = 4_000
SEED = 11


@pytest.fixture(scope="session")
def linkage_records() -> pd.DataFrame:
    return synthetic.generate(SMALL, seed=SEED)


@pytest.fixture(scope="session")
def linkage_model(linkage_records: pd.DataFrame) -> model.TrainedModel:
    return model.train(
        linkage_records,
        seed=3,
        u_max_pairs=1e6,
        em_max_pairs=1e6,
        trained_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
