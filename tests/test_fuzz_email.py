"""Mutated real messages never make the mail parsers raise."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weakties.records import Interaction, Quarantined
from weakties.sources.email import parse_message
from weakties.sources.headers import parse_date
from weakties.sources.mbox import scan
from weakties.text.addresses import parse_address_list
from weakties.text.decode import decode_words

MAIL = Path(__file__).parent / "fixtures" / "mail"
FIXTURE_SEEDS = sorted(p.read_bytes() for p in MAIL.rglob("*") if p.is_file() and p.suffix != ".md")
BIG_LINE = b"X-Big: " + b"a" * (1 << 20) + b"\r\n"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed message put through a few random mutations."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["cut", "nul", "big", "flip", "dup", "drop"]))
        at = draw(st.integers(0, len(data)))
        if op == "cut":
            del data[at:]
        elif op == "nul":
            data[at:at] = b"\x00" * draw(st.integers(1, 8))
        elif op == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.sampled_from([0xFF, 0xC3, 0x80, 0xE2]))
        else:
            data = _edit_lines(data, op, draw(st.integers(0, 40)))
    return bytes(data)


def _edit_lines(data: bytearray, op: str, index: int) -> bytearray:
    lines = bytes(data).splitlines(keepends=True)
    if not lines:
        return data
    index %= len(lines)
    if op == "dup":
        lines.insert(index, lines[index])
    elif op == "drop":
        del lines[index]
    else:
        lines.insert(index, BIG_LINE)
    return bytearray(b"".join(lines))


def _check(raw: bytes) -> None:
    record = parse_message(raw, "loc")
    assert isinstance(record, Interaction | Quarantined)
    assert record.location == "loc"
    if isinstance(record, Interaction):
        assert record.participants
        for person in record.participants:
            assert person.address and person.address == person.address.strip()
            assert not any(c.isspace() for c in person.address)
        if record.timestamp is not None:
            assert record.timestamp.utcoffset() == timedelta(0)


@SETTINGS
@given(mutated(FIXTURE_SEEDS))
def test_mutated_fixtures(raw: bytes) -> None:
    _check(raw)


def _corpus_seeds(root: Path) -> list[bytes]:
    files = itertools.chain(
        sorted((root / "enron-maildir" / "maildir").rglob("*"))[::300],
        sorted((root / "mailing-lists" / "notmuch-test-corpora").rglob("*"))[::10],
    )
    seeds = [
        p.read_bytes()[: 64 << 10] for p in files if p.is_file() and p.suffix not in (".md", ".txt")
    ]
    archive = root / "mailing-lists" / "r-package-devel" / "2020q3.txt"
    with archive.open("rb") as stream:
        seeds += [m.raw() for m in itertools.islice(scan(stream), 0, 300, 15)]
    return seeds


@pytest.fixture(scope="module")
def corpus_seeds(shared_data: Path) -> list[bytes]:
    return _corpus_seeds(shared_data)


@SETTINGS
@given(data=st.data())
def test_mutated_real_messages(corpus_seeds: list[bytes], data: st.DataObject) -> None:
    _check(data.draw(mutated(corpus_seeds)))


@SETTINGS
@given(mutated(FIXTURE_SEEDS))
def test_mutated_mbox_streams(raw: bytes) -> None:
    import io

    stream = io.BytesIO(b"From a@b.com Fri May 22 13:38:22 2015\n" + raw + b"\n" + raw)
    offsets = [m.offset for m in scan(stream)]
    assert offsets == sorted(set(offsets))


@pytest.mark.parametrize(
    "charset", ["uu", "base64", "hex", "zlib", "bz2", "quopri", "rot13", "idna", "punycode"]
)
def test_encoded_words_in_codecs_that_are_not_for_text_read_as_utf8(charset: str) -> None:
    # Python knows these names, but they do not turn bytes into text ("=?uu?..." crashed)
    assert decode_words(f"=?{charset}?Q?caf=C3=A9_=FF?= ok") == "café \ufffd ok"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_header_text_helpers_never_raise(text: str) -> None:
    for address, _ in parse_address_list(text):
        assert address and not any(c.isspace() for c in address)
    parse_date(text)
    decode_words(text)
    decode_words(f"=?{text}?B?{text}?=")
