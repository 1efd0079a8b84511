"""From paths the user gives to the sources that read them, deciding by content.

Formats are a table (:data:`FILE_FORMATS`, :data:`FOLDER_FORMATS`): each row names a
format, how to recognise it from a path and its first bytes (decompressed when the
file is gzip, bzip2 or xz), and the source that reads it; the first row that claims a
file or folder wins. A new format is one module and one row. Rows see an
:data:`~weakties.sources.members.Entry`: a file or folder on disk, or one inside an
archive (ZIP, tar, .tgz, ...), which is read as a folder wherever it is met (see
:mod:`weakties.sources.archives`); a format that reads through the Entry's own
methods (``open``, ``read_bytes``, ``iterdir``, ``/``) reads inside archives too.

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
  ``.eml`` files, archive and sub-mailbox in it is its own source.

A file in a folder that no format claims is never passed over without a word: it is
listed as not read, with what it seems to be (a binary file, an empty file, text that
is not mail; see :func:`survey`). Only files that are plainly no one's mail go
unmentioned: documentation (``README``, ``LICENSE``, ``notes``, and any ``.md`` or
``.rst`` file), the index files of mail programs (Dovecot, Courier, Thunderbird's
``.msf``) and hidden files; inside an archive they are still counted, as every member
is. Named directly, a file no format claims is an error. So are pipes, sockets and
devices: opening a pipe to sniff it would wait for a writer forever. Symbolic links to
folders are followed, each real folder once, so a link back up the tree ends instead
of nesting the same mail ever deeper.

An account on a mail server is named by a URL, not a path (``imaps://me@host/``): its
scheme finds its row in :data:`URL_FORMATS`, whose source connects to the server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from weakties.errors import EmptyInputError, InputError, UnknownFormatError
from weakties.records import Quarantined, path_text
from weakties.sources.archives import (
    Archive,
    ArchiveSource,
    ArchiveTally,
    Refused,
    archive_kind,
    open_archive,
)
from weakties.sources.base import NotRead, Source, describe
from weakties.sources.compressed import head as content_head
from weakties.sources.contacts_csv import ContactsCsvSource, looks_like_contacts
from weakties.sources.email import is_sent_folder
from weakties.sources.eml import EmlSource, is_eml_name
from weakties.sources.ics import CalendarSource, is_calendar
from weakties.sources.linkedin import LinkedInSource, is_connections_file, is_export_folder
from weakties.sources.maildir import MaildirSource, is_maildir
from weakties.sources.mbox import MboxSource
from weakties.sources.members import READ_ERRORS, ArchivePath, Entry, Fate
from weakties.sources.server import (
    ServerAddress,
    ServerOptions,
    is_url,
    parse_address,
    url_scheme,
)
from weakties.sources.slack import SlackSource, is_slack_export
from weakties.sources.sniff import Kind, classify, plainly_not_mail, what_it_is
from weakties.sources.vcard import VCardSource, is_vcard_folder, looks_like_vcard
from weakties.sources.whatsapp import WhatsAppSource, is_chat_folder, is_chat_text
from weakties.sources.xarchive import YTD, XArchiveSource, is_x_archive

__all__ = [
    "FILE_FORMATS",
    "FOLDER_FORMATS",
    "FileFormat",
    "FolderFormat",
    "Kind",
    "Survey",
    "classify",
    "discover",
    "sniff",
    "survey",
]

LOG_SUFFIXES = (".csv", ".tsv", ".parquet")
_SNIFF_BYTES = 8192
_HINT = (
    "Give an mbox file, a Maildir, a folder of .eml files, an iCalendar (.ics) file, a "
    "CSV/TSV/Parquet log, an address book (.vcf, contacts CSV), a LinkedIn, Slack, "
    "WhatsApp or X export, or an archive (ZIP, tar) of them."
)
_HIDDEN_FOLDERS = frozenset({"__macosx"})  # resource forks that macOS adds to ZIPs


@dataclass(frozen=True, slots=True)
class FileFormat:
    """A format of single files: how to recognise one, and what reads it.

    ``claims(path, head)`` sees the file's path and its first bytes (decompressed).
    """

    name: str
    claims: Callable[[Entry, bytes], bool]
    source: Callable[[Entry], Source]


@dataclass(frozen=True, slots=True)
class FolderFormat:
    """A format that is a whole folder (an export with several files): how to recognise
    one, and what reads it."""

    name: str
    claims: Callable[[Entry], bool]
    source: Callable[[Entry], Source]


@dataclass(frozen=True, slots=True)
class UrlFormat:
    """A kind of server account, named by a URL: its schemes with their default ports,
    and what opens it with the options given (folders, CA file, password)."""

    name: str
    ports: Mapping[str, int]
    source: Callable[[ServerAddress, ServerOptions], Source]


@dataclass(slots=True)
class Survey:
    """What the paths given hold: the sources that will read them, the files that
    nothing will read (each with what it seems to be) and what became of every member
    of each archive.

    It holds the archives open while their sources are read: close it (or use it as a
    context manager) once they are. Left open, they close when collected.
    """

    sources: list[Source] = field(default_factory=list)
    not_read: list[NotRead] = field(default_factory=list)
    archives: list[ArchiveTally] = field(default_factory=list)
    opened: list[Archive] = field(default_factory=list)

    def close(self) -> None:
        for archive in self.opened:
            archive.close()

    def __enter__(self) -> Survey:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


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
    """:func:`discover`'s sources, the files that no format reads (each with what it
    seems to be), so that none is passed over in silence, and the archives' tallies.

    A text that is a URL (``imaps://me@host/``) names a server account, opened with
    ``server``'s options."""
    found = Survey()
    seen: set[tuple[str, str]] = set()
    try:
        for given in _once(paths):
            if isinstance(given, str):
                sources = _for_url(given, server or ServerOptions(), seen)
            else:
                sources = _Walk(found).given(given)
            for source in sources:
                key = (source.kind, str(source.path.absolute()))
                if source.url is not None or key not in seen:
                    seen.add(key)
                    source.region = region
                    found.sources.append(source)
    except BaseException:
        found.close()
        raise
    return found


def _once(paths: Sequence[Path | str]) -> list[Path | str]:
    """The paths given, each real file or folder once (in the order first given); a
    server's URL is kept as written."""
    first: dict[Path | str, Path | str] = {}
    for given in paths:
        if isinstance(given, str) and is_url(given):
            first.setdefault(given, given)
            continue
        path = Path(given)
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # a loop of links: said by the walk
            real = path.absolute()
        first.setdefault(real, path)
    return list(first.values())


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


HIDDEN = "hidden"
PLAIN = "plainly not mail"
QUIET = frozenset({HIDDEN, PLAIN})
"""What a file not read may be and go unmentioned (an archive still counts it)."""


class _Walk:
    """The survey of one path given: its sources, and what nothing reads."""

    def __init__(self, survey: Survey) -> None:
        self._survey = survey
        self._visited: set[tuple[int, int]] = set()
        self._archives: list[Archive] = []
        self._broken: list[ArchiveSource] = []  # archives in folders that cannot be read
        self._passed: list[NotRead] = []

    def given(self, path: Path) -> list[Source]:
        sources = self._given(path)
        for archive in self._archives:
            self._survey.archives.append(archive.tally())
            quarantined = archive.quarantined()
            if quarantined:
                sources.append(ArchiveSource(archive.path(), quarantined))
        self._survey.not_read.extend(self._passed)
        return sources + list(self._broken)

    def _given(self, path: Path) -> list[Source]:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder.", "Check the path.")
        if path.is_dir():
            sources = self._folder(path)
            self._finish()
            if not sources and not self._broken and not self._quarantines():
                also = f" ({describe(self._passed)})" if self._passed else ""
                raise EmptyInputError(f"{path}: no mail found in this folder{also}.", _HINT)
            return sources
        if not path.is_file():
            raise UnknownFormatError(
                f"{path}: a pipe, socket or device, not a file.",
                "Save the mail to a file first, then ingest that file.",
            )
        head = _read_head(path)
        source = _for_file(path, head)
        if source is None and archive_kind(head) is not None:
            return self._given_archive(path, head)
        if source is None and _log_name(path, head):
            source = _log_source(path)  # named, it says which columns it lacks
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

    def _given_archive(self, path: Path, head: bytes) -> list[Source]:
        try:
            archive = open_archive(path, head)
        except Refused as exc:
            raise UnknownFormatError(f"{path}: {exc.detail}.", _ARCHIVE_HINT) from exc
        sources = self._archive(archive)
        self._finish()
        if not sources and not self._quarantines():
            nothing = archive.not_read(frozenset())
            raise EmptyInputError(
                f"{path}: nothing in this archive that weakties reads ({describe(nothing)}).",
                _HINT,
            )
        return sources

    def _finish(self) -> None:
        """Once walked: every member of every archive has a fate; the ones not read are
        named (unless they go unmentioned)."""
        for archive in self._archives:
            archive.finish()
            self._passed.extend(archive.not_read(QUIET))

    def _quarantines(self) -> bool:
        return any(a.quarantined() for a in self._archives)

    def _archive(self, archive: Archive) -> list[Source]:
        self._archives.append(archive)
        self._survey.opened.append(archive)
        return self._folder(archive.path())

    def _folder(self, folder: Entry) -> list[Source]:
        """Sources in ``folder``: one mailbox, or a collection of them."""
        if self._seen_before(folder):
            return []
        whole = next((f for f in FOLDER_FORMATS if f.claims(folder)), None)
        if whole is not None:
            return self._read_by(whole.source(folder))
        entries = _entries(folder)
        sources: list[Source] = []
        routed: list[Entry] = []
        messages = emls = False
        for entry in entries:
            if _hidden(entry.name):
                self._not_read(entry, HIDDEN)
            elif entry.is_dir():
                continue
            elif is_eml_name(entry.name):
                emls = True
            elif not entry.is_file():
                self._not_read(entry, "not a regular file")
            else:
                found = self._file(entry)
                if found is None:
                    messages = True
                    continue
                routed.append(entry)  # read by its own source, or not mail at all
                sources.extend(found)
        if messages:
            return [*self._read_by(MaildirSource(folder, root_folder=folder.name,
                                                 exclude=routed)), *sources]  # fmt: skip
        if emls:  # the .eml files only: the walk goes on below
            sources.extend(self._read_by(EmlSource(folder), whole=False))
        for entry in sorted(entries, key=lambda e: e.is_symlink()):  # a folder before a link
            if entry.is_dir() and not _hidden(entry.name):
                sources.extend(self._folder(entry))
        return sources

    def _seen_before(self, folder: Entry) -> bool:
        """True for a real folder already looked into (through a link)."""
        if not isinstance(folder, Path):
            return False
        try:
            real = folder.stat()
        except OSError:
            return True
        if (real.st_dev, real.st_ino) in self._visited:
            return True
        self._visited.add((real.st_dev, real.st_ino))
        return False

    def _file(self, entry: Entry) -> list[Source] | None:
        """The sources of one file in a folder; None for a message file (the folder is
        then a mailbox)."""
        head = self._head(entry)
        if head is None:
            return []
        fmt = _format_of(entry, head)
        if fmt is not None:
            return None if fmt.name == "message" else self._read_by(fmt.source(entry))
        if archive_kind(head) is not None:
            return self._nested(entry, head)
        self._not_read(entry, PLAIN if plainly_not_mail(entry.name) else what_it_is(head))
        return []

    def _head(self, entry: Entry) -> bytes | None:
        """The first bytes of a file; a member of an archive that cannot be read is
        quarantined (None)."""
        if isinstance(entry, Path):
            return _read_head(entry)
        try:
            return content_head(entry, _SNIFF_BYTES)
        except READ_ERRORS as exc:
            _mark(entry, Fate.QUARANTINED, "unreadable", str(exc))
            return None

    def _nested(self, entry: Entry, head: bytes) -> list[Source]:
        """An archive met in a folder or in another archive, read as a folder."""
        try:
            archive = open_archive(entry, head)
        except Refused as exc:
            if exc.skip:
                self._not_read(entry, exc.detail)
            elif isinstance(entry, ArchivePath):
                _mark(entry, Fate.QUARANTINED, exc.reason, exc.detail)
            else:
                bad = [Quarantined(path_text(entry.absolute()), exc.reason, exc.detail)]
                self._broken.append(ArchiveSource(entry, bad))
            return []
        if isinstance(entry, ArchivePath):
            _mark(entry, Fate.READ)
        return self._archive(archive)

    def _read_by(self, source: Source, whole: bool = True) -> list[Source]:
        """``source``, with the members of an archive it reads marked so (and, when it
        takes its ``whole`` folder, the others below it not read); none if it has
        nothing to read (an empty Maildir or log)."""
        if isinstance(source.path, ArchivePath):
            members = source.members()
            for entry in members if members is not None else [source.path]:
                if isinstance(entry, ArchivePath):
                    _mark(entry, Fate.READ)
            if whole:
                _mark(source.path, Fate.SKIPPED, f"not read by its folder's {source.kind} reader")
        if source.estimate() == 0:
            self._not_read(source.path, "empty")
            return []
        return [source]

    def _not_read(self, entry: Entry, what: str) -> None:
        if isinstance(entry, ArchivePath):  # named with its archive's others, once walked
            _mark(entry, Fate.SKIPPED, what)
        elif what not in QUIET:
            self._passed.append(NotRead(entry, what))


_ARCHIVE_HINT = "Download it again, or unpack it with another tool and ingest the folder."


def _mark(entry: ArchivePath, fate: Fate, reason: str = "", detail: str = "") -> None:
    """Set what became of a member (every file below it, for a folder) that has no
    fate yet: the first decision stands."""
    node = entry.node
    if node is None:
        return
    for file in node.files():
        if file.fate is None:
            file.fate, file.reason, file.detail = fate, reason, detail


def _entries(folder: Entry) -> list[Entry]:
    try:
        return sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise InputError(f"{folder}: cannot list folder ({exc}).", "Check permissions.") from exc


def _hidden(name: str) -> bool:
    return name.startswith(".") or name.lower() in _HIDDEN_FOLDERS


def _for_file(path: Path, head: bytes) -> Source | None:
    """The source of the first format that claims the file, or None."""
    fmt = _format_of(path, head)
    return fmt.source(path) if fmt is not None else None


def _format_of(path: Entry, head: bytes) -> FileFormat | None:
    return next((fmt for fmt in FILE_FORMATS if fmt.claims(path, head)), None)


def _log_source(path: Entry) -> Source:
    try:
        from weakties.sources.csvlog import LogSource
    except ImportError as exc:
        raise InputError(
            f"{path}: interaction logs cannot be read in this installation ({exc}).",
            "Remove the file from the input or install the full weakties package.",
        ) from exc
    return LogSource(path)


def _has_sent_folder(folder: Entry) -> bool:
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
    except READ_ERRORS:
        return b"\x00"


def _log_name(path: Entry, head: bytes) -> bool:
    return path.name.lower().endswith(LOG_SUFFIXES)


def _vcard(path: Entry, head: bytes) -> bool:
    return looks_like_vcard(head)


def _log(path: Entry, head: bytes) -> bool:
    """A Parquet file by its name; a CSV or TSV by its name and its header row."""
    name = path.name.lower()
    if not name.endswith(LOG_SUFFIXES):
        return False
    if name.endswith(".parquet"):
        return True
    try:
        from weakties.sources.csvlog import has_log_columns
    except ImportError:
        return True  # its source says what is missing
    return has_log_columns(head, "\t" if name.endswith(".tsv") else ",")


def _mbox(path: Entry, head: bytes) -> bool:
    return classify(head) is Kind.MBOX


def _message(path: Entry, head: bytes) -> bool:
    return classify(head) is Kind.MESSAGE


def _whatsapp(path: Entry, head: bytes) -> bool:
    return is_chat_text(head)


def _x_file(path: Entry, head: bytes) -> bool:
    return path.name.endswith(".js") and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(YTD)


def _mailbox_folder(folder: Entry) -> bool:
    return is_maildir(folder) or _has_sent_folder(folder)


FILE_FORMATS: tuple[FileFormat, ...] = (
    FileFormat("calendar", is_calendar, CalendarSource),
    FileFormat("vcard", _vcard, VCardSource),
    FileFormat("contacts-csv", looks_like_contacts, ContactsCsvSource),  # before logs: a CSV
    FileFormat("linkedin-connections", is_connections_file, LinkedInSource),
    FileFormat("log", _log, _log_source),
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
