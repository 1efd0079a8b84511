"""The real Slack, WhatsApp and X exports in ../shared/data/export-samples: every record
read is accounted for, with the figures their README gives."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from weakties import api
from weakties.config import Settings
from weakties.store import connect


@pytest.fixture(autouse=True)
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="module")
def samples(shared_data: Path) -> Path:
    return shared_data / "export-samples"


def _ingest(tmp_path: Path, path: Path) -> tuple[Settings, api.IngestReport]:
    settings = Settings(db_path=tmp_path / "s.duckdb")
    return settings, api.ingest(settings, [path])


def _rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    con = connect(settings.db_path, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _adds_up(settings: Settings) -> None:
    stats = api.stats(settings)
    assert stats.read == stats.interactions + stats.contacts + stats.duplicates + stats.quarantined
    (source,) = api.sources(settings).to_pylist()
    assert source["read"] == source["stored"] + source["duplicates"] + source["quarantined"]


def test_slack_158_messages_with_the_bots_flagged_and_4_members(
    samples: Path, tmp_path: Path
) -> None:
    settings, report = _ingest(tmp_path, samples / "slack-export")
    t = report.totals
    assert (t.read, t.stored, t.duplicates, t.quarantined) == (162, 162, 0, 0)
    assert api.stats(settings).contacts == 4
    # 94 bot messages and 3 integrations added, by bots; 8 channel joins, by Slack
    assert t.automated == 105
    by_kind = dict(
        _rows(
            settings,
            """SELECT p.role, count(*)
               FROM interactions i JOIN participants p USING (interaction_id)
               WHERE i.automated GROUP BY p.role""",
        )
    )
    assert by_kind == {"from": 94, "member": 11}
    public = _rows(settings, "SELECT DISTINCT channel, public FROM interactions")
    assert public == [("post", True)]  # two public channels, no DMs in this export
    _adds_up(settings)


def test_x_archive_72_conversations_900_messages_and_its_followers(
    samples: Path, tmp_path: Path
) -> None:
    settings, report = _ingest(tmp_path, samples / "twitter-archive")
    t = report.totals
    # 900 DMs + 4 group messages and 4 joins + 25 deleted posts + 3,456 post headers
    # + 764 followers + 79 followed accounts
    assert (t.read, t.stored, t.duplicates, t.quarantined, t.automated) == (5232, 5232, 0, 0, 4)
    assert report.sources[0].owner == ["x:3128746474"]
    ((conversations, messages, two_party),) = _rows(
        settings,
        """SELECT count(DISTINCT thread_id), count(*), bool_and(n_participants = 2)
           FROM interactions WHERE message_id LIKE 'x:dm:%' AND thread_id LIKE '%-%'""",
    )
    assert (conversations, messages, two_party) == (72, 900, True)
    kinds = dict(_rows(settings, "SELECT kind, count(*) FROM contacts GROUP BY kind"))
    assert kinds == {"follower": 764, "following": 79}
    ((posts, addressed),) = _rows(
        settings,
        """SELECT count(*), count(*) FILTER (WHERE n_participants > 1)
           FROM interactions WHERE channel = 'post' AND public""",
    )
    assert (posts, addressed) == (3481, 9)  # deleted posts replying to or naming another
    _adds_up(settings)


def test_every_whatsapp_sample_the_two_parts_of_one_chat_included(
    samples: Path, tmp_path: Path
) -> None:
    settings, report = _ingest(tmp_path, samples / "whatsapp")
    t = report.totals
    # pokemon 20, lorem 500, lorem-merge parts 300 + 300; two encryption notices
    assert (t.read, t.stored, t.duplicates, t.quarantined, t.automated) == (1120, 1120, 0, 0, 2)
    assert report.sources[0].owner == []  # nobody wrote in all four
    senders = _rows(
        settings,
        """SELECT count(DISTINCT p.address) FROM participants p
           WHERE p.role = 'from' AND p.name IN ('John', 'Giuseppe')""",
    )
    assert senders == [(2,)]  # one John, one Giuseppe across lorem and both parts
    _adds_up(settings)
