"""CSV files that people export from address books and social networks, as text.

Such exports come in UTF-8 (with or without a byte-order mark), UTF-16 (Outlook's
"Unicode" CSV) or the Windows code page (Outlook's "ANSI" CSV); they are small
enough to read whole (an address book of 10,000 contacts is a few megabytes).
Rows are read with the standard library's ``csv`` module; a row it cannot read (a
field over its size limit) is reported and the rest of the file is read.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from weakties.errors import InputError
from weakties.sources.compressed import open_stream

MAX_BYTES = 256 << 20  # a contacts file larger than this is no export of a person's


def decode(data: bytes) -> str:
    """The text of an export: UTF-16 or UTF-8 by their byte-order mark, else UTF-8,
    else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def head_text(head: bytes) -> str:
    """The first bytes of a file as text, for recognising its header (any encoding
    :func:`decode` reads; a character cut at the end is replaced)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head[: len(head) // 2 * 2].decode("utf-16", "replace")
    return head.decode("utf-8", "replace").lstrip("\ufeff")


def read_text(path: Path) -> str:
    """The whole text of an export file (decompressed, decoded)."""
    with open_stream(path) as stream:
        data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(
            f"{path}: larger than {MAX_BYTES >> 20} MB, too large for a contacts export.",
            "Check that this is the file you meant.",
        )
    return decode(data)


def first_row(text: str) -> list[str]:
    """The first CSV row of ``text`` (its header), stripped; [] when unreadable."""
    try:
        return [cell.strip() for cell in next(csv.reader(io.StringIO(text)), [])]
    except csv.Error:
        return []


def rows(text: str) -> Iterator[list[str] | csv.Error]:
    """Every row of ``text``, or the error that made one unreadable, in file order.

    Blank lines are skipped. After an error (a field longer than the ``csv`` module's
    limit, 128 KB) the reader goes on with the next line.
    """
    reader = csv.reader(io.StringIO(text.replace("\x00", "")))
    failed_at = -1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num == failed_at:
                return  # no progress: the reader is stuck at the end
            failed_at = reader.line_num
            yield exc
            continue
        if any(cell.strip() for cell in row):
            yield row
