"""Mailboxes stored as one file per message.

Covers a standard Maildir (``cur/new/tmp``, Maildir++ ``.Sent`` subfolders),
the Enron/CMU layout ``maildir/<user>/<folder>[/<sub>]/<n>.``, and any plain
folder tree of message files. One source is one mailbox with one owner; a
message's folder is its path below the mailbox root, and messages in a sent
folder are marked ``is_sent``.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import NamedTuple

from weakties.records import Quarantined, Record, path_text
from weakties.sources.base import Source
from weakties.sources.compressed import inflate, method
from weakties.sources.email import MAX_HEADER_BYTES, is_sent_folder, parse_message
from weakties.sources.headers import header_end
from weakties.sources.members import ArchivePath, Entry

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)
_FIRST_READ = 8 << 10
_NEXT_READ = 256 << 10
_MAILDIR_PARTS = frozenset({"cur", "new"})
_CONTROL_FILES = frozenset(
    {"maildirfolder", "maildirsize", "subscriptions", "dovecot-uidlist", "dovecot-keywords",
     "dovecot-uidvalidity", "courierimapuiddb", "courierimapkeywords", "courierimapacl"}
)  # fmt: skip
_NOT_MAIL_SUFFIXES = frozenset(
    {".md", ".rst", ".csv", ".tsv", ".parquet", ".json", ".html", ".htm", ".pdf", ".zip",
     ".py", ".sh", ".jpg", ".jpeg", ".png", ".gif", ".mbox", ".mbx", ".index", ".cache",
     ".ics", ".vcf", ".db", ".sqlite", ".duckdb"}
)  # fmt: skip
_TOOL_DIRS = frozenset({".git", ".svn", ".hg", ".notmuch", ".xapian", "__macosx", ".trash"})
_NOT_MAIL_PREFIXES = ("readme", "license", "licence", "copying", "changelog", "dovecot.")


def is_maildir(path: Entry) -> bool:
    """A Maildir has ``cur`` or ``new`` subfolders."""
    return (path / "cur").is_dir() or (path / "new").is_dir()


def skip_file(name: str) -> bool:
    """True for files that are never messages (hidden, control, docs, data)."""
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1 and name[dot:].lower() in _NOT_MAIL_SUFFIXES:
        return True
    lower = name.lower()
    return lower[:1] == "." or lower in _CONTROL_FILES or lower.startswith(_NOT_MAIL_PREFIXES)


def read_head(path: str) -> bytes:
    """The start of a message file, enough to hold its whole header block.

    One small read serves almost every message; long headers trigger more
    reads, capped at ``MAX_HEADER_BYTES``. Compressed files are inflated.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        data = os.read(fd, _FIRST_READ)
        if len(data) == _FIRST_READ or method(data) is not None:
            data = _read_rest(partial(os.read, fd), data)
    finally:
        os.close(fd)
    return data


def read_member_head(entry: ArchivePath) -> bytes:
    """:func:`read_head` for a member of an archive."""
    with entry.open("rb") as stream:
        data = stream.read(_FIRST_READ)
        if len(data) == _FIRST_READ or method(data) is not None:
            data = _read_rest(stream.read, data)
    return data


def _read_rest(read: Callable[[int], bytes], data: bytes) -> bytes:
    """Long headers need more reads; compressed files (gzip, bzip2, xz) are inflated."""
    packed = method(data) is not None
    if packed or header_end(data) < 0:
        data = _read_more(read, data, whole=packed)
    if packed:
        return inflate(data, MAX_HEADER_BYTES)
    return data


def _read_more(read: Callable[[int], bytes], data: bytes, whole: bool) -> bytes:
    chunks = [data]
    size = len(data)
    while size < MAX_HEADER_BYTES:
        more = read(_NEXT_READ)
        if not more:
            break
        chunks.append(more)
        size += len(more)
        tail = chunks[-2][-2:] + more
        if not whole and (b"\n\n" in tail or b"\n\r\n" in tail):
            break
    return b"".join(chunks)


class _Folder(NamedTuple):
    """One folder's message files, kept compact: a mailbox may hold millions of them.

    The names (sorted) are joined by NUL, which no file name contains: about 7
    bytes a file instead of ~160 for a tuple of path strings (Enron 4x: 9 MB).
    """

    path: str  # absolute
    folder: str | None  # the mail folder it is, "/"-joined, or the mailbox's INBOX name
    sent: bool
    names: str
    n_files: int

    def files(self) -> Iterator[tuple[str, str | None, bool]]:
        """Its files' paths, as ``os.scandir`` spells them, with the folder and sent flag."""
        prefix = self.path if self.path.endswith(os.sep) else self.path + os.sep
        folder, sent = self.folder, self.sent
        for name in self.names.split("\0"):
            yield prefix + name, folder, sent

    def part(self, start: int, stop: int) -> _Folder:
        names = self.names.split("\0")[start:stop]
        return self._replace(names="\0".join(names), n_files=len(names))


class _Members(NamedTuple):
    """One folder's message files inside an archive."""

    folder: str | None
    sent: bool
    entries: tuple[ArchivePath, ...]


class MaildirSource(Source):
    """One mailbox kept as a folder tree of message files."""

    kind = "maildir"

    def __init__(
        self,
        path: Entry,
        label: str | None = None,
        *,
        root_folder: str | None = None,
        exclude: Collection[Entry] = (),
    ) -> None:
        """``root_folder`` names the root itself when it is a mail folder (``Sent``)
        rather than a mailbox; ``exclude`` lists files read by other sources."""
        super().__init__(path, label)
        self._root_parts = (root_folder,) if root_folder else ()
        self._exclude = frozenset(_absolute(p) for p in exclude)
        self._folders: list[_Folder] | None = None
        self._members: list[_Members] | None = None

    def folders(self) -> list[_Folder]:
        """The folders on disk that hold message files, in reading order (listed once)."""
        if self._folders is None:
            self._folders = []
            if isinstance(self.path, Path):
                root = os.path.abspath(self.path)
                inbox = self._inbox()
                self._folders = list(_walk(root, self._root_parts, inbox, self._exclude))
        return self._folders

    def member_folders(self) -> list[_Members]:
        """The folders inside an archive that hold message files (listed once)."""
        if self._members is None:
            self._members = []
            if isinstance(self.path, ArchivePath):
                walk = _walk_members(self.path, self._root_parts, self._inbox(), self._exclude)
                self._members = list(walk)
        return self._members

    def _inbox(self) -> str | None:
        return "INBOX" if not self._root_parts and is_maildir(self.path) else None

    def files(self) -> Iterator[tuple[str | ArchivePath, str | None, bool]]:
        """``(path, folder, is_sent)`` of every message file: on disk, absolute paths in
        name order; in an archive, members in archive order."""
        if isinstance(self.path, ArchivePath):
            found = [(e, f.folder, f.sent) for f in self.member_folders() for e in f.entries]
            found.sort(key=lambda item: _index(item[0]))
            yield from found
            return
        for folder in self.folders():
            yield from folder.files()

    def members(self) -> Iterator[ArchivePath] | None:
        """Inside an archive, the message files read (others are skipped)."""
        if not isinstance(self.path, ArchivePath):
            return None
        return (e for f in self.member_folders() for e in f.entries)

    def records(self) -> Iterator[Record]:
        """Yield one record per file; location is the file's absolute path."""
        return read_files(self.files())

    def estimate(self) -> int:
        """The number of message files."""
        return sum(f.n_files for f in self.folders()) + sum(
            len(f.entries) for f in self.member_folders()
        )

    def partitions(self, n: int) -> list[Source]:
        """Consecutive slices of the sorted file list, for parsing on several cores (on
        disk; a mailbox inside an archive is read where its archive is open)."""
        if not isinstance(self.path, Path):
            return [self]
        size = max(1, -(-self.estimate() // max(n, 1)))
        parts: list[Source] = []
        current: list[_Folder] = []
        room = size
        for folder in self.folders():
            start = 0
            while start < folder.n_files:
                stop = min(folder.n_files, start + room)
                whole = start == 0 and stop == folder.n_files
                current.append(folder if whole else folder.part(start, stop))
                room -= stop - start
                start = stop
                if room == 0:
                    parts.append(_MaildirPart(self.path, current))
                    current, room = [], size
        if current:
            parts.append(_MaildirPart(self.path, current))
        return parts


def _absolute(path: Entry) -> str:
    return os.path.abspath(path) if isinstance(path, Path) else str(path)


def _index(entry: ArchivePath) -> int:
    node = entry.node
    return node.index if node is not None else -1


def _walk(
    directory: str, parts: tuple[str, ...], inbox: str | None, exclude: frozenset[str]
) -> Iterator[_Folder]:
    """Folders of message files below ``directory``, depth first, in name order.

    ``inbox`` names the mailbox root's own messages (``INBOX`` for a Maildir);
    ``exclude`` holds absolute paths of files other sources read.
    """
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    names = {e.name for e in entries}
    maildir_here = not _MAILDIR_PARTS.isdisjoint(names)
    subdirs = []
    mail: list[str] = []
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if not _skip_dir(entry.name, maildir_here):
                subdirs.append(entry)
        elif entry.is_file() and not skip_file(entry.name) and entry.path not in exclude:
            mail.append(entry.name)
    if mail:
        folder = "/".join(parts) or inbox
        sent = any(is_sent_folder(p) for p in parts)
        yield _Folder(directory, folder, sent, "\0".join(mail), len(mail))
    for entry in subdirs:
        yield from _walk(entry.path, _sub_parts(parts, entry.name), inbox, exclude)


def _walk_members(
    directory: ArchivePath, parts: tuple[str, ...], inbox: str | None, exclude: frozenset[str]
) -> Iterator[_Members]:
    """:func:`_walk` for a folder inside an archive."""
    entries = list(directory.iterdir())
    maildir_here = not _MAILDIR_PARTS.isdisjoint(e.name for e in entries)
    mail = tuple(
        e for e in entries if e.is_file() and not skip_file(e.name) and str(e) not in exclude
    )
    if mail:
        yield _Members("/".join(parts) or inbox, any(is_sent_folder(p) for p in parts), mail)
    for entry in entries:
        if entry.is_dir() and not _skip_dir(entry.name, maildir_here):
            yield from _walk_members(entry, _sub_parts(parts, entry.name), inbox, exclude)


def _skip_dir(name: str, maildir_here: bool) -> bool:
    """A Maildir's ``tmp`` holds deliveries in progress; tool folders hold no mail."""
    return (maildir_here and name == "tmp") or name.lower() in _TOOL_DIRS


def _sub_parts(parts: tuple[str, ...], name: str) -> tuple[str, ...]:
    """The folder path of a subfolder: ``cur``/``new`` add nothing, ``.A.B`` is ``A/B``."""
    if name in _MAILDIR_PARTS:
        return parts
    if name.startswith(".") and len(name) > 1:
        return parts + tuple(p for p in name[1:].split(".") if p)
    return (*parts, name)


def read_files(files: Iterable[tuple[str | ArchivePath, str | None, bool]]) -> Iterator[Record]:
    """One record per ``(path, folder, is_sent)``; an unreadable file is quarantined."""
    for path, folder, sent in files:
        try:
            raw = read_head(path) if isinstance(path, str) else read_member_head(path)
        except (OSError, zlib.error) as exc:
            yield Quarantined(path_text(path), "unreadable", str(exc))
            continue
        yield parse_message(raw, path_text(path), folder=folder, is_sent=sent)


class _MaildirPart(Source):
    """A slice of a mailbox's files, parsed in a worker process."""

    kind = "maildir"

    def __init__(self, path: Path, folders: list[_Folder]) -> None:
        super().__init__(path)
        self._part = folders

    def records(self) -> Iterator[Record]:
        return read_files(f for folder in self._part for f in folder.files())

    def estimate(self) -> int:
        return sum(f.n_files for f in self._part)
