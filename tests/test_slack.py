"""Slack workspace exports: members, channels, private channels, group DMs and DMs."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from weakties import api
from weakties.config import Settings
from weakties.records import Contact, Interaction, Quarantined
from weakties.sources.registry import discover
from weakties.sources.slack import MAX_MEMBERS, SlackSource

ACME = Path(__file__).parent / "fixtures" / "slack" / "acme"
ANA, BO, CY = "slack:t0acme001/u0ana0001", "slack:t0acme001/u0bo00002", "slack:t0acme001/u0cy00003"


def _by_location(path: Path = ACME) -> dict[str, Interaction | Contact | Quarantined]:
    root = str(path.resolve())
    return {r.location.removeprefix(root + "/"): r for r in SlackSource(path).records()}


def _roles(record: object) -> set[tuple[str, str]]:
    assert isinstance(record, Interaction)
    return {(str(p.role), p.address) for p in record.participants}


def test_the_registry_reads_an_export_folder_as_one_slack_source() -> None:
    (source,) = discover([ACME])
    assert isinstance(source, SlackSource)


def test_members_are_contacts_joining_slack_id_email_and_phone() -> None:
    records = _by_location()
    ana = records["users.json#0"]
    assert isinstance(ana, Contact)
    assert ana.identities == (ANA, "ana.lima@acme.example", "tel:+442079460018")
    assert (ana.name, ana.title, str(ana.kind)) == ("Ana Lima", "Head of Sales", "member")
    cy = records["users.json#2"]  # deleted, without e-mail: still a member
    assert isinstance(cy, Contact) and cy.identities == (CY,)
    bot, junk = records["users.json#3"], records["users.json#4"]
    assert isinstance(bot, Quarantined) and bot.reason == "bot"
    assert isinstance(junk, Quarantined) and junk.reason == "not-a-person"


def test_a_public_post_is_seen_by_the_channel_and_addresses_nobody() -> None:
    post = _by_location()["general/2024-03-01.json#1"]
    assert isinstance(post, Interaction)
    assert (post.channel, post.public, post.automated) == ("post", True, False)
    assert post.timestamp == datetime(2024, 3, 1, 10, 1, 0, 200, tzinfo=UTC)
    assert _roles(post) == {("from", ANA), ("member", BO), ("member", CY)}


def test_thread_replies_address_the_threads_author_even_a_day_later() -> None:
    records = _by_location()
    parent = records["general/2024-03-01.json#1"]
    same_day, next_day = records["general/2024-03-01.json#2"], records["general/2024-03-02.json#0"]
    assert isinstance(parent, Interaction)
    for reply in (same_day, next_day):
        assert isinstance(reply, Interaction)
        assert reply.in_reply_to == parent.message_id
        assert ("to", ANA) in _roles(reply) and reply.public
    assert ("from", CY) in _roles(next_day)  # found by its thread_ts alone (no parent_user_id)


def test_mentions_address_the_mentioned() -> None:
    mention = _by_location()["general/2024-03-01.json#3"]
    assert _roles(mention) == {("from", BO), ("to", CY), ("to", ANA)}


def test_bots_and_slacks_own_lines_are_automated_and_never_sent_by_a_person() -> None:
    records = _by_location()
    join, bot, bot_user = (records[f"general/2024-03-01.json#{i}"] for i in (0, 4, 5))
    leave = records["general/2024-03-02.json#1"]
    for record in (join, bot, bot_user, leave):
        assert isinstance(record, Interaction) and record.automated
    assert _roles(join) == _roles(leave) == {("member", CY)}  # about Cy, not written by Cy
    assert _roles(bot) == {("from", "slack:t0acme001/b0github1")}
    assert isinstance(bot, Interaction) and bot.participants[0].name == "GitHub"
    assert _roles(bot_user) == {("from", "slack:t0acme001/u0bot0004")}


def test_private_channels_group_dms_and_dms() -> None:
    records = _by_location()
    private = records["secret/2024-03-01.json#0"]
    assert isinstance(private, Interaction)
    assert (private.channel, private.public) == ("post", False)
    group = records["mpdm-ana--bo--cy-1/2024-03-01.json#0"]
    assert isinstance(group, Interaction) and (group.channel, group.public) == ("chat", False)
    assert _roles(group) == {("from", CY), ("to", ANA), ("to", BO)}
    dm = records["D0DM00001/2024-03-01.json#1"]
    assert isinstance(dm, Interaction) and dm.channel == "chat"
    assert _roles(dm) == {("from", BO), ("to", ANA)}


def test_a_folder_no_list_names_is_read_as_a_private_channel() -> None:
    old = _by_location()["old-ideas/2024-01-05.json#0"]
    assert isinstance(old, Interaction)
    assert (old.channel, old.public) == ("post", False)


def test_broken_files_and_messages_are_quarantined_with_a_reason() -> None:
    records = _by_location()
    broken, no_ts = records["general/2024-03-03.json"], records["general/2024-03-01.json#6"]
    assert isinstance(broken, Quarantined) and broken.reason == "bad-json"
    assert isinstance(no_ts, Quarantined) and no_ts.reason == "bad-date"


def test_ingest_accounts_for_every_record_and_joins_the_members_addresses(
    tmp_path: Path,
) -> None:
    settings = Settings(db_path=tmp_path / "s.duckdb")
    report = api.ingest(settings, [ACME])
    t = report.totals
    assert (t.read, t.stored, t.duplicates, t.quarantined, t.automated) == (20, 16, 0, 4, 4)
    assert report.sources[0].owner == []  # an admin's export: nobody's in particular
    stats = api.stats(settings)
    assert stats.read == stats.interactions + stats.contacts + stats.duplicates + stats.quarantined
    assert (stats.interactions, stats.contacts) == (13, 3)
    ana = api.people(settings, search="Ana Lima").to_pylist()
    assert len(ana) == 1
    assert set(ana[0]["identities"].split()) == {ANA, "ana.lima@acme.example", "tel:+442079460018"}
    again = api.ingest(settings, [ACME]).totals
    assert (again.read, again.known, again.stored) == (20, 20, 0)


def test_two_exports_of_one_workspace_store_each_message_once(tmp_path: Path) -> None:
    copy = tmp_path / "acme-later"
    shutil.copytree(ACME, copy)
    settings = Settings(db_path=tmp_path / "s.duckdb")
    api.ingest(settings, [ACME])
    second = api.ingest(settings, [copy]).totals
    assert (second.stored, second.duplicates, second.quarantined) == (0, 16, 4)


def _export(tmp_path: Path, messages: list[Any], members: list[str]) -> Path:
    root = tmp_path / "export"
    (root / "big").mkdir(parents=True)
    users = [{"id": m, "team_id": "T1", "name": m} for m in members]
    (root / "users.json").write_text(json.dumps(users))
    channel = {"id": "C1", "name": "big", "members": members}
    (root / "channels.json").write_text(json.dumps([channel]))
    (root / "big" / "2024-01-01.json").write_text(json.dumps(messages))
    return root


@pytest.mark.parametrize("size", [MAX_MEMBERS, MAX_MEMBERS + 1])
def test_members_are_kept_only_for_channels_of_a_knowable_size(tmp_path: Path, size: int) -> None:
    members = [f"U{i:05d}" for i in range(size)]
    root = _export(tmp_path, [{"user": "U00000", "text": "hi all", "ts": "1704100000.1"}], members)
    (post,) = [r for r in SlackSource(root).records() if isinstance(r, Interaction)]
    expected = size - 1 if size <= MAX_MEMBERS else 0
    assert sum(1 for p in post.participants if str(p.role) == "member") == expected


def test_without_team_ids_the_workspace_is_named_by_its_first_channel(tmp_path: Path) -> None:
    root = _export(tmp_path, [{"user": "U1", "text": "hi", "ts": "1704100000.1"}], ["U1"])
    (root / "users.json").write_text(json.dumps([{"id": "U1", "name": "one"}]))
    (post,) = [r for r in SlackSource(root).records() if isinstance(r, Interaction)]
    assert post.participants[0].address == "slack:~c1/u1"
