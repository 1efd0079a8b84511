"""Fast, defensive reading of the mail headers weakties needs.

The standard library's ``email`` package builds a full message object and is
the bottleneck of mail ingest (compat32 reads ~11,500 Enron messages/s here
from a warm page cache, ``policy.default`` ~850/s). We only need a couple of
dozen headers and never the body, so this module splits the header block at the
byte level, picks the wanted fields by name, and decodes only the values a caller
asks for: with :mod:`weakties.sources.email` that makes ~21,000-30,000 records/s
on the same files (1.8-2.6x compat32; reading and parsing only, nothing stored).
Nothing in here raises on bad input: garbage gives empty or best-effort
values.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from hashlib import blake2b

from weakties.records import DateFlag
from weakties.text.decode import decode_words

WANTED = (
    "from", "sender", "to", "cc", "bcc", "date", "message-id", "in-reply-to",
    "references", "subject", "list-id", "list-unsubscribe", "list-post", "precedence",
    "auto-submitted", "x-auto-response-suppress", "return-path", "x-gmail-labels",
    "x-from", "x-to", "x-cc", "x-bcc", "x-folder",
)  # fmt: skip
"""Lower-case names of the headers we extract; everything else is skipped."""

_LIST_FIELDS = frozenset({"to", "cc", "bcc", "x-to", "x-cc", "x-bcc", "references"})
_BY_NAME = {n: n for n in WANTED}
_UNSEEN = "?"
_WSP = frozenset((b" ", b"\t"))
_FAST_NAMES: dict[bytes, str | None] = {
    spelled.encode(): n
    for n in WANTED
    for spelled in (n, n.upper(), "-".join(w.capitalize() for w in n.split("-")))
}
_FAST_NAMES.update(
    {b"Message-ID": "message-id", b"X-cc": "x-cc", b"X-bcc": "x-bcc", b"List-ID": "list-id"}
)
_RECEIVED_RE = re.compile(rb"^received[ \t]*:(.*(?:\n[ \t].*)*)", re.MULTILINE | re.IGNORECASE)
_BLANK_LINE_RE = re.compile(rb"\n\r?\n")
_HEADER_LINE_RE = re.compile(rb"[\r\n \t]{0,200}[!-9;-~]{1,200}[ \t]*:")


RawHeaders = dict[str, bytes]
"""Wanted header values by lower-case name: unfolded raw bytes (see :func:`to_text`)."""


def header_end(raw: bytes) -> int:
    """Offset where the header block ends (the blank line), or -1 if none is seen.

    Accepts LF, CRLF and a mix of both.
    """
    if raw[:1] == b"\n" or raw[:2] == b"\r\n":
        return 0
    match = _BLANK_LINE_RE.search(raw)
    return -1 if match is None else match.start() + 1


def split_envelope(raw: bytes) -> tuple[bytes, bytes]:
    """Split off a leading mbox ``From `` line: ``(envelope_line, rest)``."""
    if not raw.startswith(b"From "):
        return b"", raw
    nl = raw.find(b"\n")
    if nl < 0:
        return raw, b""
    return raw[:nl], raw[nl + 1 :]


def looks_like_header_line(line: bytes) -> bool:
    """True when ``line`` starts like ``Field-Name:`` (used to sniff content)."""
    return _HEADER_LINE_RE.match(line) is not None


def extract(block: bytes) -> RawHeaders:
    """Extract the wanted headers from a raw header block, undecoded.

    Splitting lines at the byte level and looking names up in a dict is
    several times faster than a regex over the block. Repeated recipient
    headers are joined with commas (References with spaces); for every other
    field the first occurrence wins.
    """
    found: RawHeaders = {}
    current: str | None = None  # the wanted field whose continuation lines follow
    known = _FAST_NAMES.get
    for line in block.split(b"\n"):
        name, sep, value = line.partition(b":")
        key = known(name, _UNSEEN) if sep else None
        if key is _UNSEEN:
            key = _lookup_name(name)
        if key is None:
            if current is not None and line[:1] in _WSP:
                found[current] += line
            else:
                current = None
        elif key not in found:
            found[key] = value
            current = key
        elif key in _LIST_FIELDS:
            found[key] += (b" " if key == "references" else b",") + value
            current = key
        else:
            current = None
    return found


def _lookup_name(name: bytes) -> str | None:
    """The wanted-field key for an unusual spelling of a name (remembered).

    Only trailing blanks are forgiven (``Subject :``); a leading blank marks a
    continuation line, never a field.
    """
    key = None if name[:1] in _WSP else _BY_NAME.get(name.rstrip().lower().decode("latin-1"))
    if len(name) <= 64 and len(_FAST_NAMES) < 4096:
        _FAST_NAMES[name] = key
    return key


def extract_text(block: bytes) -> dict[str, str]:
    """:func:`extract`, with every value decoded to text."""
    return {name: to_text(value) for name, value in extract(block).items()}


def last_received_date(block: bytes) -> datetime | None:
    """The date stamped by the first relay (the last ``Received:`` header)."""
    values = _RECEIVED_RE.findall(block)
    if not values:
        return None
    text = to_text(values[-1])
    _, sep, stamp = text.rpartition(";")
    return parse_date(stamp) if sep else None


def to_text(value: bytes) -> str:
    """Unfold a raw header value and decode it: UTF-8, else Latin-1; no NULs."""
    if b"\r" in value or b"\n" in value:
        value = value.replace(b"\r", b"").replace(b"\n", b"")
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        text = value.decode("latin-1")
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text.strip()


# --- dates ---------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}  # fmt: skip
_ZONES = {
    "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360,
    "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "cet": 60,
    "cest": 120, "met": 60, "mest": 120, "bst": 60, "eet": 120, "eest": 180,
    "wet": 0, "west": 60, "jst": 540, "hst": -600, "akst": -540, "akdt": -480,
}  # fmt: skip
_RFC_DATE_RE = re.compile(
    r"\s*(?:[A-Za-z]{2,9}\.?\s*,?\s*)?(\d{1,2})[\s-]+([A-Za-z]{3})[A-Za-z]*\.?[\s-]+(\d{2,4})"
    r"\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?\s*(?:([+-])(\d\d):?(\d\d)|([A-Za-z]{1,5}))?"
)
_USUAL_DATE_RE = re.compile(
    r" ?((?:[A-Z][a-z][a-z], )?\d\d? [A-Za-z]{3} \d{4}) (\d\d:\d\d:\d\d) ([+-]\d{4})"
)  # the shape nearly every mailer writes; everything else takes the lenient pattern
_DAYS: dict[tuple[str, str], datetime | None] = {}  # (day, zone) -> its midnight in UTC
_CLOCKS: dict[str, timedelta] = {}  # "hh:mm:ss" -> time since midnight
_ASCTIME_RE = re.compile(
    r"(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d\d)(?::(\d\d))?"
    r"(?:\s+(?:[A-Za-z]{1,5}|[+-]\d{4}))?\s+(\d{4})"
)
_OFFSETS: dict[int, timedelta] = {}
EARLIEST = datetime(1985, 1, 1, tzinfo=UTC)
"""Dates before this are artefacts (e.g. Enron's 1979-12-31 epoch-0 stamps)."""
_THIS_YEAR = time.gmtime().tm_year


def parse_date(text: str) -> datetime | None:
    """Parse an RFC 2822 date (with obsolete forms) to an aware UTC datetime."""
    usual = _USUAL_DATE_RE.match(text)
    if usual is not None:
        found = _usual_date(*usual.groups())
        if found is not None:
            return found
    match = _RFC_DATE_RE.match(text)
    if match is not None:
        found = _from_rfc_match(match)
        if found is not None:
            return found
    return _slow_date(text)


def _usual_date(day: str, clock: str, zone: str) -> datetime | None:
    """``13 Dec 2000``, ``07:04:00``, ``-0800`` -> UTC, from two small caches.

    Mail arrives many messages per day and per minute, so the midnight of
    each day and zone and the offset of each time of day are computed once.
    """
    base = _DAYS.get((day, zone), _NO_DAY)
    if base is _NO_DAY:
        base = _midnight(day, zone)
        if len(_DAYS) >= 1 << 16:
            _DAYS.clear()
        _DAYS[day, zone] = base
    delta = _CLOCKS.get(clock)
    if delta is None:
        hour, minute, sec = int(clock[:2]), int(clock[3:5]), int(clock[6:])
        if hour > 23 or minute > 59 or sec > 60:
            return None
        delta = _CLOCKS[clock] = timedelta(seconds=hour * 3600 + minute * 60 + min(sec, 59))
    return None if base is None else base + delta


_NO_DAY = datetime.min


def _midnight(day: str, zone: str) -> datetime | None:
    parts = day.split()
    month = _MONTHS.get(parts[-2].lower())
    if month is None:
        return None
    offset = int(zone[1:3]) * 60 + int(zone[3:5])
    return _build(
        int(parts[-1]), month, int(parts[-3]), 0, 0, 0, offset if zone[0] == "+" else -offset
    )


def parse_asctime(text: str) -> datetime | None:
    """Parse the asctime-style date that ends an mbox ``From `` line (as UTC)."""
    match = _ASCTIME_RE.search(text)
    if match is None:
        return None
    mon, day, hour, minute, second, year = match.groups()
    month = _MONTHS.get(mon.lower())
    if month is None:
        return None
    return _build(int(year), month, int(day), int(hour), int(minute), int(second or 0), 0)


def _from_rfc_match(match: re.Match[str]) -> datetime | None:
    day, mon, year_s, hour, minute, second, sign, zh, zm, zone = match.groups()
    month = _MONTHS.get(mon.lower())
    if month is None:
        return None
    year = int(year_s)
    if sign is not None:
        offset = int(zh) * 60 + int(zm)
        offset = -offset if sign == "-" else offset
    else:
        offset = _ZONES.get(zone.lower(), 0) if zone else 0
    return _build(year, month, int(day), int(hour), int(minute), int(second or 0), offset)


def _build(
    year: int, month: int, day: int, hour: int, minute: int, sec: int, offset: int
) -> datetime | None:
    if year < 1000:  # RFC 5322 obsolete years: 2 or 3 digits, also zero-padded ("0001")
        year += 2000 if year < 50 else 1900
    try:
        stamp = datetime(year, month, day, hour, minute, min(sec, 59), tzinfo=UTC)
    except ValueError:
        return None
    if offset:
        delta = _OFFSETS.get(offset)
        if delta is None:
            delta = _OFFSETS[offset] = timedelta(minutes=offset)
        try:
            stamp -= delta
        except OverflowError:
            return None
    return stamp


def _slow_date(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        found = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        try:
            found = datetime.fromisoformat(text)
        except ValueError:
            return None
    if found.tzinfo is None:
        return found.replace(tzinfo=UTC)
    return found.astimezone(UTC)


def judge_date(
    stamp: datetime | None, now: float | None = None, ahead: float = 86_400
) -> DateFlag | None:
    """``IMPLAUSIBLE`` for dates before 1985 or more than ``ahead`` seconds after
    ``now``: a day for mail (a sender's clock may run a little ahead, no more); a
    calendar's meetings may lie years ahead."""
    if stamp is None:
        return DateFlag.MISSING
    if now is None and EARLIEST.year < stamp.year < _THIS_YEAR:
        return None  # the common case, decided without a clock read
    limit = (time.time() if now is None else now) + ahead
    if stamp < EARLIEST or stamp.timestamp() > limit:
        return DateFlag.IMPLAUSIBLE
    return None


# --- subjects ------------------------------------------------------------------------

_SUBJECT_PREFIX_RE = re.compile(
    r"(?:\s*(?:(?:re|fwd?|aw|wg|sv|antw)\s*(?:\[\d+\]|\(\d+\))?\s*:|\[[^\]]*\]))+",
    re.IGNORECASE,
)


def normalize_subject(subject: str) -> str:
    """Drop reply/forward prefixes and ``[list]`` tags, collapse spaces, casefold."""
    prefix = _SUBJECT_PREFIX_RE.match(subject)
    if prefix is not None:
        subject = subject[prefix.end() :]
    return " ".join(subject.split()).casefold()


def subject_hash(subject: str) -> str | None:
    """16 hex chars of BLAKE2b over the normalised subject; None when empty."""
    normal = normalize_subject(decode_words(subject))
    if not normal:
        return None
    return blake2b(normal.encode("utf-8", "replace"), digest_size=8).hexdigest()
