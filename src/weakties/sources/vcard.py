"""Address books as vCard files: 2.1, 3.0 and 4.0, as Android, iPhone, Outlook,
Gmail, Evolution, Lotus Notes and Thunderbird export them.

A file, or a folder holding only vCard files, is one source. Each card becomes one
:class:`~weakties.records.Contact` (kind ``card``): its name, every e-mail address,
every phone number (``tel:+E.164``, read in the source's region when written without a
country code), LinkedIn profiles among its URLs, and its first organisation and title.
A card with no such identity, or that cannot be read, is quarantined (``no-identity``,
``bad-card``) with its number in the file (``<path>#card<n>``); the rest of the file is read.

Parsing is vobject's (content lines, parameters, escapes, quoted-printable and
charsets, structured N and ORG values). Before it, this module does two things
by hand, each for a measured reason:

* it splits the file into cards and hands vobject one card at a time: vobject reads
  a file as one stream and stops at the first error, so one broken card cost the
  rest of the file (2 of the 18 sample files lost 3 of their 26 cards that way);
* it keeps only the properties read here, joined into logical lines (folding and
  2.1's quoted-printable soft breaks): photos and keys, which vobject decodes as
  base64, are 92% of the samples' card bytes (120,579 bytes, 9,745 kept), and
  parsing whole cards took 1.4x the time of the kept properties; a corrupt photo
  (the Android sample) also failed its whole card. Lines end in LF, CRLF, CR or
  the iPhone's CR CR LF, which vobject reads as blank lines between folds.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import vobject
from vobject.base import VObjectError

from weakties.records import Contact, ContactKind, Quarantined, Record, path_text
from weakties.sources.base import Source
from weakties.sources.compressed import open_stream
from weakties.text.addresses import normalize_address
from weakties.text.handles import normalise_linkedin
from weakties.text.phones import default_region, normalise_phone

_READ = frozenset(
    {"VERSION", "FN", "N", "EMAIL", "TEL", "ORG", "TITLE", "URL", "X-SOCIALPROFILE"}
)  # the properties this module reads; BEGIN and END frame them
_NAME = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")
_BEGIN = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)
_QP = re.compile(r"QUOTED-PRINTABLE", re.IGNORECASE)
MAX_LINE = 8192  # a logical line longer than this is no property we read (a photo)
MAX_IDENTITIES = 32  # the samples' fullest card has 16; more is a list, not a person
MAX_PROPERTIES = 256  # properties kept per card; the rest of a runaway card is ignored
_VOBJECT_ERRORS = (VObjectError, ValueError, LookupError)
"""What vobject raises on malformed input: its own errors, a charset it does not know
(LookupError), bytes that charset cannot decode and bad base64 (ValueError). 2,000
mutated sample files (tests/test_fuzz_contacts.py) raised nothing else."""


def looks_like_vcard(head: bytes) -> bool:
    """True when a file's first bytes start a vCard (any suffix, any of its encodings)."""
    text = _head_text(head).lstrip("\ufeff \t\r\n")
    return _BEGIN.match(text.split("\n", 1)[0].rstrip("\r")) is not None


def _head_text(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head[: len(head) // 2 * 2].decode("utf-16", "replace")
    return head[:256].decode("utf-8", "replace")


VCARD_SUFFIXES = (".vcf", ".vcard", ".vcf.gz")


def is_vcard_folder(folder: Path) -> bool:
    """True for a folder of vCard files and nothing else (a CardDAV store or a phone's
    export keeps one file per contact): it is read as one address book, one source."""
    found = False
    try:
        for entry in folder.iterdir():
            if entry.name.startswith("."):
                continue
            if not entry.is_file() or not entry.name.lower().endswith(VCARD_SUFFIXES):
                return False
            found = True
    except OSError:
        return False
    return found


class VCardSource(Source):
    """One vCard file (``.vcf``, ``.vcard``, any name), or a folder of ``.vcf`` files:
    one contact per card."""

    kind = "vcard"

    def files(self) -> list[Path]:
        """The vCard files, sorted by name."""
        if not self.path.is_dir():
            return [self.path]
        return sorted(
            (p for p in self.path.iterdir() if p.is_file() and not p.name.startswith(".")),
            key=lambda p: p.name,
        )

    def records(self) -> Iterator[Record]:
        for path in self.files():
            root = path_text(path.absolute())
            with open_stream(path) as stream:
                for n, card in enumerate(split_cards(text_lines(stream)), 1):
                    yield card_record(card, f"{root}#card{n}", self.region)


def text_lines(stream: IO[bytes]) -> Iterator[str]:
    """The file's lines as text, without line ends.

    UTF-16 (with its byte-order mark) is decoded whole; otherwise each line is UTF-8,
    else Windows-1252 (Outlook's "ANSI" exports). Line ends may be LF, CRLF, CR, or
    the iPhone's CR CR LF.
    """
    first = stream.read(2)
    if first in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        text = (first + stream.read()).decode("utf-16", "replace")
        yield from re.split(r"\r*\n|\r", text)
        return
    pending = first
    for raw in stream:
        line, pending = pending + raw, b""
        for piece in line.rstrip(b"\r\n").split(b"\r"):
            yield _decode(piece)
    if pending:
        yield _decode(pending)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def split_cards(lines: Iterable[str]) -> Iterator[list[str]]:
    """Each card's logical lines that this module reads, framed by BEGIN and END.

    A card nested in another (2.1's AGENT) stays inside it and is not read; text
    between cards is skipped; a card cut off by the end of the file is still read.
    """
    card: list[str] | None = None
    depth = 0
    for line in _logical(lines):
        if _BEGIN.match(line):
            depth += 1
            if depth == 1:
                card = ["BEGIN:VCARD"]
            continue
        if card is None:
            continue
        if _END.match(line):
            depth -= 1
            if depth == 0:
                yield [*card, "END:VCARD"]
                card = None
            continue
        if depth == 1 and len(card) < MAX_PROPERTIES and len(line) <= MAX_LINE:
            name = _NAME.match(line)
            if name and name.group(1).upper() in _READ:
                card.append(line)
    if card is not None:
        yield [*card, "END:VCARD"]


def _logical(lines: Iterable[str]) -> Iterator[str]:
    """Unfold continuation lines (leading space or tab) and 2.1 quoted-printable soft
    breaks (a line ending in ``=``) into logical lines; blank lines are dropped."""
    current: str | None = None
    for line in lines:
        if current is not None:
            if line[:1] in (" ", "\t"):
                if len(current) <= MAX_LINE:
                    current += line[1:]
                continue
            if current.endswith("=") and _is_qp(current) and len(current) <= MAX_LINE:
                current = current[:-1] + line
                continue
            yield current
        current = line if line.strip() else None
    if current is not None:
        yield current


def _is_qp(line: str) -> bool:
    return _QP.search(line.partition(":")[0]) is not None


def card_record(lines: list[str], location: str, region: str | None) -> Record:
    """The contact on one card, or why it was set aside."""
    try:
        card = _parse(lines)
    except _VOBJECT_ERRORS as exc:
        return Quarantined(location, "bad-card", _said(exc))
    identities = _identities(card, region)
    if not identities:
        return Quarantined(location, "no-identity", _why_none(card, region))
    return Contact(
        location=location,
        kind=ContactKind.CARD,
        name=_name(card),
        identities=tuple(identities),
        organisation=_organisation(card),
        title=_first_text(card, "title"),
    )


def _parse(lines: list[str]) -> Any:
    """The card as a vobject component; a line vobject cannot read is dropped and the
    card read again without it (a bad charset or byte in one value loses that value)."""
    try:
        return vobject.readOne("\r\n".join(lines))
    except _VOBJECT_ERRORS:
        readable = [line for line in lines if _readable(line)]
        return vobject.readOne("\r\n".join(readable))


def _readable(line: str) -> bool:
    try:
        vobject.base.textLineToContentLine(line)
    except _VOBJECT_ERRORS:
        return False
    return True


def _said(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _values(card: Any, name: str) -> list[Any]:
    return [line.value for line in card.contents.get(name, [])]


def _texts(card: Any, name: str) -> list[str]:
    return [v.strip() for v in _values(card, name) if isinstance(v, str) and v.strip()]


def _first_text(card: Any, name: str) -> str:
    return next(iter(_texts(card, name)), "")[:200]


def _identities(card: Any, region: str | None) -> list[str]:
    found: list[str] = []
    for value in _texts(card, "email"):
        address = normalize_address(value)
        if address and "." in address.rpartition("@")[2]:
            found.append(address)
    for value in _texts(card, "tel"):
        phone = normalise_phone(value, region)
        if phone:
            found.append(phone)
    for value in _texts(card, "url") + _texts(card, "x-socialprofile"):
        profile = normalise_linkedin(value)
        if profile:
            found.append(profile)
    return list(dict.fromkeys(found))[:MAX_IDENTITIES]


def _why_none(card: Any, region: str | None) -> str:
    numbers = _texts(card, "tel")
    if not numbers:
        return "no e-mail address, phone number or LinkedIn profile"
    where = region or default_region()
    shown = ", ".join(n[:40] for n in numbers[:3])
    if where:
        return f"no e-mail address, and no phone number possible in {where}: {shown}"
    return (
        f"no e-mail address, and phone numbers without a country code ({shown}): "
        "ingest again with --region (see README, 'Contacts')"
    )


def _name(card: Any) -> str:
    full = _first_text(card, "fn")
    if full:
        return full
    for value in _values(card, "n"):
        parts = [getattr(value, field, "") for field in ("given", "additional", "family")]
        text = " ".join(_flat(p) for p in parts if _flat(p))
        if text:
            return text[:200]
    return ""


def _organisation(card: Any) -> str:
    """The first organisation's name (ORG's first component; the rest are units)."""
    for value in _values(card, "org"):
        first = value[0] if isinstance(value, list) and value else value
        text = _flat(first)
        if text:
            return text[:200]
    return ""


def _flat(value: object) -> str:
    """A vobject value as text: a list (a component vobject split on commas) is joined."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return ", ".join(s for s in (_flat(v) for v in value) if s)
    return ""
