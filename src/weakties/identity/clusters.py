"""Union-find over addresses that keeps each cluster's members and honours splits.

A user's split says that two addresses are never one person. Every merge, whatever
its evidence, goes through :meth:`Clusters.union`, which refuses to join two
clusters when that would put such a pair together: a split beats the evidence
that merged.
"""

from __future__ import annotations

from collections.abc import Iterable


class Clusters:
    """Clusters of addresses, merged one union at a time, never across a split."""

    def __init__(self, addresses: list[str], apart: Iterable[tuple[str, str]] = ()) -> None:
        self._parent = {a: a for a in addresses}
        self._members = {a: [a] for a in addresses}
        self._apart: dict[str, set[str]] = {}
        for a, b in apart:
            if a in self._parent and b in self._parent and a != b:
                self._apart.setdefault(a, set()).add(b)
                self._apart.setdefault(b, set()).add(a)

    def find(self, address: str) -> str:
        parent = self._parent
        while parent[address] != address:
            parent[address] = parent[parent[address]]
            address = parent[address]
        return address

    def members(self, root: str) -> list[str]:
        return self._members[root]

    def roots(self) -> list[str]:
        return sorted(self._members)

    def union(self, addresses: Iterable[str]) -> bool:
        """Join the clusters of ``addresses``; those that a split keeps apart from the
        rest stay out. Returns whether every cluster was joined."""
        roots = sorted({self.find(a) for a in addresses})
        if len(roots) < 2:
            return True
        roots.sort(key=lambda r: (-len(self._members[r]), r))
        keep, joined = roots[0], True
        for root in roots[1:]:
            if self.kept_apart(keep, root):
                joined = False
                continue
            big, small = (keep, root) if _before(self._members, keep, root) else (root, keep)
            self._parent[small] = big
            self._members[big].extend(self._members.pop(small))
            keep = big
        return joined

    def kept_apart(self, root: str, other: str) -> bool:
        """True when a split forbids joining the clusters of ``root`` and ``other``."""
        if not self._apart:
            return False
        first, second = sorted((root, other), key=lambda r: len(self._members[r]))
        for member in self._members[first]:
            for partner in self._apart.get(member, ()):
                if self.find(partner) == second:
                    return True
        return False


def _before(members: dict[str, list[str]], a: str, b: str) -> bool:
    """Whether ``a`` stays the root when joined with ``b``: the larger cluster, then the
    smaller address (so that the result does not depend on the order of unions)."""
    return (-len(members[a]), a) <= (-len(members[b]), b)
