"""Mutated real archives (built from the shared samples): truncated, bytes flipped,
members with hostile names. Nothing crashes, and every member is read by a source,
skipped with a reason or quarantined, and counted once."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive_helpers import add_bytes
from weakties.errors import InputError
from weakties.records import Contact, Interaction, Quarantined
from weakties.sources.members import Fate
from weakties.sources.registry import Survey, survey

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SUFFIX = {"zip": "zip", "zip-hostile": "zip", "tgz": "tgz", "tar": "tar", "nested": "zip"}
HOSTILE_NAMES = ["../../up.eml", "/etc/abs.eml", "C:\\x\\win.eml", "Mail/1.eml",
                 "Mail/1.eml/inside.eml", "a/" * 120 + "long.eml", "sp ace/ü.eml"]  # fmt: skip


def _samples(data: Path) -> list[tuple[str, bytes]]:
    """A Takeout-like tree of real files: a list archive as an mbox, Enron messages,
    calendars, contacts, a Slack export, WhatsApp chats."""
    mbox = data / "mailing-lists" / "r-package-devel" / "2020q3.txt"
    files = [("Takeout/Mail/list.mbox", mbox.read_bytes())]
    enron = data / "enron-maildir" / "maildir" / "allen-p"
    files.extend(
        (f"maildir/allen-p/{folder}/{path.name}", path.read_bytes())
        for folder in ("sent", "inbox")
        for path in sorted((enron / folder).iterdir())[:15]
    )
    samples = data / "export-samples"
    files.extend(
        (f"Takeout/{sub}/{path.relative_to(samples / sub)}", path.read_bytes())
        for sub in ("ics", "vcard", "slack-export", "whatsapp")
        for path in sorted((samples / sub).rglob("*"))[:12]
        if path.is_file()
    )
    return files


def _zip(files: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar(files: list[tuple[str, bytes]], mode: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode, format=tarfile.GNU_FORMAT) as archive:
        for name, data in files:
            add_bytes(archive, name, data)
        add_bytes(archive, "links/up", b"", tarfile.SYMTYPE)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def seeds(shared_data: Path) -> dict[str, bytes]:
    files = _samples(shared_data)
    names = [*HOSTILE_NAMES, files[1][0]]  # the last, a name already taken
    hostile = files + [(name, b"From: a@b.example\n\nhi\n") for name in names]
    inner = _tar(files[:8], "w:gz")
    with pytest.warns(UserWarning, match="Duplicate name"):
        hostile_zip = _zip(hostile)
    return {
        "zip": _zip(files),
        "zip-hostile": hostile_zip,
        "tgz": _tar(hostile, "w:gz"),
        "tar": _tar(files, "w"),
        "nested": _zip(
            [("a/inner.tgz", inner), ("b/inner.zip", _zip(files[8:20]))], zipfile.ZIP_STORED
        ),
    }


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, list[tuple[str, int, int]]]:
    kind = draw(st.sampled_from(["zip", "zip-hostile", "tgz", "tar", "nested"]))
    ops = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["cut", "flip", "flip-end", "zero"]),
                st.floats(0, 1),
                st.integers(0, 255),
            ).map(lambda t: (t[0], int(t[1] * 1_000_000), t[2])),
            max_size=4,
        )
    )
    return kind, ops


def _mutate(data: bytes, ops: list[tuple[str, int, int]]) -> bytes:
    out = bytearray(data)
    for op, at, value in ops:
        if not out:
            break
        where = at % len(out)
        if op == "cut":
            del out[max(where, 1) :]
        elif op == "flip":
            out[where] ^= value or 1
        elif op == "flip-end":  # the central directory, the last members, the end blocks
            out[len(out) - 1 - at % min(len(out), 4096)] ^= value or 1
        else:
            out[where : where + 512] = bytes(len(out[where : where + 512]))
    return bytes(out)


@SETTINGS
@given(case=mutations())
def test_mutated_archives_are_accounted_for(
    seeds: dict[str, bytes],
    tmp_path_factory: pytest.TempPathFactory,
    case: tuple[str, list[tuple[str, int, int]]],
) -> None:
    kind, ops = case
    path = (
        tmp_path_factory.getbasetemp()
        / f"fuzz.{'zip' if 'zip' in kind or kind == 'nested' else 'tgz'}"
    )
    data = _mutate(seeds[kind], ops)
    path.write_bytes(data)
    try:
        found = survey([path])
    except InputError:
        return  # a one-line error for an archive that cannot be read at all (tested apart)
    with found:
        _check(found, data if kind.startswith("zip") else None)


def _check(found: Survey, zipped: bytes | None) -> None:
    reads = [str(s.path) for s in found.sources] + [t.location for t in found.archives]
    fates = {
        archive.member_location(node): node.fate
        for archive in found.opened
        for node in archive.root.files()
    }
    for source in found.sources:
        for record in source.records():
            assert isinstance(record, Interaction | Contact | Quarantined)
            record.location.encode("utf-8")
            if source.kind != "archive":  # records come from members read, only
                member = record.location.rsplit("#", 1)[0]
                assert fates.get(member, Fate.READ) is Fate.READ, (record, fates[member])
    for archive, tally in zip(found.opened, found.archives, strict=True):
        assert tally.adds_up, tally
        for node in archive.root.files():
            assert node.fate is not None
            if node.fate is Fate.READ:
                location = archive.member_location(node)
                assert any(location.startswith(r) for r in reads), location
    if zipped is not None:
        try:
            listed = zipfile.ZipFile(io.BytesIO(zipped)).infolist()
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            return
        assert found.archives[0].members == sum(not i.is_dir() for i in listed)


def test_the_seeds_themselves_are_read_whole(seeds: dict[str, bytes], tmp_path: Path) -> None:
    """Unmutated, each seed's mail is all read: the fuzz starts from working archives."""
    for kind, data in seeds.items():
        path = (
            tmp_path / f"{kind}.{'tgz' if kind in ('tgz',) else 'tar' if kind == 'tar' else 'zip'}"
        )
        path.write_bytes(data)
        with survey([path]) as found:
            _check(found, data if kind.startswith("zip") else None)
            records = [r for s in found.sources for r in s.records()]
            assert sum(isinstance(r, Interaction) for r in records) > (
                8 if kind == "nested" else 300
            )
