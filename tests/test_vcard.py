"""vCard address books: the real export samples, our fixtures, and what they make of people."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from weakties import api
from weakties.config import Settings
from weakties.records import Contact, Quarantined
from weakties.sources.registry import discover
from weakties.sources.vcard import VCardSource, looks_like_vcard
from weakties.store import connect

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"
SAMPLE_CARDS = 26  # the 18 files of export-samples/vcard, counted by their BEGIN lines


def _records(path: Path, region: str | None = None) -> list[Contact | Quarantined]:
    source = VCardSource(path)
    source.region = region
    records = list(source.records())
    assert all(isinstance(r, Contact | Quarantined) for r in records)
    return records  # type: ignore[return-value]


def _contacts(path: Path, region: str | None = None) -> dict[str, Contact]:
    return {r.name: r for r in _records(path, region) if isinstance(r, Contact)}


def test_every_sample_card_is_accounted_for(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "export-samples" / "vcard"
    files = sorted(folder.glob("*.vcf"))
    assert len(files) == 18
    begins = sum(f.read_bytes().upper().count(b"BEGIN:VCARD") for f in files)
    assert begins == SAMPLE_CARDS
    settings = Settings(db_path=tmp_path / "s.duckdb", phone_region="US")
    report = api.ingest(settings, [folder])
    totals = report.totals
    assert [s.kind for s in report.sources] == ["vcard"]  # a folder of vCards: one book
    assert totals.read == SAMPLE_CARDS
    assert totals.read == totals.stored + totals.duplicates + totals.quarantined
    assert totals.quarantined == 1  # an Android card whose one number is no US number
    stats = api.stats(settings)
    assert stats.read == SAMPLE_CARDS and stats.quarantined == 1
    sources = api.sources(settings).to_pylist()
    assert [(s["read"], s["stored"] + s["duplicates"], s["quarantined"]) for s in sources] == [
        (SAMPLE_CARDS, SAMPLE_CARDS - 1, 1)
    ]
    again = api.ingest(settings, [folder])
    assert again.totals.known == SAMPLE_CARDS and again.totals.stored == 0


def test_samples_read_as_their_programs_wrote_them(shared_data: Path) -> None:
    folder = shared_data / "export-samples" / "vcard"
    iphone = _contacts(folder / "John_Doe_IPHONE.vcf", "US")  # CR CR LF, a 46 KB photo
    card = iphone["Mr. John Richter James Doe Sr."]
    assert card.organisation == "IBM" and card.title == "Money Counter"
    assert card.identities[0] == "john.doe@ibm.com"
    assert "tel:+19055551234" in card.identities and len(card.identities) == 8
    outlook = _contacts(folder / "outlook-2003.vcf")  # 2.1, folded quoted-printable
    assert outlook["John Doe III"].organisation == "Company, The"  # a comma in a 2.1 ORG
    perreault = _contacts(folder / "rfc6350-example.vcf")["Simon Perreault"]
    assert "tel:+14186569254" in perreault.identities  # a tel: URI with ;ext=102
    lotus = _contacts(folder / "John_Doe_LOTUS_NOTES.vcf")  # PROFILE:VCard, which vobject refuses
    assert lotus["Mr. Doe John I Johny"].identities[:2] == (
        "john.doe@ibm.com",
        "billy_bob@gmail.com",
    )
    android = _records(folder / "John_Doe_ANDROID.vcf", "US")  # one card has a corrupt photo
    assert len(android) == 6
    assert [r.location.rsplit("#", 1)[1] for r in android] == [f"card{n}" for n in range(1, 7)]
    names = [r.name for r in android if isinstance(r, Contact)]
    assert "ÑÑÑÑ" in names  # quoted-printable UTF-8, decoded


def test_region_reads_national_numbers(shared_data: Path) -> None:
    path = shared_data / "export-samples" / "vcard" / "gmail-single.vcf"
    without = _contacts(path)["Greg Dartmouth"]
    assert without.identities == ("gdartmouth@hotmail.com",)  # 555 555 1111: which country?
    with_us = _contacts(path, "US")["Greg Dartmouth"]
    assert with_us.identities[1:] == ("tel:+15555551111", "tel:+15555552222")


def test_fixture_cards() -> None:
    records = _records(FIXTURES / "team.vcf", "GB")
    assert len(records) == 4
    ana, bo, cy, nobody = records
    assert isinstance(ana, Contact) and isinstance(bo, Contact) and isinstance(cy, Contact)
    assert ana.identities == (
        "ana.lima@northwind.example",
        "ana.lima.home@gmail.com",
        "tel:+447700900123",
        "linkedin:in/ana-lima-42",
    )
    assert (ana.organisation, ana.title) == ("Northwind Traders", "Account Director")
    assert bo.name == "Bo François" and bo.identities == ("tel:+442079460018", "bo@gmail.com")[::-1]
    assert cy.identities == ("tel:+12025550147",)
    assert isinstance(nobody, Quarantined) and nobody.reason == "no-identity"


def test_broken_card_costs_only_itself(tmp_path: Path) -> None:
    good = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Di Ray\r\nEMAIL:di@ray.example\r\nEND:VCARD\r\n"
    broken = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad\r\n"
        "EMAIL;CHARSET=no-such-codec;ENCODING=QUOTED-PRINTABLE:=E9\r\nNOT A LINE\r\nEND:VCARD\r\n"
    )
    path = tmp_path / "book.txt"  # any suffix: recognised by content
    path.write_text(broken + good + good.replace("Di Ray", "Ed Fox").replace("di@", "ed@"))
    records = _records(path)
    assert [type(r).__name__ for r in records] == ["Quarantined", "Contact", "Contact"]
    assert isinstance(records[0], Quarantined) and records[0].reason == "no-identity"
    assert [s.kind for s in discover([path])] == ["vcard"]


def test_utf16_and_truncated_files(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Ng\r\nEMAIL:zoe@ng.example\r\nEND:VCARD\r\n"
    path = tmp_path / "outlook.vcf"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert looks_like_vcard(path.read_bytes()[:64])
    assert list(_contacts(path)) == ["Zoë Ng"]
    cut = tmp_path / "cut.vcf"
    cut.write_text(text + "BEGIN:VCARD\nFN:Al Cut\nEMAIL:al@cut.example\n")
    assert list(_contacts(cut)) == ["Zoë Ng", "Al Cut"]


def test_a_card_is_one_person_and_meets_the_call_log(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "c.duckdb", phone_region="GB")
    api.ingest(settings, [FIXTURES / "team.vcf", FIXTURES / "calls.csv"])
    people = {p["name"]: p for p in api.people(settings, limit=None).to_pylist()}
    ana = people["Ana Lima"]
    assert ana["identities"].split() == [
        "tel:+447700900123",  # two interactions: a call in, an SMS out
        "ana.lima.home@gmail.com",
        "ana.lima@northwind.example",
        "linkedin:in/ana-lima-42",
    ]
    assert ana["interactions"] == 2 and ana["organisation"] == "northwind.example"
    assert (
        people["Cy Okafor"]["interactions"] == 1
    )  # +12025550147 in the log, a tel: URI on the card
    bo = people["Bo François"]  # known, never met: listed with no history
    assert bo["interactions"] == 0 and bo["first_seen"] is None
    assert bo["organisation"] == "Fabrikam"  # free-mail address: the card names the organisation
    api.analyze(settings)
    profile = api.person(settings, "+44 7700 900123")  # a number as people write it
    assert profile.name == "Ana Lima" and profile.channels == {"call": 1, "sms": 1}
    with connect(settings.db_path, read_only=True) as con:
        kinds = dict(con.execute("SELECT address, kind FROM identities").fetchall())
    assert kinds["tel:+447700900123"] == "phone" and kinds["bo@gmail.com"] == "email"


def test_without_region_the_log_and_card_do_not_meet_on_national_numbers(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "n.duckdb")
    api.ingest(settings, [FIXTURES / "team.vcf", FIXTURES / "calls.csv"])
    rows = api.people(settings, limit=None).to_pylist()
    ana = next(p for p in rows if p["name"] == "Ana Lima")
    assert ana["interactions"] == 0 and "tel:" not in ana["identities"]  # 07700...: which country?
    owners = {i: p["identities"] for p in rows for i in p["identities"].split(" ")}
    assert owners["tel:+447700900123"] == "tel:+447700900123"  # the log's "+44 7700 900123"
    assert "07700" in owners  # the log's national number stays an opaque id


def test_a_number_on_unrelated_cards_links_nobody(tmp_path: Path) -> None:
    card = "BEGIN:VCARD\nVERSION:3.0\nFN:{name}\nEMAIL:{mail}\nTEL:+44 20 7946 0000\nEND:VCARD\n"
    path = tmp_path / "office.vcf"
    path.write_text(
        card.format(name="Kai Moss", mail="kai@acme.example")
        + card.format(name="Lu Wren", mail="lu@acme.example")
        + card.format(name="Kai B. Moss", mail="kai.moss@gmail.com")
    )
    settings = Settings(db_path=tmp_path / "o.duckdb")
    api.ingest(settings, [path])
    people = api.people(settings, limit=None).to_pylist()
    owners = {i: p["name"] for p in people for i in p["identities"].split()}
    assert owners["kai@acme.example"] != owners["lu@acme.example"]  # the switchboard joins no one
    assert len({owners["kai@acme.example"], owners["kai.moss@gmail.com"]}) == 2


@pytest.mark.parametrize("bad", ["XX", "Great Britain", "1"])
def test_an_unknown_region_is_an_input_error(tmp_path: Path, bad: str) -> None:
    from weakties.errors import InputError

    with pytest.raises(InputError, match="not a region code"):
        api.ingest(Settings(db_path=tmp_path / "r.duckdb", phone_region=bad), [FIXTURES])


def test_cli_region_end_to_end(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    env.pop("WEAKTIES_PHONE_REGION", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "weakties", "--db", str(tmp_path / "cli.duckdb"), *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, check=False)

    bad = run("ingest", "--region", "UK", str(FIXTURES / "team.vcf"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "region" in bad.stderr
    good = run("ingest", "--region", "gb", str(FIXTURES / "team.vcf"), str(FIXTURES / "calls.csv"))
    assert good.returncode == 0, good.stderr
    listed = run("people", "--search", "Ana", "--format", "json")
    (ana,) = json.loads(listed.stdout)
    assert ana["interactions"] == 2 and "tel:+447700900123" in ana["identities"]
