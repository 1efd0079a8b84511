"""What a listed archive holds, and what became of each of its members.

An :class:`Archive` is the tree of an archive's members (folders and files, as
:class:`~weakties.sources.members.Node`) with the members refused while listing it;
its subclasses (:mod:`weakties.sources.archive_readers`) list and read ZIP and tar.
The limits that make a member a bomb, a nesting too deep or a nested ZIP too big are
here, with where their values come from; :mod:`weakties.sources.archives` says how it
all fits.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any

from weakties.records import Quarantined, path_text
from weakties.sources.base import NotRead
from weakties.sources.members import (
    READ_ERRORS,
    ArchivePath,
    Container,
    Fate,
    MemberError,
    Node,
    Window,
)

MAX_RATIO = 100
"""Inflated/compressed size above which a large member is a bomb. The most compressible
file of the shared corpora deflates 25:1 (an Enron message of 14 kB); the whole Enron
maildir as .tar.gz, 4:1; the mailing-list mboxes, 6:1. Deflate's own ceiling is 1032:1
(zlib's technical notes), which bombs reach."""

BOMB_FLOOR = 64 << 20
"""A member that inflates to less than this is never a bomb, whatever its ratio: reading
it takes a fraction of a second (a 1 MB file of one repeated line is legitimate)."""

MAX_MEMBER_BYTES = 256 << 30
"""No member inflates to more. Google Takeout splits its exports into archives of at
most 50 GB, and mail compresses about 2-6:1."""

MAX_DEPTH = 4
"""Archives inside archives, at most this deep (the archive given is depth 1). Takeout
and chat exports nest at most one archive in another; a zip that holds itself (a
"quine") would otherwise nest for ever."""

NESTED_IN_MEMORY = 64 << 20
"""A compressed ZIP inside an archive is inflated into memory up to this size (a ZIP
needs random access, which an inflating stream lacks); larger ones are skipped."""

MAX_PARTS = 128
"""A member nested in more folders is refused: deeper than exports go, and folders are
walked one call deeper each (Python stops at 1,000)."""

HEAD_BYTES = 8192
"""The first bytes of a member kept while listing an archive read in order: what the
registry sniffs."""

HEAD_BUDGET = 32 << 20
"""At most this many bytes of first bytes kept per archive (4,000 members); beyond it,
members are sniffed by reading them, which is slower but the same."""

_DRIVE = re.compile(r"^[A-Za-z]:")


class BombError(MemberError):
    """A stream that inflates past its cap."""


class Refused(Exception):
    """An archive that cannot be read as one: why (a quarantine reason, or a skip)."""

    def __init__(self, reason: str, detail: str, *, skip: bool = False) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.skip = skip


@dataclass(slots=True)
class ArchiveTally:
    """What became of an archive's file members (folders are not counted)."""

    location: str
    members: int = 0
    read: int = 0
    not_read: dict[str, int] = field(default_factory=dict)  # by what it seems to be
    quarantined: dict[str, int] = field(default_factory=dict)
    incomplete: str = ""  # why the listing stopped before the end, if it did

    @property
    def adds_up(self) -> bool:
        total = self.read + sum(self.not_read.values()) + sum(self.quarantined.values())
        return total == self.members


@dataclass(eq=False)
class Archive(Container):
    """An opened archive: its members as a tree, and what was refused while listing."""

    random_access: bool = True  # reading members out of order costs nothing
    members: int = 0  # file members listed (placed or refused)
    refused: list[Quarantined] = field(default_factory=list)
    incomplete: str = ""  # why the listing stopped before the end
    incomplete_reason: str = "unreadable-archive"
    handles: list[Any] = field(default_factory=list)  # closed with the outermost archive

    def member_location(self, node: Node) -> str:
        return self.location + "!" + "/".join(node.parts())

    def scan(self) -> None:
        """List the archive into the tree; :class:`Refused` when it cannot be listed."""
        raise NotImplementedError

    def window(self, node: Node) -> Window | None:
        """The member's bytes in place, when it is stored uncompressed in a stream that
        seeks at no cost (for an archive inside this one)."""
        return None

    def close(self) -> None:
        close_all(self.handles)

    # -- listing ----------------------------------------------------------------------
    def refuse(self, name: str, index: int, reason: str, detail: str) -> None:
        location = f"{self.location}!{name}#member{index}"
        self.refused.append(Quarantined(path_text(location), reason, detail))

    def add_folder(self, name: str, backslashes: bool) -> None:
        parts = _clean(name, backslashes)
        if parts:
            self._place(parts, None)

    def add_file(self, name: str, index: int, backslashes: bool, node: Node) -> Node | None:
        """Place a file member in the tree; refused (and None) when its name is unsafe
        or already taken."""
        self.members += 1
        parts = _clean(name, backslashes)
        if not parts:
            self.refuse(name, index, "unsafe-name", "a name that leads outside the archive")
            return None
        node.name = parts[-1]
        if not self._place(parts, node):
            self.refuse(name, index, "duplicate-name", "another member has this name")
            return None
        return node

    def _place(self, parts: tuple[str, ...], file: Node | None) -> bool:
        folder = self.root
        for part in parts[:-1]:
            assert folder.children is not None
            child = folder.children.get(part)
            if child is None:
                child = folder.children[part] = Node(part, folder, {})
            elif child.children is None:
                return False  # a file has this folder's name
            folder = child
        assert folder.children is not None
        existing = folder.children.get(parts[-1])
        if file is None:
            if existing is None:
                folder.children[parts[-1]] = Node(parts[-1], folder, {})
            return existing is None or existing.children is not None
        if existing is not None:
            return False
        file.parent = folder
        folder.children[parts[-1]] = file
        return True

    # -- accounting -------------------------------------------------------------------
    def quarantined(self) -> list[Quarantined]:
        """Members refused while listing or quarantined since, and an incomplete listing."""
        found = list(self.refused)
        found.extend(
            Quarantined(path_text(self.member_location(node)), node.reason, node.detail)
            for node in self.root.files()
            if node.fate is Fate.QUARANTINED
        )
        if self.incomplete:
            location = path_text(f"{self.location}#listing")
            found.append(Quarantined(location, self.incomplete_reason, self.incomplete))
        return found

    def finish(self) -> None:
        """Once surveyed: a member no one claimed is not read (``unclaimed``)."""
        for node in self.root.files():
            if node.fate is None:
                node.fate, node.reason = Fate.SKIPPED, "unclaimed"

    def not_read(self, quiet: frozenset[str]) -> list[NotRead]:
        """The members nothing reads, each with what it seems to be; those whose what is
        in ``quiet`` (hidden files, documentation) are counted, not named."""
        return [
            NotRead(ArchivePath(self, node.parts(), node), node.reason)
            for node in self.root.files()
            if node.fate is Fate.SKIPPED and node.reason not in quiet
        ]

    def tally(self) -> ArchiveTally:
        tally = ArchiveTally(path_text(self.location), self.members, incomplete=self.incomplete)
        for record in self.refused:
            tally.quarantined[record.reason] = tally.quarantined.get(record.reason, 0) + 1
        for node in self.root.files():
            if node.fate is Fate.READ:
                tally.read += 1
            else:
                counts = tally.quarantined if node.fate is Fate.QUARANTINED else tally.not_read
                counts[node.reason] = counts.get(node.reason, 0) + 1
        return tally


def _clean(name: str, backslashes: bool) -> tuple[str, ...]:
    """A member's name as path parts; empty when it would lead outside the archive (an
    absolute name, a drive, ``..``), names nothing, or nests too deep."""
    text = name.replace("\\", "/") if backslashes else name
    if text.startswith("/") or _DRIVE.match(text):
        return ()
    parts = tuple(p for p in text.split("/") if p not in ("", "."))
    return () if ".." in parts or len(parts) > MAX_PARTS else parts


def close_all(handles: list[Any]) -> None:
    while handles:
        handle = handles.pop()
        with contextlib.suppress(*READ_ERRORS):  # a broken stream: nothing left to release
            handle.close()


def bomb(size: int, packed: int) -> tuple[str, str] | None:
    if size > MAX_MEMBER_BYTES or (size > BOMB_FLOOR and size > MAX_RATIO * max(packed, 1)):
        return "bomb", f"{packed:,} bytes said to inflate to {size:,}"
    return None
