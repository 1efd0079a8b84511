"""A process that asks many questions of one store keeps its relationships in memory:
the answers are those of a single question, and a change to the store is seen at once."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from weakties import api
from weakties.config import Settings
from weakties.store import relationships

ME = "me@home.example"
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _store(root: Path) -> Settings:
    """me knows ana and bo; both know tara; ana and cy know zed."""
    rows: list[tuple[str, str, str]] = []
    pairs = [
        (ME, "ana@corp.example", 20), (ME, "bo@corp.example", 12),
        ("ana@corp.example", "tara@target.example", 15),
        ("bo@corp.example", "tara@target.example", 6),
        ("ana@corp.example", "zed@corp.example", 10), ("cy@corp.example", "zed@corp.example", 9),
    ]  # fmt: skip
    for a, b, n in pairs:
        for k in range(n):
            when = START + timedelta(days=120 - 2 * k)
            rows += [(when.isoformat(), a, b), ((when + timedelta(hours=1)).isoformat(), b, a)]
    log = root / "log.csv"
    with log.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["timestamp", "channel", "sender", "recipients"])
        writer.writerows([(t, "email", a, b) for t, a, b in rows])
    settings = Settings(db_path=root / "store.duckdb")
    api.init(settings, [ME])
    api.ingest(settings, [log])
    api.analyze(settings)
    return settings


@pytest.fixture
def fresh() -> None:
    relationships.forget()


@pytest.mark.usefixtures("fresh")
def test_asking_again_gives_the_same_answers(tmp_path: Path) -> None:
    settings = _store(tmp_path)
    asked = [
        (api.intro(settings, "tara@target.example"), api.suggest(settings, person="cy"))
        for _ in range(1 + relationships.KEEP_FROM)
    ]
    first = asked[0]
    assert [r["introducer"] for r in first[0].to_pylist()] == ["Ana", "Bo"]
    assert "Ana" in {r["person"] for r in first[1].to_pylist()}
    for intro, suggest in asked[1:]:
        assert intro.equals(first[0])
        assert suggest.equals(first[1])


@pytest.mark.usefixtures("fresh")
def test_a_change_to_the_store_is_seen_by_the_next_question(tmp_path: Path) -> None:
    settings = _store(tmp_path)
    for _ in range(1 + relationships.KEEP_FROM):
        before = api.intro(settings, "tara@target.example").to_pylist()
    assert "Ana" in {r["introducer"] for r in before}
    api.pin(settings, "ana@corp.example", "tara@target.example", "one-way")
    after = api.intro(settings, "tara@target.example").to_pylist()
    assert [r["introducer"] for r in after] == ["Bo"]


@pytest.mark.usefixtures("fresh")
def test_reads_between_two_sets_give_the_rows_of_the_first_set_whichever_is_smaller(
    tmp_path: Path,
) -> None:
    """A single question's filtered read looks rows up from the smaller set and turns
    them round; the rows are those of the whole table with ``person_id`` in the first
    set and ``other`` in the second, in order, either way round."""
    from weakties.store import derived

    settings = _store(tmp_path)
    with api.open_store(settings, read_only=True) as con:
        everything = con.sql("SELECT * FROM relationships").to_arrow_table().to_pylist()
        people = sorted({r["person_id"] for r in everything})
        few, many = people[:1], people[1:]
        for first, second in ((few, many), (many, few), (people, people)):
            read = derived.ties_between(con, first, second).to_pylist()
            expected = sorted(
                (r for r in everything if r["person_id"] in first and r["other"] in second),
                key=lambda r: (r["person_id"], r["other"]),
            )
            assert read == [{k: r[k] for k in read[0]} for r in expected] and read
