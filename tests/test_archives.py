"""Archives read as folders: every kind, nested, hostile; every member accounted."""

from __future__ import annotations

import gzip
import io
import shutil
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from archive_helpers import (
    MAIL,
    add_bytes,
    mbox_text,
    patch_central,
    records_of,
    signature,
    tar_of,
    tree_files,
    zip_of,
)
from weakties.errors import EmptyInputError, UnknownFormatError
from weakties.records import Interaction, Quarantined
from weakties.sources.archives import ArchiveSource, open_archive
from weakties.sources.csvlog import LogSource
from weakties.sources.mbox import MboxSource
from weakties.sources.members import ArchivePath
from weakties.sources.registry import Survey, survey

FOLDER = sorted(records_of(survey([MAIL]).sources), key=lambda r: r.location)
MAIL_FILES = tree_files(MAIL)


def _survey(path: Path) -> Survey:
    found = survey([path])
    assert all(t.adds_up for t in found.archives), found.archives
    return found


def _quarantined(found: Survey) -> dict[str, str]:
    """Location -> reason of every member an archive quarantined."""
    return {
        r.location: r.reason
        for s in found.sources
        if isinstance(s, ArchiveSource)
        for r in s.records()
        if isinstance(r, Quarantined)
    }


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("mail.zip", lambda p, f: zip_of(p, f)),
        ("mail.zip", lambda p, f: zip_of(p, f, zipfile.ZIP_STORED)),
        ("mail.tar", lambda p, f: tar_of(p, f)),
        ("mail.tgz", lambda p, f: tar_of(p, f, "w:gz")),
        ("mail.tar.bz2", lambda p, f: tar_of(p, f, "w:bz2")),
        ("mail.tar.xz", lambda p, f: tar_of(p, f, "w:xz")),
    ],
)
def test_an_archive_reads_as_its_folder(tmp_path: Path, name: str, make) -> None:  # type: ignore[no-untyped-def]
    archive = make(tmp_path / name, MAIL_FILES)
    with _survey(archive) as found:
        records = records_of(found.sources)
        prefix = f"{archive.resolve()}!mail"
        assert all(r.location.startswith(prefix) for r in records)
        assert signature(records, prefix) == signature(FOLDER, str(MAIL))
        (tally,) = found.archives
        assert tally.members == len(MAIL_FILES)
        maildir = "not read by its folder's maildir reader"  # dovecot-uidlist, tmp/
        assert tally.not_read == {"plainly not mail": 2, maildir: 2}  # the READMEs
        assert {str(f.path).removeprefix(prefix) for f in found.not_read} == {
            "/maildir/alice/dovecot-uidlist",
            "/maildir/alice/tmp/1700000200.M3P3.example",
        }


def test_nested_archives_read_in_place_in_memory_or_as_streams(tmp_path: Path) -> None:
    inner_zip = zip_of(tmp_path / "inner.zip", MAIL_FILES)
    inner_tgz = tar_of(tmp_path / "inner.tgz", MAIL_FILES, "w:gz")
    inner_tar = tar_of(tmp_path / "inner.tar", MAIL_FILES)
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as z:
        z.write(inner_zip, "stored/inner.zip", zipfile.ZIP_STORED)  # read through a window
        z.write(inner_zip, "deflated/inner.zip", zipfile.ZIP_DEFLATED)  # inflated in memory
        z.write(inner_tgz, "deflated/inner.tgz", zipfile.ZIP_DEFLATED)  # a stream
        z.write(inner_tar, "stored/inner.tar", zipfile.ZIP_STORED)
    outer_tgz = tar_of(
        tmp_path / "outer.tgz", [("x/inner.zip", inner_zip), ("x/in.tar", inner_tar)], "w:gz"
    )
    for archive, inner in ((outer, 4), (outer_tgz, 2)):
        with _survey(archive) as found:
            records = records_of(found.sources)
            assert len(found.archives) == 1 + inner
            for tally in found.archives[1:]:
                prefix = tally.location + "!mail"
                mine = [r for r in records if r.location.startswith(prefix)]
                assert signature(mine, prefix) == signature(FOLDER, str(MAIL))
            assert len(records) == inner * len(FOLDER)


def test_hostile_zip_members_are_quarantined_and_the_rest_read(tmp_path: Path) -> None:
    good = (MAIL / "eml" / "list.eml").read_bytes()
    link = zipfile.ZipInfo("Mail/link.eml")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    files: list[tuple[str | zipfile.ZipInfo, bytes]] = [
        ("Mail/a.eml", good),
        ("../up.eml", good),
        ("/etc/abs.eml", good),
        ("C:\\Windows\\win.eml", good),
        ("Mail/a.eml", good),  # the same name again
        (link, b"/etc/passwd"),
        ("Mail/secret.eml", good),
        ("Mail/deflate64.eml", good),
    ]
    path = tmp_path / "hostile.zip"
    with zipfile.ZipFile(path, "w") as z, pytest.warns(UserWarning, match="Duplicate name"):
        for name, data in files:
            z.writestr(name, data)
    data = patch_central(path.read_bytes(), "Mail/secret.eml", flag=0x1)
    path.write_bytes(patch_central(data, "Mail/deflate64.eml", method=9))
    with _survey(path) as found:
        records = records_of(found.sources)
        quarantined = _quarantined(found)
        (tally,) = found.archives
    base = f"{path.resolve()}!"
    assert [r.location for r in records if isinstance(r, Interaction)] == [base + "Mail/a.eml"]
    assert quarantined == {
        base + "../up.eml#member1": "unsafe-name",
        base + "/etc/abs.eml#member2": "unsafe-name",
        base + "C:\\Windows\\win.eml#member3": "unsafe-name",
        base + "Mail/a.eml#member4": "duplicate-name",
        base + "Mail/link.eml#member5": "link",
        base + "Mail/secret.eml#member6": "encrypted",
        base + "Mail/deflate64.eml#member7": "unsupported-compression",
    }
    assert (tally.members, tally.read) == (8, 1)


def test_tar_links_devices_and_bad_names_are_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "hostile.tar"
    good = (MAIL / "eml" / "group.eml").read_bytes()
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        add_bytes(tar, "mail/1.eml", good)
        add_bytes(tar, "mail/sym.eml", b"", tarfile.SYMTYPE)
        add_bytes(tar, "mail/hard.eml", b"", tarfile.LNKTYPE)
        add_bytes(tar, "mail/pipe", b"", tarfile.FIFOTYPE)
        add_bytes(tar, "mail/dev", b"", tarfile.CHRTYPE)
        add_bytes(tar, "../../outside.eml", good)
        add_bytes(tar, "mail/1.eml", good)
        add_bytes(tar, "mail/1.eml/under-a-file.eml", good)
    with _survey(path) as found:
        reasons = sorted(_quarantined(found).values())
        records = records_of(found.sources)
        (tally,) = found.archives
    assert reasons == ["duplicate-name", "duplicate-name", "link", "link", "not-a-file",
                       "not-a-file", "unsafe-name"]  # fmt: skip
    assert sum(isinstance(r, Interaction) for r in records) == 1
    assert (tally.members, tally.read) == (8, 1)


def test_each_member_is_counted_by_what_read_it(tmp_path: Path) -> None:
    """A folder of .eml files is read by one source, its subfolders by their own: a
    member below it is not counted as skipped before its own source reads it."""
    message = (MAIL / "eml" / "list.eml").read_bytes()
    path = zip_of(tmp_path / "a.zip", [
        ("saved/1.eml", message),
        ("saved/table.txt", b"a table of figures\n1 2 3\n"),
        ("saved/old/archive.mbox", mbox_text(2)),
        ("saved/old/deeper/2.eml", (MAIL / "eml" / "group.eml").read_bytes()),
    ])  # fmt: skip
    with _survey(path) as found:
        (tally,) = found.archives
        assert sum(isinstance(r, Interaction) for r in records_of(found.sources)) == 4
    assert (tally.members, tally.read, tally.not_read) == (4, 3, {"text, not mail": 1})


def test_a_name_too_deep_is_refused_not_walked(tmp_path: Path) -> None:
    deep = "d/" * 5000 + "x.eml"  # deeper than Python may recurse
    message = (MAIL / "eml" / "list.eml").read_bytes()
    path = zip_of(tmp_path / "deep.zip", [(deep, message), ("ok.eml", message)])
    with _survey(path) as found:
        assert list(_quarantined(found).values()) == ["unsafe-name"]
        assert sum(isinstance(r, Interaction) for r in records_of(found.sources)) == 1


def test_bombs_are_quarantined_before_they_inflate(tmp_path: Path) -> None:
    zeros = bytes(65 << 20)  # 65 MB that deflate to 64 kB: more than 100 times
    message = (MAIL / "eml" / "list.eml").read_bytes()
    path = zip_of(tmp_path / "bomb.zip", [("a.eml", message), ("b.eml", message), ("zeros", zeros)])
    path.write_bytes(patch_central(path.read_bytes(), "b.eml", offset_of="a.eml"))
    with _survey(path) as found:
        assert sorted(_quarantined(found).values()) == ["bomb", "bomb"]  # zeros; b.eml overlaps
        assert sum(isinstance(r, Interaction) for r in records_of(found.sources)) == 1
    tgz = tar_of(
        tmp_path / "bomb.tgz", [("a.eml", message), ("zeros", zeros), ("z.eml", message)], "w:gz"
    )
    with _survey(tgz) as found:
        (tally,) = found.archives
        assert "inflates beyond" in tally.incomplete
        assert set(_quarantined(found).values()) == {"bomb"}


def test_nesting_stops_at_the_depth_cap(tmp_path: Path) -> None:
    data = zip_of(
        tmp_path / "0.zip", [("m.eml", (MAIL / "eml" / "list.eml").read_bytes())]
    ).read_bytes()
    for depth in range(1, 6):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
            z.writestr(f"level{depth}.zip", data)
            z.writestr(f"m{depth}.eml", (MAIL / "eml" / "group.eml").read_bytes())
        data = buffer.getvalue()
    path = tmp_path / "deep.zip"
    path.write_bytes(data)
    with _survey(path) as found:
        interactions = [r for r in records_of(found.sources) if isinstance(r, Interaction)]
        assert len(found.archives) == 4  # the archive given, and three inside it
        assert list(_quarantined(found).values()) == ["too-deep"]
        assert len(interactions) == 4


def test_a_corrupt_member_costs_what_cannot_be_read(tmp_path: Path) -> None:
    """ZIP checks a member's CRC when its last bytes are read: an mbox read in chunks
    of 1 MB gives its first messages, then one ``unreadable`` record for the rest."""
    mbox = mbox_text(12_000)  # 2.8 MB
    message = (MAIL / "eml" / "list.eml").read_bytes()
    path = zip_of(tmp_path / "c.zip", [("a.mbox", mbox), ("b.eml", message)], zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    data[data.find(b"note 11990")] ^= 0x20
    path.write_bytes(bytes(data))
    with _survey(path) as found:
        (mbox_source,) = [s for s in found.sources if isinstance(s, MboxSource)]
        records = list(mbox_source.records())
        others = records_of([s for s in found.sources if s is not mbox_source])
    assert isinstance(records[-1], Quarantined) and records[-1].reason == "unreadable"
    assert "CRC" in records[-1].detail
    assert 4_000 < sum(isinstance(r, Interaction) for r in records) < 12_000
    assert [type(r) for r in others] == [Interaction]


def test_a_named_archive_that_cannot_be_read_is_a_one_line_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(UnknownFormatError, match="not a readable ZIP archive") as info:
        survey([broken])
    assert "\n" not in str(info.value) and str(broken) in str(info.value)
    photos = zip_of(tmp_path / "photos.zip", [("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" * 50)])
    with pytest.raises(EmptyInputError, match=r"nothing in this archive.*a\.jpg \(binary\)"):
        survey([photos])


def test_archives_in_a_folder_and_files_no_format_reads(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    zip_of(folder / "good.zip", [("inbox.mbox", mbox_text(3))])
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 truncated")
    (folder / "notes.txt").write_text("a shopping list\n")  # plainly not mail: unmentioned
    (folder / "table.txt").write_text("a table of figures\n1 2 3\n")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" * 50)
    shutil.copy(MAIL / "mbox" / "crlf.mbox", folder / "old.mbox")
    with _survey(folder) as found:
        records = records_of(found.sources)
        passed = {f.path.name: f.what for f in found.not_read}
        broken = _quarantined(found)
    assert (
        sum(r.location.startswith(f"{folder.resolve()}/good.zip!inbox.mbox#") for r in records) == 3
    )
    assert broken == {str(folder / "broken.zip"): "unreadable-archive"}
    assert passed == {"table.txt": "text, not mail", "photo.jpg": "binary"}


def test_names_that_are_not_utf8_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / "latin.tar"
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tar:
        add_bytes(tar, "Mail/caf\xe9.eml", (MAIL / "eml" / "list.eml").read_bytes())
    with _survey(path) as found:
        (record,) = records_of(found.sources)
    assert record.location.endswith("!Mail/caf\\xe9.eml")
    record.location.encode("utf-8")  # storable and printable


def test_logs_gzip_and_csv_that_are_not_logs(tmp_path: Path) -> None:
    log = b"timestamp,channel,sender,recipients\n2024-01-01T00:00:00Z,call,a@x.org,b@x.org\n"
    path = zip_of(tmp_path / "export.zip", [
        ("calls.csv", log),
        ("Fit/daily.csv", b"Date,Steps\n2024-01-01,5000\n"),
        ("old/inbox.mbox.gz", gzip.compress(mbox_text(2))),
    ])  # fmt: skip
    with _survey(path) as found:
        kinds = sorted(type(s).__name__ for s in found.sources)
        records = records_of(found.sources)
        passed = [(f.path.name, f.what) for f in found.not_read]
    assert kinds == ["LogSource", "MboxSource"]
    assert sum(isinstance(r, Interaction) for r in records) == 3
    assert passed == [("daily.csv", "text, not mail")]


def test_a_member_is_a_path_to_read_not_a_file_on_disk(tmp_path: Path) -> None:
    path = zip_of(tmp_path / "x.zip", [("a/b/c.json", b'{"k": 1}'), ("a/d.txt", b"text\n")])
    archive = open_archive(path, path.read_bytes())
    try:
        root = archive.path()
        member = root / "a/b/c.json"
        assert member.read_text() == '{"k": 1}' and member.stat().st_size == 8
        assert [p.name for p in root.rglob("*.json")] == ["c.json"]
        assert [p.name for p in (root / "a").glob("*")] == ["b", "d.txt"]
        assert member.parent.name == "b" and root.parent == tmp_path.resolve()
        assert root.name == "x.zip" and not (root / "a/missing").exists()
        assert isinstance(member, ArchivePath) and member.suffix == ".json"
        with pytest.raises(TypeError):
            open(member)  # type: ignore[call-overload]  # noqa: SIM115
        with pytest.raises(PermissionError):
            member.open("w")  # type: ignore[call-overload]
    finally:
        archive.close()


def test_a_csv_log_named_directly_still_says_what_it_lacks(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("when,who\n2024-01-01,a\n")
    (source,) = survey([path]).sources
    assert isinstance(source, LogSource)
