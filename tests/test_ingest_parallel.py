"""Parsing on several cores: partitions are the source cut in order, and the store is the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from weakties import api, parsing
from weakties.config import Settings
from weakties.sources.maildir import MaildirSource

EML = Path(__file__).parent / "fixtures" / "mail" / "eml"
TABLES = ("interactions", "interaction_keys", "participants", "items", "quarantine", "identities",
          "people", "organisations", "identity_links", "source_owners")  # fmt: skip


def _mailbox(root: Path, sizes: dict[str, int], seed: int) -> Path:
    samples = sorted(EML.glob("*.eml"))
    for n, (folder, size) in enumerate(sizes.items()):
        (root / folder).mkdir(parents=True)
        for i in range(size):
            data = samples[(seed + n + i) % len(samples)].read_bytes()
            data = data.replace(b"Message-ID: <", b"Message-ID: <%d.%d.%d." % (seed, n, i), 1)
            (root / folder / f"{i + 1}.").write_bytes(data)
    return root


@pytest.fixture(scope="module")
def maildir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two Enron-layout mailboxes: uneven folders, nested ones, sent mail, a non-message."""
    root = tmp_path_factory.mktemp("maildir")
    sizes = {"inbox": 23, "sent": 7, "deleted_items": 1, "projects/alpha": 11, "projects/beta": 4}
    _mailbox(root / "doe-j", sizes, 0)
    (root / "doe-j" / "inbox" / "README.md").write_text("not mail\n")
    _mailbox(root / "roe-k", {"inbox": 9, "sent_items": 5}, 1)
    return root


@pytest.fixture(scope="module")
def mailbox(maildir: Path) -> Path:
    return maildir / "doe-j"


def test_partitions_cut_the_files_in_order(mailbox: Path) -> None:
    source = MaildirSource(mailbox)
    files = list(source.files())
    assert len(files) == source.estimate() == 46
    for n in (1, 2, 3, 5, 7, 46, 100):
        parts = source.partitions(n)
        assert len(parts) == min(n, 46)
        cut = [r.location for part in parts for r in part.records()]
        assert cut == [path for path, _, _ in files]
        sizes = [part.estimate() or 0 for part in parts]
        assert sum(sizes) == 46 and max(sizes) - min(sizes) <= max(sizes) // 2 + 1


def test_files_keep_their_folder_and_sent_flag(mailbox: Path) -> None:
    seen = {(Path(p).parent.relative_to(mailbox).as_posix(), f, s) for p, f, s in
            MaildirSource(mailbox).files()}  # fmt: skip
    assert seen == {
        ("deleted_items", "deleted_items", False),
        ("inbox", "inbox", False),
        ("projects/alpha", "projects/alpha", False),
        ("projects/beta", "projects/beta", False),
        ("sent", "sent", True),
    }


def _dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    finally:
        con.close()


def test_parsing_on_two_cores_stores_what_one_core_stores(
    maildir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsing, "PART_RECORDS", 4)  # a dozen parts, so workers do run
    copy = tmp_path / "maildir"
    shutil.copytree(maildir, copy)
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    first = api.ingest(Settings(db_path=one, workers=1, batch_size=10), [copy])
    second = api.ingest(Settings(db_path=two, workers=2, batch_size=10), [copy])
    assert [s.label for s in second.sources] == ["doe-j", "roe-k"]
    assert first.totals == second.totals
    assert first.totals.read == 46 + 14
    assert _dump(one) == _dump(two)
