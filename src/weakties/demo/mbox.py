"""Write mails as an mbox file, the way a Gmail export lays them out.

Headers are rendered by hand (display names and subjects through the
standard library's RFC 2047 encoders) because the output must be
byte-for-byte reproducible and fast at ten times the default size.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path

from weakties.demo.model import Address, Mail

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_INBOX_LABELS = ("Inbox", "Inbox,Opened", "Important,Inbox,Opened", "Archived,Opened")
_MAX_LINE = 78


@dataclass(frozen=True, slots=True)
class MboxCounts:
    """What went into the file: every message written, and the repeats among them."""

    written: int
    duplicates: int


def write_mbox(
    path: Path, mails: Sequence[Mail], owner: frozenset[str], rng: random.Random, duplicates: int
) -> MboxCounts:
    """Write ``mails`` in time order, then repeat ``duplicates`` of them later on.

    Repeats are exact copies, as Gmail writes a message once per label.
    """
    ordered = sorted(mails, key=lambda m: (m.when.timestamp(), m.message_id))
    render = _Renderer(owner, rng)
    chunks = [render.message(mail) for mail in ordered]
    # Originals sit at even keys; a copy of message i goes at an odd key after it.
    keyed = [(2 * i, chunk) for i, chunk in enumerate(chunks)]
    keyed += [
        (2 * rng.randrange(i + 1, len(chunks) + 1) - 1, chunks[i])
        for i in sorted(rng.sample(range(len(chunks)), duplicates))
    ]
    keyed.sort(key=lambda pair: pair[0])
    with path.open("wb") as handle:
        handle.writelines(chunk for _, chunk in keyed)
    return MboxCounts(len(keyed), duplicates)


def asctime(moment: datetime) -> str:
    """``moment`` in UTC as the fixed-width asctime of mbox ``From `` lines."""
    t = moment.astimezone(UTC)
    return (
        f"{_DAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day:2d} "
        f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} {t.year}"
    )


def escape_body(body: str) -> str:
    """Quote body lines that would otherwise start a new message."""
    return "\n".join(">" + line if line.startswith("From ") else line for line in body.split("\n"))


def fold_header(name: str, items: Sequence[str], separator: str = ",") -> str:
    """A ``Name: a, b, c`` header folded before 78 columns between items.

    Address lists use "," between items; References uses "" (spaces only).
    """
    lines, line = [], f"{name}:"
    for position, item in enumerate(items):
        piece = f" {item}{separator}" if position < len(items) - 1 else f" {item}"
        if len(line) + len(piece) > _MAX_LINE and line != f"{name}:":
            lines.append(line)
            line = ""
        line += piece
    return "\n".join([*lines, line])


class _Renderer:
    """Renders mails to bytes, caching each encoded address once."""

    def __init__(self, owner: frozenset[str], rng: random.Random) -> None:
        self._owner = owner
        self._rng = rng
        self._addresses: dict[Address, str] = {}

    def message(self, mail: Mail) -> bytes:
        lines = [
            f"From {mail.sender.email} {asctime(mail.when)}",
            *self._headers(mail),
            "MIME-Version: 1.0",
            'Content-Type: text/plain; charset="utf-8"',
            "Content-Transfer-Encoding: 8bit",
            "",
            escape_body(mail.body),
        ]
        return ("\n".join(lines) + "\n").encode("utf-8")

    def _headers(self, mail: Mail) -> list[str]:
        to = [self._address(a) for a in mail.to] or ["undisclosed-recipients:;"]
        headers = [
            f"X-GM-THRID: {_thread_number(mail.thread_id)}",
            f"X-Gmail-Labels: {self._labels(mail)}",
            f"Message-ID: {mail.message_id}",
            f"Date: {format_datetime(mail.when)}",
            f"From: {self._address(mail.sender)}",
            fold_header("To", to),
        ]
        if mail.cc:
            headers.append(fold_header("Cc", [self._address(a) for a in mail.cc]))
        headers.append(_subject(mail.subject))
        if mail.in_reply_to:
            headers.append(f"In-Reply-To: {mail.in_reply_to}")
            headers.append(fold_header("References", mail.references, separator=""))
        headers += [f"{key}: {value}" for key, value in mail.extra]
        return headers

    def _labels(self, mail: Mail) -> str:
        if mail.labels:
            return mail.labels
        if mail.sender.email in self._owner:
            return "Sent"
        return self._rng.choice(_INBOX_LABELS)

    def _address(self, address: Address) -> str:
        text = self._addresses.get(address)
        if text is None:
            text = formataddr((address.name, address.email), charset="utf-8")
            self._addresses[address] = text
        return text


def _subject(subject: str) -> str:
    if subject.isascii():
        return f"Subject: {subject}"
    encoded = Header(subject, "utf-8", header_name="Subject").encode(linesep="\n")
    return f"Subject: {encoded}"


def _thread_number(thread_id: str) -> int:
    """A stable 63-bit number per thread, like Gmail's X-GM-THRID."""
    return int.from_bytes(hashlib.sha256(thread_id.encode()).digest()[:8], "big") >> 1
