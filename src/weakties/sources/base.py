"""The contract every source format fulfils."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from weakties.records import Record, path_text


class Source(ABC):
    """One ingestable unit with one owner: a mailbox, an mbox file, a log file.

    ``records()`` yields one :class:`~weakties.records.Interaction` or
    :class:`~weakties.records.Quarantined` per record read, in a deterministic
    order, and never raises for a malformed record (it quarantines it).
    It may raise :class:`~weakties.errors.InputError` when the whole source
    is unreadable.
    """

    kind: str = "?"

    def __init__(self, path: Path, label: str | None = None) -> None:
        self.path = path
        self.label = path_text(label or path.name)

    @abstractmethod
    def records(self) -> Iterator[Record]:
        """Yield every record of the source, in a stable order."""

    def estimate(self) -> int | None:
        """How many records to expect, if cheap to know (for progress bars)."""
        return None

    def partitions(self, n: int) -> list[Source]:
        """Up to ``n`` picklable parts whose records, concatenated, are ``records()``.

        Lets ingest parse big sources on several cores; the default is no split.
        """
        return [self]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"


@dataclass(frozen=True, slots=True)
class NotRead:
    """A file that was given (or found in a folder given) and that nothing read, with
    what it seems to be: ``archive``, ``binary``, ``empty``, ``text, not mail``..."""

    path: Path
    what: str


def describe(not_read: Sequence[NotRead], shown: int = 10) -> str:
    """One line naming the files not read: ``2 files not read: a.zip (archive), ...``."""
    n = len(not_read)
    names = ", ".join(f"{path_text(f.path)} ({f.what})" for f in not_read[:shown])
    more = f" and {n - shown:,} more" if n > shown else ""
    return f"{n:,} file{'s' if n != 1 else ''} not read: {names}{more}"
