"""Files compressed as a whole (gzip, bzip2, xz), read as if they were not.

A mailbox or a message may come as ``inbox.mbox.bz2`` or ``1.eml.xz``; every source
opens its files through :func:`open_stream` and judges them by :func:`inflate`'d
bytes, so each format works the same compressed or not, on disk or inside an archive.
(Archives that hold several files, such as ZIP or tar, are folders, not streams: see
:mod:`weakties.sources.archives`.)
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from typing import Any, BinaryIO

from weakties.sources.members import ArchivePath, Entry

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


def open_stream(path: Entry) -> BinaryIO:
    """Open ``path`` for binary reading, decompressing gzip, bzip2 and xz."""
    handle = path.open("rb")
    try:
        kind = method(handle.peek(6)[:6])
    except BaseException:
        handle.close()
        raise
    if kind is None:
        return handle
    inner: Any
    if kind == "gzip":
        inner = gzip.GzipFile(fileobj=handle, mode="rb")
    elif kind == "bzip2":
        inner = bz2.BZ2File(handle, "rb")
    else:
        inner = lzma.LZMAFile(handle, "rb")  # noqa: SIM115 (closed by _Inflated)
    stream = io.BufferedReader(_Inflated(inner, handle), buffer_size=1 << 16)
    return stream


class _Inflated(io.RawIOBase):
    """A decompressing reader that closes the stream it reads from when closed (the
    standard library's readers leave a stream they were given open)."""

    def __init__(self, inner: Any, outer: BinaryIO | io.BufferedReader) -> None:
        super().__init__()
        self._inner = inner
        self._outer = outer

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n: int = self._inner.readinto(buffer)
        return n

    def close(self) -> None:
        if not self.closed:
            try:
                self._inner.close()
            finally:
                self._outer.close()
                super().close()


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


def head(path: Entry, size: int) -> bytes:
    """The first ``size`` bytes of the content of ``path``, decompressed.

    A member of an archive read in order may have its first bytes kept from the
    listing: they serve, unless they are compressed in their turn."""
    if isinstance(path, ArchivePath):
        kept = path.cached_head()
        if (
            kept is not None
            and method(kept) is None
            and (len(kept) >= size or path.size == len(kept))
        ):
            return kept[:size]
    with open_stream(path) as stream:
        return stream.read(size)


def is_compressed_name(name: str) -> bool:
    """True for names ending in ``.gz``, ``.bz2`` or ``.xz`` (any case)."""
    return name.lower().endswith(SUFFIXES)
