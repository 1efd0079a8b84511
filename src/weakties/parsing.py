"""Parsing the sources of one ingest, on worker processes when the input repays them.

The writer takes the sources one after the other; the workers do not wait for it.
Parts of every source are queued in order and kept :data:`IN_FLIGHT` deep across
source boundaries, so while the writer finishes one mailbox (its last batch, its
owner) the workers already parse the next. Parsed per source instead, six Enron
mailboxes ran parse and write one after the other: two workers were no faster
than one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context

from weakties.config import Settings, available_cores
from weakties.records import Record
from weakties.sources.base import Source

PARALLEL_MIN_RECORDS = 10_000  # below this, starting worker processes costs more than it saves
PART_RECORDS = 1_000  # records a worker parses per task
IN_FLIGHT = 8  # parts parsed ahead of the writer, at most: memory stays flat


def worker_pool(sources: Sequence[Source], settings: Settings) -> ProcessPoolExecutor | None:
    """Worker processes for parsing, when the input is large enough to repay them."""
    workers = settings.workers or available_cores()
    total = sum(s.estimate() or 0 for s in sources)
    if workers <= 1 or (not settings.workers and total < PARALLEL_MIN_RECORDS):
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"))


class Parsed:
    """The records of each source, in order, from the pool's workers or parsed here."""

    def __init__(self, sources: Sequence[Source], pool: ProcessPoolExecutor | None) -> None:
        self._pool = pool
        self._queued: deque[tuple[int, Source]] = deque()
        self._pending: deque[tuple[int, Future[list[Record]]]] = deque()
        self._here: set[int] = set()  # sources parsed in this process
        for index, source in enumerate(sources):
            parts = _parts(source) if pool is not None else []
            if len(parts) < 2:
                self._here.add(index)
            self._queued.extend((index, part) for part in parts if len(parts) >= 2)

    def records(self, index: int, source: Source) -> Iterator[Record]:
        """The records of ``source``, the ``index``-th of the sources given."""
        if index in self._here:
            self._submit()  # the workers start on the next sources meanwhile
            yield from source.records()
            return
        self._submit()
        while self._pending and self._pending[0][0] == index:
            _, parsed = self._pending.popleft()
            self._submit()
            yield from parsed.result()

    def _submit(self) -> None:
        while self._queued and len(self._pending) < IN_FLIGHT:
            index, part = self._queued.popleft()
            assert self._pool is not None
            self._pending.append((index, self._pool.submit(_read_part, part)))


def _parts(source: Source) -> list[Source]:
    return source.partitions(max(1, (source.estimate() or 0) // PART_RECORDS))


def _read_part(part: Source) -> list[Record]:
    return list(part.records())
