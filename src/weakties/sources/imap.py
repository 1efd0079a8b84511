"""A mailbox on an IMAP server (``imaps://user@host/``), read headers only.

One account is one source, with one owner, like a Maildir: each folder chosen is
read in UID order, a message's header fields (only those the mail parser reads,
with ``BODY.PEEK``, so that nothing is marked read) go to the same parser a file's
bytes go to, and so become the same record a file of that message would. A folder
the server marks ``\\Sent`` (or that is called so) holds sent items.

Every message is placed by an RFC 5092 URL,
``imaps://user@host/<folder>;UIDVALIDITY=<v>/;UID=<uid>``, which the ledger keys it
by; no password is ever part of it. A folder's UIDs only grow while its UIDVALIDITY
stays, so a later run need only ask for the UIDs past the highest one stored: ingest
tells the source that (:meth:`ImapSource.resume`), from the store, before reading. A
run killed part way stored whole batches in UID order, so its rerun starts where it
stopped and ends as an uninterrupted run would. A new UIDVALIDITY (the server renumbered
the folder) makes the folder new: it is read again, and its messages are recognised
as duplicates by their Message-ID or content.

Folders: all that can be selected, but those the server marks ``\\Trash`` or
``\\Junk`` (RFC 6154) or that are called Trash, Spam, Junk, Deleted Items... unless
``--folder`` names them. On Gmail (``X-GM-EXT-1``) the ``\\All`` folder holds every
message once, with its labels: it alone is read, and a ``\\Sent`` label marks a
sent item.

TLS always: ``imaps://`` (port 993) is TLS from the start; ``imap://`` (port 143)
must switch to TLS with STARTTLS before the password is sent, and a server that
does not offer it is refused. There is no plain-text mode.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from imapclient import IMAPClient, imap_utf7
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from weakties.errors import ServerError
from weakties.records import Record
from weakties.sources.base import Resumable, Source
from weakties.sources.email import is_sent_folder, parse_message
from weakties.sources.headers import WANTED
from weakties.sources.imap_fetch import fetch_headers
from weakties.sources.server import (
    Secret,
    ServerAddress,
    ServerOptions,
    network_errors,
    password,
    scrub,
    tls_context,
)

FETCH_BATCH = 500
"""UIDs asked for in one FETCH: one round trip per 500 messages' headers (about 0.5 MB)."""
UID_MARKER = "/;UID="
_FIELDS = " ".join(name.upper() for name in (*WANTED, "received"))
_HEADERS = f"BODY.PEEK[HEADER.FIELDS ({_FIELDS})]".encode()
_LABELS = b"X-GM-LABELS"
_SKIPPED_USES = frozenset({"\\trash", "\\junk"})
_UNSELECTABLE = frozenset({"\\noselect", "\\nonexistent"})
_NOISE_RE = re.compile(r"[\s._\-\[\]]+")
_SKIPPED_NAMES = frozenset(
    {"trash", "deleted", "deleteditems", "deletedmessages", "bin", "spam", "junk",
     "junkemail", "junkmail", "bulkmail", "papierkorb", "geloeschteelemente", "corbeille",
     "elementssupprimes", "papelera", "elementoseliminados", "cestino", "prullenbak",
     "verwijderdeitems", "ongewenstemail", "courrierindesirable", "correonodeseado"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Folder:
    """A folder as the server lists it: its name, its flags (lower-case, such as
    ``\\sent``) and the hierarchy's delimiter."""

    name: str
    flags: frozenset[str]
    delimiter: str = "/"

    @property
    def sent(self) -> bool:
        return "\\sent" in self.flags or is_sent_folder(self.name)

    @property
    def unwanted(self) -> bool:
        """Trash or spam, by the server's flag or by its name."""
        if not self.flags.isdisjoint(_SKIPPED_USES):
            return True
        last = self.name.split(self.delimiter)[-1] if self.delimiter else self.name
        return _NOISE_RE.sub("", last.lower()) in _SKIPPED_NAMES


def choose_folders(listed: Sequence[Folder], wanted: Sequence[str], gmail: bool) -> list[Folder]:
    """The folders to read, in name order: those ``wanted`` (each must exist), else all
    that can be selected but trash and spam; on Gmail, only ``\\All`` when it has one."""
    usable = [f for f in listed if f.flags.isdisjoint(_UNSELECTABLE)]
    if wanted:
        by_name = {f.name: f for f in usable}
        by_name.update({f.name.lower(): f for f in usable if f.name.upper() == "INBOX"})
        missing = [w for w in wanted if w not in by_name and w.lower() not in by_name]
        if missing:
            names = ", ".join(sorted(f.name for f in usable)[:20])
            raise ServerError(
                f"No folder {missing[0]!r} on the server.", f"Its folders are: {names}."
            )
        chosen = {(by_name.get(w) or by_name[w.lower()]).name: None for w in wanted}
        return [by_name[n] for n in chosen]
    if gmail:
        every = [f for f in usable if "\\all" in f.flags]
        if every:
            return every
    return sorted((f for f in usable if not f.unwanted), key=lambda f: f.name)


def gmail_labels(labels: Sequence[bytes | str]) -> tuple[str, bool]:
    """Gmail's labels of one message as a folder text (``Inbox, Work``) and whether it
    is a sent item (the ``\\Sent`` label)."""
    names = [imap_utf7.decode(x) if isinstance(x, bytes) else x for x in labels]
    sent = any(n.lower() == "\\sent" for n in names)
    return ", ".join(n.lstrip("\\") for n in names), sent


class ImapSource(Source):
    """One IMAP account: its chosen folders' messages, headers only, in UID order.

    Built by :func:`open_imap`, which connects and logs in (so that a wrong password
    or an unknown folder is said before the store is touched); :meth:`records`
    reads and closes the connection.
    """

    kind = "imap"

    def __init__(
        self, address: ServerAddress, client: IMAPClient, folders: list[Folder], gmail: bool
    ) -> None:
        base = address.base()
        super().__init__(Path(base), label=base)
        self.url = base
        self._address = address
        self._client: IMAPClient | None = client
        self._folders = folders
        self._gmail = gmail
        self._last: Mapping[str, int] = {}
        self._planned: int | None = None

    def resumable(self) -> Resumable:
        """Locations are ``<account URL><folder>;UIDVALIDITY=<v>`` then ``/;UID=<n>``."""
        return Resumable(self._address.base(), UID_MARKER)

    def resume(self, last: Mapping[str, int]) -> None:
        """Read, in each folder (and UIDVALIDITY), only the UIDs past ``last``'s."""
        self._last = dict(last)

    def estimate(self) -> int | None:
        """The messages to fetch, once the folders are looked at (records() does)."""
        return self._planned

    def folders(self) -> list[Folder]:
        """The folders this source reads."""
        return list(self._folders)

    def records(self) -> Iterator[Record]:
        """One record per message of the chosen folders past what the store holds."""
        client = self._client
        if client is None:
            raise ServerError(f"{self.url}: this source was already read.", "Open it again.")
        self._client = None
        try:
            with network_errors(self._address):
                plans = [self._plan(client, folder) for folder in self._folders]
            self._planned = sum(len(uids) for _, _, uids in plans)
            for folder, stream, uids in plans:
                yield from self._fetch(client, folder, stream, uids)
        finally:
            _close(client)

    def _plan(self, client: IMAPClient, folder: Folder) -> tuple[Folder, str, list[int]]:
        """The folder's stream (its URL with its UIDVALIDITY) and its UIDs to fetch."""
        status = _imap(self._address, lambda: client.select_folder(folder.name, readonly=True))
        validity = int(status[b"UIDVALIDITY"])
        stream = f"{self.url}{quote(folder.name, safe='/')};UIDVALIDITY={validity}"
        last = self._last.get(stream, 0)
        nothing_new = int(status.get(b"UIDNEXT") or last + 2) <= last + 1
        if not status.get(b"EXISTS") or nothing_new:
            return folder, stream, []
        found = _imap(self._address, lambda: client.search(["UID", f"{last + 1}:*"]))
        return folder, stream, sorted(u for u in found if u > last)

    def _fetch(
        self, client: IMAPClient, folder: Folder, stream: str, uids: list[int]
    ) -> Iterator[Record]:
        if not uids:
            return
        with network_errors(self._address):
            _imap(self._address, lambda: client.select_folder(folder.name, readonly=True))
        for start in range(0, len(uids), FETCH_BATCH):
            chunk = uids[start : start + FETCH_BATCH]
            with network_errors(self._address):
                found = _imap(self._address, partial(self._headers, client, chunk))
            for uid in chunk:
                if uid in found:  # not: expunged since the search
                    raw, labels = found[uid]
                    yield _record(raw, labels, folder, f"{stream}{UID_MARKER}{uid}")

    def _headers(
        self, client: IMAPClient, uids: list[int]
    ) -> dict[int, tuple[bytes, Sequence[bytes] | None]]:
        """Each UID's header block, and its Gmail labels (None elsewhere)."""
        if not self._gmail:
            plain = fetch_headers(client, uids, _HEADERS)
            if plain is not None:
                return {uid: (raw, None) for uid, raw in plain.items()}
        items = [_HEADERS, _LABELS] if self._gmail else [_HEADERS]
        return {
            uid: (_header_block(data), data.get(_LABELS))
            for uid, data in client.fetch(uids, items).items()
        }


def _header_block(data: Mapping[bytes, Any]) -> bytes:
    raw = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
    return bytes(raw or b"")


def _record(raw: bytes, labels: Sequence[bytes] | None, folder: Folder, location: str) -> Record:
    """The message's record, as its file would give; Gmail's labels name its folder."""
    name, sent = folder.name, folder.sent
    if labels is not None:
        name, labelled = gmail_labels(labels)
        sent = sent or labelled
    return parse_message(raw, location, folder=name, is_sent=sent)


def open_imap(address: ServerAddress, options: ServerOptions) -> ImapSource:
    """Connect to the account, log in and choose its folders.

    Raises :class:`ServerError` (one line, never the password) when the server cannot
    be reached or trusted, refuses the login, or lacks a folder asked for.
    """
    secret = password(address, options)
    context = tls_context(options)
    with network_errors(address, secret):
        client = _connect(address, options, context)
        try:
            _login(client, address, secret)
            wanted = options.folders or ((address.folder,) if address.folder else ())
            gmail = client.has_capability("X-GM-EXT-1")
            listed = _imap(address, lambda: _list(client), secret)
            folders = choose_folders(listed, wanted, gmail)
        except BaseException:
            _close(client)
            raise
    return ImapSource(address, client, folders, gmail)


def _connect(address: ServerAddress, options: ServerOptions, context: Any) -> IMAPClient:
    """A connection that is TLS before anything is sent: implicit TLS for ``imaps``,
    STARTTLS (refused when not offered) for ``imap``."""
    tls = address.scheme == "imaps"
    client = IMAPClient(
        address.host, address.port, ssl=tls, ssl_context=context, timeout=options.timeout
    )
    if not tls:
        try:
            offered = client.has_capability("STARTTLS")
            if not offered:
                raise ServerError(
                    f"{address.base()}: the server does not offer STARTTLS, and weakties "
                    "never sends a password unencrypted.",
                    "Use imaps:// (port 993), or enable TLS on the server.",
                )
            client.starttls(context)
        except BaseException:
            _close(client)
            raise
    return client


def _login(client: IMAPClient, address: ServerAddress, secret: Secret) -> None:
    try:
        client.login(address.user, secret.reveal())
    except LoginError as exc:
        said = scrub(_server_text(exc), secret)
        raise ServerError(
            f"{address.base()}: login refused for {address.user} ({said}).",
            "Check the user and the password.",
        ) from None


def _list(client: IMAPClient) -> list[Folder]:
    listed = client.list_folders()
    return [
        Folder(
            name if isinstance(name, str) else imap_utf7.decode(name),
            frozenset(_text(f).lower() for f in flags),
            _text(delimiter) if delimiter else "",
        )
        for flags, delimiter, name in listed
    ]


def _imap(address: ServerAddress, call: Callable[[], Any], secret: Secret | None = None) -> Any:
    """``call()``, its IMAP protocol errors (a command the server refused, a dropped
    connection) as one-line :class:`ServerError`\\ s."""
    try:
        return call()
    except IMAPClientAbortError as exc:
        said = scrub(_server_text(exc), secret)
        raise ServerError(
            f"{address.base()}: the connection to the server was lost ({said}).",
            "Run the same command again: it goes on where this run stopped.",
        ) from None
    except IMAPClientError as exc:
        said = scrub(_server_text(exc), secret)
        raise ServerError(
            f"{address.base()}: the server refused a command ({said}).",
            "Try again later; if it persists, name the folders to read with --folder.",
        ) from None


def _server_text(exc: BaseException) -> str:
    text = str(exc)
    match = re.search(r"b'([^']*)'", text)  # imaplib quotes the server's bytes
    return (match.group(1) if match else text)[:200]


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _close(client: IMAPClient) -> None:
    """Log out, or just drop the connection when the server is gone."""
    try:
        client.logout()
    except (IMAPClientError, OSError):
        try:
            client.shutdown()
        except OSError:
            return
