"""Archives read as folders: ZIP, tar, and tar compressed with gzip, bzip2 or xz, nested
as exports nest them. Members are read as streams; nothing is ever unpacked to disk.

Design. Opening an archive lists it once into a tree of :class:`~.members.Node`; the
registry then walks that tree as it walks a folder, through
:class:`~.members.ArchivePath` (the ``pathlib.Path`` look-alike every source and
format reads), so each format reads files inside archives with no code of its own.
A member is read through its archive's own stream (``zipfile``'s, ``tarfile``'s):

* a ZIP reads any member at any time, inflating only that member;
* a plain tar on disk seeks to any member;
* a compressed tar (``.tgz``, ``.tar.bz2``, ``.tar.xz``), or an archive inside a
  compressed member, is costly to read out of order (going back means inflating from
  the start again). Listing keeps each member's first bytes (what the registry
  sniffs) within :data:`HEAD_BUDGET`, and mailboxes read their files in archive
  order, so such an archive is read about twice: once to list, once to read.

A ZIP inside an archive needs random access: one stored uncompressed (as zip tools
store ``.zip`` members) is read in place, through a window on its archive; a
compressed one is inflated into memory up to :data:`NESTED_IN_MEMORY`, and skipped
with its reason beyond. A tar inside an archive is read as a stream at any size.

Every file member ends in one of three states (:class:`~.members.Fate`): read (given
to a source, or opened as an archive in its turn), skipped with a reason (no format
reads it), or quarantined with a reason, in the store's quarantine like any record
that cannot be read. Members are quarantined for what hostile or broken archives
hold: a name that leaves the archive (``../``, ``/etc``, ``C:``), a name given twice,
a symbolic or hard link, a device, a password, a compression method the standard
library lacks (Deflate64), data that inflates past :data:`MAX_RATIO` times its size
or :data:`MAX_MEMBER_BYTES`, data shared by two members (the overlapping-file zip
bomb), nesting deeper than :data:`MAX_DEPTH`, and bytes that cannot be read.
:class:`ArchiveTally` counts them; members = read + skipped + quarantined.
"""

from __future__ import annotations

import io
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from weakties.records import Quarantined, Record
from weakties.sources.archive_readers import TarArchive, ZipArchive
from weakties.sources.archive_tree import (
    MAX_DEPTH,
    NESTED_IN_MEMORY,
    Archive,
    ArchiveTally,
    Refused,
    close_all,
)
from weakties.sources.base import Source
from weakties.sources.compressed import method, open_stream
from weakties.sources.members import READ_ERRORS, ArchivePath, Entry, Node

__all__ = ["Archive", "ArchiveSource", "ArchiveTally", "Refused", "archive_kind", "open_archive"]


def archive_kind(head: bytes) -> str | None:
    """``zip`` or ``tar`` when ``head`` (decompressed) starts one, else None."""
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06") or head[:8] == b"PK\x07\x08PK\x03\x04":
        return "zip"
    if head[257:262] == b"ustar":
        return "tar"
    return None


# -- opening ---------------------------------------------------------------------------
def open_archive(entry: Entry, head: bytes) -> Archive:
    """Open and list the archive ``entry`` (a file, or a member of an archive), whose
    decompressed first bytes are ``head``.

    Raises :class:`Refused` when it cannot be read as an archive at all.
    """
    kind = archive_kind(head)
    if isinstance(entry, Path):
        depth, location, handles = 1, str(entry.resolve()), []
        opened: tuple[Any, bool] = (_open_file(entry), True)
    else:
        parent, node = entry.container, entry.node
        assert isinstance(parent, Archive) and node is not None
        depth, location, handles = parent.depth + 1, str(entry), parent.handles
        if depth > MAX_DEPTH:
            raise Refused("too-deep", f"an archive nested {depth} deep (at most {MAX_DEPTH})")
        opened = _member_stream(entry, parent, node)
    raw, random_access = opened
    handles.append(raw)
    try:
        if kind == "zip" and (not random_access or method(raw.peek(6)[:6]) is not None):
            raw, random_access = _in_memory(entry), True  # a ZIP seeks: see the docstring
            handles.append(raw)
        return _listed(kind, entry, location, depth, raw, random_access, handles)
    except Refused:
        if depth == 1:
            close_all(handles)
        raise


def _open_file(path: Path) -> io.BufferedReader:
    try:
        return path.open("rb")
    except OSError as exc:
        raise Refused("unreadable-archive", f"cannot be opened ({exc})") from exc


def _member_stream(entry: ArchivePath, parent: Archive, node: Node) -> tuple[Any, bool]:
    """A stream of a member that is an archive, and whether it seeks at no cost."""
    window = parent.window(node)
    if window is not None:
        return io.BufferedReader(window), True
    try:
        return entry.open("rb"), False
    except READ_ERRORS as exc:
        raise Refused("unreadable-archive", f"cannot be read ({exc})") from exc


def _in_memory(entry: Entry) -> io.BytesIO:
    """A compressed ZIP, inflated into memory if it is small enough."""
    too_big = Refused(
        "nested-too-big",
        f"a compressed ZIP archive over {NESTED_IN_MEMORY >> 20} MB inside another or "
        "compressed whole: unpack the outer layer to read it",
        skip=True,
    )
    if isinstance(entry, ArchivePath) and entry.size > NESTED_IN_MEMORY:
        raise too_big
    try:
        with open_stream(entry) as stream:
            data = stream.read(NESTED_IN_MEMORY + 1)
    except READ_ERRORS as exc:
        raise Refused("unreadable-archive", f"cannot be read ({exc})") from exc
    if len(data) > NESTED_IN_MEMORY:
        raise too_big
    return io.BytesIO(data)


def _listed(
    kind: str | None,
    entry: Entry,
    location: str,
    depth: int,
    raw: Any,
    random_access: bool,
    handles: list[Any],
) -> Archive:
    archive: Archive
    if kind == "zip":
        archive = ZipArchive(entry, location, depth, random_access=random_access,
                             handles=handles, raw=raw)  # fmt: skip
    else:
        archive = TarArchive(entry, location, depth, random_access=random_access,
                             handles=handles, raw=raw, packed_size=_size(entry))  # fmt: skip
    if depth == 1:
        weakref.finalize(archive, close_all, handles)
    archive.scan()
    return archive


def _size(entry: Entry) -> int:
    try:
        return entry.stat().st_size
    except OSError:
        return 0


class ArchiveSource(Source):
    """What an archive holds that cannot be read: its quarantined members, as records,
    so that the ledger and ``weakties quarantine`` show them."""

    kind = "archive"

    def __init__(self, path: Entry, quarantined: list[Quarantined]) -> None:
        super().__init__(path)
        self._quarantined = quarantined

    def records(self) -> Iterator[Record]:
        yield from self._quarantined

    def estimate(self) -> int:
        return len(self._quarantined)
