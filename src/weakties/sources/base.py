"""The contract every source format fulfils."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from weakties.records import Record, path_text
from weakties.sources.members import Entry


class Source(ABC):
    """One ingestable unit with one owner: a mailbox, an mbox file, a log file.

    ``records()`` yields one :class:`~weakties.records.Interaction` or
    :class:`~weakties.records.Quarantined` per record read, in a deterministic
    order, and never raises for a malformed record (it quarantines it).
    It may raise :class:`~weakties.errors.InputError` when the whole source
    is unreadable.

    ``path`` is an :data:`~weakties.sources.members.Entry`: a file or folder on disk,
    or one inside an archive. A source reads it only through the Entry's own methods
    (``open("rb")``, ``read_bytes``, ``iterdir``, ``/``, ``is_file``; or
    :func:`~weakties.sources.compressed.open_stream`), never by handing it to
    ``open()``, ``os`` or a library that wants a file name; so it reads inside archives
    as it reads on disk. A record's location starts with ``path_text(path)``.
    """

    kind: str = "?"
    region: str | None = None
    """Where phone numbers written without a country code are read (ISO 3166 alpha-2,
    ``GB``); :func:`~weakties.sources.registry.discover` sets it from the user's
    ``--region``. None falls back to ``$WEAKTIES_PHONE_REGION``."""
    owner_rule: str = "mail"
    """How ingest names the source's owner (``weakties.owners.OWNER_RULES``): ``mail``
    (its sent items, else its main recipient), ``calendar`` (the person in most of its
    meetings), ``declared`` (the source says whose it
    is: :meth:`declared_owner`), ``every-chat`` (the one person in all its chats) or
    ``none`` (only ``init --me`` names it)."""
    url: str | None = None
    """The address of a source read from a server (``imaps://me@host/``), which names it
    in the store where a file's absolute path would; None for files."""

    def __init__(self, path: Entry, label: str | None = None) -> None:
        self.path = path
        self.label = path_text(label or path.name)

    @abstractmethod
    def records(self) -> Iterator[Record]:
        """Yield every record of the source, in a stable order."""

    def declared_owner(self) -> list[str]:
        """The owner's identities as the source itself states them (an archive's
        account), for ``owner_rule = "declared"``; [] when it does not say."""
        return []

    def resumable(self) -> Resumable | None:
        """How the source places its records, when it can resume where an earlier run
        stopped (see :class:`Resumable`); None for a source read whole every time."""
        return None

    def resume(self, last: Mapping[str, int]) -> None:
        """Read only the records past ``last[stream]`` in each stream (ingest gives the
        highest position stored per stream, from the ledger, before reading)."""
        return None

    def estimate(self) -> int | None:
        """How many records to expect, if cheap to know (for progress bars)."""
        return None

    def members(self) -> Iterable[Entry] | None:
        """The files below ``path`` that this source reads, when it reads only some of
        them; None when it reads them all (or ``path`` is one file). Accounts for every
        member of an archive: the others are reported as not read."""
        return None

    def partitions(self, n: int) -> list[Source]:
        """Up to ``n`` picklable parts whose records, concatenated, are ``records()``.

        Lets ingest parse big sources on several cores; the default is no split.
        """
        return [self]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"


@dataclass(frozen=True, slots=True)
class Resumable:
    """A source whose every location is ``<stream><marker><n>``, below ``prefix``, with
    ``n`` a position that only grows within its stream and records read in that order
    (an IMAP folder's messages by UID). What the ledger holds of it is then, per stream,
    everything up to the highest ``n`` stored; a later run reads only what is past it."""

    prefix: str
    marker: str


@dataclass(frozen=True, slots=True)
class NotRead:
    """A file that was given (or found in a folder given, or in an archive) and that
    nothing read, with what it seems to be: ``binary``, ``empty``, ``text, not mail``..."""

    path: Entry
    what: str


def describe(not_read: Sequence[NotRead], shown: int = 10) -> str:
    """One line naming the files not read: ``2 files not read: a.7z (archive), ...``."""
    n = len(not_read)
    names = ", ".join(f"{path_text(f.path)} ({f.what})" for f in not_read[:shown])
    more = f" and {n - shown:,} more" if n > shown else ""
    return f"{n:,} file{'s' if n != 1 else ''} not read: {names}{more}"
