"""One raw RFC 822 message -> one :class:`Interaction` (or :class:`Quarantined`).

Shared by every mail container (mbox, Maildir, .eml). Only headers are read;
bodies are never parsed or kept. Every failure mode ends in a record, never an
exception: a caller can feed this arbitrary bytes.

Speed matters here (a mailbox holds 10^4-10^6 messages): header values stay
bytes until needed, and the costly steps (address lists, subjects, X-From
names) are cached on the raw value, since the same recipient lists and
thread subjects recur across a mailbox.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TypeVar

from weakties.records import (
    AliasEvidence,
    DateFlag,
    Interaction,
    Participant,
    Quarantined,
    Record,
    Role,
)
from weakties.sources import headers as hdr
from weakties.text.addresses import (
    clean_address_list,
    clean_name,
    domain_of,
    exchange_alias,
    is_automated_local_part,
    parse_address_list,
)

MAX_HEADER_BYTES = 8 << 20
"""Headers beyond this are ignored: no real message has 8 MB of them."""

_MAIL_FIELDS = frozenset(
    {"from", "sender", "to", "cc", "date", "message-id", "return-path", "subject"}
)
_ID_RE = re.compile(rb"<([^<>\s]+)>")
_LIST_ID_RE = re.compile(rb"<([^<>]+)>")
_BULK_PRECEDENCE = frozenset({b"bulk", b"list", b"junk"})
_LIST_HEADERS = frozenset({"list-id", "list-unsubscribe", "list-post"})
_FLAG_FIELDS = frozenset(
    {"list-id", "list-unsubscribe", "list-post", "precedence", "auto-submitted",
     "x-auto-response-suppress", "return-path"}
)  # fmt: skip
_XFROM_TAIL_RE = re.compile(r"\s*<[^<>]*>?\s*(?:@\S*)?\s*$")
_XFROM_AT_RE = re.compile(r"@[A-Za-z0-9-]+$")
_DN_ORG_RE = re.compile(r"/O=([^/<>]+)", re.IGNORECASE)
_CACHED_VALUE_LIMIT = 4096  # longer values are parsed every time, not cached
_CACHE_ENTRIES = 16384
_K = TypeVar("_K")
_V = TypeVar("_V")
_FOLDER_SPLIT_RE = re.compile(r"[/\\]|(?<=\w)\.(?=\w)")
_FOLDER_NOISE_RE = re.compile(r"[\s._\-\[\]/\\]+")
_SENT_FOLDERS = frozenset(
    {
        "sent", "sentitems", "sentmail", "sentmessages", "sentmessage", "sentbox",
        "gesendet", "gesendeteobjekte", "gesendeteelemente", "envoyes", "elementsenvoyes",
        "messagesenvoyes", "enviados", "elementosenviados", "itensenviados", "inviata",
        "postainviata", "verzonden", "verzondenitems", "skickat", "skickadeobjekt", "sendt",
        "sendteelementer", "lahetetyt", "wyslane", "elementywyslane", "odeslane",
    }
)  # fmt: skip


def parse_message(
    raw: bytes,
    location: str,
    *,
    folder: str | None = None,
    is_sent: bool = False,
    envelope_date: datetime | None = None,
    archive_list: str | None = None,
) -> Record:
    """Turn the raw bytes of one message (or of its header block) into a record.

    A leading mbox ``From `` line is allowed; its date (or ``envelope_date``)
    stands in when the Date header is missing or unreadable. ``archive_list``
    names the mailing list when the message was read from a list archive that
    lost its List-Id (pipermail), which marks it as bulk list traffic.
    """
    envelope = b""
    if raw[:5] == b"From ":
        envelope, raw = hdr.split_envelope(raw)
    end = hdr.header_end(raw)
    block = raw[: end if end >= 0 else MAX_HEADER_BYTES]
    if not hdr.looks_like_header_line(block):
        return Quarantined(location, "not-a-message", "no header block")
    fields = hdr.extract(block)
    if fields.keys().isdisjoint(_MAIL_FIELDS):
        return Quarantined(location, "not-a-message", "no mail headers")
    author = _author(fields)
    if author is None:
        return Quarantined(location, "no-sender", "no usable From, Sender or Return-Path")
    stamp, flag = _date(fields.get("date"))
    if stamp is None:
        stamp, flag = _fallback_date(block, envelope, envelope_date)
    labels = fields.get("x-gmail-labels")
    if labels:  # Gmail Takeout: labels say more than the export file's name
        folder = hdr.to_text(labels)
        is_sent = is_sent or _labelled_sent(folder)
    sender, automated, aliases = author
    record = Interaction(
        location,
        "email",
        stamp,
        [sender, *_recipients(fields)],
        folder=folder,
        is_sent=is_sent,
        automated=automated,
        date_flag=flag,
        aliases=[*aliases],
    )
    _fill_ids(record, fields)
    if not fields.keys().isdisjoint(_FLAG_FIELDS):
        _fill_flags(record, fields)
    if archive_list is not None:
        record.bulk = True
        record.list_id = record.list_id or archive_list.lower()
    return record


def _fill_ids(record: Interaction, fields: hdr.RawHeaders) -> None:
    """Message-ID, In-Reply-To, References and the subject's hash."""
    record.message_id = _first_id(fields.get("message-id"))
    subject = fields.get("subject")
    if subject:
        record.subject_hash = _subject_hash(subject)
    if "in-reply-to" in fields:
        record.in_reply_to = _first_id(fields["in-reply-to"])
    if "references" in fields:
        record.references = _ids(fields["references"])


def _fill_flags(record: Interaction, fields: hdr.RawHeaders) -> None:
    """Bulk (mailing list) and automated flags from the headers that say so."""
    list_id = fields.get("list-id")
    record.list_id = _list_id(list_id) if list_id else None
    precedence = fields.get("precedence", b"").strip().lower()
    listed = not fields.keys().isdisjoint(_LIST_HEADERS)
    record.bulk = listed or precedence in _BULK_PRECEDENCE
    auto = fields.get("auto-submitted")
    if auto is not None and auto.split(b";")[0].strip().lower() not in (b"no", b""):
        record.automated = True
    if "x-auto-response-suppress" in fields:
        record.automated = True
    return_path = fields.get("return-path")
    if return_path is not None and return_path.replace(b" ", b"").strip() == b"<>":
        record.automated = True


def is_sent_folder(name: str) -> bool:
    """True for a mail client's sent folder (``Sent Items``, ``_sent_mail``, ``.Sent``...).

    Case, spaces, dots, dashes and underscores are ignored, and so is a parent
    such as ``[Gmail]/`` or ``INBOX.``.
    """
    last = _FOLDER_SPLIT_RE.split(name.strip().lower())[-1]
    if _FOLDER_NOISE_RE.sub("", last) in _SENT_FOLDERS:
        return True
    return _FOLDER_NOISE_RE.sub("", name.lower()) in _SENT_FOLDERS


def _labelled_sent(labels: str) -> bool:
    """Gmail Takeout marks sent mail with the ``Sent`` label."""
    return any(label.strip().strip('"').lower() == "sent" for label in labels.split(","))


class _RoleParser:
    """Address header value -> participants in one role, through bounded caches.

    The same recipient lists recur across a mailbox, and participants are
    immutable, so both the parsed lists and the participants are shared.
    """

    def __init__(self, role: Role) -> None:
        self.role = role
        self.lists: dict[bytes, tuple[Participant, ...]] = {}
        self.people: dict[tuple[str, str], Participant] = {}
        self.bare: dict[str, Participant] = {}  # address -> participant without a name

    def __call__(self, value: bytes) -> tuple[Participant, ...]:
        found = self.lists.get(value)
        if found is None:
            found = self._parse(value)
            if len(value) <= _CACHED_VALUE_LIMIT:
                _remember(self.lists, value, found)
        return found

    def _parse(self, value: bytes) -> tuple[Participant, ...]:
        text = hdr.to_text(value)
        clean = clean_address_list(text)
        if clean is not None:
            return tuple(map(self._bare, clean))
        people, role = self.people, self.role
        out = []
        for key in parse_address_list(text):
            person = people.get(key)
            if person is None:
                person = _remember(people, key, Participant(role, key[0], key[1]))
            out.append(person)
        return tuple(out)

    def _bare(self, address: str) -> Participant:
        found = self.bare.get(address)
        if found is None:
            found = _remember(self.bare, address, Participant(self.role, address))
        return found


def _remember(cache: dict[_K, _V], key: _K, value: _V, limit: int = _CACHE_ENTRIES) -> _V:
    """Store in a cache that is emptied when full: bounded memory, no bookkeeping."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value


_FROM, _TO, _CC, _BCC = (_RoleParser(r) for r in (Role.FROM, Role.TO, Role.CC, Role.BCC))


_Author = tuple[Participant, bool, tuple[AliasEvidence, ...]]
"""``(sender, the sender is a machine, alias evidence)``."""
_AUTHORS: dict[tuple[bytes, bytes | None], _Author | None] = {}
_RECIPIENTS: dict[tuple[bytes | None, ...], tuple[Participant, ...]] = {}


def _author(fields: hdr.RawHeaders) -> _Author | None:
    """The author: From, else Sender, else a non-empty Return-Path.

    Cached on From and X-From, which recur across a mailbox.
    """
    value, x_from = fields.get("from"), fields.get("x-from")
    if value:
        key = (value, x_from)
        if key in _AUTHORS:
            found = _AUTHORS[key]
        else:
            found = _find_author(_FROM(value), x_from)
            if len(value) + len(x_from or b"") <= _CACHED_VALUE_LIMIT:
                _remember(_AUTHORS, key, found)
        if found is not None:
            return found
    for name in ("sender", "return-path"):
        value = fields.get(name)
        if value:
            found = _find_author(_FROM(value), x_from)
            if found is not None:
                return found
    return None


def _find_author(candidates: tuple[Participant, ...], x_from: bytes | None) -> _Author | None:
    if not candidates:
        return None
    sender = candidates[0]
    aliases: tuple[AliasEvidence, ...] = ()
    if x_from is not None:
        if not sender.name:
            sender = _named_sender(sender, x_from)
        aliases = _aliases(x_from, sender.address)
    return sender, is_automated_local_part(sender.address), aliases


def _recipients(fields: hdr.RawHeaders) -> tuple[Participant, ...]:
    """To, Cc and Bcc, each address once; cached, as the same lists recur."""
    key = (fields.get("to"), fields.get("cc"), fields.get("bcc"))
    found = _RECIPIENTS.get(key)
    if found is None:
        found = _merge_recipients(*key)
        if all(v is None or len(v) <= _CACHED_VALUE_LIMIT for v in key):
            _remember(_RECIPIENTS, key, found)
    return found


def _merge_recipients(
    to: bytes | None, cc: bytes | None, bcc: bytes | None
) -> tuple[Participant, ...]:
    """A Bcc that copies the Cc (as in the whole Enron corpus) adds no one."""
    if bcc is not None and bcc == cc:
        bcc = None
    out = list(_TO(to)) if to else []
    seen = {p.address for p in out}
    for value, parse in ((cc, _CC), (bcc, _BCC)):
        if value:
            for participant in parse(value):
                if participant.address not in seen:
                    seen.add(participant.address)
                    out.append(participant)
    return tuple(out)


_DATES: dict[bytes, tuple[datetime | None, DateFlag | None]] = {}


def _date(value: bytes | None) -> tuple[datetime | None, DateFlag | None]:
    """The Date header as UTC with its plausibility flag (cached: copies share it)."""
    if not value:
        return None, DateFlag.MISSING
    found = _DATES.get(value)
    if found is None:
        stamp = hdr.parse_date(value.decode("latin-1"))
        found = (stamp, hdr.judge_date(stamp) if stamp is not None else DateFlag.MISSING)
        if len(value) <= _CACHED_VALUE_LIMIT:
            _remember(_DATES, value, found)
    return found


def _fallback_date(
    block: bytes, envelope: bytes, envelope_date: datetime | None
) -> tuple[datetime | None, DateFlag]:
    """No readable Date header: the mbox envelope's or the first relay's date."""
    found = envelope_date
    if found is None and envelope:
        found = hdr.parse_asctime(envelope.decode("latin-1"))
    if found is None:
        found = hdr.last_received_date(block)
    return (None, DateFlag.MISSING) if found is None else (found, DateFlag.UNPARSED)


def _first_id(value: bytes | None) -> str | None:
    """The first ``<id>`` of a header, or the bare value when it has no brackets."""
    if not value:
        return None
    start = value.find(b"<") + 1
    end = value.find(b">", start) if start else -1
    if end > start:
        found = value[start:end]
        if found.isascii() and b" " not in found and b"<" not in found and b"\t" not in found:
            return found.decode("ascii")
    match = _ID_RE.search(value)
    if match is not None:
        return hdr.to_text(match.group(1))
    bare = value.strip().strip(b"<>").split()
    return hdr.to_text(bare[0]) if bare else None


def _ids(value: bytes | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(hdr.to_text(found) for found in _ID_RE.findall(value))


def _list_id(value: bytes | None) -> str | None:
    if not value:
        return None
    match = _LIST_ID_RE.search(value)
    found = hdr.to_text(match.group(1) if match else value).lower()
    return found or None


_SUBJECTS: dict[bytes, str | None] = {}


def _subject_hash(value: bytes) -> str | None:
    """The subject's hash, cached on the raw value (a thread's messages share it).

    A plain dict looked up here, not a caching decorator: one call less for every
    message read.
    """
    found = _SUBJECTS.get(value, _NO_HASH)
    if found is _NO_HASH:
        found = hdr.subject_hash(hdr.to_text(value))
        if len(value) <= _CACHED_VALUE_LIMIT:
            _remember(_SUBJECTS, value, found, 8192)
    return found


_NO_HASH = "?"  # never a hash: those are hex digits


_NAMED: dict[tuple[str, bytes], Participant] = {}


def _named_sender(sender: Participant, x_from: bytes) -> Participant:
    """The sender named after Enron's ``X-From`` when From has no display name."""
    key = (sender.address, x_from)
    found = _NAMED.get(key)
    if found is None:
        name = _x_from_name(x_from)
        found = Participant(Role.FROM, sender.address, name) if name else sender
        if len(x_from) <= _CACHED_VALUE_LIMIT:
            _remember(_NAMED, key, found)
    return found


def _x_from_name(value: bytes) -> str:
    """The display name of an Enron ``X-From`` (minus its DN or ``<addr>@ENRON`` tail)."""
    name = _XFROM_TAIL_RE.sub("", hdr.to_text(value))
    name = _XFROM_AT_RE.sub("", name.strip())
    return clean_name(name)


def _aliases(x_from: bytes, sender: str) -> tuple[AliasEvidence, ...]:
    """Exchange DN in X-From naming a mailbox alias in the sender's own domain."""
    return _alias_evidence(x_from, sender) if b"/" in x_from else ()


def _alias_evidence(x_from: bytes, sender: str) -> tuple[AliasEvidence, ...]:
    """Only when the DN's organisation is the sender's domain (``/O=ENRON``, ``enron.com``)."""
    text, domain = hdr.to_text(x_from), domain_of(sender)
    org = _DN_ORG_RE.search(text)
    if org is None or org.group(1).strip().lower() not in domain.split("."):
        return ()
    alias = exchange_alias(text, domain)
    if alias is None or alias == sender:
        return ()
    return (AliasEvidence(address=sender, other=alias, evidence="exchange-dn"),)
