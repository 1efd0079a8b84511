"""A person's profile: who they are, where they sit, and their ties by kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from weakties.errors import NotFoundError
from weakties.insights.ego import EgoView, ego_view
from weakties.store.db import first_row
from weakties.store.reads import ORGANISATION, seen


@dataclass(frozen=True)
class PersonProfile:
    """Identity, place in the network, and the person's ties with explanations."""

    person_id: int
    name: str
    organisation: str | None
    identities: list[str]
    is_owner: bool
    community: str | None
    communities_spanned: int
    connector_score: float | None
    connector_rank: int | None
    ties: EgoView
    channels: dict[str, int] | None = None  # interactions per channel, most used first
    interactions: int = 0
    first_seen: datetime | None = None  # plausible dates only
    last_seen: datetime | None = None

    @property
    def strongest(self) -> pa.Table:
        """Strongest ties first."""
        return self.ties.strongest


def profile(
    con: duckdb.DuckDBPyConnection, person_id: int, *, limit: int | None = 10
) -> PersonProfile:
    """Build the profile of one person (the store must be analysed), with at most
    ``limit`` ties of each kind (None or 0: all)."""
    row = first_row(
        con.execute(
            f"""
            SELECT p.display_name, {ORGANISATION}, p.is_owner, c.label,
                   coalesce(m.communities_spanned, 0), m.connector_score,
                   CASE WHEN m.connector_score IS NULL THEN NULL ELSE
                     (SELECT count(*) + 1 FROM person_metrics o
                      WHERE o.connector_score > m.connector_score) END,
                   (SELECT list(address ORDER BY n_interactions DESC, address)
                      FROM identities i WHERE i.person_id = p.person_id)
            FROM people p
            LEFT JOIN person_metrics m USING (person_id)
            LEFT JOIN communities c USING (community_id)
            LEFT JOIN organisations orgs ON orgs.org_domain = p.org_domain
            WHERE p.person_id = ?
            """,
            [person_id],
        )
    )
    if row is None:
        raise NotFoundError(f"No person {person_id} in the store.", "See `weakties people`.")
    name, org, owner, community, spanned, score, rank, identities = row
    interactions, first, last = seen(con, person_id)
    return PersonProfile(
        person_id=person_id,
        name=str(name),
        organisation=org,
        identities=list(identities or []),
        is_owner=bool(owner),
        community=community,
        communities_spanned=int(spanned),
        connector_score=None if score is None else float(score),
        connector_rank=None if rank is None else int(rank),
        ties=ego_view(con, person_id, limit=limit),
        channels=channels(con, person_id),
        interactions=interactions,
        first_seen=first,
        last_seen=last,
    )


def channels(con: duckdb.DuckDBPyConnection, person_id: int) -> dict[str, int]:
    """How many interactions the person took part in on each channel (any identity:
    mail, phone, chat handles, LinkedIn), most used first."""
    rows = con.execute(
        """
        SELECT i.channel, count(DISTINCT i.interaction_id) AS n
        FROM identities d
        JOIN participants pa ON pa.address = d.address
        JOIN interactions i ON i.interaction_id = pa.interaction_id
        WHERE d.person_id = ?
        GROUP BY i.channel ORDER BY n DESC, i.channel
        """,
        [person_id],
    ).fetchall()
    return {str(channel): int(n) for channel, n in rows}
