"""From paths the user gives to the sources that read them, deciding by content.

Formats are a table (:data:`FILE_FORMATS`, :data:`FOLDER_FORMATS`): each row names a
format, how to recognise it from a path and its first bytes (decompressed when the
file is gzip, bzip2 or xz), and the source that reads it; the first row that claims a
file or folder wins. A new format is one module and one row.

Mail is recognised by content (an mbox ``From `` line, RFC 822 header lines, NUL
bytes); folders that no folder format claims are split into mailboxes with one rule
of thumb:

* a Maildir (``cur``/``new``) is one mailbox;
* a folder whose subfolders include a sent folder is one mailbox (the Enron
  layout ``maildir/<user>/{inbox,sent,...}``);
* a folder holding message files directly is one mailbox (a plain folder);
* any other folder is a collection: each mbox file, log file, folder of
  ``.eml`` files and sub-mailbox in it is its own source.

A file in a folder that no format claims is never passed over without a word: it is
listed as not read, with what it seems to be (an archive, a binary file, an empty
file, text that is not mail; see :func:`survey`). Only files that are plainly no
one's mail go unmentioned: documentation (``README``, ``LICENSE``, ``notes``, and any
``.md`` or ``.rst`` file) and the index files of mail programs (Dovecot, Courier,
Thunderbird's ``.msf``). Named directly, a file no format claims is an error. So are
pipes, sockets and devices: opening a pipe to sniff it would wait for a writer
forever. Symbolic links to folders are followed, each real folder once, so a link
back up the tree ends instead of nesting the same mail ever deeper.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from weakties.errors import EmptyInputError, InputError, UnknownFormatError
from weakties.sources.base import NotRead, Source, describe
from weakties.sources.compressed import head as content_head
from weakties.sources.email import is_sent_folder
from weakties.sources.eml import EmlSource, is_eml_name
from weakties.sources.headers import looks_like_header_line
from weakties.sources.maildir import MaildirSource, is_maildir
from weakties.sources.mbox import MboxSource, is_separator

LOG_SUFFIXES = (".csv", ".tsv", ".parquet")
_SNIFF_BYTES = 8192
_MAIL_NAMES = frozenset(
    {b"from", b"to", b"cc", b"date", b"subject", b"message-id", b"received", b"return-path",
     b"sender", b"delivered-to", b"mime-version", b"in-reply-to", b"references", b"x-from",
     b"reply-to", b"x-mailer", b"content-type", b"x-gmail-labels", b"envelope-to"}
)  # fmt: skip
_STRONG_NAMES = frozenset({b"from", b"message-id", b"received", b"return-path"})
_HINT = "Give an mbox file, a Maildir, a folder of .eml files or a CSV/TSV/Parquet log."


@dataclass(frozen=True, slots=True)
class FileFormat:
    """A format of single files: how to recognise one, and what reads it.

    ``claims(path, head)`` sees the file's path and its first bytes (decompressed).
    """

    name: str
    claims: Callable[[Path, bytes], bool]
    source: Callable[[Path], Source]


@dataclass(frozen=True, slots=True)
class FolderFormat:
    """A format that is a whole folder (an export with several files): how to recognise
    one, and what reads it."""

    name: str
    claims: Callable[[Path], bool]
    source: Callable[[Path], Source]


class Kind(StrEnum):
    """What a file holds, judged from its first bytes."""

    MBOX = "mbox"
    MESSAGE = "message"
    LOG = "log"
    EMPTY = "empty"
    BINARY = "binary"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Survey:
    """What ``paths`` hold: the sources that will read them, and the files in their
    folders that nothing will read."""

    sources: list[Source]
    not_read: list[NotRead]


def discover(paths: Sequence[Path]) -> list[Source]:
    """The sources for ``paths``, in the order given; each file read by one source.

    Raises :class:`InputError` (or a child) with a one-line message for a
    missing path, an empty or binary file, or a folder without mail.
    """
    return survey(paths).sources


def survey(paths: Sequence[Path]) -> Survey:
    """:func:`discover`'s sources, and the files of the folders given that no format
    reads (each with what it seems to be), so that none is passed over in silence."""
    found: list[Source] = []
    not_read: list[NotRead] = []
    seen: set[tuple[str, str]] = set()
    for given in paths:
        path = Path(given)
        for source in _discover_one(path, not_read):
            key = (source.kind, str(source.path.absolute()))
            if key not in seen:
                seen.add(key)
                found.append(source)
    return Survey(found, not_read)


def _discover_one(path: Path, not_read: list[NotRead]) -> list[Source]:
    if not path.exists():
        raise InputError(f"{path}: no such file or folder.", "Check the path.")
    if path.is_dir():
        passed: list[NotRead] = []
        sources: list[Source] = []
        for found in _for_dir(path, set(), passed):
            if found.estimate() == 0:  # an empty Maildir or log
                passed.append(NotRead(found.path, "empty"))
            else:
                sources.append(found)
        if not sources:
            also = f" ({describe(passed)})" if passed else ""
            raise EmptyInputError(f"{path}: no mail found in this folder{also}.", _HINT)
        not_read.extend(passed)
        return sources
    if not path.is_file():
        raise UnknownFormatError(
            f"{path}: a pipe, socket or device, not a file.",
            "Save the mail to a file first, then ingest that file.",
        )
    head = _read_head(path)
    source = _for_file(path, head)
    if source is not None:
        if source.estimate() == 0:
            raise EmptyInputError(f"{path}: nothing to read in this file.", _HINT)
        return [source]
    kind = classify(head)
    if kind is Kind.EMPTY:
        raise EmptyInputError(f"{path}: the file is empty.", _HINT)
    if kind is Kind.BINARY:
        raise UnknownFormatError(f"{path}: a binary file, not mail.", _HINT)
    raise UnknownFormatError(f"{path}: a text file that is not mail.", _HINT)


def _for_file(path: Path, head: bytes) -> Source | None:
    """The source of the first format that claims the file, or None."""
    fmt = _format_of(path, head)
    return fmt.source(path) if fmt is not None else None


def _format_of(path: Path, head: bytes) -> FileFormat | None:
    return next((fmt for fmt in FILE_FORMATS if fmt.claims(path, head)), None)


def _log_source(path: Path) -> Source:
    try:
        from weakties.sources.csvlog import LogSource
    except ImportError as exc:
        raise InputError(
            f"{path}: interaction logs cannot be read in this installation ({exc}).",
            "Remove the file from the input or install the full weakties package.",
        ) from exc
    return LogSource(path)


def _for_dir(folder: Path, visited: set[tuple[int, int]], not_read: list[NotRead]) -> list[Source]:
    """Sources in ``folder``: one mailbox, or a collection of them.

    ``visited`` holds the real folders (device, inode) already looked into; files no
    format claims are added to ``not_read``.
    """
    try:
        real = folder.stat()
    except OSError:
        return []
    if (real.st_dev, real.st_ino) in visited:
        return []
    visited.add((real.st_dev, real.st_ino))
    whole = next((f for f in FOLDER_FORMATS if f.claims(folder)), None)
    if whole is not None:
        return [whole.source(folder)]
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise InputError(f"{folder}: cannot list folder ({exc}).", "Check permissions.") from exc
    sources: list[Source] = []
    routed: list[Path] = []
    messages = emls = False
    for entry in entries:
        if entry.is_dir() or entry.name.startswith("."):
            continue
        if is_eml_name(entry.name):
            emls = True
            continue
        if not entry.is_file():  # a pipe, socket, device or broken link
            not_read.append(NotRead(entry, "not a regular file"))
            continue
        head = _read_head(entry)
        fmt = _format_of(entry, head)
        if fmt is not None and fmt.name == "message":
            messages = True
            continue
        routed.append(entry)  # read by its own source, or not mail at all
        if fmt is not None:
            sources.append(fmt.source(entry))
        elif not plainly_not_mail(entry.name):
            not_read.append(NotRead(entry, what_it_is(head)))
    if messages:
        mailbox = MaildirSource(folder, root_folder=folder.name, exclude=routed)
        return [mailbox, *sources]
    if emls:
        sources.append(EmlSource(folder))
    for entry in sorted(entries, key=Path.is_symlink):  # a real folder before a link to it
        if entry.is_dir() and not entry.name.startswith("."):
            sources.extend(_for_dir(entry, visited, not_read))
    return sources


_DOC_WORDS = frozenset(
    {"readme", "license", "licence", "copying", "notice", "changelog", "changes", "authors",
     "notes", "todo"}
)  # fmt: skip
_DOC_SUFFIXES = (".md", ".rst", ".msf")  # documentation; Thunderbird's mailbox indexes
_MAIL_PROGRAM_FILES = frozenset(
    {"maildirfolder", "subscriptions", "courierimapuiddb", "courierimapkeywords",
     "courierimapacl", "thumbs.db", "desktop.ini"}
)  # fmt: skip


def plainly_not_mail(name: str) -> bool:
    """Whether a file no format claims is plainly no one's mail, to pass over quietly:
    documentation (a name whose first part holds README, LICENSE, notes...; ``.md``,
    ``.rst``) and mail programs' own files (Dovecot's, Courier's, Thunderbird's
    ``.msf`` indexes)."""
    lower = name.lower()
    if lower in _MAIL_PROGRAM_FILES or lower.startswith("dovecot"):
        return True
    if lower.endswith(_DOC_SUFFIXES):
        return True
    return not _DOC_WORDS.isdisjoint(re.split(r"[^a-z0-9]+", lower.split(".")[0]))


_ARCHIVES = (b"PK\x03\x04", b"PK\x05\x06", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07")


def what_it_is(head: bytes) -> str:
    """What a file no format claims seems to be, from its first (decompressed) bytes:
    ``archive`` (zip, 7z, rar, tar), ``empty``, ``binary`` or ``text, not mail``."""
    if head.startswith(_ARCHIVES) or head[257:262] == b"ustar":
        return "archive"
    kind = classify(head)
    if kind is Kind.EMPTY:
        return "empty"
    return "binary" if kind is Kind.BINARY else "text, not mail"


def _has_sent_folder(folder: Path) -> bool:
    try:
        return any(p.is_dir() and is_sent_folder(p.name) for p in folder.iterdir())
    except OSError:
        return False


def sniff(path: Path) -> Kind:
    """Judge a file by name (logs) and by its first bytes (everything else)."""
    head = _read_head(path)
    return Kind.LOG if _log_name(path, head) else classify(head)


def _read_head(path: Path) -> bytes:
    """The first bytes of a file's content (decompressed); b"\\x00" when unreadable, so
    that it is judged binary."""
    try:
        return content_head(path, _SNIFF_BYTES)
    except (OSError, EOFError, ValueError):
        return b"\x00"


def _log_name(path: Path, head: bytes) -> bool:
    return path.name.lower().endswith(LOG_SUFFIXES)


def _mbox(path: Path, head: bytes) -> bool:
    return classify(head) is Kind.MBOX


def _message(path: Path, head: bytes) -> bool:
    return classify(head) is Kind.MESSAGE


def _mailbox_folder(folder: Path) -> bool:
    return is_maildir(folder) or _has_sent_folder(folder)


def classify(head: bytes) -> Kind:
    """Classify the first bytes of a file."""
    text = head.lstrip(b"\xef\xbb\xbf\r\n\t ")
    if not text:
        return Kind.EMPTY
    if b"\x00" in text[:1024] or _mostly_binary(text[:1024]):
        return Kind.BINARY
    lines = text.split(b"\n", 40)
    if lines[0].startswith(b"From ") and (
        is_separator(lines[0]) or (len(lines) > 1 and looks_like_header_line(lines[1]))
    ):
        return Kind.MBOX
    if looks_like_header_line(lines[0]) and _mail_headers(lines):
        return Kind.MESSAGE
    return Kind.TEXT


def _mail_headers(lines: list[bytes]) -> bool:
    names = set()
    for line in lines:
        if not line.strip():
            break
        if looks_like_header_line(line):
            names.add(line.split(b":", 1)[0].strip().lower())
    known = names & _MAIL_NAMES
    return len(known) >= 2 or not known.isdisjoint(_STRONG_NAMES)


def _mostly_binary(sample: bytes) -> bool:
    """More than 10% control bytes (other than tab, CR, LF, FF, ESC) is not text."""
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls * 10 > len(sample)


FILE_FORMATS: tuple[FileFormat, ...] = (
    FileFormat("log", _log_name, _log_source),
    FileFormat("mbox", _mbox, MboxSource),
    FileFormat("message", _message, EmlSource),
)
"""Single-file formats, in the order they are tried; the first that claims a file reads it."""

FOLDER_FORMATS: tuple[FolderFormat, ...] = (
    FolderFormat("mailbox", _mailbox_folder, MaildirSource),
)
"""Folder formats, tried before a folder is split into the mailboxes and files it holds."""
