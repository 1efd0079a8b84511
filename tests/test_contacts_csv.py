"""Google and Outlook contact CSVs, told apart from interaction logs by their header."""

from __future__ import annotations

from pathlib import Path

from weakties import api
from weakties.config import Settings
from weakties.records import Contact, Quarantined
from weakties.sources.contacts_csv import ContactsCsvSource
from weakties.sources.registry import discover

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"


def _records(path: Path, region: str | None = None) -> list[Contact | Quarantined]:
    source = ContactsCsvSource(path)
    source.region = region
    records = list(source.records())
    assert all(isinstance(r, Contact | Quarantined) for r in records)
    return records  # type: ignore[return-value]


def test_registry_tells_contacts_from_logs() -> None:
    kinds = {s.path.name: s.kind for s in discover([FIXTURES])}
    assert kinds == {
        "google.csv": "contacts-csv",
        "google-current.csv": "contacts-csv",
        "outlook.csv": "contacts-csv",
        "calls.csv": "log",  # a CSV with a log's header is still a log
        "team.vcf": "vcard",
    }


def test_google_csv() -> None:
    dee, eve, empty = _records(FIXTURES / "google.csv")
    assert isinstance(dee, Contact) and isinstance(eve, Contact)
    assert dee.name == "Dee Park"
    assert dee.identities == (
        "dee.park@contoso.example",
        "dee.p@gmail.com",
        "tel:+12065550175",  # two numbers in one cell, " ::: " apart
        "tel:+12065550176",
        "linkedin:in/dee-park",
    )
    assert (dee.organisation, dee.title) == ("Contoso", "Head of Platform")
    assert eve.name == "Eve Stone, PhD" and eve.organisation == "Stone & Daughters, Ltd."
    assert isinstance(empty, Quarantined) and empty.reason == "no-identity"
    assert empty.location.endswith("google.csv#row3")


def test_current_google_layout() -> None:
    (fay,) = _records(FIXTURES / "google-current.csv")
    assert isinstance(fay, Contact)
    assert (fay.name, fay.organisation, fay.title) == ("Fay Nakamura", "Globex", "CTO")
    assert fay.identities == ("fay@globex.example", "tel:+819012345678")


def test_outlook_csv_in_the_windows_code_page() -> None:
    (gus,) = _records(FIXTURES / "outlook.csv")
    assert isinstance(gus, Contact)
    assert gus.name == "Gus Müller"  # cp1252, not UTF-8
    assert (gus.organisation, gus.title) == ("Initech GmbH", "Project Lead")  # not "Mr."
    # the assistant's number is the assistant's, not Gus's
    assert gus.identities == ("gus.mueller@initech.example", "tel:+4930901820", "tel:+4930901821")


def test_ingest_accounts_for_every_row(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "g.duckdb")
    report = api.ingest(
        settings,
        [FIXTURES / "google.csv", FIXTURES / "outlook.csv", FIXTURES / "google-current.csv"],
    )
    assert (report.totals.read, report.totals.stored, report.totals.quarantined) == (5, 4, 1)
    people = {p["name"]: p for p in api.people(settings, limit=None).to_pylist()}
    assert people["Eve Stone, PhD"]["organisation"] == "Stone & Daughters, Ltd."  # yahoo.com: none
    assert people["Gus Müller"]["organisation"] == "initech.example"
    assert all(p["interactions"] == 0 for p in people.values())


def test_unreadable_rows_are_quarantined(tmp_path: Path) -> None:
    header = (FIXTURES / "google-current.csv").read_text().splitlines()[0]
    huge = '"' + "x" * 200_000 + '"'
    path = tmp_path / "contacts.csv"
    path.write_text(f"{header}\nAl,,Bo,{huge}\nCy,,Do,,,,,,,,,,,,,,,,cy@do.example\n")
    records = _records(path)
    assert [type(r).__name__ for r in records] == ["Quarantined", "Contact"]
    assert isinstance(records[0], Quarantined) and records[0].reason == "bad-row"
