"""A person's profile: who they are, where they sit, and their ties by kind."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from weakties.errors import NotFoundError
from weakties.insights.ego import EgoView, ego_view
from weakties.store.db import first_row


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
            """
            SELECT p.display_name, p.org_domain, p.is_owner, c.label,
                   coalesce(m.communities_spanned, 0), m.connector_score,
                   CASE WHEN m.connector_score IS NULL THEN NULL ELSE
                     (SELECT count(*) + 1 FROM person_metrics o
                      WHERE o.connector_score > m.connector_score) END,
                   (SELECT list(address ORDER BY n_interactions DESC, address)
                      FROM identities i WHERE i.person_id = p.person_id)
            FROM people p
            LEFT JOIN person_metrics m USING (person_id)
            LEFT JOIN communities c USING (community_id)
            WHERE p.person_id = ?
            """,
            [person_id],
        )
    )
    if row is None:
        raise NotFoundError(f"No person {person_id} in the store.", "See `weakties people`.")
    name, org, owner, community, spanned, score, rank, identities = row
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
    )
