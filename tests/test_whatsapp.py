"""WhatsApp "Export chat" files: line formats, dates, senders, system lines, overlap."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from weakties import api
from weakties.config import Settings
from weakties.records import Interaction, Quarantined, Record
from weakties.sources.registry import discover
from weakties.sources.whatsapp import WhatsAppSource, is_chat_text
from weakties.sources.whatsapp_lines import HEADER, date_order, split_messages

WHATSAPP = Path(__file__).parent / "fixtures" / "whatsapp"
PHONE = WHATSAPP / "phone"
TRIP = "WhatsApp Chat with Trip.txt"


@pytest.fixture(autouse=True)
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Exports are read in the machine's zone: the tests pin it to UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _records(path: Path) -> dict[str, Record]:
    root = str(path.resolve())
    return {r.location.removeprefix(root).lstrip("/"): r for r in WhatsAppSource(path).records()}


def _people(record: Record) -> list[tuple[str, str]]:
    assert isinstance(record, Interaction)
    return [(str(p.role), p.address.rpartition("/")[2]) for p in record.participants]


@pytest.mark.parametrize(
    "line",
    [
        "15.04.2016, 15:04 - Ana: hi",  # Android, day-first with dots
        "12/31/19, 11:59 PM - Ana: hi",  # Android, US
        "12/31/19, 11:59\u202fPM - Ana: hi",  # with the narrow no-break space
        "2019-10-20, 10:16 - Ana: hi",  # year-first
        "[15-01-20 02:22:56] Ana: hi",  # iOS with seconds
        "\u200e[31/12/2019, 23:59:59] Ana: \u200eimage omitted",  # iOS, marked
        "[12/31/19, 11:59:59 PM] Ana: hi",
    ],
)
def test_the_line_formats_of_android_and_ios_start_a_message(line: str) -> None:
    assert HEADER.match(line)
    (message,), _ = split_messages(line)
    assert message.sender == "Ana"


@pytest.mark.parametrize(
    "line",
    ["Hello there", "15.04.2016 was a good day", "From ana@example.com Mon Jan 1 2024", ""],
)
def test_other_lines_continue_a_message(line: str) -> None:
    assert not HEADER.match(line)


@pytest.mark.parametrize(
    ("days", "twelve_hour", "order"),
    [
        (["13.01.20", "14.01.20"], False, "dmy"),  # 13 is no month
        (["01/13/20", "01/14/20"], True, "mdy"),
        (["01/02/20", "02/01/20"], False, "mdy"),  # runs forward month-first only
        (["02/01/20", "01/02/20"], True, "dmy"),  # runs forward day-first only
        (["03.01.20", "04.01.20"], False, "dmy"),  # either way: day-first, 24-hour clock
        (["03/01/20", "04/01/20"], True, "mdy"),  # either way: month-first, 12-hour clock
        (["2019-10-20", "2019-10-21"], False, "ymd"),
        (["15-01-20", "16-01-20", "22-01-20", "01-02-20"], False, "dmy"),  # lorem.txt's
    ],
)
def test_the_date_order_is_the_one_that_reads_every_date_and_runs_forward(
    days: list[str], twelve_hour: bool, order: str
) -> None:
    assert date_order(days, twelve_hour) == order


def test_system_lines_without_a_sender_whatever_their_language() -> None:
    lines, _ = split_messages(
        '12/30/19, 9:05 PM - Ana Lima created group "Trip: Lisbon"\n'
        "12/30/19, 9:06 PM - Ana Lima added Bo Chen\n"
        "03.01.20, 09:00 - Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.\n"
        "12/31/19, 12:15 PM - Bo Chen left\n"
        "12/31/19, 12:16 PM - Bo Chen: done: all packed\n"
    )
    assert [m.sender for m in lines] == [None, None, None, None, "Bo Chen"]
    assert lines[-1].text == ["done: all packed"]


def test_a_group_chat_its_senders_recipients_and_system_lines() -> None:
    records = _records(PHONE)
    system = [records[f"{TRIP}#{n}"] for n in (1, 2, 3, 4, 11)]
    for record in system:  # notice, created, added x2, left
        assert isinstance(record, Interaction) and record.automated and not record.participants
    booked = records[f"{TRIP}#5"]  # three lines, one message
    assert isinstance(booked, Interaction) and not booked.automated
    assert (booked.channel, booked.public) == ("chat", False)
    assert booked.timestamp == datetime(2019, 12, 30, 21, 10, tzinfo=UTC)
    assert _people(booked) == [("from", "ana_lima"), ("to", "bo_chen"), ("to", "tel:+447700900123")]
    assert f"{TRIP}#6" not in records and f"{TRIP}#7" not in records
    media = records[f"{TRIP}#10"]  # a sender shown by number; "10:01 AM" with U+202F
    assert _people(media)[0] == ("from", "tel:+447700900123")
    assert isinstance(media, Interaction)
    assert media.timestamp == datetime(2019, 12, 31, 10, 1, tzinfo=UTC)


def test_two_identical_messages_in_one_minute_stay_two(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "s.duckdb")
    report = api.ingest(settings, [PHONE / TRIP])
    assert (report.totals.read, report.totals.stored, report.totals.duplicates) == (10, 10, 0)
    records = _records(PHONE / TRIP)
    first, second = records["#8"], records["#9"]
    assert isinstance(first, Interaction) and isinstance(second, Interaction)
    assert first.external_id != second.external_id


def test_a_folder_of_one_phones_chats_names_its_owner_and_skips_the_media(tmp_path: Path) -> None:
    (source,) = discover([PHONE])
    assert isinstance(source, WhatsAppSource)
    settings = Settings(db_path=tmp_path / "s.duckdb")
    report = api.ingest(settings, [PHONE])
    assert report.totals.read == report.totals.stored == 16
    (owner,) = report.sources[0].owner
    assert owner.startswith("whatsapp:") and owner.endswith("/ana_lima")
    assert report.sources[0].owner_how == "inferred"


def _addresses_named(name: str, *paths: Path) -> set[str]:
    return {
        p.address
        for path in paths
        for r in WhatsAppSource(path).records()
        if isinstance(r, Interaction)
        for p in r.participants
        if p.name == name
    }


def test_one_name_in_two_chats_of_a_folder_is_one_person_but_not_across_phones() -> None:
    assert len(_addresses_named("Bo Chen", PHONE)) == 1  # in two of the phone's chats
    assert len(_addresses_named("Bo Chen", PHONE, WHATSAPP / "de")) == 2  # another folder


GERMAN = "WhatsApp Chat mit Bo Chen.txt"


def test_german_android_export_reads_day_first_and_the_notice_as_whatsapps() -> None:
    records = _records(WHATSAPP / "de")
    notice, hello = records[f"{GERMAN}#1"], records[f"{GERMAN}#2"]
    assert isinstance(notice, Interaction) and notice.automated
    assert isinstance(hello, Interaction)
    assert hello.timestamp == datetime(2020, 1, 3, 9, 1, tzinfo=UTC)


def test_ios_lines_under_the_chats_name_are_whatsapps_own() -> None:
    records = _records(WHATSAPP / "ios" / "WhatsApp Chat - Trip")
    notice, added = records["_chat.txt#1"], records["_chat.txt#2"]
    for record in (notice, added):
        assert isinstance(record, Interaction) and record.automated and not record.participants
    image = records["_chat.txt#5"]  # a marked line from a person is a message (media)
    assert isinstance(image, Interaction) and not image.automated
    assert image.timestamp == datetime(2019, 12, 30, 21, 12, 3, tzinfo=UTC)
    everyone = {a for r in records.values() for _, a in _people(r)}
    assert everyone == {"ana_lima", "bo_chen", "cy_dufour"}  # "Trip" is the chat, not a person
    great = [records["_chat.txt#6"], records["_chat.txt#7"]]
    assert [isinstance(r, Interaction) and r.timestamp.second for r in great] == [0, 30]  # type: ignore[union-attr]


def test_the_spanish_notice_is_whatsapps() -> None:
    records = _records(WHATSAPP / "es" / "chat.txt")
    assert [isinstance(r, Interaction) and r.automated for r in records.values()] == [
        True,
        False,
        False,
    ]


def test_overlapping_exports_of_one_chat_store_each_message_once(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "s.duckdb")
    first = api.ingest(settings, [WHATSAPP / "overlap" / "part-a.txt"]).totals
    second = api.ingest(settings, [WHATSAPP / "overlap" / "part-b.txt"]).totals
    assert (first.stored, second.stored, second.duplicates) == (5, 2, 4)


def test_a_time_is_read_in_the_machines_zone_and_keyed_as_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    in_utc = _records(WHATSAPP / "de")[f"{GERMAN}#2"]
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    in_tokyo = _records(WHATSAPP / "de")[f"{GERMAN}#2"]
    assert isinstance(in_utc, Interaction) and isinstance(in_tokyo, Interaction)
    assert in_tokyo.timestamp == datetime(2020, 1, 3, 0, 1, tzinfo=UTC)  # 09:01 in Tokyo
    assert in_tokyo.external_id == in_utc.external_id  # one message, wherever it is read


def test_text_before_the_first_dated_line_and_bad_dates_are_quarantined(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "15.04.2016, 15:04 - Ana: hi\n"
        "31.02.2016, 15:05 - Bo: a date that does not exist\n"
        "15.04.2016, 25:04 - Bo: nor does this hour\n"
    )
    records = list(WhatsAppSource(chat).records())
    assert [r.reason for r in records if isinstance(r, Quarantined)] == ["bad-date", "bad-date"]
    chat.write_text("continued from an earlier part\n15.04.2016, 15:04 - Ana: hi\n")
    records = list(WhatsAppSource(chat).records())
    assert isinstance(records[0], Quarantined) and records[0].reason == "not-a-message"
    assert isinstance(records[1], Interaction)


def test_only_chat_texts_are_claimed() -> None:
    assert is_chat_text(b"\xef\xbb\xbf15.04.2016, 15:04 - Ana: hi\n")
    assert not is_chat_text(b"From ana@example.com Mon Jan  1 00:00:00 2024\n")
    assert not is_chat_text(b"timestamp,channel,sender\n")
    assert not is_chat_text(b"2024-01-02, 10:00 - server started\n2024-01-02, 10:01 - ready\n")
    assert is_chat_text(b"2024-01-02, 10:00 - Messages and calls are end-to-end encrypted.\n")


def test_lorem_merge_parts_are_one_chat_and_an_export_spanning_both_adds_nothing(
    shared_data: Path, tmp_path: Path
) -> None:
    samples = shared_data / "export-samples" / "whatsapp"
    part1, part2 = samples / "lorem-merge-part1.txt", samples / "lorem-merge-part2.txt"
    settings = Settings(db_path=tmp_path / "s.duckdb")
    parts = api.ingest(settings, [part1, part2]).totals
    assert (parts.read, parts.stored) == (600, 600)
    whole = tmp_path / "whole" / "lorem-merge.txt"  # the later export holds the earlier one
    whole.parent.mkdir()
    text1, text2 = part1.read_text(), part2.read_text()
    whole.write_text(text1.rstrip("\n") + "\n" + text2)
    middle = tmp_path / "whole" / "lorem-middle.txt"  # and one that starts midway
    middle.write_text("\n".join(text1.splitlines()[150:] + text2.splitlines()[:150]) + "\n")
    again = api.ingest(settings, [whole, middle]).totals
    assert (again.read, again.stored, again.duplicates) == (900, 0, 900)
    people = {r["name"] for r in api.people(settings).to_pylist()}
    assert {"John", "Giuseppe", "Mary"} <= people


def test_init_me_names_the_owner_of_a_single_chat(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "s.duckdb")
    assert api.ingest(settings, [PHONE / TRIP]).sources[0].owner == []
    api.init(settings, ["ana@acme.example"])
    report = api.ingest(settings, [WHATSAPP / "de"])
    assert (report.sources[0].owner, report.sources[0].owner_how) == (["ana@acme.example"], "init")


def test_a_day_the_clocks_change_reads_each_message_in_its_own_offset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chat = tmp_path / "chat.txt"  # the UK went from GMT to BST at 01:00 on 29 March 2020
    chat.write_text("29/03/2020, 00:30 - Ana: before\n29/03/2020, 03:00 - Bo: after\n")
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    stamps = [r.timestamp for r in WhatsAppSource(chat).records() if isinstance(r, Interaction)]
    gmt, bst = datetime(2020, 3, 29, 0, 30, tzinfo=UTC), datetime(2020, 3, 29, 2, 0, tzinfo=UTC)
    assert stamps == [gmt, bst]


def test_a_folder_with_a_chat_and_other_readable_files_is_read_file_by_file(
    tmp_path: Path,
) -> None:
    shutil.copy(PHONE / TRIP, tmp_path / TRIP)
    mbox = Path(__file__).parent / "fixtures" / "mail" / "mbox" / "r-pkg-mini" / "2020q1.txt"
    shutil.copy(mbox, tmp_path / "list-archive.txt")  # mail in a .txt: not WhatsApp's
    shutil.copy(PHONE / "IMG-20191231-WA0001.jpg", tmp_path / "IMG-20191231-WA0001.jpg")
    kinds = sorted(type(s).__name__ for s in discover([tmp_path]))
    assert kinds == ["MboxSource", "WhatsAppSource"]
    (tmp_path / "list-archive.txt").unlink()
    (whole,) = discover([tmp_path])  # a chat and its media: one WhatsApp folder
    assert isinstance(whole, WhatsAppSource) and whole.path == tmp_path
