"""Channels with their semantics, end to end through a log: contact on a mutual channel
(face to face) is never one-way and never makes anyone a broadcaster, whichever side a
log happens to list first; for calls, reciprocity is who calls whom."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from weakties import api
from weakties.config import Settings

START = datetime(2015, 5, 4, 8, tzinfo=UTC)


def _write(path: Path, rows: list[tuple[datetime, str, str, str, int]]) -> Path:
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["timestamp", "channel", "sender", "recipients", "duration_s"])
        for when, channel, sender, recipient, seconds in rows:
            out.writerow([when.isoformat(), channel, sender, recipient, seconds])
    return path


def _store(tmp_path: Path, rows: list[tuple[datetime, str, str, str, int]]) -> Settings:
    settings = Settings(db_path=tmp_path / "store.duckdb")
    api.ingest(settings, [_write(tmp_path / "log.csv", rows)])
    api.analyze(settings)
    return settings


def test_a_face_to_face_log_listing_the_lower_id_first_flags_no_one_and_keeps_every_pair(
    tmp_path: Path,
) -> None:
    """Like the SocioPatterns files (``t i j``, i < j): person 100 is listed first in
    every one of their 30 contacts' rows, which mail would read as 30 people written to
    and never answering."""
    rows = []
    pairs = {(100, other) for other in range(101, 131)}
    pairs |= {(a, a + 1) for a in range(101, 130)}  # the others meet in a chain
    for day in range(10):
        for k, (a, b) in enumerate(sorted(pairs)):
            when = START + timedelta(days=day, minutes=3 * k)
            rows.append((when, "face-to-face", f"id:{a}", f"id:{b}", 20 * (1 + k % 4)))
    settings = _store(tmp_path, rows)
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        automated = con.execute("SELECT count(*) FROM identities WHERE automated").fetchall()
        ties = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE two_way AND band <> 'one-way') FROM ties"
        ).fetchall()
        hub = con.execute(
            "SELECT degree, placed FROM person_metrics JOIN identities USING (person_id) "
            "WHERE address = 'id:100'"
        ).fetchall()
    finally:
        con.close()
    assert automated == [(0,)]
    assert ties == [(len(pairs), len(pairs))]  # every pair, none one-way
    assert hub == [(30, False)]  # measured as the relationships it has, not placed


def test_reciprocity_of_calls_is_who_calls_whom(tmp_path: Path) -> None:
    """Two pairs with the same answered calls, as many and as long: in one, each side
    calls as often as the other; in the other, one side always calls. The one-sided
    pair is a two-way tie (both spoke) but less reciprocal."""
    rows = []
    for day in range(0, 60, 3):
        when = START + timedelta(days=day)
        rows.append((when, "call", "tel:+15550001", "tel:+15550002", 300))
        rows.append((when + timedelta(hours=5), "call", "tel:+15550002", "tel:+15550001", 300))
        rows.append((when + timedelta(hours=1), "call", "tel:+15550003", "tel:+15550004", 300))
        rows.append((when + timedelta(hours=6), "call", "tel:+15550003", "tel:+15550004", 300))
    settings = _store(tmp_path, rows)
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        scores = dict(
            con.execute(
                """
                SELECT a.address, t.reciprocity_score
                FROM ties t JOIN identities a ON a.person_id IN (t.person_a, t.person_b)
                WHERE a.address IN ('tel:+15550001', 'tel:+15550003') AND t.two_way
                """
            ).fetchall()
        )
    finally:
        con.close()
    assert set(scores) == {"tel:+15550001", "tel:+15550003"}
    assert scores["tel:+15550001"] > scores["tel:+15550003"]
