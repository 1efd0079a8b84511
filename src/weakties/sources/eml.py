"""Single saved messages: one ``.eml`` file, or a folder of them (``.eml.gz`` too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from weakties.errors import InputError
from weakties.records import Record
from weakties.sources.base import Source
from weakties.sources.email import is_sent_folder
from weakties.sources.maildir import read_files
from weakties.sources.members import ArchivePath, Entry

EML_SUFFIXES = (".eml", ".eml.gz")


def is_eml_name(name: str) -> bool:
    """True for ``*.eml`` and ``*.eml.gz`` (any case)."""
    return name.lower().endswith(EML_SUFFIXES)


class EmlSource(Source):
    """One ``.eml`` file, or the ``.eml`` files directly inside one folder."""

    kind = "eml"

    def files(self) -> list[Entry]:
        """The message files, sorted by name."""
        if self.path.is_file():
            return [self.path]
        try:
            found = [p for p in self.path.iterdir() if p.is_file() and is_eml_name(p.name)]
        except OSError as exc:
            raise InputError(f"{self.path}: cannot list folder ({exc})", "check the path") from exc
        return sorted(found, key=lambda p: p.name)

    def members(self) -> list[Entry] | None:
        """The ``.eml`` files of the folder (others in it are read by other sources)."""
        return None if self.path.is_file() else self.files()

    def records(self) -> Iterator[Record]:
        """One record per file; location is the file's absolute path."""
        folder = None if self.path.is_file() else self.path.name
        sent = folder is not None and is_sent_folder(folder)
        return read_files([(_key(p), folder, sent) for p in self.files()])

    def estimate(self) -> int:
        """The number of files."""
        return len(self.files())


def _key(path: Entry) -> str | ArchivePath:
    """What :func:`read_files` reads: an absolute path on disk, or the member itself."""
    return str(path.absolute()) if isinstance(path, Path) else path
