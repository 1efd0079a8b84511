"""Files compressed as a whole (gzip, bzip2, xz), read as if they were not.

A mailbox or a message may come as ``inbox.mbox.bz2`` or ``1.eml.xz``; every source
opens its files through :func:`open_stream` and judges them by :func:`inflate`'d
bytes, so each format works the same compressed or not. (Archives that hold several
files, such as ZIP, are folders, not streams: see the registry.)
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import zlib
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
BZIP2_MAGIC = b"BZh"
XZ_MAGIC = b"\xfd7zXZ\x00"
SUFFIXES = (".gz", ".bz2", ".xz")


def method(head: bytes) -> str | None:
    """``gzip``, ``bzip2`` or ``xz`` when ``head`` starts a compressed stream, else None."""
    if head[:2] == GZIP_MAGIC:
        return "gzip"
    if head[:3] == BZIP2_MAGIC and head[3:4].isdigit():
        return "bzip2"
    if head[:6] == XZ_MAGIC:
        return "xz"
    return None


def open_stream(path: Path) -> BinaryIO:
    """Open ``path`` for binary reading, decompressing gzip, bzip2 and xz."""
    handle = path.open("rb")
    kind = method(handle.read(6))
    handle.seek(0)
    if kind is None:
        return handle
    handle.close()
    if kind == "gzip":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if kind == "bzip2":
        return bz2.open(path, "rb")  # type: ignore[return-value]
    return lzma.open(path, "rb")  # type: ignore[return-value]


def inflate(data: bytes, limit: int) -> bytes:
    """At most ``limit`` bytes of the content of ``data`` (the start of a file, or all of
    it), decompressed when it is compressed; what a truncated stream gives, without
    raising."""
    kind = method(data)
    if kind is None:
        return data
    try:
        if kind == "gzip":
            return zlib.decompressobj(wbits=31).decompress(data, limit)
        if kind == "bzip2":
            return bz2.BZ2Decompressor().decompress(data, max_length=limit)
        return lzma.LZMADecompressor().decompress(data, max_length=limit)
    except (OSError, EOFError, zlib.error, lzma.LZMAError, ValueError):
        return b""


def head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of the content of ``path``, decompressed."""
    with open_stream(path) as stream:
        return stream.read(size)


def is_compressed_name(name: str) -> bool:
    """True for names ending in ``.gz``, ``.bz2`` or ``.xz`` (any case)."""
    return name.lower().endswith(SUFFIXES)
