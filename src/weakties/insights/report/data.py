"""The impact and network assessment report as data: every figure the HTML file shows.

For one person (an owner of the store by default) or, when the store has no owner
or one is asked for, for the whole organisation in it. Sections: the network by band
month by month, new connections and where they came from, introductions made and
received with their outcomes, the dormant pool worth reviving, brokerage over time,
gaps (communities and organisations reached by one tie or none, bridges at risk) and
the iceberg (one-to-one contact sparked by group threads and public posts).

*At risk*: a bridge whose tie is weak and silent for more than :data:`QUIET_DAYS`,
or already dormant. A fading model can replace that rule: pass ``fading``, a function
from the subject's ties (the ``ties`` table's columns) to each one's probability of
going silent, and bridges are ranked by it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa

from weakties.insights import iceberg, intro_list
from weakties.insights.ego import owners
from weakties.insights.intros import Introduction
from weakties.insights.lookup import find_person
from weakties.insights.report import timeline
from weakties.store.db import arrow, first_row
from weakties.store.reads import ORGANISATION

QUIET_DAYS = 60
"""A weak bridge silent this long counts as at risk (without a fading model)."""

LIST_ROWS = 12
GAP_MIN_SIZE = 3  # communities and organisations smaller than this are no gap

Fading = Callable[[pa.Table], np.ndarray]
"""A fading model: each tie's probability of going silent in the next 90 days."""


@dataclass(frozen=True, slots=True)
class IntroRow:
    """One introduction made or received (for the organisation: any)."""

    introduced_at: datetime
    role: str
    introducer: str | None
    person_a: str
    person_b: str
    outcome: str
    days_to_first_direct: float | None
    strength: float | None


@dataclass(frozen=True, slots=True)
class DormantRow:
    """A dormant tie worth reviving: how strong it was, and what it would reach again."""

    person: str
    other: str
    organisation: str | None
    last_contact: datetime | None
    past_strength: float
    reaches: str  # "" or what no active tie of the subject reaches any more


@dataclass(frozen=True, slots=True)
class GapRow:
    """A community or organisation the subject (the organisation) reaches by one tie
    or none."""

    kind: str  # community, organisation
    name: str
    size: int
    ties: int


@dataclass(frozen=True, slots=True)
class BridgeRow:
    """A bridge at risk of fading."""

    person_a: str
    person_b: str
    band: str
    silent_days: float
    bridge_score: float | None
    risk: float | None  # from a fading model, when one is given


@dataclass(frozen=True, slots=True)
class Report:
    """Every figure of the report. ``subject`` names whose it is."""

    subject: str
    subject_id: int | None
    as_of: datetime
    first_seen: datetime | None
    months: list[timeline.Month]
    introductions: list[intro_list.RoleSummary]
    recent_introductions: list[IntroRow]
    dormant: list[DormantRow]
    gaps: list[GapRow]
    bridges_at_risk: list[BridgeRow]
    iceberg: list[iceberg.Spark]
    iceberg_months: list[tuple[str, int, int, int]]  # month, tips, sparked, a week before


def subject_of(
    con: duckdb.DuckDBPyConnection, person: str | None, organisation: bool
) -> tuple[int | None, str]:
    """Whose report: ``person``, else the store's most active owner, else (or with
    ``organisation``) the whole organisation."""
    if person is not None:
        pid = find_person(con, person)
        row = first_row(con.execute("SELECT display_name FROM people WHERE person_id = ?", [pid]))
        return pid, str(row[0]) if row else str(pid)
    found = owners(con)
    if organisation or not found:
        return None, "the organisation"
    return found[0]


def build(
    con: duckdb.DuckDBPyConnection,
    *,
    person: str | None = None,
    organisation: bool = False,
    fading: Fading | None = None,
) -> Report:
    """The report for ``person`` (see :func:`subject_of`) from the analysed store."""
    found = intro_list.find(con)
    subject, name = subject_of(con, person, organisation)
    ctx = timeline.Context(subject, _communities(con), _organisations(con))
    start = found.stream.start()
    first = datetime.fromtimestamp(start, found.as_of.tzinfo) if start is not None else None
    ends = timeline.month_ends(first, found.as_of) if first else []
    mine = [i for i in found.introductions if _involves(i, subject)]
    tips = iceberg.tips(found.stream, found.direct, subject)
    return Report(
        subject=name,
        subject_id=subject,
        as_of=found.as_of,
        first_seen=first,
        months=timeline.months(con, ctx, found.stream, mine, ends),
        introductions=_summaries(found, subject),
        recent_introductions=_recent(con, found, mine),
        dormant=_dormant(con, subject),
        gaps=_gaps(con, subject),
        bridges_at_risk=_bridges(con, subject, fading),
        iceberg=iceberg.summarise(tips),
        iceberg_months=[(m, *v) for m, v in iceberg.by_month(tips).items()],
    )


def _involves(intro: Introduction, subject: int | None) -> bool:
    return subject is None or subject in (intro.introducer, intro.a, intro.b)


def _summaries(found: intro_list.Found, subject: int | None) -> list[intro_list.RoleSummary]:
    if subject is None or subject in found.owners:
        return intro_list.summary(found)
    view = intro_list.Found(
        found.stream, found.direct, found.introductions, frozenset({subject}), found.as_of
    )
    return intro_list.summary(view)


def _recent(
    con: duckdb.DuckDBPyConnection, found: intro_list.Found, mine: list[Introduction]
) -> list[IntroRow]:
    latest = sorted(mine, key=lambda i: (-i.at, i.a, i.b))[:LIST_ROWS]
    table = intro_list.with_names(con, found, latest, {})
    return [
        IntroRow(
            r["introduced_at"],
            r["role"],
            r["introducer"],
            r["person_a"],
            r["person_b"],
            r["outcome"],
            r["days_to_first_direct"],
            r["strength"],
        )
        for r in table.to_pylist()
    ]


def _communities(con: duckdb.DuckDBPyConnection) -> dict[int, int]:
    rows = con.execute("SELECT person_id, community_id FROM person_metrics").fetchall()
    return {int(p): int(c) for p, c in rows if c is not None}


def _organisations(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    rows = con.execute(
        "SELECT person_id, org_domain FROM people WHERE org_domain IS NOT NULL AND NOT automated"
    ).fetchall()
    return {int(p): str(o) for p, o in rows}


_MINE = "($me IS NULL OR $me IN (t.person_a, t.person_b))"
_OTHER = "CASE WHEN t.person_a = $me THEN t.person_b ELSE t.person_a END"


def _dormant(con: duckdb.DuckDBPyConnection, subject: int | None) -> list[DormantRow]:
    """Dormant ties, those that would reach a community or organisation the subject's
    active ties no longer reach first, then the strongest they were."""
    rows = arrow(
        con,
        f"""
        WITH active AS (
            SELECT {_OTHER} AS other FROM ties t
            WHERE {_MINE} AND t.band IN ('strong', 'weak')
        ),
        reached AS (
            SELECT DISTINCT m.community_id, p.org_domain FROM active a
            LEFT JOIN person_metrics m ON m.person_id = a.other
            LEFT JOIN people p ON p.person_id = a.other
        ),
        chosen AS (
            SELECT t.name_a, t.name_b, {_OTHER} AS other, t.last_contact, t.base_strength,
                   {ORGANISATION} AS organisation, c.label, m.community_id, p.org_domain
            FROM ties t
            JOIN people p ON p.person_id = {_OTHER}
            LEFT JOIN organisations orgs ON orgs.org_domain = p.org_domain
            LEFT JOIN person_metrics m ON m.person_id = p.person_id
            LEFT JOIN communities c ON c.community_id = m.community_id
            WHERE {_MINE} AND t.band = 'dormant' AND NOT p.automated
        ),
        judged AS (
            SELECT c.*,
                   c.community_id IS NOT NULL AND c.community_id NOT IN (
                       SELECT community_id FROM reached WHERE community_id IS NOT NULL)
                       AS new_community,
                   c.org_domain IS NOT NULL AND c.org_domain NOT IN (
                       SELECT org_domain FROM reached WHERE org_domain IS NOT NULL) AS new_org
            FROM chosen c
        )
        SELECT * FROM judged
        ORDER BY (new_community OR new_org) DESC, base_strength DESC, other
        LIMIT {LIST_ROWS}
        """,
        {"me": subject},
    ).to_pylist()
    out = []
    for r in rows:
        reach = [f"community {r['label']}"] if r["new_community"] else []
        reach += [f"organisation {r['organisation']}"] if r["new_org"] else []
        a, b = (r["name_a"], r["name_b"]) if subject is None else ("", "")
        other = r["name_b"] if subject is None else _name(con, int(r["other"]))
        out.append(
            DormantRow(
                a if subject is None else other,
                b,
                r["organisation"],
                r["last_contact"],
                float(r["base_strength"]),
                ", ".join(reach),
            )
        )
    return out


def _name(con: duckdb.DuckDBPyConnection, pid: int) -> str:
    row = first_row(con.execute("SELECT display_name FROM people WHERE person_id = ?", [pid]))
    return str(row[0]) if row else str(pid)


def _gaps(con: duckdb.DuckDBPyConnection, subject: int | None) -> list[GapRow]:
    """Communities and organisations of at least :data:`GAP_MIN_SIZE` people that the
    subject reaches by at most one strong or weak tie (for the organisation: that the
    rest of it reaches so), fewest ties then largest first."""
    ties = con.execute(
        """SELECT person_a, person_b FROM ties WHERE band IN ('strong', 'weak')"""
    ).fetchall()
    groups_of: tuple[tuple[str, Mapping[int, object]], ...] = (
        ("community", _communities(con)),
        ("organisation", _organisations(con)),
    )
    counts: dict[tuple[str, object], int] = {}
    for a, b in ties:
        for kind, of in groups_of:
            for key in _reached(int(a), int(b), of, subject):
                counts[(kind, key)] = counts.get((kind, key), 0) + 1
    groups = con.execute(
        "SELECT 'community', community_id, label, size FROM communities WHERE size >= ?",
        [GAP_MIN_SIZE],
    ).fetchall()
    groups += con.execute(
        f"""SELECT 'organisation', p.org_domain, any_value({ORGANISATION}), count(*) FROM people p
            LEFT JOIN organisations orgs ON orgs.org_domain = p.org_domain
            WHERE p.org_domain IS NOT NULL AND NOT p.automated GROUP BY p.org_domain
            HAVING count(*) >= {GAP_MIN_SIZE}"""
    ).fetchall()
    gaps = [
        GapRow(str(kind), str(name), int(size), counts.get((str(kind), key), 0))
        for kind, key, name, size in groups
        if counts.get((str(kind), key), 0) <= 1
    ]
    gaps.sort(key=lambda g: (g.ties, -g.size, g.kind, g.name))
    return gaps[:LIST_ROWS]


def _reached(a: int, b: int, of: Mapping[int, object], subject: int | None) -> list[object]:
    """The groups a tie reaches: the other end's, for the subject's ties; for the
    organisation, both ends' groups when the tie crosses between two."""
    if subject is None:
        ga, gb = of.get(a), of.get(b)
        return [g for g in (ga, gb) if g is not None] if ga != gb else []
    other = b if subject == a else a if subject == b else None
    found = of.get(other) if other is not None else None
    return [found] if found is not None else []


def _bridges(
    con: duckdb.DuckDBPyConnection, subject: int | None, fading: Fading | None
) -> list[BridgeRow]:
    """The subject's bridges that are fading (see the module docstring), most at risk first."""
    ties = arrow(
        con,
        f"""SELECT * FROM ties t WHERE {_MINE} AND coalesce(t.is_bridge, false)
            AND (t.band = 'dormant' OR (t.band = 'weak' AND t.recency_days > {QUIET_DAYS}))""",
        {"me": subject},
    )
    risk = fading(ties) if fading is not None and ties.num_rows else None
    rows = [
        BridgeRow(
            r["name_a"],
            r["name_b"],
            r["band"],
            float(r["recency_days"]),
            r["bridge_score"],
            None if risk is None else float(risk[k]),
        )
        for k, r in enumerate(ties.to_pylist())
    ]
    rows.sort(key=lambda b: (-(b.risk or 0.0), -b.silent_days, b.person_a, b.person_b))
    return rows[:LIST_ROWS]
