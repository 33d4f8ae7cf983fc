"""The apps' layer order (ADR 0020), as import-linter's contracts in pyproject.toml: the same
check as ``lint-imports`` in ``make lint``, so the suite fails too; and proof that each contract
breaks when an import goes the wrong way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter.api import read_configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract
from importlinter.domain.contract import Contract

PYPROJECT = Path(__file__).resolve().parents[4] / "pyproject.toml"
CONTRACT_TYPES: dict[str, type[Contract]] = {
    "layers": LayersContract,
    "forbidden": ForbiddenContract,
}


def contracts() -> dict[str, Contract]:
    configuration = read_configuration(str(PYPROJECT))
    session = configuration["session_options"]
    found = {}
    for options in configuration["contracts_options"]:
        kind = CONTRACT_TYPES[options["type"]]
        found[options["type"]] = kind(
            name=options["name"], session_options=session, contract_options=options
        )
    return found


def import_graph() -> Any:
    # A fresh graph for each check (a fraction of a second): checking a contract removes its
    # ignored imports from the graph, and a test adds imports to its own.
    return grimp.build_graph("harbour", include_external_packages=True, cache_dir=None)


def test_the_configuration_holds_both_contracts():
    assert set(contracts()) == {"layers", "forbidden"}


def test_the_code_keeps_every_contract():
    broken = [
        contract.name
        for contract in contracts().values()
        if not contract.check(import_graph(), verbose=False).kept
    ]
    assert broken == [], "run lint-imports to see the imports that break them"


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        # The kit importing an app: the checked textarea importing the language checker.
        ("harbour.web.fields", "harbour.language.forms"),
        # The bottom of the domain composing the apps above it.
        ("harbour.children.chronology", "harbour.identity.events"),
        ("harbour.children.chronology", "harbour.frontdoor.selectors"),
        # The partnership's pages using the children app's limits.
        ("harbour.partnership.views", "harbour.children.limits"),
        # The access app's pages presenting a child.
        ("harbour.access.views", "harbour.children.presenters"),
        # A domain app importing the demo generator or the pages composed above it.
        ("harbour.frontdoor.services", "harbour.demo.generator"),
        ("harbour.identity.views", "harbour.pages.views"),
        # Production code importing the test factories.
        ("harbour.children.services", "harbour.testing"),
        # An access module other than its models importing the children app's models.
        ("harbour.access.services", "harbour.children.models"),
    ],
)
def test_an_import_up_the_layers_breaks_the_layers_contract(importer, imported):
    graph = import_graph()
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="x")
    assert not contracts()["layers"].check(graph, verbose=False).kept


def test_django_in_the_linkage_engine_breaks_the_plain_python_contract():
    graph = import_graph()
    graph.add_import(
        importer="harbour.identity.linkage.model",
        imported="harbour.identity.models",
        line_number=1,
        line_contents="from harbour.identity.models import SourceRecord",
    )
    assert not contracts()["forbidden"].check(graph, verbose=False).kept
