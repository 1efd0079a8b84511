"""From paths the user gives to the sources that read them, deciding by content.

Formats are a table (:data:`FILE_FORMATS`, :data:`FOLDER_FORMATS`): each row names a
format, how to recognise it from a path and its first bytes (decompressed when the
file is gzip, bzip2 or xz), and the source that reads it; the first row that claims a
file or folder wins. A new format is one module and one row.

Exports are folders a format claims whole (a Slack export by its ``users.json``, an X
archive by its ``manifest.js``, a folder of WhatsApp chats and their media, LinkedIn's
export by its files) or single files (a WhatsApp chat by its first line's date, an X
``.js`` by ``window.YTD.``). Address books are recognised by content too
(``BEGIN:VCARD``; a Google or Outlook contacts header, claimed before any CSV is taken
for an interaction log; LinkedIn's ``Connections.csv`` notes and header). Mail is
recognised by content (an mbox ``From `` line, RFC 822 header lines, NUL bytes);
folders that no folder format claims are split into mailboxes with one rule of thumb
(calendars are recognised by content too, ``BEGIN:VCALENDAR`` whatever the file is
called; a folder of them, such as Google Takeout's ``Calendar`` folder, is a collection
with one source per calendar):

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

An account on a mail server is named by a URL, not a path (``imaps://me@host/``): its
scheme finds its row in :data:`URL_FORMATS`, whose source connects to the server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from weakties.errors import EmptyInputError, InputError, UnknownFormatError
from weakties.sources.base import NotRead, Source, describe
from weakties.sources.compressed import head as content_head
from weakties.sources.contacts_csv import ContactsCsvSource, looks_like_contacts
from weakties.sources.email import is_sent_folder
from weakties.sources.eml import EmlSource, is_eml_name
from weakties.sources.headers import looks_like_header_line
from weakties.sources.ics import CalendarSource, is_calendar
from weakties.sources.linkedin import LinkedInSource, is_connections_file, is_export_folder
from weakties.sources.maildir import MaildirSource, is_maildir
from weakties.sources.mbox import MboxSource, is_separator
from weakties.sources.server import (
    ServerAddress,
    ServerOptions,
    is_url,
    parse_address,
    url_scheme,
)
from weakties.sources.slack import SlackSource, is_slack_export
from weakties.sources.vcard import VCardSource, is_vcard_folder, looks_like_vcard
from weakties.sources.whatsapp import WhatsAppSource, is_chat_folder, is_chat_text
from weakties.sources.xarchive import YTD, XArchiveSource, is_x_archive

LOG_SUFFIXES = (".csv", ".tsv", ".parquet")
_SNIFF_BYTES = 8192
_MAIL_NAMES = frozenset(
    {b"from", b"to", b"cc", b"date", b"subject", b"message-id", b"received", b"return-path",
     b"sender", b"delivered-to", b"mime-version", b"in-reply-to", b"references", b"x-from",
     b"reply-to", b"x-mailer", b"content-type", b"x-gmail-labels", b"envelope-to"}
)  # fmt: skip
_STRONG_NAMES = frozenset({b"from", b"message-id", b"received", b"return-path"})
_HINT = (
    "Give an mbox file, a Maildir, a folder of .eml files, an iCalendar (.ics) file, a "
    "CSV/TSV/Parquet log, an address book (.vcf, contacts CSV), or a LinkedIn, Slack, "
    "WhatsApp or X export."
)


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


@dataclass(frozen=True, slots=True)
class UrlFormat:
    """A kind of server account, named by a URL: its schemes with their default ports,
    and what opens it with the options given (folders, CA file, password)."""

    name: str
    ports: Mapping[str, int]
    source: Callable[[ServerAddress, ServerOptions], Source]


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


def discover(paths: Sequence[Path], *, region: str | None = None) -> list[Source]:
    """The sources for ``paths``, in the order given; each file read by one source.

    ``region`` is where the sources read phone numbers written without a country code
    (ISO 3166 alpha-2; None: ``$WEAKTIES_PHONE_REGION``). Raises :class:`InputError`
    (or a child) with a one-line message for a missing path, an empty or binary
    file, or a folder without mail.
    """
    return survey(paths, region=region).sources


def survey(
    paths: Sequence[Path | str],
    *,
    region: str | None = None,
    server: ServerOptions | None = None,
) -> Survey:
    """:func:`discover`'s sources, and the files of the folders given that no format
    reads (each with what it seems to be), so that none is passed over in silence.

    A text that is a URL (``imaps://me@host/``) names a server account, opened with
    ``server``'s options."""
    found: list[Source] = []
    not_read: list[NotRead] = []
    seen: set[tuple[str, str]] = set()
    for given in paths:
        if isinstance(given, str) and is_url(given):
            given_sources = _for_url(given, server or ServerOptions(), seen)
        else:
            given_sources = _discover_one(Path(given), not_read)
        for source in given_sources:
            key = (source.kind, str(source.path.absolute()))
            if source.url is not None or key not in seen:
                seen.add(key)
                source.region = region
                found.append(source)
    return Survey(found, not_read)


def _imap_source(address: ServerAddress, options: ServerOptions) -> Source:
    from weakties.sources.imap import open_imap  # imapclient loads only for a server

    return open_imap(address, options)


def server_address(text: str) -> ServerAddress:
    """The server account a URL names (:class:`UnknownFormatError` for a scheme that no
    row of :data:`URL_FORMATS` reads)."""
    scheme = url_scheme(text)
    fmt = next((f for f in URL_FORMATS if scheme in f.ports), None)
    if fmt is None:
        known = ", ".join(f"{s}://" for f in URL_FORMATS for s in f.ports)
        raise UnknownFormatError(
            f"{scheme}://: weakties reads no such server.", f"Give an account as a {known} URL."
        )
    return parse_address(text, fmt.ports)


def _for_url(text: str, options: ServerOptions, seen: set[tuple[str, str]]) -> list[Source]:
    """The source of the server account a URL names, connected and logged in; none
    when the same account and folder were given already (``seen``)."""
    address = server_address(text)
    key = ("server", f"{address.base()}{address.folder}")
    if key in seen:
        return []
    seen.add(key)
    fmt = next(f for f in URL_FORMATS if address.scheme in f.ports)
    return [fmt.source(address, options)]


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


def _vcard(path: Path, head: bytes) -> bool:
    return looks_like_vcard(head)


def _mbox(path: Path, head: bytes) -> bool:
    return classify(head) is Kind.MBOX


def _message(path: Path, head: bytes) -> bool:
    return classify(head) is Kind.MESSAGE


def _whatsapp(path: Path, head: bytes) -> bool:
    return is_chat_text(head)


def _x_file(path: Path, head: bytes) -> bool:
    return path.name.endswith(".js") and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(YTD)


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
    FileFormat("calendar", is_calendar, CalendarSource),
    FileFormat("vcard", _vcard, VCardSource),
    FileFormat("contacts-csv", looks_like_contacts, ContactsCsvSource),  # before logs: a CSV
    FileFormat("linkedin-connections", is_connections_file, LinkedInSource),
    FileFormat("log", _log_name, _log_source),
    FileFormat("mbox", _mbox, MboxSource),
    FileFormat("message", _message, EmlSource),
    FileFormat("whatsapp", _whatsapp, WhatsAppSource),
    FileFormat("x", _x_file, XArchiveSource),
)
"""Single-file formats, in the order they are tried; the first that claims a file reads it."""

FOLDER_FORMATS: tuple[FolderFormat, ...] = (
    FolderFormat("slack", is_slack_export, SlackSource),
    FolderFormat("x", is_x_archive, XArchiveSource),
    FolderFormat("whatsapp", is_chat_folder, WhatsAppSource),
    FolderFormat("mailbox", _mailbox_folder, MaildirSource),
    FolderFormat("linkedin", is_export_folder, LinkedInSource),
    FolderFormat("vcards", is_vcard_folder, VCardSource),
)
"""Folder formats, tried before a folder is split into the mailboxes and files it holds."""

URL_FORMATS: tuple[UrlFormat, ...] = (
    UrlFormat("imap", {"imaps": 993, "imap": 143}, _imap_source),  # RFC 8314, RFC 3501
)
"""Server accounts, by the scheme of the URL that names them."""
