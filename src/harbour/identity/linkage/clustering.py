"""Clustering rules Splink's connected components do not know: different NHS numbers, and
reviewers' decisions.

`constrained_components` joins records edge by edge, strongest first, and refuses an edge that
would put two different NHS numbers in one cluster (unless a reviewer confirmed a link between
them, see below) or join two records a reviewer said are different people. Refused edges are
returned, so a person can look at them. Reviewers' confirmed links are applied first and always.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NodeId = Hashable


@dataclass(frozen=True)
class RefusedLink:
    """A link at or above the threshold that was not applied, and why."""

    unique_id_l: NodeId
    unique_id_r: NodeId
    match_probability: float
    reason: str  # "nhs_number_conflict" or "rejected_by_reviewer"
    nhs_numbers_l: tuple[str, ...] = ()
    nhs_numbers_r: tuple[str, ...] = ()


NHS_CONFLICT = "nhs_number_conflict"
REJECTED = "rejected_by_reviewer"


@dataclass
class _Components:
    parent: dict[NodeId, NodeId] = field(default_factory=dict)
    nhs: dict[NodeId, frozenset[str]] = field(default_factory=dict)
    cannot: dict[NodeId, set[NodeId]] = field(default_factory=dict)

    def find(self, node: NodeId) -> NodeId:
        parent = self.parent
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    def union(self, a: NodeId, b: NodeId) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        self.parent[rb] = ra
        self.nhs[ra] = self.nhs[ra] | self.nhs.pop(rb)
        self.cannot[ra] = self.cannot[ra] | self.cannot.pop(rb)

    def members_cannot(self, ra: NodeId, rb: NodeId) -> bool:
        return any(self.find(x) == rb for x in self.cannot[ra]) or any(
            self.find(x) == ra for x in self.cannot[rb]
        )


def _pair(a: NodeId, b: NodeId) -> tuple[NodeId, NodeId]:
    return (a, b) if str(a) <= str(b) else (b, a)


def constrained_components(
    nodes: Mapping[Any, Iterable[str]],
    edges: Iterable[tuple[NodeId, NodeId, float]],
    *,
    group_of: Mapping[NodeId, NodeId] | None = None,
    confirmed: Iterable[tuple[NodeId, NodeId]] = (),
    rejected: Iterable[tuple[NodeId, NodeId]] = (),
) -> tuple[dict[NodeId, NodeId], list[RefusedLink]]:
    """Join `nodes` (node -> its NHS numbers, usually none or one) by `edges` (record id, record
    id, match probability; all at or above the threshold) under the NHS and reviewer rules.

    A node is a record, or (incrementally) an existing cluster standing for all its records:
    `group_of` maps a record id to its node where they differ. `confirmed` and `rejected` are
    pairs of record ids. Returns (node -> the node id of its component's root) and the refused
    links, named by record ids."""
    group = group_of or {}

    def node(uid: NodeId) -> NodeId:
        return group.get(uid, uid)

    comps = _Components()
    for n, numbers in nodes.items():
        comps.parent[n] = n
        comps.nhs[n] = frozenset(numbers)
        comps.cannot[n] = set()
    for a, b in rejected:
        na, nb = node(a), node(b)
        if na in comps.parent and nb in comps.parent:
            comps.cannot[na].add(nb)
            comps.cannot[nb].add(na)
    for a, b in confirmed:
        na, nb = node(a), node(b)
        if na in comps.parent and nb in comps.parent:
            comps.union(na, nb)
    refused: list[RefusedLink] = []
    seen: set[tuple[NodeId, NodeId]] = set()
    for a, b, probability in sorted(edges, key=lambda e: (-e[2], str(e[0]), str(e[1]))):
        key = _pair(a, b)
        if key in seen:
            continue
        seen.add(key)
        ra, rb = comps.find(node(a)), comps.find(node(b))
        if ra == rb:
            continue
        if comps.members_cannot(ra, rb):
            refused.append(RefusedLink(a, b, float(probability), REJECTED))
            continue
        nhs_a, nhs_b = comps.nhs[ra], comps.nhs[rb]
        if nhs_a and nhs_b and not (nhs_a & nhs_b):
            refused.append(
                RefusedLink(
                    a,
                    b,
                    float(probability),
                    NHS_CONFLICT,
                    tuple(sorted(nhs_a)),
                    tuple(sorted(nhs_b)),
                )
            )
            continue
        comps.union(ra, rb)
    return {n: comps.find(n) for n in comps.parent}, refused


def smallest_member_names(
    components: Mapping[NodeId, NodeId], members: Mapping[NodeId, Iterable[NodeId]] | None = None
) -> dict[NodeId, NodeId]:
    """Name each component: node -> name. A component holding nodes listed in `members`
    (existing clusters, each with the id it is known by) takes the smallest of those ids; any
    other component takes its smallest node id (record id)."""
    members = members or {}
    smallest: dict[NodeId, tuple[int, NodeId]] = {}
    for n, root in components.items():
        # Nodes standing for existing clusters name their component before any single record.
        rank = 0 if n in members else 1
        for uid in members.get(n, (n,)):
            if root not in smallest or (rank, sort_key(uid)) < (
                smallest[root][0],
                sort_key(smallest[root][1]),
            ):
                smallest[root] = (rank, uid)
    return {n: smallest[root][1] for n, root in components.items()}


def sort_key(value: NodeId) -> tuple[int, object]:
    """Integers sort as numbers and anything else as strings (one run never mixes them)."""
    if isinstance(value, int | np.integer):
        return (0, int(value))
    return (1, str(value))
