"""A Google Takeout ZIP in one command: the CLI end to end, then the stored rows; an
interrupted ingest of it resumes, and a second one adds nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from archive_helpers import MAIL, mbox_text
from weakties import api, ingest
from weakties.config import Settings

SRC = Path(__file__).resolve().parents[1] / "src"
MBOX = "Takeout/Mail/All mail Including Spam and Trash.mbox"
ICS = "Takeout/Calendar/ana@example.com.ics"
VCF = "Takeout/Contacts/All Contacts/All Contacts.vcf"
N_MAIL = 2 + 150  # the Gmail fixture's messages and the generated ones

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//weakties tests//EN\r\n"
    "BEGIN:VEVENT\r\nUID:standup-1@example.com\r\nDTSTAMP:20240301T090000Z\r\n"
    "DTSTART:20240301T093000Z\r\nDTEND:20240301T100000Z\r\nSUMMARY:Stand-up\r\n"
    "ORGANIZER;CN=Ana:mailto:ana@example.com\r\n"
    "ATTENDEE;CN=Bo;PARTSTAT=ACCEPTED:mailto:bo@example.com\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
CONTACTS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Berg\r\nN:Berg;Bo;;;\r\n"
    "EMAIL;TYPE=INTERNET:bo@example.com\r\nTEL;TYPE=CELL:+46 70 123 45 67\r\n"
    "END:VCARD\r\n"
)


@pytest.fixture
def takeout(tmp_path: Path) -> Path:
    """A ZIP laid out as Google Takeout lays out mail, calendar and contacts."""
    path = tmp_path / "takeout-20240301T000000Z-001.zip"
    mail = (MAIL / "mbox" / "takeout.mbox").read_bytes() + mbox_text(150)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Takeout/archive_browser.html", "<html><body>Your data</body></html>")
        z.writestr(MBOX, mail)
        z.writestr(ICS, CALENDAR)
        z.writestr(VCF, CONTACTS)
        z.writestr("Takeout/Google Photos/Photos from 2020/IMG_0001.jpg",
                   b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(4000))  # fmt: skip
    return path


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(SRC), COLUMNS="200")
    cmd = [sys.executable, "-m", "weakties", "--db", str(db), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)


def test_one_command_ingests_a_takeout_zip(takeout: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    result = _cli(db, "ingest", str(takeout))
    assert result.returncode == 0, result.stderr
    zipped = f"{takeout.resolve()}!"
    out = " ".join(result.stdout.split())  # as printed, whatever the terminal's width
    assert f"{takeout.resolve()}: 5 files, 3 read, 2 not read, 0 quarantined." in out
    assert f"{zipped}{ICS}" not in out.split("not read")[-1]  # the calendar is read

    con = duckdb.connect(str(db), read_only=True)
    try:
        locations = [r[0] for r in con.execute("SELECT location FROM items").fetchall()]
        meetings = con.execute(
            "SELECT count(*) FROM interactions WHERE channel = 'meeting'"
        ).fetchall()[0][0]
        stored = con.execute("SELECT count(*) FROM interactions").fetchall()[0][0]
        contacts = con.execute("SELECT name FROM contacts").fetchall()
        kinds = sorted(r[0] for r in con.execute("SELECT kind FROM sources").fetchall())
    finally:
        con.close()
    assert len(locations) == N_MAIL + 2  # the mail, the meeting and the card
    mail = [loc for loc in locations if loc.startswith(f"{zipped}{MBOX}#")]
    assert len(mail) == N_MAIL
    assert any(loc.startswith(f"{zipped}{ICS}") for loc in locations)
    assert (stored, meetings, contacts) == (N_MAIL + 1, 1, [("Bo Berg",)])
    assert kinds == ["calendar", "mbox", "vcard"]

    again = _cli(db, "ingest", str(takeout))
    assert again.returncode == 0, again.stderr
    assert f"{N_MAIL + 2} records were already in the store" in again.stdout


TABLES = ("interactions", "interaction_keys", "participants", "items", "quarantine",
          "source_owners", "identities", "people")  # fmt: skip


def _dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    finally:
        con.close()


def test_an_interrupted_ingest_of_an_archive_resumes(
    takeout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = Settings(db_path=tmp_path / "reference.duckdb", batch_size=7)
    api.ingest(reference, [takeout])
    write = ingest.write_records
    calls = []

    def dies_on_the_fourth(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt  # as a kill between two batches
        return write(*args, **kwargs)

    crashed = Settings(db_path=tmp_path / "crashed.duckdb", batch_size=7)
    monkeypatch.setattr(ingest, "write_records", dies_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        api.ingest(crashed, [takeout])
    monkeypatch.undo()
    con = duckdb.connect(str(crashed.db_path), read_only=True)
    written = con.execute("SELECT count(*) FROM items").fetchall()[0][0]
    con.close()
    assert 0 < written < N_MAIL  # three batches landed before the kill
    report = api.ingest(crashed, [takeout])
    assert report.totals.known == written
    assert _dump(crashed.db_path) == _dump(reference.db_path)
    assert api.ingest(crashed, [takeout]).totals.stored == 0
