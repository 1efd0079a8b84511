"""The hashes of what the store holds: a batch written with them ends exactly as one
written by asking the tables, and they never forget what was committed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.records import Interaction, Participant, Quarantined, Record, Role
from weakties.store.db import connect
from weakties.store.seen import HashSet, Seen, hashes
from weakties.store.writer import write_batch

WHEN = datetime(2024, 3, 1, 9, tzinfo=UTC)
TABLES = {
    "items": "location, source_id, outcome, interaction_id, is_sent",
    "interaction_keys": "key, interaction_id",
    "interactions": "interaction_id, natural_key, content_key, source_id",
    "participants": "interaction_id, address, role",
}


def mail(location: str, message_id: str | None, minute: int, to: str = "bo@acme.com") -> Record:
    people = [Participant(Role.FROM, "ann@acme.com"), Participant(Role.TO, to)]
    when = WHEN + timedelta(minutes=minute)
    return Interaction(location, "email", when, people, message_id=message_id)


def batches() -> list[list[Record]]:
    """New mail, copies under other locations (same Message-ID or same content),
    locations read again, and a quarantined record."""
    return [
        [mail(f"/a/{i}", f"{i}@x", i) for i in range(40)],
        [mail(f"/b/{i}", f"{i}@x", i) for i in range(0, 40, 3)]  # copies by Message-ID
        + [mail(f"/c/{i}", None, i) for i in range(1, 40, 5)]  # copies by content
        + [mail(f"/d/{i}", f"d{i}@x", 100 + i) for i in range(30)],
        [mail(f"/a/{i}", f"{i}@x", i) for i in range(10)]  # read again: known
        + [Quarantined("/e/1", "no-sender", "")]
        + [mail(f"/d/{i}", f"d{i}@x", 100 + i) for i in range(25, 35)],
    ]


def dump(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {
        t: [tuple(r) for r in con.execute(f"SELECT {c} FROM {t} ORDER BY ALL").fetchall()]
        for t, c in TABLES.items()
    }


def test_written_with_hashes_or_by_asking_the_tables_the_store_is_the_same(
    tmp_path: Path,
) -> None:
    exact, hashed = connect(tmp_path / "exact.duckdb"), connect(tmp_path / "hashed.duckdb")
    seen = Seen.load(hashed)
    for batch in batches():
        a = write_batch(exact, 1, batch)
        b = write_batch(hashed, 1, batch, seen)
        assert (a.read, a.stored, a.duplicates, a.known, a.quarantined) == (
            b.read,
            b.stored,
            b.duplicates,
            b.known,
            b.quarantined,
        )
    assert dump(exact) == dump(hashed)
    assert dump(hashed)["items"]  # something was written at all
    again = write_batch(hashed, 1, batches()[0], Seen.load(hashed))  # a later run
    assert (again.read, again.known) == (40, 40)


def test_a_hash_that_matches_by_chance_stores_the_record_all_the_same(tmp_path: Path) -> None:
    con = connect(tmp_path / "store.duckdb")
    batch = [mail(f"/a/{i}", f"{i}@x", i) for i in range(5)]
    locations = [r.location for r in batch]
    keys = [f"m:{i}@x" for i in range(5)]
    seen = Seen(HashSet(np.sort(hashes(locations))), HashSet(np.sort(hashes(keys))))
    counts = write_batch(con, 1, batch, seen)  # every value "may" be held; none is
    assert (counts.stored, counts.known, counts.duplicates) == (5, 0, 0)


def test_a_failed_batch_teaches_the_hashes_nothing(tmp_path: Path) -> None:
    con = connect(tmp_path / "store.duckdb")
    seen = Seen.load(con)
    bad = Quarantined("/m/2", None)  # type: ignore[arg-type]  # NOT NULL fails at insert
    with pytest.raises(duckdb.ConstraintException):
        write_batch(con, 1, [mail("/m/1", "one@x", 1), bad], seen)
    assert len(seen.locations) == 0 and len(seen.keys) == 0
    counts = write_batch(con, 1, [mail("/m/1", "one@x", 1)], seen)
    assert counts.stored == 1 and len(seen.locations) == 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=50), max_size=40))
def test_the_hash_set_holds_exactly_what_was_added(added: list[list[int]]) -> None:
    held = HashSet(np.empty(0, np.int64))
    for chunk in added:
        held.add(np.array(chunk, dtype=np.int64))
    everything = {h for chunk in added for h in chunk}
    probe = sorted(everything) + [h ^ 1 for h in everything] + [0, 2**63 - 1]
    found = held.contains(np.array(probe, dtype=np.int64)).tolist()
    assert found == [h in everything for h in probe]


def test_the_runs_hashes_are_handed_back_before_the_people_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rebuild is where ingest peaks; the hashes (16 bytes a stored record, 130 MB
    at 8M) must not sit beside it."""
    import gc

    from weakties import api
    from weakties import ingest as ingest_module
    from weakties.config import Settings

    log = tmp_path / "log.csv"
    log.write_text(
        "timestamp,sender,recipients,channel\n"
        + "".join(f"2024-03-0{1 + i % 9}T09:0{i % 10}:00Z,ann@acme.com,bo@acme.com,email\n"
                  for i in range(30))
    )
    alive: list[int] = []
    rebuild = ingest_module._rebuild_derived

    def counting(con: duckdb.DuckDBPyConnection) -> bool:
        gc.collect()
        alive.append(sum(isinstance(o, HashSet) for o in gc.get_objects()))
        return rebuild(con)

    monkeypatch.setattr(ingest_module, "_rebuild_derived", counting)
    report = api.ingest(Settings(db_path=tmp_path / "s.duckdb"), [log])
    assert report.totals.stored > 0
    assert alive == [0]
