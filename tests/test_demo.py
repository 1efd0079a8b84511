"""The demo organisation: deterministic, a real mbox, and its planted truth holds."""

from __future__ import annotations

import csv
import json
import mailbox
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from weakties.cli import run
from weakties.demo import DemoConfig, DemoFiles, DemoTruth, generate, generate_events, load_truth
from weakties.errors import InputError

SMALL = DemoConfig(seed=3, colleagues=80, companies=10, months=12)


@dataclass(frozen=True)
class Seen:
    """What a test needs from one parsed message."""

    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    when: datetime
    message_id: str
    in_reply_to: str
    labels: str
    headers: dict[str, str]

    @property
    def people(self) -> set[str]:
        return {self.sender, *self.to, *self.cc}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate(DemoConfig(), tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def truth(demo: DemoFiles) -> DemoTruth:
    return load_truth(demo.truth)


@pytest.fixture(scope="module")
def seen(demo: DemoFiles) -> list[Seen]:
    return [_seen(message) for message in _messages(demo.mbox)]


def _messages(path: Path) -> list[mailbox.mboxMessage]:
    box = mailbox.mbox(path, create=False)
    try:
        return list(box)
    finally:
        box.close()


def _seen(message: mailbox.mboxMessage) -> Seen:
    def addresses(name: str) -> tuple[str, ...]:
        return tuple(a.lower() for _, a in getaddresses(message.get_all(name, [])) if "@" in a)

    return Seen(
        sender=addresses("From")[0],
        to=addresses("To"),
        cc=addresses("Cc"),
        when=parsedate_to_datetime(message["Date"]),
        message_id=message["Message-ID"],
        in_reply_to=message.get("In-Reply-To", ""),
        labels=message.get("X-Gmail-Labels", ""),
        headers={k: str(v) for k, v in message.items()},
    )


def _pairs(seen: list[Seen], owner: set[str]) -> tuple[Counter[str], Counter[str]]:
    """Messages from the owner to each address, and from each address to the owner."""
    sent, received = Counter[str](), Counter[str]()
    for m in seen:
        if m.sender in owner:
            sent.update(set(m.to + m.cc))
        elif owner & set(m.to + m.cc):
            received[m.sender] += 1
    return sent, received


def test_same_config_gives_byte_identical_files(demo: DemoFiles, tmp_path: Path) -> None:
    again = generate(DemoConfig(), tmp_path)
    assert again.mbox.read_bytes() == demo.mbox.read_bytes()
    assert again.truth.read_bytes() == demo.truth.read_bytes()


def test_another_seed_gives_another_mailbox(tmp_path: Path) -> None:
    one = generate(SMALL, tmp_path / "one")
    two = generate(DemoConfig(seed=4, colleagues=80, companies=10, months=12), tmp_path / "two")
    assert one.mbox.read_bytes() != two.mbox.read_bytes()


def test_mbox_parses_into_the_reported_messages(seen: list[Seen], truth: DemoTruth) -> None:
    counts = truth.counts
    assert len(seen) == counts.messages_written
    assert 4000 <= counts.unique_messages <= 8000
    ids = Counter(m.message_id for m in seen)
    assert len(ids) == counts.unique_messages
    assert sum(n - 1 for n in ids.values()) == counts.duplicates > 0
    assert all(i.startswith("<") and i.endswith(">") and "@" in i for i in ids)


def test_every_message_has_from_date_and_id_within_the_period(
    seen: list[Seen], truth: DemoTruth
) -> None:
    start = datetime.combine(truth.period_start, datetime.min.time(), UTC)
    end = datetime.combine(truth.period_end, datetime.max.time(), UTC)
    for m in seen:
        assert m.sender and m.message_id and m.when.tzinfo is not None
        assert start <= m.when <= end
    assert truth.period_end == date(2026, 10, 31)
    assert (truth.period_end - truth.period_start).days > 365


def test_mbox_file_format(demo: DemoFiles) -> None:
    raw = demo.mbox.read_bytes()
    assert b"\r\n" not in raw
    lines = raw.split(b"\n")
    separators = [line for line in lines if line.startswith(b"From ")]
    assert all(len(line.split()) == 7 for line in separators)  # From addr Www Mmm dd hh:mm:ss yyyy
    assert any(line.startswith(b">From ") for line in lines)
    assert b"\nDate: " in raw and b" +0100\n" in raw


def test_sent_label_marks_exactly_the_owners_messages(seen: list[Seen], truth: DemoTruth) -> None:
    owner = set(truth.owner)
    for m in seen:
        assert ("Sent" in m.labels.split(",")) == (m.sender in owner), m.message_id
    assert sum(m.sender == truth.owner[1] for m in seen) > 0  # the personal address is used


def test_non_ascii_names_are_encoded_and_decode_back(demo: DemoFiles) -> None:
    decoded = set()
    for message in _messages(demo.mbox):
        for name in ("From", "Subject"):
            value = message[name]
            if value is not None and "=?utf-8?" in value:
                decoded.add(str(make_header(decode_header(value))))
    text = " ".join(decoded)
    assert "José Núñez" in text
    assert "Zoë Ångström" in text


def test_replies_point_at_messages_in_the_file(seen: list[Seen]) -> None:
    ids = {m.message_id for m in seen}
    replies = [m for m in seen if m.in_reply_to]
    assert len(replies) > 1000
    assert all(m.in_reply_to in ids for m in replies)
    assert all(m.in_reply_to in m.headers["References"].split() for m in replies)


def test_planted_categories_are_non_empty_and_disjoint(truth: DemoTruth) -> None:
    groups = {
        "close": set(truth.close),
        "regular": set(truth.regular),
        "bridges": {b.address for b in truth.bridges},
        "dormant": {d.address for d in truth.dormant},
        "one_way": {o.address for o in truth.one_way},
        "automated": set(truth.automated),
        "bulk": set(truth.bulk),
        "owner": set(truth.owner),
    }
    assert all(groups.values())
    names = list(groups)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not groups[a] & groups[b], (a, b)
    assert 10 <= len(truth.close) <= 14
    assert 8 <= len(truth.teams) <= 12
    assert 15 <= len(truth.companies) <= 25
    assert set(truth.blast) <= set(truth.bulk)
    assert truth.mailing_lists and truth.aliases and truth.org_links


def test_teams_and_companies_cover_the_organisation(truth: DemoTruth) -> None:
    colleagues = [a for members in truth.teams.values() for a in members]
    assert len(colleagues) == len(set(colleagues)) == truth.counts.colleagues + 1
    assert truth.owner[0] in colleagues
    assert all(a.endswith("@northwind.example") for a in colleagues)
    for company in truth.companies:
        assert company.domain.endswith(".example")
        assert all(a.endswith("@" + company.domain) for a in company.contacts)


def test_dormant_contacts_are_early_and_then_silent(seen: list[Seen], truth: DemoTruth) -> None:
    end = datetime.combine(truth.period_end, datetime.max.time(), UTC)
    early = datetime.combine(truth.period_start, datetime.min.time(), UTC) + timedelta(days=150)
    for person in truth.dormant:
        mine = set(truth.addresses_of(person.address))
        dates = [m.when for m in seen if m.people & mine]
        assert max(dates) < end - timedelta(days=183), person
        assert sum(d < early for d in dates) >= 10, person
        assert max(dates).astimezone(UTC).date() == person.last_contact


def test_close_collaborators_are_two_way_over_the_whole_period(
    seen: list[Seen], truth: DemoTruth
) -> None:
    sent, received = _pairs(seen, set(truth.owner))
    last_quarter = datetime.combine(truth.period_end, datetime.min.time(), UTC) - timedelta(90)
    for address in truth.close:
        mine = truth.addresses_of(address)
        assert sum(sent[a] for a in mine) >= 10, address
        assert sum(received[a] for a in mine) >= 10, address
        assert any(m.when > last_quarter and m.people & set(mine) for m in seen), address
    typical_close = sorted(sum(sent[a] for a in truth.addresses_of(c)) for c in truth.close)
    typical_regular = sorted(sum(sent[a] for a in truth.addresses_of(r)) for r in truth.regular)
    assert typical_close[len(typical_close) // 2] > 4 * typical_regular[len(typical_regular) // 2]


def test_bridges_are_two_way_and_lead_outside_the_close_circle(
    seen: list[Seen], truth: DemoTruth
) -> None:
    sent, received = _pairs(seen, set(truth.owner))
    group_of = {a: team for team, members in truth.teams.items() for a in members}
    group_of |= {a: c.name for c in truth.companies for a in c.contacts}
    circle = {group_of[a] for a in truth.close + truth.regular}
    for bridge in truth.bridges:
        mine = truth.addresses_of(bridge.address)
        assert sum(sent[a] for a in mine) > 0 and sum(received[a] for a in mine) > 0
        assert group_of[bridge.address] == bridge.target
        assert bridge.target not in circle
    assert {b.kind for b in truth.bridges} == {"team", "company"}


def test_one_way_senders_never_hear_back(seen: list[Seen], truth: DemoTruth) -> None:
    sent, received = _pairs(seen, set(truth.owner))
    for person in truth.one_way:
        assert received[person.address] >= 3
        assert sent[person.address] == 0


def test_noise_carries_the_headers_of_its_kind(seen: list[Seen], truth: DemoTruth) -> None:
    list_ids = {f"<{m.list_id}>" for m in truth.mailing_lists}
    by_kind: dict[str, list[Seen]] = defaultdict(list)
    for m in seen:
        if "List-Id" in m.headers:
            assert m.headers["List-Id"].split()[-1] in list_ids
            assert m.headers["Precedence"] == "list" and "List-Unsubscribe" in m.headers
            by_kind["list"].append(m)
        elif m.sender in truth.automated:
            assert m.headers["Auto-Submitted"] == "auto-generated"
            by_kind["automated"].append(m)
        elif m.sender in truth.blast:
            assert len(m.to) > 200 or m.headers["To"] == "undisclosed-recipients:;"
            by_kind["blast"].append(m)
        elif m.sender in truth.bulk:
            assert m.headers["Precedence"] == "bulk" and "List-Unsubscribe" in m.headers
            by_kind["bulk"].append(m)
    assert all(len(by_kind[k]) >= 20 for k in ("list", "automated", "blast", "bulk"))


def test_group_threads_reach_many_people(seen: list[Seen], truth: DemoTruth) -> None:
    widest = max(len(m.to) + len(m.cc) for m in seen if m.sender not in truth.blast)
    assert widest >= 150
    assert sum(1 for m in seen if m.cc) > 100


def test_truth_round_trips_through_json(demo: DemoFiles, truth: DemoTruth) -> None:
    raw = json.loads(demo.truth.read_text(encoding="utf-8"))
    assert raw["schema"] == 3
    assert raw["config"]["seed"] == 7 and raw["config"]["end"] == "2026-10-31"
    assert truth.config == DemoConfig()
    assert truth.dormant[0].last_contact.isoformat() == raw["dormant"][0]["last_contact"]


def test_bad_truth_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        load_truth(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": 1, "config": {}}', encoding="utf-8")
    with pytest.raises(InputError):
        load_truth(broken)


@pytest.mark.parametrize(
    "changes", [{"scale": 0}, {"months": 6}, {"colleagues": 10}, {"companies": 2}]
)
def test_impossible_configs_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        DemoConfig(**changes)


def test_scale_multiplies_people_and_messages(truth: DemoTruth, tmp_path: Path) -> None:
    doubled = load_truth(generate(DemoConfig(scale=2), tmp_path).truth)
    ratio = doubled.counts.unique_messages / truth.counts.unique_messages
    assert 1.7 <= ratio <= 2.3
    assert doubled.counts.colleagues == 2 * truth.counts.colleagues
    assert doubled.counts.companies == 2 * truth.counts.companies


def test_events_log_is_deterministic_and_org_wide(tmp_path: Path) -> None:
    path = generate_events(SMALL, tmp_path / "one")
    assert path.read_bytes() == generate_events(SMALL, tmp_path / "two").read_bytes()
    truth = load_truth(generate(SMALL, tmp_path / "one").truth)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "timestamp",
        "channel",
        "sender",
        "recipients",
        "duration_s",
        "thread_id",
        "interaction_id",
    ]
    assert {r["channel"] for r in rows} == {"email", "meeting", "call"}
    assert all(int(r["duration_s"]) > 0 for r in rows if r["channel"] != "email")
    assert len({r["interaction_id"] for r in rows}) == len(rows)
    stamps = [datetime.fromisoformat(r["timestamp"]) for r in rows]
    assert stamps == sorted(stamps)
    owner = set(truth.owner)
    others = [
        r for r in rows if r["sender"] not in owner and not owner & set(r["recipients"].split(";"))
    ]
    assert len(others) > len(rows) / 2
    _check_events_match_truth(rows, truth)


def _check_events_match_truth(rows: list[dict[str, str]], truth: DemoTruth) -> None:
    """Cross-team links show up as mail, and former colleagues fall silent."""
    talk = {(r["sender"], x) for r in rows for x in r["recipients"].split(";")}
    for link in truth.org_links:
        assert (link.address, link.other) in talk or (link.other, link.address) in talk
    cutoff = datetime.combine(truth.period_end, datetime.min.time(), UTC) - timedelta(183)
    gone = {d.address for d in truth.dormant}
    late = [r for r in rows if datetime.fromisoformat(r["timestamp"]) > cutoff]
    assert late and not any(gone & {r["sender"], *r["recipients"].split(";")} for r in late)


def test_the_demo_command_shows_every_answer_and_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `make demo` prints: the owner's view, one answer of each question users act
    on, this week's nudges, the introductions found, and the report written beside."""
    code = run(["--db", str(tmp_path / "demo.duckdb"), "demo", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    for title in (
        "Strongest ties of Dana Okafor",
        "Who can introduce you",
        "People to meet",
        "Back channels around a stakeholder",
        "Accounts, riskiest first",
        "Get in touch this week",
        "Introductions, and what came of them",
    ):
        assert title in out, title
    report = tmp_path / "out" / "report.html"
    assert report.stat().st_size > 10_000
    assert str(report) in out.replace("\n", "")
