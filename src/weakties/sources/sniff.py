"""What a file holds, judged from its first bytes: mail (an mbox, a message), text,
binary, empty; and, of a file that no format reads, what it seems to be and whether it
is plainly no one's mail (documentation, a mail program's index) to pass over quietly."""

from __future__ import annotations

import re
from enum import StrEnum

from weakties.sources.headers import looks_like_header_line
from weakties.sources.mbox import is_separator

_MAIL_NAMES = frozenset(
    {b"from", b"to", b"cc", b"date", b"subject", b"message-id", b"received", b"return-path",
     b"sender", b"delivered-to", b"mime-version", b"in-reply-to", b"references", b"x-from",
     b"reply-to", b"x-mailer", b"content-type", b"x-gmail-labels", b"envelope-to"}
)  # fmt: skip
_STRONG_NAMES = frozenset({b"from", b"message-id", b"received", b"return-path"})


class Kind(StrEnum):
    """What a file holds, judged from its first bytes."""

    MBOX = "mbox"
    MESSAGE = "message"
    LOG = "log"
    EMPTY = "empty"
    BINARY = "binary"
    TEXT = "text"


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
