"""What the ledger and the key table already hold, as 64-bit hashes held in memory.

Each batch asks whether its locations are in the ledger (``items``) and whether its
interactions' keys are known (``interaction_keys``). Asked of the tables, each
question scans the whole column: the cost of a batch grew with the store (about
30 us a row at 2M stored, all 18 of 18 row groups read). Here the hashes of both
columns are read once per run (8 bytes a row) and kept sorted; a batch's values are
hashed the same way and looked up in them. A value whose hash is absent is
certainly new; only the values whose hash is present (duplicates, or a rare
collision of hashes) are looked up in the tables, exactly. A fresh log's batch then
touches nothing but itself.

The hash is Python's own string hash: it differs from one process to the next, which
does not matter for a set that lives as long as one run, and it costs 0.1 us a value
where asking DuckDB to hash a batch costs 1.2 ms a call whatever its size (5,000
values: 0.5 ms against 1.6 ms; one value: 1 us against 1.2 ms, which a folder of
one-message files pays per file). Reading a column to hash it costs about 0.45 us a
row (2M keys: 0.9 s), once per run.

Hashes added during the run are kept in sorted runs (at most MAX_RUNS; more are
merged into one), folded into the main array once they hold a quarter of its size,
so that each hash is merged a bounded number of times and lookups look in a few
arrays at most. Adding and looking up 8M hashes in batches of 5,000 takes 14 s in all
on the shared two-core machine (1.8 us a value; 50 s with the probes unsorted).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import numpy.typing as npt

Hashes = npt.NDArray[np.int64]

MIN_FOLD = 1 << 16  # fold the runs into the main array from this many hashes on
MAX_RUNS = 16  # ... or when there are this many runs
READ_ROWS = 1 << 18  # rows read at a time when loading a column


def hashes(values: Iterable[str]) -> Hashes:
    """The hash of each value, in order (the hash the sets hold)."""
    return np.fromiter(map(hash, values), dtype=np.int64)


@dataclass(slots=True)
class HashSet:
    """A set of 64-bit hashes: a sorted main array and a few sorted runs added since."""

    main: Hashes
    runs: list[Hashes] = field(default_factory=list)

    @classmethod
    def of_column(cls, con: duckdb.DuckDBPyConnection, table: str, column: str) -> HashSet:
        """The hashes of every value of ``table.column`` (names from this module only),
        read a slice at a time so that the strings never all sit in memory."""
        reader = con.sql(f"SELECT {column} FROM {table}").to_arrow_reader(READ_ROWS)
        parts = [hashes(chunk.column(0).to_pylist()) for chunk in reader]
        return cls(np.sort(np.concatenate([np.empty(0, np.int64), *parts])))

    def __len__(self) -> int:
        return int(self.main.size + sum(r.size for r in self.runs))

    def contains(self, wanted: Hashes) -> npt.NDArray[np.bool_]:
        """For each hash, whether the set holds it.

        The probes are sorted first: searching a sorted batch walks the main array in
        order (5,000 probes in 6M hashes: 5.5 ms sorted, 18 ms in random order)."""
        order = np.argsort(wanted)
        probes = wanted[order]
        hit = _member(self.main, probes)
        for run in self.runs:
            hit |= _member(run, probes)
        found = np.empty_like(hit)
        found[order] = hit
        return found

    def add(self, new: Hashes) -> None:
        """Add hashes: as a new sorted run; the runs are merged into one when there are
        too many, and into the main array once they hold a quarter of its size (so
        that each hash is merged a bounded number of times, whatever the store's size)."""
        if new.size == 0:
            return
        self.runs.append(np.sort(new))
        pending = sum(r.size for r in self.runs)
        if pending >= max(MIN_FOLD, self.main.size // 4):
            self.main = _merged([self.main, *self.runs])
            self.runs = []
        elif len(self.runs) > MAX_RUNS:
            self.runs = [_merged(self.runs)]


def _merged(runs: list[Hashes]) -> Hashes:
    """Sorted runs as one sorted array (a stable sort of sorted runs merges them).

    Sorted in place: ``np.sort`` would return a second copy, and for a moment three
    arrays of the set's size (the old main array, the concatenation, its sorted copy)
    would be in memory at once, 190 MB per set at 8M records."""
    merged = np.concatenate(runs)
    merged.sort(kind="stable")
    return merged


def _member(sorted_hashes: Hashes, wanted: Hashes) -> npt.NDArray[np.bool_]:
    if sorted_hashes.size == 0:
        return np.zeros(wanted.size, dtype=np.bool_)
    at = np.searchsorted(sorted_hashes, wanted)
    at[at == sorted_hashes.size] = 0
    return np.asarray(sorted_hashes[at] == wanted, dtype=np.bool_)


@dataclass(slots=True)
class Seen:
    """The hashes of the ledger's locations and of the interactions' keys, for one run.

    Valid while nothing but :func:`~weakties.store.writer.write_batch` (which adds to
    it after each commit) writes those tables.
    """

    locations: HashSet
    keys: HashSet

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> Seen:
        return cls(
            HashSet.of_column(con, "items", "location"),
            HashSet.of_column(con, "interaction_keys", "key"),
        )
