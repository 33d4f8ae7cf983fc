"""The insight app's place in the layer order (ADR 0020, 0022): above the front door, below the
pages; its engine and the checked-file module are plain Python."""

from __future__ import annotations

import pytest

from harbour.web.tests.test_layers import contracts, import_graph


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        # An app below reaching up into the store.
        ("harbour.frontdoor.services", "harbour.insight.services"),
        ("harbour.children.selectors", "harbour.insight.selectors"),
        # The store composing the pages above it.
        ("harbour.insight.views", "harbour.pages.views"),
        # The kit's checked files reaching into an app.
        ("harbour.tabular", "harbour.identity.imports"),
    ],
)
def test_an_import_up_the_layers_from_or_into_insight_breaks_the_contract(importer, imported):
    graph = import_graph()
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="x")
    assert not contracts()["layers"].check(graph, verbose=False).kept


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("harbour.insight.engine.store", "harbour.insight.models"),
        ("harbour.insight.engine.queries", "django.conf"),
        ("harbour.tabular", "django.db"),
    ],
)
def test_django_in_the_insight_engine_or_checked_files_breaks_the_plain_python_contract(
    importer, imported
):
    graph = import_graph()
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="x")
    assert not contracts()["forbidden"].check(graph, verbose=False).kept


def test_the_insight_app_keeps_both_contracts():
    assert all(c.check(import_graph(), verbose=False).kept for c in contracts().values())
