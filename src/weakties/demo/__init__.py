"""A synthetic organisation with planted ties, for ``make demo``, tests and benchmarks.

:func:`generate` writes the mailbox of one person, Dana Okafor at Northwind,
as a Gmail-style mbox with the planted truth beside it as JSON (close
collaborators, bridging weak ties, dormant contacts, one-way senders, noise).
:func:`generate_events` writes the same organisation's interactions, as seen
by the whole company, as a generic CSV log. Everything is deterministic in
the config: no clock, no global random state.
"""

from __future__ import annotations

from weakties.demo.files import DemoFiles, generate, generate_events
from weakties.demo.model import DemoConfig
from weakties.demo.truth import (
    BridgeTruth,
    CompanyTruth,
    Counts,
    DemoTruth,
    DormantTruth,
    LinkTruth,
    ListTruth,
    OneWayTruth,
    load_truth,
)

__all__ = [
    "BridgeTruth",
    "CompanyTruth",
    "Counts",
    "DemoConfig",
    "DemoFiles",
    "DemoTruth",
    "DormantTruth",
    "LinkTruth",
    "ListTruth",
    "OneWayTruth",
    "generate",
    "generate_events",
    "load_truth",
]
