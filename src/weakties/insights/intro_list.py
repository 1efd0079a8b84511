"""`weakties intros`: the introductions detected in the store (:mod:`.intros`), as
the owner sees them (made by them, received by them, between others), each with its
outcome, the tie now, and the base rate of its kind.

Computed when asked, from the stored interactions: on the email-Eu stream (234,760
e-mails, 45,000 introductions) reading the stream and detecting them takes about as
long as reading the ties table's 100,000 rows (``bench/intros.py``), so no table of
introductions is kept that an analysis would have to keep current.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from weakties.errors import InputError
from weakties.insights import intros as detection
from weakties.insights.queries import require_analysis
from weakties.insights.stream import Direct, Stream, load_stream, one_to_one
from weakties.store import derived
from weakties.store.db import arrow
from weakties.store.reads import ORGANISATION
from weakties.ties.features import latest_timestamp

ROLES = ("made", "received", "between others")
"""Whose introduction: made by an owner of the store, received by one (introduced to
someone), or between other people."""

COLUMNS = (
    "introduced_at", "role", "introducer", "person_a", "person_b", "people", "weight",
    "outcome", "tie_formed", "first_direct", "days_to_first_direct", "band", "strength",
    "base_rate", "introducer_id", "id_a", "id_b", "organisation_a", "organisation_b",
    "interaction_id",
)  # fmt: skip
"""The columns of :func:`intros`: when and by whom (NULL when no one is known) A and B
were introduced, the role, how many people the thread had and the weight that gives,
the outcome (one of :data:`weakties.insights.intros.OUTCOMES`), whether a tie formed
within 90 days, the first one-to-one contact and the days to it, the tie's band and
strength now (NULL without a tie), and the base rate of chance pairs for the role."""


@dataclass(frozen=True, slots=True)
class Found:
    """The introductions of a store, with what they were detected from."""

    stream: Stream
    direct: Direct
    introductions: list[detection.Introduction]
    owners: frozenset[int]
    as_of: datetime

    def role(self, intro: detection.Introduction) -> str:
        """One of :data:`ROLES`."""
        if intro.introducer in self.owners:
            return ROLES[0]
        if intro.a in self.owners or intro.b in self.owners:
            return ROLES[1]
        return ROLES[2]

    def of_role(self, role: str) -> list[detection.Introduction]:
        """The introductions of ``role``."""
        return [i for i in self.introductions if self.role(i) == role]


def find(con: duckdb.DuckDBPyConnection) -> Found:
    """Detect the introductions in the analysed store, up to the analysis's date."""
    require_analysis(con)
    as_of = derived.state(con).as_of or latest_timestamp(con) or datetime.now(UTC)
    stream = load_stream(con, as_of)
    direct = one_to_one(stream)
    rows = con.execute("SELECT person_id FROM people WHERE is_owner").fetchall()
    owners = frozenset(int(r[0]) for r in rows)
    return Found(stream, direct, detection.detect(stream, direct), owners, as_of)


@dataclass(frozen=True, slots=True)
class RoleSummary:
    """Introductions of one role: how many, how many judged and formed, against chance."""

    role: str
    introductions: int
    judged: int
    formed: int
    formed_share: float | None
    base_judged: int
    base_formed: int
    base_rate: float | None
    median_days_to_first_direct: float | None


def summary(found: Found) -> list[RoleSummary]:
    """Per role, the outcome rate and the base rate of matched chance pairs."""
    out = []
    for role in ROLES:
        chosen = found.of_role(role)
        got = detection.rate(chosen)
        base = detection.base_rate(found.stream, chosen, found.direct)
        days = sorted((i.first_direct - i.at) / 86400 for i in chosen if i.first_direct is not None)
        out.append(
            RoleSummary(
                role,
                len(chosen),
                got.judged,
                got.formed,
                got.share,
                base.judged,
                base.formed,
                base.share,
                days[len(days) // 2] if days else None,
            )
        )
    return out


def intros(
    con: duckdb.DuckDBPyConnection, *, role: str | None = None, limit: int | None = None
) -> pa.Table:
    """The introductions, latest first, in the columns of :data:`COLUMNS`; with ``role``
    only those of one role. For a received introduction the owner is ``person_a``."""
    if role is not None and role not in ROLES:
        raise InputError(f"Unknown role {role!r}.", f"Use one of: {', '.join(ROLES)}.")
    found = find(con)
    rates = {s.role: s.base_rate for s in summary(found)}
    chosen = [i for i in found.introductions if role is None or found.role(i) == role]
    chosen.sort(key=lambda i: (-i.at, i.a, i.b))
    return with_names(con, found, chosen[:limit] if limit else chosen, rates)


def with_names(
    con: duckdb.DuckDBPyConnection,
    found: Found,
    chosen: Sequence[detection.Introduction],
    rates: dict[str, float | None],
) -> pa.Table:
    """``chosen`` as a table of :data:`COLUMNS`, with names, organisations and ties."""
    rows = [_row(found, i, rates) for i in chosen]
    raw = pa.table(
        {
            "ord": pa.array(range(len(rows)), pa.int64()),
            "introduced_at": pa.array([r[0] for r in rows], pa.timestamp("us", tz="UTC")),
            "role": pa.array([r[1] for r in rows], pa.string()),
            "introducer_id": pa.array([r[2] for r in rows], pa.int64()),
            "id_a": pa.array([r[3] for r in rows], pa.int64()),
            "id_b": pa.array([r[4] for r in rows], pa.int64()),
            "people": pa.array([r[5] for r in rows], pa.int64()),
            "weight": pa.array([r[6] for r in rows], pa.float64()),
            "outcome": pa.array([r[7] for r in rows], pa.string()),
            "tie_formed": pa.array([r[8] for r in rows], pa.bool_()),
            "first_direct": pa.array([r[9] for r in rows], pa.timestamp("us", tz="UTC")),
            "days_to_first_direct": pa.array([r[10] for r in rows], pa.float64()),
            "base_rate": pa.array([r[11] for r in rows], pa.float64()),
            "interaction_id": pa.array([r[12] for r in rows], pa.int64()),
        }
    )
    con.register("_intros", raw)
    try:
        return arrow(con, _NAMED)
    finally:
        con.unregister("_intros")


def _row(
    found: Found, intro: detection.Introduction, rates: dict[str, float | None]
) -> tuple[object, ...]:
    role = found.role(intro)
    a, b = intro.a, intro.b
    if role == ROLES[1] and b in found.owners and a not in found.owners:
        a, b = b, a
    first = intro.first_direct
    return (
        _when(intro.at), role, intro.introducer if intro.introducer >= 0 else None, a, b,
        intro.people, intro.weight, intro.outcome, intro.formed,
        _when(first) if first is not None else None,
        (first - intro.at) / 86400 if first is not None else None,
        rates.get(role), intro.interaction_id,
    )  # fmt: skip


def _when(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


_NAMED = f"""
SELECT x.introduced_at, x.role, pc.display_name AS introducer,
       pa.display_name AS person_a, pb.display_name AS person_b,
       x.people, x.weight, x.outcome, x.tie_formed, x.first_direct, x.days_to_first_direct,
       t.band, t.strength, x.base_rate, x.introducer_id, x.id_a, x.id_b,
       {ORGANISATION.replace("p.", "pa.").replace("orgs.", "oa.")} AS organisation_a,
       {ORGANISATION.replace("p.", "pb.").replace("orgs.", "ob.")} AS organisation_b,
       x.interaction_id
FROM _intros x
LEFT JOIN people pc ON pc.person_id = x.introducer_id
LEFT JOIN people pa ON pa.person_id = x.id_a
LEFT JOIN organisations oa ON oa.org_domain = pa.org_domain
LEFT JOIN people pb ON pb.person_id = x.id_b
LEFT JOIN organisations ob ON ob.org_domain = pb.org_domain
LEFT JOIN ties t ON t.person_a = least(x.id_a, x.id_b) AND t.person_b = greatest(x.id_a, x.id_b)
ORDER BY x.ord
"""
