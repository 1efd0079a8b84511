"""Rebuild people from the store's facts: read them, resolve them, write the result.

The store reads the facts and writes the derived identity tables
(:mod:`weakties.store.people`); :func:`~weakties.identity.resolve.resolve` decides
who is who. This module joins the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from weakties.identity.automated import Activity
from weakties.identity.facts import Sent
from weakties.identity.resolve import Link, Observation, Override, Resolution, resolve
from weakties.store import people as facts

MODEL_VERSION = "identity-2"


@dataclass(frozen=True, slots=True)
class PeopleSummary:
    """What a rebuild produced."""

    people: int
    identities: int
    organisations: int
    automated: int  # people flagged as automated senders
    merged: int  # people with more than one address
    refused: int  # name merges refused by the over-merging guard


def rebuild_people(con: duckdb.DuckDBPyConnection) -> PeopleSummary:
    """Resolve identities from the facts and replace the derived identity tables."""
    stamp = facts.people_stamp(con)
    resolution = resolve(
        [Observation(*row) for row in facts.observation_rows(con)],
        [Link(*row) for row in facts.link_rows(con)],
        facts.owner_groups(con),
        [Activity(*row) for row in facts.activity_rows(con)],
        [Sent(*row) for row in facts.sent_rows(con)],
        [Override(*row) for row in facts.verdict_rows(con)],
    )
    facts.write_people(con, _tables(resolution), stamp)
    return PeopleSummary(
        people=len(resolution.people),
        identities=len(resolution.identities),
        organisations=len(resolution.organisations),
        automated=sum(1 for p in resolution.people if p.automated),
        merged=resolution.n_merged,
        refused=len(resolution.refusals),
    )


def rebuild_people_if_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """Rebuild people unless no fact they depend on changed since the last rebuild.
    Returns whether it rebuilt."""
    if facts.people_built_from(con) == facts.people_stamp(con):
        return False
    rebuild_people(con)
    return True


def _tables(resolution: Resolution) -> dict[str, pa.Table]:
    return {
        "identities": _identities_table(resolution),
        "people": _people_table(resolution),
        "organisations": _organisations_table(resolution),
    }


def _identities_table(resolution: Resolution) -> pa.Table:
    rows = resolution.identities
    return pa.table(
        {
            "address": pa.array([i.address for i in rows], pa.string()),
            "person_id": pa.array([i.person_id for i in rows], pa.int64()),
            "kind": pa.array([i.kind for i in rows], pa.string()),
            "domain": pa.array([i.domain for i in rows], pa.string()),
            "names": pa.array([list(i.names) for i in rows], pa.list_(pa.string())),
            "automated": pa.array([i.automated for i in rows], pa.bool_()),
            "n_interactions": pa.array([i.n_interactions for i in rows], pa.int64()),
        }
    )


def _people_table(resolution: Resolution) -> pa.Table:
    rows = resolution.people
    return pa.table(
        {
            "person_id": pa.array([p.person_id for p in rows], pa.int64()),
            "display_name": pa.array([p.display_name for p in rows], pa.string()),
            "primary_address": pa.array([p.primary_address for p in rows], pa.string()),
            "org_domain": pa.array([p.org_domain for p in rows], pa.string()),
            "automated": pa.array([p.automated for p in rows], pa.bool_()),
            "is_owner": pa.array([p.is_owner for p in rows], pa.bool_()),
            "model_version": pa.array([MODEL_VERSION] * len(rows), pa.string()),
        }
    )


def _organisations_table(resolution: Resolution) -> pa.Table:
    rows = resolution.organisations
    return pa.table(
        {
            "org_domain": pa.array([o.org_domain for o in rows], pa.string()),
            "name": pa.array([o.name for o in rows], pa.string()),
            "n_people": pa.array([o.n_people for o in rows], pa.int64()),
        }
    )
