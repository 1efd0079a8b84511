"""mbox files (plain, or compressed with gzip, bzip2 or xz), read as a stream with flat memory.

A line is a message separator only when it looks like a real ``From `` line
(it ends with an asctime date) *and* the next line looks like a header. Body
lines that begin with an unescaped "From " are common in list archives and
split messages in two with naive readers such as :class:`mailbox.mbox`.
Pipermail archives hide addresses (``From edd at debian.org  Fri ...``) and
drop List-Id, so their messages are marked as traffic of the archive's list.
"""

from __future__ import annotations

import lzma
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from weakties.errors import InputError
from weakties.records import Quarantined, Record, path_text
from weakties.sources.base import Source
from weakties.sources.compressed import open_stream
from weakties.sources.email import MAX_HEADER_BYTES, is_sent_folder, parse_message
from weakties.sources.headers import looks_like_header_line
from weakties.sources.members import Entry

_LINE_LIMIT = 1 << 20  # longer lines are handed out in pieces
_CHUNK = 1 << 20
_SEPARATOR_RE = re.compile(
    rb"^From .*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct"
    rb"|Nov|Dec) +\d{1,2} +\d{1,2}:\d\d(?::\d\d)?(?: +(?:[A-Z]{1,5}|[+-]\d{4}))? +\d{4}"
    rb"(?: +[+-]\d{4})?\s*$"
)
_HIDDEN_AT_RE = re.compile(
    rb"^From \S+ (?:at|@end(?:ing from|\|ng \|rom)|m@[il|]{3}@g o[fil|]{2}) \S+ ", re.IGNORECASE
)


def is_separator(line: bytes) -> bool:
    """True when ``line`` has the shape of an mbox ``From `` line with a date."""
    return line.startswith(b"From ") and _SEPARATOR_RE.match(line) is not None


def is_archive_separator(line: bytes) -> bool:
    """True for a pipermail separator, whose sender address is hidden."""
    return _HIDDEN_AT_RE.match(line) is not None


@dataclass(slots=True)
class _Message:
    """One message being read: where it starts and its header lines."""

    offset: int
    envelope: bytes
    head: list[bytes] = field(default_factory=list)
    size: int = 0
    in_head: bool = True

    def add(self, line: bytes) -> None:
        if not self.in_head:
            return
        if line in (b"\n", b"\r\n"):
            self.in_head = False
        elif self.size < MAX_HEADER_BYTES:
            self.head.append(line)
            self.size += len(line)

    def raw(self) -> bytes:
        return self.envelope + b"".join(self.head)


class _Lines:
    """Lines of a binary stream with their offsets, read in large chunks.

    Message bodies are skipped with one ``bytes.find`` per chunk instead of a
    Python step per line: bodies are most of an mbox and are never used.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._read = stream.read
        self._buf = b""
        self._pos = 0  # next unread byte in _buf
        self._base = 0  # stream offset of _buf[0]
        self._eof = False
        self.at_start = True  # _buf[_pos] begins a line

    def _fill(self) -> bool:
        if self._eof:
            return False
        data = self._read(_CHUNK)
        if not data:
            self._eof = True
            return False
        self._base += self._pos
        self._buf = self._buf[self._pos :] + data
        self._pos = 0
        return True

    def next_line(self) -> tuple[int, bytes, bool] | None:
        """``(offset, line, began a line)``; over-long lines come in pieces."""
        while True:
            end = self._buf.find(b"\n", self._pos, self._pos + _LINE_LIMIT)
            if end >= 0:
                end += 1
                break
            if len(self._buf) - self._pos >= _LINE_LIMIT or not self._fill():
                end = min(len(self._buf), self._pos + _LINE_LIMIT)
                break
        if end <= self._pos:
            return None
        line, offset, began = self._buf[self._pos : end], self._base + self._pos, self.at_start
        self._pos, self.at_start = end, line.endswith(b"\n")
        return offset, line, began

    def skip_to_from(self) -> None:
        """Move to the next line that starts with ``From `` (or to the end)."""
        while True:
            if len(self._buf) - self._pos < 6 and self._fill():
                continue
            if self.at_start and self._buf.startswith(b"From ", self._pos):
                return
            found = self._buf.find(b"\nFrom ", self._pos)
            if found >= 0:
                self._pos, self.at_start = found + 1, True
                return
            tail = self._buf.rfind(b"\n", max(self._pos, len(self._buf) - 6))
            if tail >= 0:  # a separator may begin right after this newline
                self._pos, self.at_start = tail, False
            else:
                self._pos, self.at_start = len(self._buf), False
            if not self._fill():
                self._pos = len(self._buf)
                return


def scan(stream: BinaryIO) -> Iterator[_Message]:
    """Yield the messages of an mbox stream, headers only, in file order."""
    lines = _Lines(stream)
    current: _Message | None = None
    pending: tuple[int, bytes] | None = None  # a From line waiting for its next line
    while True:
        if pending is None and current is not None and not current.in_head:
            lines.skip_to_from()
        item = lines.next_line()
        if item is None:
            break
        pos, line, starts_line = item
        if pending is not None:
            if current is None or looks_like_header_line(line):
                if current is not None:
                    yield current
                current = _Message(pending[0], pending[1])
            pending = None
        if starts_line and line.startswith(b"From ") and is_separator(line):
            pending = (pos, line)
        elif current is not None:
            current.add(line)
        elif line.strip():
            current = _Message(pos, b"")
            current.add(line)
    if current is None and pending is not None:
        current = _Message(pending[0], pending[1])
    if current is not None:
        yield current


class MboxSource(Source):
    """One mbox file: a mail client's folder, a Gmail Takeout or a list archive."""

    kind = "mbox"

    def __init__(self, path: Entry, label: str | None = None, folder: str | None = None) -> None:
        super().__init__(path, label)
        self.folder = folder if folder is not None else folder_name(path)

    def records(self) -> Iterator[Record]:
        """Yield one record per message; location is ``<abs path>#<byte offset>``.

        A file that breaks off (a truncated archive, a read error) ends with one
        ``unreadable`` quarantine record for the part that could not be read.
        """
        prefix = path_text(self.path.absolute())
        try:
            stream = open_stream(self.path)
        except OSError as exc:
            raise InputError(f"{self.path}: cannot open mbox ({exc})", "check the path") from exc
        with stream:
            try:
                yield from self._parse(scan(stream), prefix)
            except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
                yield Quarantined(f"{prefix}#unreadable", "unreadable", str(exc))

    def _parse(self, messages: Iterator[_Message], prefix: str) -> Iterator[Record]:
        archive: str | None = None
        sent = is_sent_folder(self.folder)
        for index, message in enumerate(messages):
            if index == 0 and is_archive_separator(message.envelope):
                archive = self.path.absolute().parent.name or self.path.stem
            yield parse_message(
                message.raw(),
                f"{prefix}#{message.offset}",
                folder=self.folder,
                is_sent=sent,
                archive_list=archive,
            )


def folder_name(path: Entry) -> str:
    """``Sent.mbox`` -> ``Sent``; ``inbox.mbox.gz`` -> ``inbox``."""
    name = path.name
    for suffix in (".gz", ".mbox", ".mbx", ".txt"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name
