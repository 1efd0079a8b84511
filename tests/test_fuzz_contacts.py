"""Mutated address books and LinkedIn exports never make their sources raise: every
record read is a contact, an interaction or a quarantine, each at its own location."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weakties.records import Contact, Interaction, Quarantined, Record
from weakties.sources.base import Source
from weakties.sources.contacts_csv import ContactsCsvSource
from weakties.sources.linkedin import LinkedInSource
from weakties.sources.vcard import VCardSource
from weakties.store import connect
from weakties.store.writer import write_batch

FIXTURES = Path(__file__).parent / "fixtures"
CSV_SEEDS = sorted(
    p.read_bytes() for p in (FIXTURES / "contacts").glob("*.csv") if p.name != "calls.csv"
)
LINKEDIN = {p.name: p.read_bytes() for p in (FIXTURES / "linkedin").iterdir()}
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BIG = b"x" * 300_000


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed file put through a few random mutations of bytes and lines."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["cut", "nul", "flip", "dup", "drop", "big", "quote", "crlf"]))
        at = draw(st.integers(0, len(data)))
        if op == "cut":
            del data[at:]
        elif op == "nul":
            data[at:at] = b"\x00" * draw(st.integers(1, 4))
        elif op == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.sampled_from(b'\xff\xc3\x80=;:,"\r\n '))
        elif op == "quote":
            data[at:at] = draw(st.sampled_from([b'"', b"=\r\n", b"BEGIN:VCARD\n", b"END:VCARD\n"]))
        elif op == "big":
            data[at:at] = BIG
        elif op == "crlf":
            data = bytearray(bytes(data).replace(b"\n", b"\r\r\n"))
        else:
            lines = bytes(data).splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                if op == "dup":
                    lines.insert(i, lines[i])
                else:
                    del lines[i]
                data = bytearray(b"".join(lines))
    return bytes(data)


def _check(source: Source) -> list[Record]:
    records = list(source.records())
    assert all(isinstance(r, Contact | Interaction | Quarantined) for r in records)
    locations = [r.location for r in records]
    assert len(set(locations)) == len(locations)
    for record in records:
        if isinstance(record, Contact):
            assert record.identities and all(i == i.strip() and i for i in record.identities)
        if isinstance(record, Interaction):
            assert len({p.address for p in record.participants}) >= 2
    return records


def _vcard_seeds(root: Path) -> list[bytes]:
    files = sorted((root / "export-samples" / "vcard").glob("*.vcf"))
    return [f.read_bytes() for f in files] + [(FIXTURES / "contacts" / "team.vcf").read_bytes()]


@pytest.fixture(scope="module")
def vcard_seeds(shared_data: Path) -> list[bytes]:
    return _vcard_seeds(shared_data)


def test_mutated_vcards(vcard_seeds: list[bytes]) -> None:
    @SETTINGS
    @given(mutated(vcard_seeds), st.sampled_from([None, "US", "GB"]))
    def check(raw: bytes, region: str | None) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "book.vcf"
            path.write_bytes(raw)
            source = VCardSource(path)
            source.region = region
            _check(source)

    check()


@SETTINGS
@given(mutated(CSV_SEEDS))
def test_mutated_contact_csvs(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contacts.csv"
        path.write_bytes(raw)
        _check(ContactsCsvSource(path))


@SETTINGS
@given(st.sampled_from(sorted(LINKEDIN)), st.data())
def test_mutated_linkedin_exports(name: str, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for other, raw in LINKEDIN.items():
            (folder / other).write_bytes(raw)
        (folder / name).write_bytes(data.draw(mutated([LINKEDIN[name]])))
        _check(LinkedInSource(folder))


def test_mutated_records_are_all_accounted_in_the_store(
    vcard_seeds: list[bytes], tmp_path: Path
) -> None:
    """Through the writer: read = stored + duplicates + quarantined, for a batch of
    mutated files of every format."""
    records: list[Record] = []

    @settings(max_examples=30, deadline=None, database=None)
    @given(mutated(vcard_seeds + CSV_SEEDS), st.integers(0, 10**9))
    def collect(raw: bytes, n: int) -> None:
        suffix = "vcf" if b"VCARD" in raw[:40].upper() else "csv"
        path = tmp_path / f"{n}-{len(records)}.{suffix}"
        path.write_bytes(raw)
        source = VCardSource(path) if path.suffix == ".vcf" else ContactsCsvSource(path)
        records.extend(_check(source))

    collect()
    with connect(tmp_path / "f.duckdb") as con:
        counts = write_batch(con, 1, records)
        outcomes = dict(con.execute("SELECT outcome, count(*) FROM items GROUP BY ALL").fetchall())
    assert counts.read == len(records) == counts.stored + counts.duplicates + counts.quarantined
    assert sum(outcomes.values()) == len(records)
