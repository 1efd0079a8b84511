"""X (Twitter) archives: direct messages, group DMs, posts, followers, the account."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from weakties import api
from weakties.config import Settings
from weakties.records import Contact, Interaction, Quarantined, Record
from weakties.sources.registry import discover
from weakties.sources.xarchive import TWEET_TIME, XArchiveSource, _tweet_time

ARCHIVE = Path(__file__).parent / "fixtures" / "x" / "archive"
DATA = ARCHIVE / "data"


def _records(path: Path = ARCHIVE) -> dict[str, Record]:
    return {r.location.rpartition("/")[2]: r for r in XArchiveSource(path).records()}


def _people(record: Record) -> list[tuple[str, str]]:
    assert isinstance(record, Interaction)
    return [(str(p.role), p.address) for p in record.participants]


def test_the_archive_its_data_folder_and_a_lone_file_are_found() -> None:
    for path in (ARCHIVE, DATA, DATA / "direct-message-headers.js"):
        (source,) = discover([path])
        assert isinstance(source, XArchiveSource)


def test_the_archive_declares_its_account_and_the_accounts_email() -> None:
    assert XArchiveSource(ARCHIVE).declared_owner() == ["x:1001", "ana.lima@acme.example"]
    assert XArchiveSource(DATA).declared_owner() == ["x:1001", "ana.lima@acme.example"]
    assert XArchiveSource(DATA / "follower.js").declared_owner() == []


def test_direct_messages_are_private_chats_from_sender_to_recipient() -> None:
    records = _records()
    dm = records["direct-message-headers.js#0.1"]
    assert isinstance(dm, Interaction)
    assert (dm.channel, dm.public, dm.automated) == ("chat", False, False)
    assert dm.timestamp == datetime(2024, 3, 1, 21, 30, 10, 250000, tzinfo=UTC)
    assert _people(dm) == [("from", "x:1001"), ("to", "x:2002")]
    no_recipient = records["direct-message-headers.js#1.0"]  # read from the conversation id
    assert _people(no_recipient) == [("from", "x:3003"), ("to", "x:1001")]
    bad = records["direct-message-headers.js#1.1"]
    assert isinstance(bad, Quarantined) and bad.reason == "bad-date"


def test_group_messages_reach_whoever_was_in_the_conversation_then() -> None:
    records = _records()
    first, welcome, last = (records[f"direct-messages-group.js#0.{i}"] for i in (5, 2, 0))
    assert _people(first) == [("from", "x:4004"), ("to", "x:1001"), ("to", "x:2002")]
    assert _people(welcome) == [("from", "x:2002"), ("to", "x:1001"), ("to", "x:3003"),
                                ("to", "x:4004")]  # fmt: skip
    assert _people(last) == [("from", "x:1001"), ("to", "x:2002"), ("to", "x:3003")]  # 4004 left
    for i in (1, 3, 4, 6):  # leave, join, rename, the account added: X's own, about members
        event = records[f"direct-messages-group.js#0.{i}"]
        assert isinstance(event, Interaction) and event.automated
        assert {role for role, _ in _people(event)} == {"member"}


def test_posts_are_public_and_address_the_replied_to_and_the_mentioned() -> None:
    records = _records()
    reply, mention = records["tweets.js#0"], records["tweets.js#1"]
    assert isinstance(reply, Interaction) and (reply.channel, reply.public) == ("post", True)
    assert reply.in_reply_to == "x:tweet:8000000000000000001"
    assert _people(reply) == [("from", "x:1001"), ("to", "x:2002")]
    assert reply.participants[1].name == "Bo Chen"
    assert _people(mention) == [("from", "x:1001"), ("to", "x:3003")]  # not the account itself
    header = records["tweet-headers.js#2"]
    assert _people(header) == [("from", "x:1001")]
    assert isinstance(records["tweets.js#2"], Quarantined)


def test_followers_and_followed_accounts_are_contacts() -> None:
    records = _records()
    kinds = {(str(r.kind), r.identities) for r in records.values() if isinstance(r, Contact)}
    assert kinds == {("follower", ("x:2002",)), ("follower", ("x:5005",)),
                     ("following", ("x:2002",)), ("following", ("x:3003",))}  # fmt: skip


def test_ingest_accounts_for_every_record_and_headers_duplicate_full_posts(
    tmp_path: Path,
) -> None:
    settings = Settings(db_path=tmp_path / "s.duckdb")
    report = api.ingest(settings, [ARCHIVE])
    t = report.totals
    assert (t.read, t.stored, t.duplicates, t.quarantined, t.automated) == (23, 18, 2, 3, 4)
    assert report.sources[0].owner == ["x:1001", "ana.lima@acme.example"]
    assert report.sources[0].owner_how == "archive"
    (me,) = [p for p in api.people(settings).to_pylist() if p["is_owner"]]
    assert set(me["identities"].split()) == {"x:1001", "ana.lima@acme.example"}
    stats = api.stats(settings)
    assert stats.read == stats.interactions + stats.contacts + stats.duplicates + stats.quarantined
    again = api.ingest(settings, [DATA]).totals  # the same files, by the data folder
    assert (again.read, again.known, again.stored) == (23, 23, 0)


def test_the_archives_account_is_its_owner_even_after_init_me(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "s.duckdb")
    api.init(settings, ["someone@else.example"])
    report = api.ingest(settings, [ARCHIVE])
    assert (report.sources[0].owner, report.sources[0].owner_how) == (
        ["x:1001", "ana.lima@acme.example"],
        "archive",
    )


@pytest.mark.parametrize(
    "text",
    ["Wed Aug 09 16:19:22 +0000 2023", "Sun Mar 03 00:10:00 +0130 2024",
     "Sun Dec 31 23:30:00 -0800 2023"],
)  # fmt: skip
def test_post_times_read_as_strptime_reads_them(text: str) -> None:
    assert _tweet_time(text) == datetime.strptime(text, TWEET_TIME).astimezone(UTC)


@pytest.mark.parametrize("text", ["Thu Feb 30 10:00:00 +0000 2023", "yesterday", "", None, 17])
def test_post_times_that_are_no_times_are_none(text: object) -> None:
    assert _tweet_time(text) is None
