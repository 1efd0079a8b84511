"""Mutated real Slack, WhatsApp and X exports never make their sources raise, and every
record they yield is stored or quarantined by the writer."""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weakties.records import CHANNEL_NAME, Contact, Interaction, Quarantined, Record
from weakties.sources.base import Source
from weakties.sources.slack import SlackSource
from weakties.sources.whatsapp import WhatsAppSource
from weakties.sources.xarchive import XArchiveSource
from weakties.store import migrate
from weakties.store.writer import write_batch

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "export-samples"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
ODD_STRINGS = ["", " ", "\ud800", "x" * 5000, "1452837318.000002", "<@U0BMQB6JE>", "U0BMQB6JE",
               "2023-08-09T16:19:22.000Z", "Wed Aug 09 16:19:22 +0000 2023", "3128746474",
               "../..", "a/b", "\x00"]  # fmt: skip
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.sampled_from(ODD_STRINGS) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


@pytest.fixture(scope="module")
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"../shared/data is absent: {SAMPLES} not found")
    return SAMPLES


def _slots(value: Any, limit: int = 400) -> list[tuple[Any, Any]]:
    """Up to ``limit`` (container, key) pairs of a JSON value, breadth first."""
    found: list[tuple[Any, Any]] = []
    queue = [value]
    while queue and len(found) < limit:
        node = queue.pop(0)
        keys = list(node) if isinstance(node, dict) else range(len(node))
        for key in keys:
            found.append((node, key))
            if isinstance(node[key], dict | list):
                queue.append(node[key])
    return found


@st.composite
def json_mutation(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with a few of its members replaced by other JSON, or deleted."""
    for _ in range(draw(st.integers(1, 4))):
        slots = _slots(value)
        if not slots:
            return draw(JSON_VALUES)
        node, key = slots[draw(st.integers(0, len(slots) - 1))]
        if draw(st.booleans()) or isinstance(node, list):
            node[key] = draw(JSON_VALUES)
        else:
            del node[key]
    return value


@st.composite
def byte_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` cut, with bytes flipped, lines dropped or doubled, or NULs inserted."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["cut", "flip", "nul", "dup", "drop"]))
        at = draw(st.integers(0, max(0, len(out) - 1)))
        if op == "cut":
            del out[at:]
        elif op == "flip" and out:
            out[at] = draw(st.sampled_from([0xFF, 0xC3, 0x80, 0x22, 0x5B, 0x7D, 0x3A, 0x0A]))
        elif op == "nul":
            out[at:at] = b"\x00" * draw(st.integers(1, 4))
        else:
            lines = bytes(out).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines[i:i + 1] = [lines[i]] * (2 if op == "dup" else 0)  # fmt: skip
            out = bytearray(b"\n".join(lines))
    return bytes(out)


def _check(source: Source) -> None:
    """Every record is well formed, and the writer stores or quarantines each."""
    records: list[Record] = list(source.records())
    assert len({r.location for r in records}) == len(records)
    for record in records:
        assert isinstance(record, Interaction | Contact | Quarantined)
        if isinstance(record, Interaction):
            _check_interaction(record)
        elif isinstance(record, Contact):
            assert record.identities and all(_clean(a) for a in record.identities)
    con = _store()
    for table in FACTS:
        con.execute(f"DELETE FROM {table}")
    counts = write_batch(con, 1, records)
    ((items,),) = con.execute("SELECT count(*) FROM items").fetchall()
    assert counts.read == len(records) == items
    assert counts.stored + counts.duplicates + counts.quarantined == counts.read


FACTS = ("items", "interactions", "interaction_keys", "participants", "quarantine", "contacts",
         "contact_identities", "identity_links")  # fmt: skip


@cache
def _store() -> duckdb.DuckDBPyConnection:
    """One in-memory store for every example (creating one takes 0.2 s); each example
    empties its fact tables first."""
    con = duckdb.connect(":memory:")
    migrate(con)
    return con


def _check_interaction(record: Interaction) -> None:
    assert CHANNEL_NAME.match(record.channel)
    assert record.timestamp is not None and record.timestamp.utcoffset() == timedelta(0)
    assert record.external_id
    for person in record.participants:
        assert _clean(person.address)
    if not record.automated:
        assert [str(p.role) for p in record.participants[:1]] == ["from"]


def _clean(address: str) -> bool:
    return bool(address) and not any(c.isspace() for c in address) and address.isprintable()


FIXTURES = Path(__file__).parent / "fixtures"


@contextmanager
def _copy(folder: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / folder.name
        shutil.copytree(folder, target)
        yield target


def _mutate_json_file(data: st.DataObject, path: Path, prefix: bytes = b"") -> None:
    """Rewrite ``path`` with its JSON changed, or its bytes damaged."""
    raw = path.read_bytes()
    try:
        value = json.loads(raw.split(b"=", 1)[1] if prefix else raw)
    except ValueError:  # a broken fixture: its bytes only
        value = None
    if value is not None and data.draw(st.booleans(), label="structural"):
        value = data.draw(json_mutation(value))
        path.write_bytes(prefix + b" = " + json.dumps(value).encode() if prefix else
                         json.dumps(value).encode())  # fmt: skip
    else:
        path.write_bytes(data.draw(byte_mutation(raw)))


SLACK = [SAMPLES / "slack-export", FIXTURES / "slack" / "acme"]


@SETTINGS
@given(data=st.data())
def test_mutated_slack_exports(samples: Path, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(SLACK), label="export")
    with _copy(seed) as root:
        files = sorted(root.rglob("*.json"))
        _mutate_json_file(data, data.draw(st.sampled_from(files), label="file"))
        _check(SlackSource(root))


X_FILES = sorted((SAMPLES / "twitter-archive" / "data").glob("*.js")) + sorted(
    (FIXTURES / "x" / "archive" / "data").glob("*.js")
)


@SETTINGS
@given(data=st.data())
def test_mutated_x_archives(samples: Path, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(X_FILES), label="file")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "archive" / "data"
        folder.mkdir(parents=True)
        shutil.copy(seed.parent / "manifest.js", folder / "manifest.js")
        target = folder / seed.name
        shutil.copy(seed, target)
        prefix = target.read_bytes().split(b"=", 1)[0].strip()
        _mutate_json_file(data, target, prefix)
        _check(XArchiveSource(folder.parent))


WHATSAPP = sorted((SAMPLES / "whatsapp").glob("*.txt")) + sorted(
    (FIXTURES / "whatsapp").rglob("*.txt")
)
HEADERS = st.builds(
    "{}{}/{}/{}, {}:{:02d}{} - {}: {}".format,
    st.sampled_from(["", "[", "\u200e"]),
    st.integers(0, 40), st.integers(0, 40), st.integers(0, 2100),
    st.integers(0, 30), st.integers(0, 70),
    st.sampled_from(["", " AM", "\u202fPM", ":99"]),
    st.text(max_size=10), st.text(max_size=10),
)  # fmt: skip


@SETTINGS
@given(data=st.data())
def test_mutated_whatsapp_chats(samples: Path, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(WHATSAPP), label="chat")
    raw = data.draw(byte_mutation(seed.read_bytes()))
    lines = raw.split(b"\n")
    for _ in range(data.draw(st.integers(0, 3), label="headers")):
        at = data.draw(st.integers(0, len(lines)))
        lines.insert(at, data.draw(HEADERS).encode("utf-8", "surrogatepass"))
    with tempfile.TemporaryDirectory() as tmp:
        chat = Path(tmp) / "chat.txt"
        chat.write_bytes(b"\n".join(lines))
        _check(WhatsAppSource(chat))


def test_exports_read_inside_a_zip_as_in_their_folder(tmp_path: Path) -> None:
    """The sources use only what an archive member path offers (``zipfile.Path``)."""
    for cls, folder in ((SlackSource, FIXTURES / "slack" / "acme"),
                        (XArchiveSource, FIXTURES / "x" / "archive"),
                        (WhatsAppSource, FIXTURES / "whatsapp" / "phone")):  # fmt: skip
        archive = tmp_path / f"{folder.name}.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for path in sorted(folder.rglob("*")):
                zf.write(path, f"{folder.name}/{path.relative_to(folder)}")
        inside = list(cls(zipfile.Path(archive, f"{folder.name}/")).records())  # type: ignore[arg-type]
        unpacked = list(cls(folder).records())
        assert len(inside) == len(unpacked) > 0
        root = str(folder.resolve())
        assert [r.location.removeprefix(f"{archive}/{folder.name}") for r in inside] == [
            r.location.removeprefix(root) for r in unpacked
        ]
        assert {type(r) for r in inside} == {type(r) for r in unpacked}
