"""The LinkedIn data export: fixtures written from LinkedIn's documented column layout."""

from __future__ import annotations

import shutil
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from weakties import api
from weakties.config import Settings
from weakties.errors import InputError
from weakties.records import Contact, ContactKind, Interaction, Quarantined, Role
from weakties.sources.linkedin import LinkedInSource
from weakties.sources.registry import discover
from weakties.store import connect

EXPORT = Path(__file__).parent / "fixtures" / "linkedin"
RAE = "linkedin:in/rae-quinn"
ANA = "linkedin:in/ana-lima-42"


def _records(path: Path) -> list[Contact | Interaction | Quarantined]:
    return list(LinkedInSource(path).records())


def test_registry_claims_the_folder_and_a_lone_connections_file() -> None:
    assert [s.kind for s in discover([EXPORT])] == ["linkedin"]
    assert [s.kind for s in discover([EXPORT / "Connections.csv"])] == ["linkedin"]


def test_connections_are_contacts_and_dated_ties() -> None:
    records = _records(EXPORT)
    contacts = [r for r in records if isinstance(r, Contact)]
    me = next(c for c in contacts if c.kind is ContactKind.SELF)
    assert (me.name, me.identities) == (
        "Rae Quinn",
        (RAE, "rae@quinn.example", "rae.quinn@gmail.com"),
    )
    ana = next(c for c in contacts if c.name == "Ana Lima")
    assert ana.kind is ContactKind.CONNECTION and ana.identities == (ANA,)
    assert (ana.organisation, ana.title) == ("Northwind Traders", "Account Director")
    assert ana.since == datetime(2019, 3, 14, tzinfo=UTC)
    dee = next(c for c in contacts if c.name == "Dee Park")
    assert dee.identities == ("linkedin:in/dee-park", "dee.p@gmail.com")
    ivy = next(c for c in contacts if c.name == "Ivy 陈")
    assert ivy.identities == ("linkedin:in/陈-ivy",) and ivy.title == "Consultant 🌱"
    ties = [r for r in records if isinstance(r, Interaction) and r.channel == "connection"]
    assert len(ties) == 4 and all(t.is_sent for t in ties)
    first = ties[0]
    assert [(p.role, p.address) for p in first.participants] == [(Role.FROM, RAE), (Role.TO, ANA)]
    assert first.timestamp == ana.since and first.location.endswith("Connections.csv#row1#tie")
    bad = [r for r in records if isinstance(r, Quarantined)]
    assert {(Path(q.location).name, q.reason) for q in bad} == {
        ("Connections.csv#row5", "no-identity"),
        ("messages.csv#row4", "no-sender"),  # a deleted member
    }


def test_messages_are_chats_without_content() -> None:
    chats = [r for r in _records(EXPORT) if isinstance(r, Interaction) and r.channel == "chat"]
    assert len(chats) == 5
    reply = chats[1]
    assert [p.address for p in reply.participants] == [ANA, RAE]
    assert reply.timestamp == datetime(2024, 1, 15, 16, 2, 11, tzinfo=UTC)
    assert reply.thread_id == "linkedin:2-YWJj" and not reply.is_sent and chats[0].is_sent
    group = chats[3]
    assert [p.address for p in group.participants] == [RAE, ANA, "linkedin:in/dee-park"]
    sponsored = chats[4]
    assert sponsored.bulk
    text = repr(chats)
    assert "lunch" not in text and "Tuesday" not in text  # contents are never read


def test_invitations_are_directed() -> None:
    invitations = [
        r for r in _records(EXPORT) if isinstance(r, Interaction) and r.channel == "invitation"
    ]
    out, incoming = invitations
    assert [p.address for p in out.participants] == [RAE, "linkedin:in/jo-bell"] and out.is_sent
    assert out.timestamp == datetime(2024, 3, 4, 11, 27, tzinfo=UTC)
    assert [p.address for p in incoming.participants] == ["linkedin:in/kim-lee-99", RAE]


def test_export_end_to_end(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "l.duckdb")
    report = api.ingest(settings, [EXPORT])
    (source,) = report.sources
    assert source.owner == [RAE] and source.owner_how == "inferred"
    totals = report.totals
    assert totals.read == totals.stored + totals.duplicates + totals.quarantined == 18
    people = {p["name"]: p for p in api.people(settings, limit=None).to_pylist()}
    rae = people["Rae Quinn"]
    assert rae["is_owner"] and rae["identities"].split()[1:] == [
        "rae.quinn@gmail.com",
        "rae@quinn.example",
    ]
    assert people["Hal Ito"]["organisation"] == "Umbrella, Inc."  # named by the connection
    assert people["Ivy 陈"]["organisation"] is None  # "Self-employed" names no employer
    assert people["Dee Park"]["organisation"] == "Contoso"  # gmail.com names none
    api.analyze(settings)
    ties = {(t["person_a"], t["person_b"]): t for t in api.ties(settings, limit=None).to_pylist()}
    ivy = ties.get(("Ivy 陈", "Rae Quinn")) or ties[("Rae Quinn", "Ivy 陈")]
    assert ivy["band"] == "weak" and ivy["messages"] == 1  # a connection alone: known, not one-way
    assert ivy["strength"] < 0.05  # ... and not made strong by it
    ana = api.person(settings, "https://www.linkedin.com/in/Ana-Lima-42/")  # as a URL
    assert ana.name == "Ana Lima" and ana.channels == {"chat": 3, "connection": 1}
    kim = ties.get(("Kim Lee", "Rae Quinn")) or ties[("Rae Quinn", "Kim Lee")]
    assert kim["band"] == "one-way"  # an invitation never accepted
    again = api.ingest(settings, [EXPORT])
    assert again.totals.stored == 0 and again.totals.known == 18


def test_a_connection_is_one_contact_at_its_date(tmp_path: Path) -> None:
    with_tie = Settings(db_path=tmp_path / "with.duckdb")
    api.ingest(with_tie, [EXPORT])
    api.analyze(with_tie)
    alone = tmp_path / "messages-only"
    alone.mkdir()
    for name in ("messages.csv", "Profile.csv", "Email Addresses.csv"):
        shutil.copy(EXPORT / name, alone / name)
    without = Settings(db_path=tmp_path / "without.duckdb")
    api.ingest(without, [alone])
    api.analyze(without)

    def ana(settings: Settings) -> tuple[datetime, int, float]:
        with connect(settings.db_path, read_only=True) as con:
            row = con.execute(
                "SELECT t.first_contact, t.messages, t.duration_days FROM ties t JOIN people p"
                " ON p.person_id IN (t.person_a, t.person_b) WHERE p.display_name = 'Ana Lima'"
            ).fetchone()
        assert row is not None
        return row[0], int(row[1]), float(row[2])

    (since, n_with, days_with), (first, n_without, days) = ana(with_tie), ana(without)
    assert since == datetime(2019, 3, 14, tzinfo=UTC)  # the tie exists from the connection
    assert first == datetime(2024, 1, 15, 14, 30, tzinfo=UTC)
    assert n_with == n_without + 1 == 4  # counted as exactly one contact
    assert days_with == days > 0  # a history is what the store watched, not 5 years


def test_older_messages_without_recipient_urls(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "messages.csv").write_text(
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT\n"
        "c1,,Rae Quinn,https://linkedin.com/in/rae-quinn,Ana Lima,2022-06-01 10:00:00 UTC,,hi,\n"
        "c1,,Ana Lima,https://linkedin.com/in/ana-lima-42,Rae Quinn,2022-06-01 11:00:00 UTC,,yo,\n"
        "c2,,Rae Quinn,https://www.linkedin.com/in/rae-quinn,Bo Ng,2022-07-01 10:00:00 UTC,,?,\n"
    )
    records = _records(folder)
    kinds = [(type(r).__name__, getattr(r, "reason", "")) for r in records]
    assert kinds == [("Interaction", ""), ("Interaction", ""), ("Quarantined", "no-recipients")]
    first = records[0]
    assert isinstance(first, Interaction) and [p.address for p in first.participants] == [RAE, ANA]


def test_zip_export(tmp_path: Path) -> None:
    archive = tmp_path / "Basic_LinkedInDataExport_01-01-2025.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(EXPORT.iterdir()):
            out.write(path, path.name)
    try:
        sources = discover([archive])
    except InputError:
        pytest.skip("archives are not read as folders in this version")
    assert [s.kind for s in sources] == ["linkedin"]
    records = list(sources[0].records())
    assert sum(isinstance(r, Contact) for r in records) == 5


def test_old_connections_leave_other_ties_alone(tmp_path: Path) -> None:
    """A connection's date is when a link was made, not a time the store watched: an
    export with connections from 2019 does not change a tie of a two-month log."""
    start = datetime(2024, 1, 1, 9, tzinfo=UTC)
    rows = ["timestamp,channel,sender,recipients"]
    for k in range(20):
        when = (start + timedelta(days=3 * k)).isoformat()
        pair = ("xi@acme.example", "yu@acme.example")[:: 1 if k % 2 else -1]
        rows.append(f"{when},email,{pair[0]},{pair[1]}")
    log = tmp_path / "log.csv"
    log.write_text("\n".join(rows) + "\n")
    export = tmp_path / "export"
    export.mkdir()
    for name in ("Connections.csv", "Profile.csv", "Email Addresses.csv"):
        shutil.copy(EXPORT / name, export / name)

    def xi_yu(settings: Settings) -> tuple[float, float]:
        api.analyze(settings)
        with connect(settings.db_path, read_only=True) as con:
            row = con.execute(
                "SELECT strength, observed_days FROM ties t JOIN identities i"
                " ON i.person_id IN (t.person_a, t.person_b) WHERE i.address = 'xi@acme.example'"
            ).fetchone()
        assert row is not None
        return float(row[0]), float(row[1])

    settings = Settings(db_path=tmp_path / "w.duckdb")
    api.ingest(settings, [log])
    before = xi_yu(settings)
    report = api.ingest(settings, [export])
    assert report.sources[0].owner == ["rae@quinn.example"]  # no messages: the primary address
    assert xi_yu(settings) == before
