"""Introductions and the iceberg on a hand-built log whose answers are known."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from weakties import api
from weakties.config import Settings
from weakties.errors import InputError

DAY0 = datetime(2024, 1, 1, 9, tzinfo=UTC)


def _row(
    day: float, sender: str, to: list[str], thread: str = "", channel: str = "email"
) -> list[str]:
    when = DAY0 + timedelta(days=day)
    return [
        when.isoformat(),
        channel,
        f"{sender}@x.example",
        ";".join(f"{t}@x.example" for t in to),
        "",
        thread,
    ]


def _log() -> list[list[str]]:
    rows = []
    for other in "abdefghi":  # the introducer knows everyone one-to-one first
        rows += [_row(1, "c", [other]), _row(2, other, ["c"])]
    rows += [_row(3, "x1", ["x2", "x3"], "tx")]  # a group: x2 and x3 have been together
    rows += [_row(4, "h", ["k"]), _row(4.5, "i", ["k"])]  # h and i share a contact
    rows += [_row(20, "c", ["y", "z"], "early")]  # within the warm-up: no introduction
    rows += [
        _row(100, "c", ["a", "b"], "t1"),  # an introduction, then a tie
        _row(105, "a", ["b"]),
        _row(106, "b", ["a"]),
        _row(100.1, "c", ["d", "e"], "t2"),  # an introduction without an outcome
        _row(100.2, "x1", ["x2", "x3"], "t3"),  # they had been together
        _row(100.3, "c", ["h", "i"], "t4"),  # same circle: k knows both
        _row(100.4, "f", ["c", "g"], "t5"),  # the sender is one of the pair
    ]
    # The iceberg: a group thread followed by a one-to-one within hours, and one whose
    # people wrote one-to-one only the week before.
    rows += [_row(200, "p", ["q", "r"], "g1"), _row(200.1, "q", ["p"])]
    rows += [_row(203.05, "s", ["t"]), _row(210, "s", ["t", "u"], "g2")]
    rows += [_row(3, "q", ["r"]), _row(3, "t", ["u"])]  # the groups' people know each other
    rows += [_row(day, "c", ["x1"]) for day in range(110, 401, 10)]  # the log goes on
    return rows


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("intros")
    path = root / "log.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["timestamp", "channel", "sender", "recipients", "duration_s", "thread_id"])
        out.writerows(_log())
    settings = Settings(db_path=root / "store.duckdb")
    api.ingest(settings, [path])
    api.analyze(settings)
    return settings


def _pairs(settings: Settings) -> dict[frozenset[str], dict[str, object]]:
    rows = api.intros(settings).to_pylist()
    return {frozenset((str(r["person_a"]), str(r["person_b"]))): r for r in rows}


def test_detects_exactly_the_introductions(store: Settings) -> None:
    found = _pairs(store)
    assert set(found) == {
        frozenset(("A", "B")),
        frozenset(("D", "E")),
    }


def test_outcomes_and_introducer(store: Settings) -> None:
    found = _pairs(store)
    formed = found[frozenset(("A", "B"))]
    assert formed["outcome"] == "tie formed"
    assert formed["tie_formed"] is True
    assert formed["introducer"] == "C"
    assert formed["days_to_first_direct"] == pytest.approx(5.0, abs=0.01)
    assert formed["people"] == 3 and formed["weight"] == 1.0
    assert formed["strength"] is not None
    silent = found[frozenset(("D", "E"))]
    assert silent["outcome"] == "no direct contact"
    assert silent["first_direct"] is None and silent["tie_formed"] is False


def test_rates_count_judged_introductions(store: Settings) -> None:
    rates = {s.role: s for s in api.intro_rates(store)}
    others = rates["between others"]  # the owner is in none of them
    assert (others.introductions, others.judged, others.formed) == (2, 2, 1)
    assert others.formed_share == 0.5
    assert rates["made"].introductions == 0


def test_unknown_role_is_an_input_error(store: Settings) -> None:
    with pytest.raises(InputError, match="Unknown role"):
        api.intros(store, role="everyone")


def test_iceberg_sparks_against_the_week_before(store: Settings) -> None:
    report = api.report(store, organisation=True)
    assert report.subject == "the organisation"
    group = next(s for s in report.iceberg if s.kind == "group thread")
    by_thread = {(m, n, s, b) for m, n, s, b in report.iceberg_months}
    assert sum(n for _, n, _, _ in by_thread) == group.tips
    assert group.sparked >= 1 and group.baseline >= 1
    assert group.rate is not None and group.baseline_rate is not None


def test_an_unanalysed_store_says_what_to_do(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "empty.duckdb")
    api.init(settings, ["me@example.com"])
    with pytest.raises(Exception, match="analy"):
        api.intros(settings)
