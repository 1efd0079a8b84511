"""Files inside archives, used where a :class:`pathlib.Path` is.

An archive (ZIP, tar, compressed tar; :mod:`weakties.sources.archives` opens them) is
read as a folder: its members are :class:`ArchivePath` objects with the part of the
``pathlib.Path`` interface that sources use to find and read files: ``name``,
``suffix``, ``stem``, ``parent``, ``/``, ``iterdir``, ``glob``, ``is_dir``, ``is_file``,
``exists``, ``open``, ``read_bytes``, ``read_text``, ``stat``. Sources and the format
table take an :data:`Entry` (a real ``Path`` or an ``ArchivePath``), so every format
reads the members of archives as it reads files, without knowing which it has.

What an ArchivePath cannot do, on purpose: go to ``open()``, ``os.*`` or any API that
wants a file system path. It has no ``__fspath__``: a member is not a file on disk, and
nothing is ever unpacked to disk. Members are read as streams (``entry.open("rb")``,
or :func:`weakties.sources.compressed.open_stream` to inflate gzip, bzip2 and xz too).

A member's location, ``str(entry)``, is the archive's absolute path, ``!``, and the
member's path inside it: ``/home/me/takeout.zip!Takeout/Mail/All mail.mbox``; a nested
archive adds one ``!`` per level. The ledger keys records on locations, so they are
the same from run to run. (They may hold names that are not UTF-8: store and print
them through :func:`weakties.records.path_text`.)
"""

from __future__ import annotations

import fnmatch
import io
import lzma
import os
import stat
import struct
import tarfile
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TypeAlias, overload

from weakties.records import path_text

READ_ERRORS = (
    OSError,
    EOFError,
    ValueError,  # zipfile: bad sizes, names; tarfile: bad numbers
    RuntimeError,  # zipfile: an encrypted member, a closed archive
    NotImplementedError,  # zipfile: a compression method it lacks
    zipfile.BadZipFile,
    tarfile.TarError,
    zlib.error,
    lzma.LZMAError,
    struct.error,
)
"""What reading an archive or a member may raise when the bytes are bad."""


class MemberError(OSError):
    """A member of an archive could not be read (corrupt, truncated, inflates too far).

    An OSError, so that every source treats it as it treats a file that cannot be
    read: the record, or the rest of the file, is quarantined as ``unreadable``."""


class Fate(StrEnum):
    """What became of one member of an archive."""

    READ = "read"  # given to a source (or opened as an archive in its turn)
    SKIPPED = "skipped"  # no format reads it: said, with the reason
    QUARANTINED = "quarantined"  # unsafe or unreadable: stored in quarantine


@dataclass(eq=False, slots=True)
class Node:
    """One file or folder of an archive, as listed."""

    name: str
    parent: Node | None
    children: dict[str, Node] | None = None  # a folder's, by name; None for a file
    member: Any = None  # the archive's own record of it (a ZipInfo, a TarInfo)
    size: int = 0
    index: int = -1  # order in the archive: reading in this order never goes back
    mtime: float = 0.0
    head: bytes | None = None  # the first bytes, kept while listing an archive read in order
    fate: Fate | None = None
    reason: str = ""
    detail: str = ""

    def parts(self) -> tuple[str, ...]:
        names: list[str] = []
        node: Node | None = self
        while node is not None and node.parent is not None:
            names.append(node.name)
            node = node.parent
        return tuple(reversed(names))

    def files(self) -> Iterator[Node]:
        """Every file at or below this node, in name order."""
        stack = [self]
        while stack:
            node = stack.pop()
            if node.children is None:
                yield node
            else:
                stack.extend(node.children[name] for name in sorted(node.children, reverse=True))


@dataclass(eq=False)
class Container(ABC):
    """An opened archive: its tree of members and how to read one."""

    entry: Entry  # the archive file itself
    location: str  # the text that member locations start with
    depth: int  # 1 for an archive given or found in a folder, 2 inside one, ...
    root: Node = field(default_factory=lambda: Node("", None, {}))

    @abstractmethod
    def open_member(self, node: Node) -> io.BufferedReader:
        """A stream of the member's bytes, positioned at its start."""

    def path(self) -> ArchivePath:
        """The archive as a folder."""
        return ArchivePath(self, (), self.root)


class ArchivePath:
    """A file or folder inside an archive, or a name that is not there (as a Path may
    name a file that does not exist)."""

    __slots__ = ("_container", "_node", "_parts")

    def __init__(self, container: Container, parts: tuple[str, ...], node: Node | None) -> None:
        self._container = container
        self._parts = parts
        self._node = node

    # -- names -----------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._parts[-1] if self._parts else self._container.entry.name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix

    @property
    def suffixes(self) -> list[str]:
        return PurePosixPath(self.name).suffixes

    @property
    def stem(self) -> str:
        return PurePosixPath(self.name).stem

    @property
    def parent(self) -> Entry:
        """The folder holding it; the archive's root is in place of the archive file, so
        its parent is the folder that holds the archive."""
        if not self._parts:
            return self._container.entry.parent
        node = self._node.parent if self._node is not None else None
        return ArchivePath(self._container, self._parts[:-1], node)

    @property
    def container(self) -> Container:
        return self._container

    @property
    def node(self) -> Node | None:
        return self._node

    def __truediv__(self, name: str) -> ArchivePath:
        node = self._node
        parts = self._parts
        for part in name.split("/"):
            if part in ("", "."):
                continue
            parts = (*parts, part)
            children = node.children if node is not None else None
            node = children.get(part) if children is not None else None
        return ArchivePath(self._container, parts, node)

    def joinpath(self, *names: str) -> ArchivePath:
        path = self
        for name in names:
            path = path / name
        return path

    def absolute(self) -> ArchivePath:
        return self

    def resolve(self) -> ArchivePath:
        return self

    # -- what it is -------------------------------------------------------------------
    def exists(self) -> bool:
        return self._node is not None

    def is_dir(self) -> bool:
        return self._node is not None and self._node.children is not None

    def is_file(self) -> bool:
        return self._node is not None and self._node.children is None

    def is_symlink(self) -> bool:
        return False  # links inside archives are never followed: quarantined at listing

    def stat(self) -> os.stat_result:
        node = self._existing()
        mode = (stat.S_IFDIR | 0o555) if node.children is not None else (stat.S_IFREG | 0o444)
        return os.stat_result((mode, 0, 0, 1, 0, 0, node.size, node.mtime, node.mtime, 0))

    @property
    def size(self) -> int:
        """The member's size once read (as its archive declares it)."""
        return self._existing().size

    # -- listing ----------------------------------------------------------------------
    def iterdir(self) -> Iterator[ArchivePath]:
        node = self._existing()
        if node.children is None:
            raise NotADirectoryError(f"{self}: not a folder")
        for name in sorted(node.children):
            yield ArchivePath(self._container, (*self._parts, name), node.children[name])

    def glob(self, pattern: str) -> Iterator[ArchivePath]:
        """Members matching ``pattern`` (``*``, ``?``, ``[...]`` within a name; ``**``
        for any depth of folders), as ``Path.glob``."""
        yield from self._glob([p for p in pattern.split("/") if p not in ("", ".")])

    def rglob(self, pattern: str) -> Iterator[ArchivePath]:
        yield from self.glob(f"**/{pattern}")

    def _glob(self, steps: list[str]) -> Iterator[ArchivePath]:
        if not steps:
            yield self
            return
        if not self.is_dir():
            return
        step, rest = steps[0], steps[1:]
        if step == "**":
            yield from self._glob(rest)
            for child in self.iterdir():
                if child.is_dir():
                    yield from child._glob(steps)
            return
        for child in self.iterdir():
            if fnmatch.fnmatchcase(child.name, step):
                yield from child._glob(rest)

    # -- reading ----------------------------------------------------------------------
    @overload
    def open(self, mode: Literal["rb"]) -> io.BufferedReader: ...

    @overload
    def open(
        self,
        mode: Literal["r"] = "r",
        buffering: int = -1,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
    ) -> io.TextIOWrapper: ...

    def open(
        self,
        mode: str = "r",
        buffering: int = -1,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
    ) -> io.BufferedReader | io.TextIOWrapper:
        """Read the member as a stream (``"rb"``) or as text (``"r"``); nothing else."""
        node = self._existing()
        if node.children is not None:
            raise IsADirectoryError(f"{self}: a folder")
        if mode not in ("r", "rb"):
            raise PermissionError(f"{self}: members of an archive are read-only")
        stream = self._container.open_member(node)
        if mode == "rb":
            return stream
        return io.TextIOWrapper(stream, encoding or "utf-8", errors, newline)

    def read_bytes(self) -> bytes:
        with self.open("rb") as stream:
            return stream.read()

    def read_text(self, encoding: str | None = None, errors: str | None = None) -> str:
        with self.open("r", encoding=encoding, errors=errors) as stream:
            return stream.read()

    def cached_head(self) -> bytes | None:
        """The member's first bytes when its archive kept them while listing (an archive
        that is costly to read out of order), else None."""
        return self._node.head if self._node is not None else None

    def _existing(self) -> Node:
        if self._node is None:
            raise FileNotFoundError(f"{path_text(self)}: not in the archive")
        return self._node

    # -- identity ---------------------------------------------------------------------
    def __str__(self) -> str:
        if not self._parts:
            return self._container.location
        return self._container.location + "!" + "/".join(self._parts)

    def __repr__(self) -> str:
        return f"ArchivePath({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArchivePath):
            return NotImplemented
        return self._container is other._container and self._parts == other._parts

    def __hash__(self) -> int:
        return hash((id(self._container), self._parts))


Entry: TypeAlias = Path | ArchivePath
"""What a source reads and the format table judges: a real file or folder, or a member
of an archive."""


class MemberStream(io.RawIOBase):
    """A member's bytes, with every error of a corrupt archive raised as
    :class:`MemberError` and at most ``limit`` bytes read (more is a bomb)."""

    def __init__(self, inner: Any, location: str, limit: int) -> None:
        """``inner`` is the archive's stream of the member (it has ``readinto``)."""
        super().__init__()
        self._inner = inner
        self._location = location
        self._limit = limit
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            n: int = self._inner.readinto(buffer) or 0
        except READ_ERRORS as exc:
            raise MemberError(f"{path_text(self._location)}: {exc}") from exc
        self._pos += n
        if self._pos > self._limit:
            raise MemberError(f"{path_text(self._location)}: inflates beyond {self._limit:,} bytes")
        return n

    def seekable(self) -> bool:
        return bool(self._inner.seekable())

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        try:
            self._pos = int(self._inner.seek(offset, whence))
        except READ_ERRORS as exc:
            raise MemberError(f"{path_text(self._location)}: {exc}") from exc
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if not self.closed:
            try:
                self._inner.close()
            finally:
                super().close()


def member_stream(inner: Any, location: str, limit: int) -> io.BufferedReader:
    """``inner`` as a buffered stream of a member (see :class:`MemberStream`)."""
    return io.BufferedReader(MemberStream(inner, location, limit))


class Window(io.RawIOBase):
    """``length`` bytes of a seekable stream from ``start``, seekable in their turn: a
    member stored uncompressed inside an archive read without copying it, or a member
    of a tar. An archive that ends before the member does is a :class:`MemberError`.

    Seeks the underlying stream before every read, so that several windows (and the
    archive itself) may share it."""

    def __init__(self, raw: Any, start: int, length: int) -> None:
        super().__init__()
        self._raw = raw
        self._start = start
        self._length = length
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._length - self._pos)
        if want <= 0:
            return 0
        self._raw.seek(self._start + self._pos)
        data = self._raw.read(want)
        if not data:  # the archive ends inside the member
            raise MemberError(f"unexpected end of data, {self._length - self._pos:,} bytes short")
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos
