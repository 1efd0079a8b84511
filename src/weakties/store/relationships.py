"""The ``relationships`` table and the people's facts held in memory, for a process that
asks many questions.

Each question users act on (an introduction, suggestions for one person) reads the
relationships of a few people and those people's names, organisations and communities.
On its own that is a few filtered reads of the store; a process that asks again of the
same store (a server, a notebook, a benchmark) would read the same tables over and
over. From its second question of one version of a store file (:data:`KEEP_FROM`),
the process keeps the whole table in memory, ordered by person, and answers the same
reads by slicing it: the rows are the ones the filtered read gives, in the same order.

A version of the store is its file's path, size and modification time, and those of
its write-ahead log, read on a read-only connection: every committed write (an ingest,
an analysis, a pin) changes one of them, and the tables are read afresh. A connection
that may write is never answered from memory (it sees its own uncommitted rows).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

KEEP_FROM = 3
"""The read of one store version from which the process keeps a table. A question reads
each table at most twice (an introduction reads the relationships around the people,
then those between their contacts), so a single command stays with filtered reads and
does not load a whole table; the second question loads it."""


@dataclass(frozen=True, eq=False)
class Held:
    """A whole table in memory, ordered by its ``person_id`` column (then ``other``)."""

    table: pa.Table
    person: np.ndarray
    other: np.ndarray  # the ``other`` column of a relationships table (else empty)

    def rows_of(self, people: np.ndarray) -> np.ndarray:
        """The row numbers of ``people``'s rows (``people`` sorted, unique), in order."""
        starts = np.searchsorted(self.person, people, side="left")
        stops = np.searchsorted(self.person, people, side="right")
        lengths = stops - starts
        if not int(lengths.sum()):
            return np.empty(0, dtype=np.int64)
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        rows: np.ndarray = np.arange(int(lengths.sum()), dtype=np.int64) + offsets
        return rows

    def of(self, people: np.ndarray) -> pa.Table:
        """The rows of ``people`` (sorted, unique)."""
        return self.table.take(self.rows_of(people))

    def around(self, people: np.ndarray) -> pa.Table:
        """The relationships that ``relationship_ties(con, people)`` reads."""
        rows = self.rows_of(people)
        other = self.other[rows]
        keep = (self.person[rows] < other) | ~np.isin(other, people)
        return self.table.take(rows[keep])

    def between(self, first: np.ndarray, second: np.ndarray) -> pa.Table:
        """The relationships that ``ties_between(con, first, second)`` reads."""
        rows = self.rows_of(first)
        return self.table.take(rows[np.isin(self.other[rows], second)])


_seen: dict[tuple[object, ...], int] = {}
_held: dict[tuple[object, ...], Held] = {}


def held(con: duckdb.DuckDBPyConnection, name: str, query: str) -> Held | None:
    """The rows of ``query`` (a whole table ordered by ``person_id``), kept under
    ``name`` once this process has asked for them :data:`KEEP_FROM` times of this
    version of the store; None when the caller should read the rows it needs."""
    version = _version(con)
    if version is None:
        return None
    key = (name, *version)
    found = _held.get(key)
    if found is not None:
        return found
    _seen[key] = _seen.get(key, 0) + 1
    if _seen[key] < KEEP_FROM:
        return None
    table = con.sql(query).to_arrow_table().combine_chunks()  # one chunk: take() is cheap
    other = table.column("other") if "other" in table.column_names else pa.array([], pa.int64())
    found = Held(table, table.column("person_id").to_numpy(), other.to_numpy())
    for old in [k for k in (*_held, *_seen) if k[0] == name and k != key]:
        _held.pop(old, None)  # one version of each table at a time
        _seen.pop(old, None)
    _held[key] = found
    return found


def forget() -> None:
    """Drop what the process holds (for tests and for a caller short of memory)."""
    _held.clear()
    _seen.clear()


_last: list[tuple[duckdb.DuckDBPyConnection, Path | None]] = []


def _version(con: duckdb.DuckDBPyConnection) -> tuple[object, ...] | None:
    path = _file(con)
    if path is None:
        return None
    stamps: list[object] = [str(path.resolve())]
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            st = os.stat(file)
        except FileNotFoundError:
            stamps.append(None)
            continue
        stamps += [st.st_size, st.st_mtime_ns]
    return tuple(stamps)


def _file(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file of a read-only connection (None for one that may write, or in memory);
    the last connection's is kept, so that a question's reads ask DuckDB once."""
    if _last and _last[0][0] is con:
        return _last[0][1]
    rows = con.execute(
        "SELECT path, current_setting('access_mode') FROM duckdb_databases() "
        "WHERE database_name = current_database()"
    ).fetchall()
    read_only = bool(rows) and bool(rows[0][0]) and str(rows[0][1]).lower() == "read_only"
    path = Path(str(rows[0][0])) if read_only else None
    _last[:] = [(con, path)]
    return path
