"""The Python API: what the CLI, the REST API and notebooks all call."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from weakties.config import Settings
from weakties.errors import InputError, StoreError
from weakties.ingest import IngestReport, ingest_sources, resolve_paths
from weakties.insights import queries
from weakties.insights.ego import EgoView, ego_view, owners
from weakties.insights.lookup import find_person
from weakties.insights.profile import PersonProfile, profile
from weakties.progress import ProgressSink
from weakties.store import connect, reads
from weakties.ties import pin_tie, unpin_tie

if TYPE_CHECKING:  # the graph stack (igraph) loads only when analysis runs
    from weakties.analysis import AnalysisSummary

_ADDRESS = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


@contextmanager
def open_store(
    settings: Settings, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the configured store, closed on exit."""
    con = connect(settings.db_path, read_only=read_only, memory_limit=settings.memory_limit)
    try:
        yield con
    finally:
        con.close()


def init(settings: Settings, me: Sequence[str]) -> list[str]:
    """Name the owner's addresses (replacing any named before); returns them normalised."""
    addresses = sorted({a.strip().strip("<>").lower() for a in me if a.strip()})
    bad = [a for a in addresses if not _ADDRESS.match(a)]
    if bad:
        raise InputError(
            f"Not an e-mail address: {bad[0]!r}.", "Give addresses like --me you@example.com."
        )
    with open_store(settings) as con:
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM me")
        con.executemany("INSERT INTO me VALUES (?)", [[a] for a in addresses])
        con.execute("COMMIT")
    return addresses


def ingest(
    settings: Settings, paths: Sequence[Path], progress: ProgressSink | None = None
) -> IngestReport:
    """Read every path (mail, logs) into the store; see :mod:`weakties.ingest`."""
    sources = resolve_paths(paths)
    with open_store(settings) as con:
        return ingest_sources(con, sources, settings, progress)


def people(
    settings: Settings,
    *,
    search: str | None = None,
    include_automated: bool = False,
    limit: int | None = None,
) -> pa.Table:
    """People with counts, first/last seen, organisation and identities."""
    with open_store(settings, read_only=True) as con:
        return reads.people(con, search=search, include_automated=include_automated, limit=limit)


def quarantine(settings: Settings, *, reason: str | None = None) -> pa.Table:
    """Records set aside at ingest, with their location and reason."""
    with open_store(settings, read_only=True) as con:
        return reads.quarantine(con, reason=reason)


def sources(settings: Settings) -> pa.Table:
    """Ingested sources with owners and counts."""
    with open_store(settings, read_only=True) as con:
        return reads.sources(con)


def stats(settings: Settings) -> reads.StoreStats:
    """A summary of the store."""
    with open_store(settings, read_only=True) as con:
        return reads.stats(con)


# --- Understanding: ties, structure, the owner's view -------------------------------


def analyze(
    settings: Settings, *, as_of: datetime | None = None, progress: ProgressSink | None = None
) -> AnalysisSummary:
    """Rebuild people, ties, communities, bridges and brokerage from the stored facts."""
    from weakties.analysis import analyze as run_analysis

    if not settings.db_path.exists():
        raise StoreError(
            f"No store at {settings.db_path}.", "Run `weakties ingest PATH` first, or pass --db."
        )
    with open_store(settings) as con:
        return run_analysis(con, as_of=as_of, progress=progress)


def ties(
    settings: Settings,
    *,
    band: str | None = None,
    person: str | None = None,
    limit: int | None = None,
) -> pa.Table:
    """Ties with strength, band and explanation; optionally one band or one person's."""
    with open_store(settings, read_only=True) as con:
        return queries.ties(con, band=band, person=person, limit=limit)


def connectors(settings: Settings, *, limit: int | None = 20) -> pa.Table:
    """People ranked by how many worlds they span (brokerage)."""
    with open_store(settings, read_only=True) as con:
        return queries.connectors(con, limit=limit)


def bridges(settings: Settings, *, limit: int | None = 20) -> pa.Table:
    """Ties that link communities or whose ends share few contacts."""
    with open_store(settings, read_only=True) as con:
        return queries.bridges(con, limit=limit)


def communities(settings: Settings, *, limit: int | None = None) -> pa.Table:
    """Communities with readable labels, largest first."""
    with open_store(settings, read_only=True) as con:
        return queries.communities(con, limit=limit)


def person(settings: Settings, query: str, *, limit: int = 10) -> PersonProfile:
    """A person's profile: identities, community, brokerage, and their ties by kind."""
    with open_store(settings, read_only=True) as con:
        return profile(con, find_person(con, query), limit=limit)


def owner_views(settings: Settings, *, limit: int = 10) -> list[EgoView]:
    """For each owner of the store: strongest, bridging weak and dormant ties, connectors."""
    with open_store(settings, read_only=True) as con:
        queries.require_analysis(con)
        return [ego_view(con, pid, limit=limit) for pid, _ in owners(con)]


def pin(settings: Settings, address_a: str, address_b: str, band: str) -> None:
    """Pin the band of the tie between two addresses; it survives re-analysis."""
    with open_store(settings) as con:
        pin_tie(con, address_a, address_b, band)


def unpin(settings: Settings, address_a: str, address_b: str) -> bool:
    """Remove a pin; returns whether there was one."""
    with open_store(settings) as con:
        return unpin_tie(con, address_a, address_b)


def export(settings: Settings, path: Path, fmt: str) -> tuple[int, int]:
    """Write the graph (GraphML or GEXF) with strength, band and community attributes."""
    from weakties.export import export_graph

    with open_store(settings, read_only=True) as con:
        return export_graph(con, path, fmt)


# --- Acting: introductions, people to meet --------------------------------------------


def intro(
    settings: Settings,
    target: str,
    *,
    as_owner: str | None = None,
    team: bool = False,
    limit: int | None = 10,
) -> pa.Table:
    """Ranked introduction paths from the user (or ``as_owner``, or any owner with
    ``team``) to a person or an organisation; see :mod:`weakties.insights.intro`."""
    from weakties.insights.intro import intro_table

    with open_store(settings, read_only=True) as con:
        return intro_table(con, target, as_owner=as_owner, team=team, limit=limit)


def suggest(
    settings: Settings,
    *,
    person: str | None = None,
    as_owner: str | None = None,
    everyone: bool = False,
    limit: int | None = 10,
) -> pa.Table:
    """People to meet, with the best introducer and why: for ``person``, the user (or
    ``as_owner``), or with ``everyone`` the top ``limit`` of every person."""
    from weakties.insights.intro import users
    from weakties.insights.suggest import suggest_everyone, suggest_table

    with open_store(settings, read_only=True) as con:
        queries.require_analysis(con)
        if everyone:
            return suggest_everyone(con, per_person=limit or 5)
        if person:
            return suggest_table(con, find_person(con, person), limit=limit)
        user = users(con, as_owner=as_owner, team=False)[0]
        return suggest_table(con, user, limit=limit, you=True)


def backchannel(
    settings: Settings,
    stakeholder: str,
    *,
    as_owner: str | None = None,
    team: bool = False,
    limit: int | None = 10,
) -> pa.Table:
    """People who can give a candid view of a stakeholder (a person, or an organisation's
    best-connected people); see :mod:`weakties.insights.backchannel`."""
    from weakties.insights.backchannel import backchannel_table

    with open_store(settings, read_only=True) as con:
        return backchannel_table(con, stakeholder, as_owner=as_owner, team=team, limit=limit)


def account(settings: Settings, organisation: str) -> pa.Table:
    """Everyone known at an organisation, with the teammate who knows them best."""
    from weakties.insights.accounts import account_table

    with open_store(settings, read_only=True) as con:
        return account_table(con, organisation)


def accounts(settings: Settings, *, limit: int | None = None) -> pa.Table:
    """Every organisation's coverage (dark, single-threaded, thin, covered), riskiest first."""
    from weakties.insights.accounts import accounts_table

    with open_store(settings, read_only=True) as con:
        return accounts_table(con, limit=limit)
