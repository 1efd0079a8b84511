"""Header parsing, message -> record, and the mbox / Maildir / .eml containers."""

from __future__ import annotations

import gzip
import mailbox
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from weakties.records import DateFlag, Interaction, Quarantined, Record, Role
from weakties.sources import headers as hdr
from weakties.sources.email import is_sent_folder, parse_message
from weakties.sources.eml import EmlSource
from weakties.sources.maildir import MaildirSource
from weakties.sources.mbox import MboxSource, scan

MAIL = Path(__file__).parent / "fixtures" / "mail"
ENRON = MAIL / "enron" / "maildir"


def one(record: Record) -> Interaction:
    assert isinstance(record, Interaction), record
    return record


def parse_file(path: Path, **kwargs: object) -> Record:
    return parse_message(path.read_bytes(), str(path), **kwargs)  # type: ignore[arg-type]


def naive_count(path: Path, scratch: Path | None = None) -> int:
    """Messages in an mbox as Python's :mod:`mailbox` splits it.

    :mod:`mailbox` opens files for writing, so shared data is copied first.
    """
    if scratch is not None:
        path = Path(shutil.copy(path, scratch / path.name))
    box = mailbox.mbox(path, create=False)
    try:
        return len(box)
    finally:
        box.close()


def addresses(record: Interaction, role: Role) -> list[str]:
    return [p.address for p in record.participants if p.role is role]


# --- header block ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "end"),
    [
        (b"A: 1\nB: 2\n\nbody", 10),
        (b"A: 1\r\nB: 2\r\n\r\nbody\n\n", 12),
        (b"A: 1\r\nB: 2\n\nbody", 11),
        (b"A: 1\nB: 2\n", -1),
        (b"\r\nbody", 0),
    ],
)
def test_header_end(raw: bytes, end: int) -> None:
    assert hdr.header_end(raw) == end


def test_extract_unfolds_and_keeps_only_wanted_fields() -> None:
    block = (
        b"To: a@b.com, \r\n\tc@d.com\r\nX-Mailer: x\r\n continued: junk\r\n"
        b"SUBJECT : first\r\nSubject: second\r\nTo: e@f.com\r\nReceived: r\r\n"
    )
    fields = hdr.extract_text(block)
    assert fields == {"to": "a@b.com, \tc@d.com, e@f.com", "subject": "first"}


def test_to_text_falls_back_to_latin1_and_drops_nuls() -> None:
    assert hdr.to_text(b" caf\xc3\xa9 ") == "café"
    assert hdr.to_text(b"caf\xe9\x00") == "café"


@pytest.mark.parametrize(
    ("encoded", "text"),
    [
        ("=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?=", "Jörg Müller"),
        ("=?iso-8859-1?q?Fran=E7ois?= x", "François x"),
        ("=?UTF-8?Q?a?= =?UTF-8?Q?_b?=", "a b"),
        ("=?UTF-8?B?8J+Y?= =?UTF-8?B?gA==?=", "😀"),  # one character split over two words
        ("=?x-unknown?Q?caf=C3=A9?=", "café"),
        ("=?UTF-8*en?Q?hi?=", "hi"),
        ("=?UTF-8?B?####?=", ""),
        ("plain =? text", "plain =? text"),
    ],
)
def test_decode_words(encoded: str, text: str) -> None:
    assert hdr.decode_words(encoded) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 13 Dec 2000 07:04:00 -0800 (PST)", datetime(2000, 12, 13, 15, 4, tzinfo=UTC)),
        ("13 Dec 2000 07:04 PST", datetime(2000, 12, 13, 15, 4, tzinfo=UTC)),
        ("Wed, 13 Dec 00 07:04:00 EST", datetime(2000, 12, 13, 12, 4, tzinfo=UTC)),
        ("1 Jan 99 00:00:00 GMT", datetime(1999, 1, 1, tzinfo=UTC)),
        ("Tue, 1 Jan 2019 16:09:38 +0530", datetime(2019, 1, 1, 10, 39, 38, tzinfo=UTC)),
        ("Sun, 20 Nov 0001 08:05:56 -0800 (PST)", datetime(2001, 11, 20, 16, 5, 56, tzinfo=UTC)),
        ("Mon, 5 Oct 2023 12:00:00 UT", datetime(2023, 10, 5, 12, tzinfo=UTC)),
        ("Thu, 05 Oct 2023 12:00:00 +0000 (UTC)", datetime(2023, 10, 5, 12, tzinfo=UTC)),
        ("2020-01-02T03:04:05+01:00", datetime(2020, 1, 2, 2, 4, 5, tzinfo=UTC)),
        ("Fri, 30 Feb 2001 10:00:00 +0000", None),
        ("not a date", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: datetime | None) -> None:
    assert hdr.parse_date(text) == expected


def test_parse_asctime_of_mbox_lines() -> None:
    stamp = hdr.parse_asctime("From edd at debian.org  Fri May 22 13:38:22 2015")
    assert stamp == datetime(2015, 5, 22, 13, 38, 22, tzinfo=UTC)
    gmail = hdr.parse_asctime("From 17845@xxx Mon Jan 01 10:00:00 +0000 2018")
    assert gmail == datetime(2018, 1, 1, 10, tzinfo=UTC)


def test_judge_date() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    assert hdr.judge_date(datetime(1980, 1, 1, tzinfo=UTC), now) is DateFlag.IMPLAUSIBLE
    assert hdr.judge_date(datetime(2038, 1, 19, tzinfo=UTC), now) is DateFlag.IMPLAUSIBLE
    assert hdr.judge_date(datetime(2024, 1, 1, 12, tzinfo=UTC), now) is None
    assert hdr.judge_date(datetime(2001, 1, 1, tzinfo=UTC)) is None
    assert hdr.judge_date(None) is DateFlag.MISSING


def test_subject_hash_normalises() -> None:
    base = hdr.subject_hash("Gas prices")
    assert base is not None and len(base) == 16 and int(base, 16) >= 0
    for variant in ("RE: Gas  prices", "Re: Fwd: FW: gas prices", "AW: WG: [team] Gas prices"):
        assert hdr.subject_hash(variant) == base
    assert hdr.subject_hash("Re: [R-pkg-devel] Re[2]: GAS PRICES") == base
    assert hdr.subject_hash("Gas prices [solved]") != base
    assert hdr.subject_hash("  Re:  ") is None


# --- one message -----------------------------------------------------------------------


def test_enron_sent_message() -> None:
    record = one(parse_file(ENRON / "doe-j" / "sent" / "1.", folder="sent", is_sent=True))
    sender = record.participants[0]
    assert (sender.role, sender.address, sender.name) == (
        Role.FROM,
        "john.doe@enron.com",
        "Doe, John",
    )
    assert addresses(record, Role.TO) == [
        "jane.roe@enron.com",
        "k..allen@enron.com",
        "pat.smith@enron.com",
        "lee.wong@enron.com",
    ]
    assert addresses(record, Role.CC) == ["mary.major@enron.com", "tom.minor@enron.com"]
    assert addresses(record, Role.BCC) == []  # Enron's Bcc copies the Cc
    assert record.timestamp == datetime(2000, 12, 13, 15, 4, tzinfo=UTC)
    assert record.date_flag is None
    assert record.message_id == "1001.1075855000001.JavaMail.evans@thyme"
    assert record.is_sent and record.folder == "sent"
    assert [(a.address, a.other, a.evidence) for a in record.aliases] == [
        ("john.doe@enron.com", "jdoe@enron.com", "exchange-dn")
    ]
    assert record.subject_hash == hdr.subject_hash("Gas prices")
    assert not record.bulk and not record.automated


def test_alias_evidence_needs_the_same_organisation() -> None:
    raw = b"From: p@hotmail.com\nX-From: P </O=ENRON/OU=NA/CN=RECIPIENTS/CN=PALLEN>\n\n"
    assert one(parse_message(raw, "x")).aliases == []
    raw = b"From: p@ect.enron.com\nX-From: P </O=ENRON/OU=NA/CN=RECIPIENTS/CN=PALLEN>\n\n"
    assert [a.other for a in one(parse_message(raw, "x")).aliases] == ["pallen@ect.enron.com"]


def test_enron_odd_recipients() -> None:
    record = one(parse_file(ENRON / "doe-j" / "inbox" / "2."))
    assert [(p.address, p.name) for p in record.participants[1:]] == [
        ("ward@enron.com", "houston"),
        ("john.doe@enron.com", ""),
        ("notes:mark.whitt/den/ect", "Mark Whitt"),
        ("msimpkins@winstead.com", "Simpkins, Michelle"),
        ("jeff.dasovich@enron.com", ""),
        ("soblander@carrfut.com", ""),
    ]
    assert addresses(record, Role.BCC) == []
    assert record.participants[0].name == "Ann Other"


def test_enron_epoch_artefact_is_implausible() -> None:
    record = one(parse_file(ENRON / "doe-j" / "inbox" / "1."))
    assert record.timestamp == datetime(1980, 1, 1, tzinfo=UTC)
    assert record.date_flag is DateFlag.IMPLAUSIBLE
    assert record.participants[0].name == "Brad Galante"
    assert record.automated  # strat_alert@...


def test_encoded_headers() -> None:
    record = one(parse_file(MAIL / "eml" / "encoded.eml"))
    assert [(p.address, p.name) for p in record.participants] == [
        ("joerg@example.de", "Jörg Müller"),
        ("francois@example.fr", "François"),
        ("jane@example.com", "Doe, Jane"),
    ]
    assert record.subject_hash == hdr.subject_hash("Grüße aus Köln 😀")


def test_group_syntax_comments_and_obsolete_date() -> None:
    record = one(parse_file(MAIL / "eml" / "group.eml"))
    assert [(p.role, p.address, p.name) for p in record.participants] == [
        (Role.FROM, "jdoe@example.com", "John Doe"),
        (Role.TO, "ann@example.com", ""),
        (Role.TO, "bob@example.com", "Smith, Bob"),
        (Role.CC, "pallen@example.com", "Allen, Phillip"),
    ]
    assert record.timestamp == datetime(2023, 10, 5, 17, tzinfo=UTC)
    assert record.subject_hash == hdr.subject_hash("plan")


def test_list_traffic_is_bulk() -> None:
    record = one(parse_file(MAIL / "eml" / "list.eml"))
    assert record.bulk and record.list_id == "notmuch.notmuchmail.org"
    assert not record.automated


def test_auto_replies_are_automated() -> None:
    record = one(parse_file(MAIL / "eml" / "autoreply.eml"))
    assert record.automated and not record.bulk
    raw = b"From: a@b.com\nTo: c@d.com\nAuto-Submitted: no\nDate: 1 Jan 2020 00:00 GMT\n\n"
    assert not one(parse_message(raw, "x")).automated
    raw = b"From: a@b.com\nReturn-Path: < >\nDate: 1 Jan 2020 00:00 GMT\n\n"
    assert one(parse_message(raw, "x")).automated


def test_unreadable_date_falls_back_to_first_relay() -> None:
    record = one(parse_file(MAIL / "eml" / "nodate.eml"))
    assert record.timestamp == datetime(2023, 11, 7, 9, 0, 1, tzinfo=UTC)
    assert record.date_flag is DateFlag.UNPARSED
    assert record.automated  # noreply@


def test_missing_date() -> None:
    record = one(parse_message(b"From: a@b.com\nTo: c@d.com\n\n", "x"))
    assert record.timestamp is None and record.date_flag is DateFlag.MISSING


def test_envelope_date_stands_in() -> None:
    raw = b"From a@b.com Fri May 22 13:38:22 2015\nFrom: a@b.com\nSubject: s\n\nbody"
    record = one(parse_message(raw, "x"))
    assert record.timestamp == datetime(2015, 5, 22, 13, 38, 22, tzinfo=UTC)
    assert record.date_flag is DateFlag.UNPARSED
    given = datetime(2016, 1, 1, tzinfo=UTC)
    assert one(parse_message(b"From: a@b.com\n\n", "x", envelope_date=given)).timestamp == given


def test_sender_fallbacks_and_no_sender() -> None:
    assert one(parse_message(b"Sender: s@b.com\nTo: c@d.com\n\n", "x")).participants[0].address == (
        "s@b.com"
    )
    record = one(parse_message(b"From: nobody\nReturn-Path: <r@b.com>\n\n", "x"))
    assert record.participants[0].address == "r@b.com"
    found = parse_file(MAIL / "eml" / "nosender.eml")
    assert isinstance(found, Quarantined) and found.reason == "no-sender"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\n\nbody only",
        b"\x00\x01\x02binary",
        b"just some words\nand more\n",
        b"X-Foo: bar\n\n",
    ],
)
def test_not_a_message(raw: bytes) -> None:
    found = parse_message(raw, "here")
    assert isinstance(found, Quarantined)
    assert (found.reason, found.location) == ("not-a-message", "here")


def test_ids_and_references() -> None:
    record = one(parse_file(MAIL / "maildir" / "alice" / "new" / "1700000100.M2P2.example"))
    assert record.in_reply_to == "c1@example.org"
    assert record.references == ("c0@example.org", "c1@example.org")
    bare = one(parse_message(b"From: a@b.com\nMessage-ID: bare-id@host\n\n", "x"))
    assert bare.message_id == "bare-id@host"


def test_gmail_labels() -> None:
    raw = b"X-Gmail-Labels: Important,Sent,Opened\nFrom: me@gmail.com\nTo: a@b.com\n\n"
    record = one(parse_message(raw, "x", folder="All mail"))
    assert record.is_sent and record.folder == "Important,Sent,Opened"


@pytest.mark.parametrize(
    ("name", "sent"),
    [
        ("sent", True),
        ("_sent_mail", True),
        ("sent_items", True),
        ("Sent Items", True),
        (".Sent", True),
        ("INBOX.Sent", True),
        ("[Gmail]/Sent Mail", True),
        ("Gesendet", True),
        ("Gesendete Objekte", True),
        ("inbox", False),
        ("all_documents", False),
        ("presented", False),
    ],
)
def test_sent_folders(name: str, sent: bool) -> None:
    assert is_sent_folder(name) is sent


# --- containers ------------------------------------------------------------------------


def test_enron_layout_mailbox() -> None:
    source = MaildirSource(ENRON / "doe-j")
    assert source.estimate() == 5
    records = [one(r) for r in source.records()]
    found = {
        (Path(r.location).relative_to(ENRON.resolve()).as_posix(), r.folder, r.is_sent)
        for r in records
    }
    assert found == {
        ("doe-j/_sent_mail/1.", "_sent_mail", True),
        ("doe-j/inbox/1.", "inbox", False),
        ("doe-j/inbox/2.", "inbox", False),
        ("doe-j/personal/home/1.", "personal/home", False),
        ("doe-j/sent/1.", "sent", True),
    }
    assert [r.location for r in records] == sorted(r.location for r in records)


def test_standard_maildir() -> None:
    source = MaildirSource(MAIL / "maildir" / "alice")
    records = [one(r) for r in source.records()]  # tmp/ and dovecot-uidlist are skipped
    assert [(r.folder, r.is_sent, r.message_id) for r in records] == [
        ("Sent", True, "a1@example.com"),
        ("INBOX", False, "c1@example.org"),
        ("INBOX", False, "c2@example.net"),
    ]
    assert all(Path(r.location).is_absolute() for r in records)


def test_plain_folder_root_name_is_the_folder(tmp_path: Path) -> None:
    sent = tmp_path / "Sent Items"
    sent.mkdir()
    shutil.copy(MAIL / "eml" / "list.eml", sent / "1")
    (record,) = MaildirSource(sent, root_folder="Sent Items").records()
    assert one(record).folder == "Sent Items" and one(record).is_sent


def test_gzipped_message_files(tmp_path: Path) -> None:
    data = gzip.compress((MAIL / "eml" / "list.eml").read_bytes())
    (tmp_path / "box" / "cur").mkdir(parents=True)
    (tmp_path / "box" / "cur" / "1.gz").write_bytes(data)
    (tmp_path / "a.eml.gz").write_bytes(data)
    (record,) = MaildirSource(tmp_path / "box").records()
    assert one(record).message_id == "list1@example.org"
    (record,) = EmlSource(tmp_path).records()
    assert one(record).message_id == "list1@example.org"


def test_long_headers_are_read_past_the_first_chunk(tmp_path: Path) -> None:
    to = ", ".join(f"user{i}@example.com" for i in range(5000))
    path = tmp_path / "big"
    path.write_bytes(f"From: a@b.com\nTo: {to}\nDate: 1 Jan 2020 00:00 GMT\n\nbody".encode())
    (record,) = MaildirSource(tmp_path).records()
    assert len(one(record).participants) == 5001


def test_eml_file_and_folder() -> None:
    (record,) = EmlSource(MAIL / "eml" / "list.eml").records()
    assert one(record).folder is None
    records = list(EmlSource(MAIL / "eml").records())
    assert len(records) == 6 and EmlSource(MAIL / "eml").estimate() == 6
    assert sum(isinstance(r, Quarantined) for r in records) == 1


def test_mbox_crlf_escaping_and_offsets() -> None:
    path = MAIL / "mbox" / "crlf.mbox"
    records = [one(r) for r in MboxSource(path).records()]
    assert [r.message_id for r in records] == ["m1@example.com", "m2@example.org"]
    data = path.read_bytes()
    for record in records:
        prefix, offset = record.location.rsplit("#", 1)
        assert prefix == str(path.absolute())
        assert data[int(offset) :].startswith(b"From ")
    assert records[0].folder == "crlf"


def test_pipermail_archive_is_list_traffic_and_avoids_bogus_splits() -> None:
    path = MAIL / "mbox" / "r-pkg-mini" / "2020q1.txt"
    records = [one(r) for r in MboxSource(path).records()]
    assert len(records) == 3
    assert naive_count(path) == 5  # splits at both body lines that start with "From "
    assert all(r.bulk and r.list_id == "r-pkg-mini" for r in records)
    assert [r.participants[0].address for r in records] == [
        "edd@debian.org",
        "murdoch.duncan@gmail.com",
        "edd@debian.org",
    ]
    assert all(len(r.participants) == 1 for r in records)


def test_gmail_takeout_mbox() -> None:
    records = [one(r) for r in MboxSource(MAIL / "mbox" / "takeout.mbox").records()]
    assert [(r.is_sent, r.folder) for r in records] == [
        (True, "Sent,Opened"),
        (False, "Inbox,Important,Category Personal"),
    ]


def test_gzip_mbox_and_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress((MAIL / "mbox" / "crlf.mbox").read_bytes())
    good = tmp_path / "inbox.mbox.gz"
    good.write_bytes(data)
    records = list(MboxSource(good).records())
    assert [one(r).message_id for r in records] == ["m1@example.com", "m2@example.org"]
    assert records[0].location.endswith("inbox.mbox.gz#0")
    cut = tmp_path / "cut.gz"
    cut.write_bytes(data[: len(data) - 20])
    found = list(MboxSource(cut).records())
    assert isinstance(found[-1], Quarantined) and found[-1].reason == "unreadable"


def test_mbox_survives_a_huge_header_line(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    big = b"X-Junk: " + b"From x Fri May 22 13:38:22 2015 " * 40_000 + b"\n"
    message = (
        b"From a@b.com Fri May 22 13:38:22 2015\nFrom: a@b.com\n" + big + b"Subject: s\n\nbody\n"
    )
    path.write_bytes(message * 2)
    records = list(MboxSource(path).records())
    assert [one(r).subject_hash for r in records] == [hdr.subject_hash("s")] * 2


def test_mbox_content_before_first_separator(tmp_path: Path) -> None:
    path = tmp_path / "odd.mbox"
    path.write_bytes(b"From: lost@b.com\nSubject: no envelope\n\nbody\n")
    (record,) = MboxSource(path).records()
    assert one(record).location.endswith("#0")
    with path.open("rb") as stream:
        assert next(scan(stream)).envelope == b""


# --- real corpora ----------------------------------------------------------------------


@pytest.mark.slow
def test_whole_enron_corpus(shared_data: Path) -> None:
    from weakties.sources.registry import discover

    sources = discover([shared_data / "enron-maildir"])
    assert sorted(s.label for s in sources) == [
        "allen-p", "buy-r", "grigsby-m", "keavey-p", "lewis-a", "presto-k",
    ]  # fmt: skip
    records = [r for s in sources for r in s.records()]
    assert len(records) == 14_272 == sum(s.estimate() or 0 for s in sources)
    assert len({r.location for r in records}) == 14_272
    mail = [r for r in records if isinstance(r, Interaction)]
    assert len(mail) + sum(isinstance(r, Quarantined) for r in records) == 14_272
    assert len(mail) > 14_000
    for record in mail:
        cc = set(addresses(record, Role.CC))
        assert not cc & set(addresses(record, Role.BCC))
    pallen = {(a.address, a.other) for r in mail for a in r.aliases}
    assert ("k..allen@enron.com", "pallen@enron.com") in pallen
    assert sum(r.date_flag is DateFlag.IMPLAUSIBLE for r in mail) >= 15
    assert sum(r.is_sent for r in mail) > 3000


@pytest.mark.slow
def test_mailing_lists_are_bulk(shared_data: Path) -> None:
    from weakties.sources.registry import discover

    sources = discover([shared_data / "mailing-lists"])
    kinds = sorted((s.kind, s.label) for s in sources)
    assert [k for k in kinds if k[0] == "maildir"] == [("maildir", "default"), ("maildir", "lkml")]
    assert sum(k[0] == "mbox" for k in kinds) == 8
    archive = [r for s in sources if s.kind == "mbox" for r in s.records()]
    assert all(isinstance(r, Interaction) for r in archive)
    assert all(
        r.bulk and r.list_id == "r-package-devel" for r in archive if isinstance(r, Interaction)
    )
    lkml = [one(r) for s in sources if s.label == "lkml" for r in s.records()]
    assert sum(r.bulk for r in lkml) / len(lkml) > 0.9
    assert any(r.list_id == "linux-kernel.vger.kernel.org" for r in lkml)


@pytest.mark.slow
def test_separator_rule_avoids_bogus_splits(shared_data: Path, tmp_path: Path) -> None:
    total_ours = total_naive = 0
    for path in sorted((shared_data / "mailing-lists" / "r-package-devel").glob("*.txt")):
        ours = list(MboxSource(path).records())
        total_ours += len(ours)
        total_naive += naive_count(path, tmp_path)
        ids = [r.message_id for r in ours if isinstance(r, Interaction)]
        assert len(ids) == len(ours) and None not in ids
    assert total_naive - total_ours == 7
