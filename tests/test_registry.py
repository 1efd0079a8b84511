"""discover(): from paths to sources, by content; one-line errors for bad input."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rich.console import Console

from weakties import api
from weakties.cli.summary import print_ingest_report
from weakties.config import Settings
from weakties.errors import EmptyInputError, InputError, UnknownFormatError
from weakties.ingest import ingest_sources
from weakties.records import Interaction
from weakties.sources.base import describe
from weakties.sources.csvlog import LogSource
from weakties.sources.eml import EmlSource
from weakties.sources.maildir import MaildirSource
from weakties.sources.mbox import MboxSource
from weakties.sources.registry import Kind, classify, discover, survey

MAIL = Path(__file__).parent / "fixtures" / "mail"


def shape(sources: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(type(s).__name__, s.label) for s in sources]


def test_fixture_tree() -> None:
    assert shape(discover([MAIL])) == [
        ("EmlSource", "eml"),
        ("MaildirSource", "doe-j"),
        ("MaildirSource", "roe-j"),
        ("MaildirSource", "alice"),
        ("MboxSource", "crlf.mbox"),
        ("MboxSource", "takeout.mbox"),
        ("MboxSource", "2020q1.txt"),
    ]


def test_enron_layout_gives_one_source_per_user() -> None:
    sources = discover([MAIL / "enron"])
    assert shape(sources) == [("MaildirSource", "doe-j"), ("MaildirSource", "roe-j")]
    assert discover([MAIL / "enron" / "maildir" / "doe-j"])[0].estimate() == 5


def test_files_are_judged_by_content(tmp_path: Path) -> None:
    mbox = tmp_path / "archive.txt"
    shutil.copy(MAIL / "mbox" / "crlf.mbox", mbox)
    message = tmp_path / "1."
    shutil.copy(MAIL / "eml" / "list.eml", message)
    packed = tmp_path / "inbox.gz"
    packed.write_bytes(gzip.compress(mbox.read_bytes()))
    single = tmp_path / "one.eml.gz"
    single.write_bytes(gzip.compress(message.read_bytes()))
    found = discover([mbox, message, packed, single])
    assert [type(s) for s in found] == [MboxSource, EmlSource, MboxSource, EmlSource]
    assert all(isinstance(r, Interaction) for s in found for r in s.records())


def test_same_path_twice_is_one_source() -> None:
    path = MAIL / "mbox" / "crlf.mbox"
    assert len(discover([path, path.parent / "." / path.name])) == 1


def test_plain_folder_with_an_mbox_beside_messages(tmp_path: Path) -> None:
    shutil.copy(MAIL / "eml" / "list.eml", tmp_path / "1")
    shutil.copy(MAIL / "eml" / "group.eml", tmp_path / "2")
    shutil.copy(MAIL / "mbox" / "crlf.mbox", tmp_path / "old")
    (tmp_path / "notes.txt").write_text("just notes\n")
    found = discover([tmp_path])
    assert [type(s) for s in found] == [MaildirSource, MboxSource]
    assert found[0].estimate() == 2  # the mbox is read by its own source; .txt skipped


def test_pipes_are_never_opened_and_links_back_up_end(tmp_path: Path) -> None:
    """A named pipe would block its reader until some writer came; a link to a parent
    folder would nest the same mail ever deeper."""
    mail = tmp_path / "mail"
    (mail / "team").mkdir(parents=True)
    shutil.copy(MAIL / "eml" / "list.eml", mail / "team" / "1.eml")
    shutil.copy(MAIL / "mbox" / "crlf.mbox", mail / "old.mbox")
    (mail / "solo").mkdir()
    shutil.copy(MAIL / "eml" / "group.eml", mail / "solo" / "1.eml")
    (mail / "team" / "up").symlink_to(mail, target_is_directory=True)
    (mail / "again").symlink_to(mail / "solo", target_is_directory=True)
    with _watched_fifo(mail / "incoming") as opened, _watched_fifo(mail / "team" / "2.eml"):
        found = discover([mail])
        records = [r for s in found for r in s.records()]
        with pytest.raises(UnknownFormatError, match="a pipe, socket or device"):
            discover([mail / "incoming"])  # named directly: said, not read
    assert not opened
    assert shape(found) == [
        ("MboxSource", "old.mbox"),
        ("EmlSource", "solo"),  # not again as "again"
        ("EmlSource", "team"),
    ]
    assert len(records) == 2 + len(list(MboxSource(MAIL / "mbox" / "crlf.mbox").records()))


@contextmanager
def _watched_fifo(path: Path) -> Iterator[list[bool]]:
    """A named pipe at ``path``; the list yielded gets an entry if anyone opens it to
    read (the watcher then closes its end, so that the reader sees an empty file
    instead of waiting forever)."""
    os.mkfifo(path)
    opened: list[bool] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # no reader yet
                time.sleep(0.005)
                continue
            opened.append(True)
            os.close(fd)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield opened
    finally:
        done.set()
        watcher.join()


def test_log_files_go_to_the_log_source(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("timestamp,channel,sender,recipients\n2020-01-01T00:00:00Z,call,a,b\n")
    (source,) = discover([path])
    assert type(source).__name__ == "LogSource"


def test_log_files_without_the_log_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weakties.sources.csvlog", None)
    path = tmp_path / "calls.tsv"
    path.write_text("timestamp\tchannel\n")
    with pytest.raises(InputError, match=r"calls\.tsv"):
        discover([path])


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda p: p / "missing.mbox", InputError, "no such file"),
        (lambda p: _write(p / "empty.mbox", b""), EmptyInputError, "empty"),
        (
            lambda p: _write(p / "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" * 50),
            UnknownFormatError,
            "binary",
        ),
        (
            lambda p: _write(p / "README.md", b"# Notes\n\nNothing here.\n"),
            UnknownFormatError,
            "not mail",
        ),
        (lambda p: _folder_without_mail(p), EmptyInputError, "no mail"),
    ],
)
def test_bad_inputs(tmp_path: Path, make, error: type[Exception], words: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    with pytest.raises(error) as info:
        discover([path])
    message = str(info.value)
    assert words in message and str(path) in message
    assert "\n" not in message
    assert info.value.hint  # type: ignore[attr-defined]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _folder_without_mail(root: Path) -> Path:
    folder = root / "data"
    (folder / "sub").mkdir(parents=True)
    (folder / "empty-maildir" / "cur").mkdir(parents=True)
    (folder / "README.md").write_text("# Data\n")
    (folder / "sub" / "table.bin").write_bytes(b"\x00\x01" * 100)
    return folder


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"", Kind.EMPTY),
        (b"\n \n", Kind.EMPTY),
        (b"From a@b.com Fri May 22 13:38:22 2015\nFrom: a@b.com\n", Kind.MBOX),
        (b"From edd at debian.org  Fri May 22 13:38:22 2015\n", Kind.MBOX),
        (b"\xef\xbb\xbfReturn-Path: <a@b.com>\r\nReceived: x\r\n", Kind.MESSAGE),
        (b"Message-ID: <1@b>\nDate: Wed, 13 Dec 2000 07:04:00 -0800\n", Kind.MESSAGE),
        (b"title: notes\ndate: 2020-01-01\n\ntext", Kind.TEXT),
        (b"From the start, this is prose.\nNo headers.\n", Kind.TEXT),
        (b"\x00\x00\x00\x18ftypmp42", Kind.BINARY),
    ],
)
def test_classify(head: bytes, kind: Kind) -> None:
    assert classify(head) is kind


@pytest.mark.slow
def test_shared_data_collections(shared_data: Path) -> None:
    enron = discover([shared_data / "enron-maildir"])
    assert [s.label for s in enron] == [
        "allen-p",
        "buy-r",
        "grigsby-m",
        "keavey-p",
        "lewis-a",
        "presto-k",
    ]
    lists = discover([shared_data / "mailing-lists"])
    assert len(lists) == 10
    with pytest.raises(UnknownFormatError):
        discover([shared_data / "mailing-lists" / "README.md"])


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
def test_compressed_mailboxes_and_messages_in_a_folder_are_read(
    tmp_path: Path, suffix: str
) -> None:
    """A compressed mbox or message in a folder used to be skipped without a word."""
    import bz2
    import lzma

    pack = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[suffix]
    (tmp_path / f"archive.mbox{suffix}").write_bytes(
        pack((MAIL / "mbox" / "crlf.mbox").read_bytes())
    )
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / f"1{suffix}").write_bytes(pack((MAIL / "eml" / "list.eml").read_bytes()))
    found = discover([tmp_path])
    assert [type(s) for s in found] == [MboxSource, MaildirSource]
    records = [r for s in found for r in s.records()]
    assert records and all(isinstance(r, Interaction) for r in records)
    plain = [r for r in MboxSource(MAIL / "mbox" / "crlf.mbox").records()]
    assert len(records) == len(plain) + 1


def _folder_of_everything(root: Path) -> Path:
    """Mail beside files that no format reads, and files plainly not mail."""
    import tarfile
    import zipfile

    folder = root / "mail"
    folder.mkdir()
    shutil.copy(MAIL / "mbox" / "crlf.mbox", folder / "inbox.mbox")
    with zipfile.ZipFile(folder / "x.zip", "w") as archive:
        archive.writestr("inside.eml", (MAIL / "eml" / "list.eml").read_bytes())
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w") as tar:
        tar.add(MAIL / "eml" / "list.eml", arcname="list.eml")
    (folder / "old.tar.gz").write_bytes(gzip.compress(packed.getvalue()))
    (folder / "y.bin").write_bytes(bytes(range(256)) * 8)
    (folder / "data.txt").write_text("a table of figures\n1 2 3\n")
    (folder / "empty.csv").write_text("timestamp,channel,sender,recipients\n")
    for quiet in ("README.md", "corpora-README.txt", "notes.txt", "dovecot-uidlist", "x.msf"):
        (folder / quiet).write_text("nothing to see\n")
    return folder


def test_files_nothing_reads_are_named_not_passed_over(tmp_path: Path) -> None:
    found = survey([_folder_of_everything(tmp_path)])
    assert shape(found.sources) == [("MboxSource", "inbox.mbox")]
    assert sorted((f.path.name, f.what) for f in found.not_read) == [
        ("data.txt", "text, not mail"),
        ("empty.csv", "empty"),
        ("old.tar.gz", "archive"),
        ("x.zip", "archive"),
        ("y.bin", "binary"),
    ]
    line = describe(found.not_read)
    assert line.startswith("5 files not read: ") and "x.zip (archive)" in line
    assert "\n" not in line


def test_a_folder_of_nothing_readable_says_what_it_holds(tmp_path: Path) -> None:
    folder = _folder_of_everything(tmp_path)
    (folder / "inbox.mbox").unlink()
    with pytest.raises(EmptyInputError, match=r"no mail found in this folder \(5 files not read"):
        discover([folder])


def test_ingest_reports_them_and_stores_no_empty_source(tmp_path: Path) -> None:
    folder = _folder_of_everything(tmp_path)
    settings = Settings(db_path=tmp_path / "s.duckdb")
    report = api.ingest(settings, [folder])
    assert [s.label for s in report.sources] == ["inbox.mbox"]
    assert len(report.not_read) == 5
    out = io.StringIO()
    print_ingest_report(Console(file=out, width=200), report)
    assert "5 files not read:" in out.getvalue() and "y.bin (binary)" in out.getvalue()
    # A source that yields nothing, even given directly, is never entered in the store.
    with api.open_store(settings) as con:
        again = ingest_sources(con, [LogSource(folder / "empty.csv")], settings)
    assert again.sources == [] and [f.what for f in again.not_read] == ["empty"]
    assert [s["label"] for s in api.sources(settings).to_pylist()] == ["inbox.mbox"]
