"""The Python API: what the CLI, the REST API and notebooks all call."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from weakties.config import Settings
from weakties.errors import InputError, StoreError
from weakties.identity.flags import set_verdict
from weakties.identity.rebuild import rebuild_people
from weakties.identity.verdicts import addresses_of, anchor, merge_people, split_person
from weakties.ingest import IngestReport, ingest_sources, survey_paths
from weakties.insights import queries
from weakties.insights.ego import EgoView, ego_view, owners
from weakties.insights.lookup import find_person
from weakties.insights.profile import PersonProfile, profile
from weakties.progress import ProgressSink
from weakties.sources.server import ServerOptions, is_url
from weakties.store import connect, derived, followups, reads
from weakties.store.db import first_row
from weakties.text.phones import check_region
from weakties.ties import pin_tie, unpin_tie

if TYPE_CHECKING:  # the graph stack (igraph) loads only when analysis runs
    from weakties.analysis import AnalysisSummary
    from weakties.insights.intro_list import RoleSummary
    from weakties.insights.nudges import Nudge
    from weakties.insights.report import Fading, Report

_ADDRESS = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


_reading: ContextVar[tuple[Path, duckdb.DuckDBPyConnection] | None] = ContextVar(
    "weakties_reading", default=None
)


@contextmanager
def open_store(
    settings: Settings, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the configured store, closed on exit (inside :func:`reading`, the
    block's connection, left open)."""
    held = _reading.get()
    if held is not None and held[0] == settings.db_path.absolute():
        if not read_only:
            raise StoreError(
                f"The store {settings.db_path} is open for reading in this process.",
                "Write to it (ingest, analyze, pin, flag, nudges) outside the "
                "`with api.reading(...)` block.",
            )
        yield held[1]
        return
    con = connect(settings.db_path, read_only=read_only, memory_limit=settings.memory_limit)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def reading(settings: Settings) -> Iterator[None]:
    """Keep one read-only connection to the store for the API calls made inside the
    block, for a notebook or a server that asks many questions: each call then skips
    opening the store (40-60 ms for a store of 100,000 people), and from its third
    question the process keeps the relationships in memory
    (:mod:`weakties.store.relationships`), so an introduction takes milliseconds.
    While the block is open, other processes may read the store but not write to it
    (the database file is locked), and calls that write raise :class:`StoreError`."""
    with open_store(settings, read_only=True) as con:
        token = _reading.set((settings.db_path.absolute(), con))
        try:
            yield
        finally:
            _reading.reset(token)


def init(settings: Settings, me: Sequence[str]) -> list[str]:
    """Name the owner's addresses (replacing any named before); returns them normalised."""
    addresses = sorted({a.strip().strip("<>").lower() for a in me if a.strip()})
    if not addresses:
        raise InputError("No address given.", "Give yours like --me you@example.com.")
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
        if first_row(con.execute("SELECT 1 FROM interactions LIMIT 1")):
            _refresh(con)  # owners, and the ties' owner flags, change at once
    return addresses


def ingest(
    settings: Settings,
    paths: Sequence[Path | str],
    progress: ProgressSink | None = None,
    server: ServerOptions | None = None,
) -> IngestReport:
    """Read every path (mail, logs, address books, exports, archives of them) and server
    account (``imaps://me@host/``, read with ``server``'s options) into the store; see
    :mod:`weakties.ingest`. The report names the files in folders and archives given
    that nothing read (``not_read``) and tallies each archive's members (``archives``)."""
    if server is not None and server.given() and not any(_is_server(p) for p in paths):
        raise InputError(
            "--folder, --cafile and --password-env are for a mail server's account.",
            "Give one as imaps://USER@HOST/, or leave those options out.",
        )
    region = _region(settings.phone_region)
    with (
        survey_paths(paths, region=region, server=server) as found,
        open_store(settings) as con,
    ):
        report = ingest_sources(con, found.sources, settings, progress, found.not_read)
    report.archives = found.archives
    return report


def passwords_wanted(paths: Sequence[Path | str], server: ServerOptions) -> list[str]:
    """The accounts (``user@host:port``) among ``paths`` whose password is neither in
    ``server.passwords`` nor in ``$server.password_env``: those to ask for."""
    from weakties.sources.registry import server_address

    if os.environ.get(server.password_env):
        return []
    accounts = [server_address(p).account for p in paths if isinstance(p, str) and is_url(p)]
    return [a for a in dict.fromkeys(accounts) if a not in server.passwords]


def _is_server(path: Path | str) -> bool:
    return isinstance(path, str) and is_url(path)


def _region(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return check_region(text)
    except ValueError as exc:
        raise InputError(f"{exc}.", "Give an ISO 3166 country code such as GB, US or DE.") from exc


def people(
    settings: Settings,
    *,
    search: str | None = None,
    include_automated: bool = False,
    limit: int | None = None,
) -> pa.Table:
    """People with counts, first/last seen, organisation and identities."""
    rows = _rows(limit)
    with open_store(settings, read_only=True) as con:
        return reads.people(con, search=search, include_automated=include_automated, limit=rows)


def quarantine(
    settings: Settings, *, reason: str | None = None, limit: int | None = None
) -> pa.Table:
    """Records set aside at ingest, with their location and reason."""
    rows = _rows(limit)
    with open_store(settings, read_only=True) as con:
        return reads.quarantine(con, reason=reason, limit=rows)


def sources(settings: Settings, *, limit: int | None = None) -> pa.Table:
    """Ingested sources with owners and counts."""
    rows = _rows(limit)
    with open_store(settings, read_only=True) as con:
        return reads.sources(con, limit=rows)


def _rows(limit: int | None) -> int | None:
    """A listing's row limit (None or 0: every row); a negative one is an input error."""
    if limit is not None and limit < 0:
        raise InputError(f"A limit of {limit} rows is negative.", "Give 0 for all, or more.")
    return limit or None


def stats(settings: Settings) -> reads.StoreStats:
    """A summary of the store."""
    with open_store(settings, read_only=True) as con:
        return reads.stats(con)


def prepare_demo_store(settings: Settings, *, force: bool = False) -> None:
    """Make ready the store the demo will fill with its sample organisation.

    A store that holds anything else (sources, or your addresses from ``init``) is
    refused with :class:`InputError` unless ``force``: made-up people mixed into real
    mail cannot be taken out again. A store the demo starts is marked as the demo's,
    so that running the demo again into it is allowed.
    """
    if settings.db_path.exists():
        with open_store(settings, read_only=True) as con:
            held = _other_data(con)
        if held and not force:
            raise InputError(
                f"{settings.db_path} already holds {held}; the demo would mix a made-up "
                "organisation into it.",
                "Pass another --db (or none), or --force to add it anyway.",
            )
        if held:
            return
    with open_store(settings) as con:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, 'demo')", [_MADE_BY])


_MADE_BY = "made_by"


def _other_data(con: duckdb.DuckDBPyConnection) -> str:
    """What the store holds that the demo did not put there ('' for nothing)."""
    mark = con.execute("SELECT value FROM meta WHERE key = ?", [_MADE_BY]).fetchall()
    if mark and mark[0][0] == "demo":
        return ""
    ((n_sources,),) = con.execute("SELECT count(*) FROM sources").fetchall()
    ((n_me,),) = con.execute("SELECT count(*) FROM me").fetchall()
    if n_sources:
        return f"{n_sources:,} source{'s' if n_sources != 1 else ''} of its own"
    return "your addresses (weakties init)" if n_me else ""


# --- Understanding: ties, structure, the owner's view -------------------------------


ENGINES = ("duckdb", "spark")
"""Where the tie features can be computed: the store's DuckDB, or a Spark cluster."""


def analyze(
    settings: Settings,
    *,
    as_of: datetime | None = None,
    progress: ProgressSink | None = None,
    engine: str = "duckdb",
    master: str | None = None,
    parquet: Path | None = None,
) -> AnalysisSummary:
    """Rebuild people, ties, communities, bridges and brokerage from the stored facts.

    With ``engine="spark"`` the tie features are computed by Spark at ``master``
    (default ``local[*]``) over the facts exported as Parquet (into ``parquet``, else a
    temporary folder); scoring and the graph steps run here, as with DuckDB."""
    from weakties.analysis import analyze as run_analysis

    if engine not in ENGINES:
        raise InputError(f"No engine {engine!r}.", f"Use one of: {', '.join(ENGINES)}.")
    if engine != "spark" and (master is not None or parquet is not None):
        raise InputError("--master and --parquet are for --engine spark.", "Add --engine spark.")
    if not settings.db_path.exists():
        raise StoreError(
            f"No store at {settings.db_path}.", "Run `weakties ingest PATH` first, or pass --db."
        )
    features = None
    if engine == "spark":
        from weakties.ties.spark import DEFAULT_MASTER, spark_engine

        features = spark_engine(master or DEFAULT_MASTER, parquet)
    with open_store(settings) as con:
        return run_analysis(con, as_of=as_of, progress=progress, features=features)


def export_parquet(settings: Settings, folder: Path) -> dict[str, int]:
    """Write the store's facts (and who each address is) as Parquet tables into
    ``folder``, the interactions partitioned by year; returns the rows per table."""
    from weakties.store.parquet import export_facts

    with open_store(settings, read_only=True) as con:
        return export_facts(con, folder)


def ties(
    settings: Settings,
    *,
    band: str | None = None,
    person: str | None = None,
    limit: int | None = None,
) -> pa.Table:
    """Ties with strength, band and explanation; optionally one band or one person's
    (see :data:`weakties.insights.queries.TIE_COLUMNS`)."""
    rows = _rows(limit)
    with open_store(settings, read_only=True) as con:
        return queries.ties(con, band=band, person=person, limit=rows)


def connectors(settings: Settings, *, limit: int | None = 20) -> pa.Table:
    """People ranked by how many worlds they span (brokerage)."""
    rows = _rows(limit)
    with open_store(settings, read_only=True) as con:
        return queries.connectors(con, limit=rows)


def bridges(settings: Settings, *, limit: int | None = 20) -> pa.Table:
    """Ties that link communities or whose ends share few contacts."""
    rows = _rows(limit)
    with open_store(settings, read_only=True) as con:
        return queries.bridges(con, limit=rows)


def communities(settings: Settings, *, limit: int | None = None) -> pa.Table:
    """Communities with readable labels, largest first."""
    rows = _rows(limit)
    with open_store(settings, read_only=True) as con:
        return queries.communities(con, limit=rows)


def person(settings: Settings, query: str, *, limit: int | None = 10) -> PersonProfile:
    """A person's profile: identities, community, brokerage, and at most ``limit`` of
    their ties of each kind (None or 0: all)."""
    rows = _rows(limit)
    with open_store(settings, read_only=True) as con:
        queries.require_analysis(con)
        return profile(con, find_person(con, query), limit=rows)


def owner_views(settings: Settings, *, limit: int | None = 10) -> list[EgoView]:
    """For each owner of the store: strongest, bridging weak and dormant ties, connectors."""
    limit = _rows(limit)
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


@dataclass(frozen=True, slots=True)
class IdentityChange:
    """What a merge or a split made: each person concerned, as ``(name, addresses)``,
    and the analysis redone with them (None when the store was not analysed)."""

    people: list[tuple[str, list[str]]]
    analysis: AnalysisSummary | None


def merge(settings: Settings, a: str, b: str) -> IdentityChange:
    """Make the people behind ``a`` and ``b`` (addresses, names or person ids) one person,
    for good; people and, if the store was analysed, the analysis are redone at once."""
    with _existing_store(settings) as con:
        first, second = find_person(con, a), find_person(con, b)
        anchors = (anchor(con, a, first), anchor(con, b, second))
        merge_people(con, first, second, anchors)
        merged = _person_of(con, anchors[0])
        return IdentityChange([_described(con, merged)], _reanalysed(con))


def split(settings: Settings, person: str, address: str) -> IdentityChange:
    """Take ``address`` out of ``person`` (an address, a name or a person id), for good;
    people and, if the store was analysed, the analysis are redone at once."""
    with _existing_store(settings) as con:
        taken, others = split_person(con, find_person(con, person), address)
        people = [_described(con, _person_of(con, a)) for a in (others[0], taken)]
        return IdentityChange(people, _reanalysed(con))


@contextmanager
def _existing_store(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    if not settings.db_path.exists():
        raise StoreError(
            f"No store at {settings.db_path}.", "Run `weakties ingest PATH` first, or pass --db."
        )
    with open_store(settings) as con:
        yield con


def _person_of(con: duckdb.DuckDBPyConnection, address: str) -> int:
    row = first_row(con.execute("SELECT person_id FROM identities WHERE address = ?", [address]))
    assert row is not None, address  # the address was one of the store's a moment ago
    return int(row[0])


def _described(con: duckdb.DuckDBPyConnection, person_id: int) -> tuple[str, list[str]]:
    row = first_row(con.execute("SELECT display_name FROM people WHERE person_id = ?", [person_id]))
    return (str(row[0]) if row else str(person_id)), addresses_of(con, person_id)


def _refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild people, and redo the analysis if the store has one."""
    rebuild_people(con)
    _reanalysed(con)


def _reanalysed(con: duckdb.DuckDBPyConnection) -> AnalysisSummary | None:
    """Redo the store's analysis, as of the same instant, when it has one."""
    state = derived.state(con)
    if not state.analysed:
        return None
    from weakties.analysis import analyze as run_analysis

    return run_analysis(con, as_of=state.as_of)


def flag(settings: Settings, address: str, *, automated: bool = True) -> list[str]:
    """Record the user's verdict on a sender: automated (``flag``) or a person
    (``automated=False``, ``unflag``); applied on the next analysis. Returns the
    addresses it was recorded for."""
    with open_store(settings) as con:
        return set_verdict(con, address, automated)


def intros(settings: Settings, *, role: str | None = None, limit: int | None = None) -> pa.Table:
    """Introductions detected in the store, latest first, each with its outcome and the
    base rate of chance pairs (see :data:`weakties.insights.intro_list.COLUMNS`)."""
    from weakties.insights.intro_list import intros as listed

    rows = _rows(limit)
    with open_store(settings, read_only=True) as con:
        return listed(con, role=role, limit=rows)


def intro_rates(settings: Settings) -> list[RoleSummary]:
    """Per role (made, received, between others): how many introductions led to a tie,
    against the base rate of chance pairs."""
    from weakties.insights.intro_list import find, summary

    with open_store(settings, read_only=True) as con:
        return summary(find(con))


def report(
    settings: Settings,
    *,
    person: str | None = None,
    organisation: bool = False,
    fading: Fading | None = None,
) -> Report:
    """The impact and network assessment report's figures: for ``person``, else the
    store's most active owner, else (or with ``organisation``) the whole organisation.
    ``fading`` (each tie's probability of going silent) ranks the bridges at risk."""
    from weakties.insights.report import build

    with open_store(settings, read_only=True) as con:
        return build(con, person=person, organisation=organisation, fading=fading)


def write_report(settings: Settings, path: Path, report_data: Report | None = None) -> Report:
    """Write the report as one self-contained HTML file; returns its figures."""
    from weakties.insights.report.html import render

    data = report_data or report(settings)
    try:
        path.write_text(render(data), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write {path}: {exc.strerror}.", "Check the path.") from exc
    return data


def export(settings: Settings, path: Path, fmt: str | None = None) -> tuple[int, int]:
    """Write the graph (GraphML or GEXF, by default as the file's name says) with
    strength, band and community attributes."""
    from weakties.export import export_format, export_graph

    chosen = export_format(path, fmt)
    with open_store(settings, read_only=True) as con:
        return export_graph(con, path, chosen)


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


# --- Keeping in touch: fading ties, nudges, cadences, reminders, digest -------------


def fading(
    settings: Settings,
    *,
    as_owner: str | None = None,
    min_probability: float = 0.5,
    limit: int | None = None,
) -> pa.Table:
    """The user's active ties likely to go silent over the next 90 days, likeliest
    first, with the probability and why (see :data:`weakties.insights.fading.FADING_COLUMNS`);
    every tie of the store when it has no owner."""
    from weakties.insights import fading as risk

    rows = _rows(limit)
    with open_store(settings, read_only=True) as con:
        return risk.fading(con, as_owner=as_owner, min_probability=min_probability, limit=rows)


def nudges(
    settings: Settings,
    *,
    as_owner: str | None = None,
    today: date | None = None,
    per_day: int = 5,
    record: bool = True,
) -> pa.Table:
    """Whom to get in touch with today, why, and the lightest touch (see
    :data:`weakties.insights.nudges.NUDGE_COLUMNS`); at most ``per_day`` people a day,
    recorded as shown unless ``record`` is False."""
    from weakties.insights import nudges as nudging

    with open_store(settings) as con:
        found = _nudges(con, as_owner, today, per_day, record)
        return nudging.as_table(found)


def _nudges(
    con: duckdb.DuckDBPyConnection, as_owner: str | None, today: date | None, per_day: int,
    record: bool,
) -> list[Nudge]:  # fmt: skip
    from weakties.insights import nudges as nudging
    from weakties.insights.keep import parse_day

    if per_day < 1:
        raise InputError(f"At least one nudge a day, not {per_day}.", "Pass --per-day 1 or more.")
    queries.require_analysis(con)
    day = today or parse_day(None)
    return nudging.nudges(con, as_owner=as_owner, today=day, per_day=per_day, record=record)


def cadence(
    settings: Settings, target: str, every: str, *, as_owner: str | None = None,
    community: bool = False,
) -> tuple[str, int | None]:  # fmt: skip
    """Keep in touch with a person, an organisation or (``community``) a community at
    least ``every`` (``30d``, ``2w``, ``3m``, ``1y``; ``off`` removes it). Returns what
    the cadence is about, in words, and its days (None when removed)."""
    from weakties.insights import keep

    with open_store(settings) as con:
        queries.require_analysis(con)
        found, days = keep.set_cadence(con, as_owner, target, every, community=community)
        return found.label, days


def cadences(settings: Settings, *, as_owner: str | None = None) -> pa.Table:
    """The cadences set: kind, target (an address or a domain), days, when set."""
    from weakties.insights import keep

    with open_store(settings) as con:
        return keep.cadences(con, as_owner)


def done(
    settings: Settings, person: str, *, as_owner: str | None = None, on: date | None = None
) -> str:
    """Record that you reached out to ``person``; returns their name."""
    from weakties.insights import keep

    with open_store(settings) as con:
        return keep.done(con, as_owner, person, on)


def snooze(
    settings: Settings, person: str, until: date, *, as_owner: str | None = None,
    today: date | None = None,
) -> str:  # fmt: skip
    """No nudges about ``person`` before ``until`` (unless you are in touch before);
    returns their name."""
    from weakties.insights import keep

    with open_store(settings) as con:
        return keep.snooze(con, as_owner, person, until, today or keep.parse_day(None))


def reminders(
    settings: Settings, path: Path, *, as_owner: str | None = None, today: date | None = None,
    per_day: int = 5,
) -> int:  # fmt: skip
    """Write today's nudges to an iCalendar file, one all-day event each; returns how many."""
    from weakties.insights.reminders import write_ics

    with open_store(settings) as con:
        found = _nudges(con, as_owner, today, per_day, True)
    write_ics(path, found)
    return len(found)


def digest(
    settings: Settings, path: Path, *, as_owner: str | None = None, today: date | None = None,
    per_day: int = 5, at_risk: int = 10,
) -> None:  # fmt: skip
    """Write the weekly digest (``.html`` or ``.md`` as the name says): today's nudges,
    the ties most at risk, and whom you reached out to in the last seven days."""
    from weakties.insights import fading as risk
    from weakties.insights.keep import parse_day
    from weakties.insights.reminders import Digest, digest_kind, write_digest

    digest_kind(path)  # refuse a bad name before any work
    day = today or parse_day(None)
    with open_store(settings) as con:
        found = _nudges(con, as_owner, day, per_day, True)
        who = risk.viewer(con, as_owner, required=True)
        assert who.person_id is not None
        listed = risk.fading(con, as_owner=as_owner, limit=at_risk)
        week = datetime.combine(day - timedelta(days=6), datetime.min.time(), UTC)
        names = _names(con, followups.done_since(con, who.person_id, week))
    write_digest(path, Digest(who.name, day, found, listed, names))


def _names(con: duckdb.DuckDBPyConnection, ids: list[int]) -> list[str]:
    rows = dict(
        con.execute(
            "SELECT person_id, display_name FROM people WHERE list_contains(?, person_id)", [ids]
        ).fetchall()
    )
    return [str(rows.get(i, i)) for i in ids]
