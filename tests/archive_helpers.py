"""Building archives for tests: ZIP and tar from files, and byte edits that make them
hostile (a flag, a compression method or an offset changed in the central directory)."""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from weakties.records import Interaction, Quarantined, Record
from weakties.sources.base import Source

MAIL = Path(__file__).parent / "fixtures" / "mail"


def tree_files(root: Path) -> list[tuple[str, Path]]:
    """``(name in the archive, file)`` for every file below ``root``, named under its
    folder's name (as ``zip -r`` and ``tar c`` name them)."""
    return [
        (f"{root.name}/{p.relative_to(root).as_posix()}", p)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]


def zip_of(
    target: Path, files: list[tuple[str, bytes | Path]], method: int = zipfile.ZIP_DEFLATED
) -> Path:
    with zipfile.ZipFile(target, "w", method) as archive:
        for name, data in files:
            archive.writestr(name, data.read_bytes() if isinstance(data, Path) else data)
    return target


def tar_of(target: Path, files: list[tuple[str, bytes | Path]], mode: str = "w") -> Path:
    with tarfile.open(target, mode, format=tarfile.GNU_FORMAT) as archive:
        for name, data in files:
            add_bytes(archive, name, data.read_bytes() if isinstance(data, Path) else data)
    return target


def add_bytes(
    archive: tarfile.TarFile, name: str, data: bytes, kind: bytes = tarfile.REGTYPE
) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.type = kind
    info.mtime = 1_700_000_000
    if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
        info.linkname = "../../etc/passwd"
    archive.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def central_entries(data: bytes) -> Iterator[tuple[int, str]]:
    """``(offset, name)`` of each central directory record of a ZIP (no comment)."""
    end = data.rfind(b"PK\x05\x06")
    count, _, start = struct.unpack("<HII", data[end + 10 : end + 20])
    at = start
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[at + 28 : at + 34])
        yield at, data[at + 46 : at + 46 + name_len].decode("cp437")
        at += 46 + name_len + extra_len + comment_len


def patch_central(data: bytes, name: str, *, flag: int = 0, method: int | None = None,
                  offset_of: str | None = None) -> bytes:  # fmt: skip
    """``data`` with the central directory record of ``name`` changed: ``flag`` or-ed
    into its flags, its compression ``method`` replaced, or its local header offset made
    that of the member ``offset_of``."""
    out = bytearray(data)
    entries = dict((n, at) for at, n in central_entries(data))
    at = entries[name]
    if flag:
        (flags,) = struct.unpack("<H", out[at + 8 : at + 10])
        out[at + 8 : at + 10] = struct.pack("<H", flags | flag)
    if method is not None:
        out[at + 10 : at + 12] = struct.pack("<H", method)
    if offset_of is not None:
        other = entries[offset_of]
        out[at + 42 : at + 46] = out[other + 42 : other + 46]
    return bytes(out)


def mbox_text(n: int, tag: str = "m") -> bytes:
    """An mbox of ``n`` small messages, each with its own Message-ID."""
    parts = [
        f"From alice@example.com Mon Jan  6 10:{i % 60:02d}:00 2020\n"
        f"From: Alice <alice@example.com>\nTo: bob@example.com\n"
        f"Date: Mon, 6 Jan 2020 10:{i % 60:02d}:00 +0000\n"
        f"Message-ID: <{tag}{i}@example.com>\nSubject: note {i}\n\n"
        f"Body of message {i}, with some words to fill it.\n\n"
        for i in range(n)
    ]
    return "".join(parts).encode()


def records_of(sources: list[Source]) -> list[Record]:
    return [r for s in sources for r in s.records()]


def signature(records: list[Record], prefix: str) -> list[tuple[str, ...]]:
    """What the records say, without where they were read from (the location below
    ``prefix``, which differs between a folder and an archive of it, is kept)."""
    out = []
    for record in records:
        where = record.location.removeprefix(prefix)
        if isinstance(record, Interaction):
            out.append(("i", where, record.message_id or "", str(record.timestamp)))
        elif isinstance(record, Quarantined):
            out.append(("q", where, record.reason))
        else:
            out.append(("c", where))
    return sorted(out)
