"""Ties computed over a real DuckDB store holding small hand-written scenarios."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from weakties.errors import InputError, NotFoundError
from weakties.store.db import connect
from weakties.ties import (
    MODEL_VERSION,
    compute_ties,
    features,
    pin_tie,
    pins,
    scored_ties,
    tie_features_sql,
    unpin_tie,
)
from weakties.ties.features import (
    CC_FACTOR,
    Counting,
    duckdb_counting,
    install_shims,
    timestamp_literal,
)

AS_OF = datetime(2002, 1, 31, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
WEEK = timedelta(weeks=1)
EPOCH_DAY = datetime(1970, 1, 1).toordinal()  # day numbers count from here

ME, ALICE, BOB, CAROL, DAN, ERIN, NEWS = 1, 2, 3, 4, 5, 6, 7
CROWD = (10, 11, 12, 13, 14)


@dataclass
class Store:
    """Writes facts and identities the way ingest and identity resolution would.

    Rows are buffered and written in one go by :meth:`flush` (one transaction per
    row would make every scenario take seconds).
    """

    con: duckdb.DuckDBPyConnection
    addresses: dict[int, str] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _next: int = 1

    def person(
        self,
        pid: int,
        *addresses: str,
        name: str = "",
        owner: bool = False,
        automated: bool = False,
    ) -> None:
        for address in addresses:
            self._add(
                "identities",
                address=address,
                person_id=pid,
                kind="email",
                names=[name or address],
                automated=automated,
                n_interactions=0,
            )
        self._add(
            "people",
            person_id=pid,
            display_name=name or addresses[0],
            primary_address=addresses[0],
            automated=automated,
            is_owner=owner,
            model_version="test",
        )
        self.addresses[pid] = addresses[0]

    def send(
        self,
        when: datetime,
        sender: int | str,
        to: Iterable[int | str] = (),
        cc: Iterable[int | str] = (),
        *,
        channel: str = "email",
        reply_to: int | None = None,
        automated: bool = False,
        bulk: bool = False,
        duration_s: float | None = None,
        sources: Iterable[int] = (),
    ) -> int:
        """Store one interaction; ``sources`` are the mailboxes or logs it was read from
        (its ledger rows), none by default."""
        iid = self._next
        self._next += 1
        meeting = channel == "meeting"
        people = [(sender, "organizer" if meeting else "from")]
        people += [(r, "attendee" if meeting else "to") for r in to]
        people += [(r, "cc") for r in cc]
        self._add(
            "interactions",
            interaction_id=iid,
            natural_key=f"k{iid}",
            content_key=f"c{iid}",
            source_id=1,
            channel=channel,
            ts=when,
            message_id=f"m{iid}@x",
            in_reply_to=f"m{reply_to}@x" if reply_to else None,
            automated=automated,
            bulk=bulk,
            duration_s=duration_s,
            n_participants=len(people),
        )
        for who, role in people:
            self._add(
                "participants", interaction_id=iid, address=self._address(who), role=role, name=""
            )
        for source in sources:
            self._add(
                "items",
                location=f"{source}/{iid}",
                source_id=source,
                outcome="stored",
                interaction_id=iid,
                is_sent=False,
            )
        return iid

    def flush(self) -> None:
        for table, rows in self.rows.items():
            self.con.register("_rows", pa.Table.from_pylist(rows))
            self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
            self.con.unregister("_rows")
        self.rows.clear()

    def _add(self, table: str, **row: Any) -> None:
        self.rows.setdefault(table, []).append(row)

    def _address(self, who: int | str) -> str:
        return self.addresses[who] if isinstance(who, int) else who


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    con = connect(tmp_path / "s.duckdb")
    try:
        yield Store(con)
    finally:
        con.close()


def _people(s: Store) -> None:
    s.person(ME, "me@corp.com", "me@home.org", name="Me Myself", owner=True)
    s.person(ALICE, "alice@corp.com", name="Alice Long")
    s.person(BOB, "bob@vendor.com", name="Bob Pushy")
    s.person(CAROL, "carol@old.org", name="Carol Past")
    s.person(DAN, "dan@corp.com", name="Dan Crowd")
    s.person(ERIN, "erin@corp.com", name="Erin Meets")
    s.person(NEWS, "news@vendor.com", name="Vendor News", automated=True)
    for pid in CROWD:
        s.person(pid, f"p{pid}@corp.com", name=f"Person {pid}")


def _long_tie(s: Store) -> None:
    """150 weeks: I write to Alice every Sunday morning, she answers three hours later."""
    last = AS_OF - 4 * DAY - timedelta(hours=3)
    for k in range(150):
        sent = last - (149 - k) * WEEK
        mine = s.send(sent, ME, [ALICE])
        s.send(sent + timedelta(hours=3), ALICE, ["me@home.org"], cc=[ME], reply_to=mine)
    s.send(AS_OF - 10 * DAY, ALICE, [ME], bulk=True)  # a list post: not contact
    s.send(AS_OF - 11 * DAY, ALICE, [ME], automated=True)  # an auto-reply: not contact


def _one_way(s: Store) -> None:
    """Bob writes to me fourteen times and is never answered."""
    for k in range(14):
        s.send(AS_OF - (60 - 3 * k) * DAY, BOB, [ME])


def _dormant(s: Store) -> None:
    """Carol and I exchanged 88 messages over eight weeks in spring 2000."""
    start = datetime(2000, 3, 1, 10, tzinfo=UTC)
    for k in range(44):
        sent = start + timedelta(hours=31 * k)
        mine = s.send(sent, ME, [CAROL])
        s.send(sent + timedelta(hours=2), CAROL, [ME], reply_to=mine)


def _group(s: Store) -> None:
    """Dan and I only ever meet in the crowd's group mail."""
    for k in range(10):
        s.send(AS_OF - (70 - 7 * k) * DAY, ME, [DAN, *CROWD])
    for k in range(5):
        s.send(AS_OF - (66 - 7 * k) * DAY, DAN, [ME, *CROWD[:4]])


def _automated(s: Store) -> None:
    for k in range(5, 35):
        s.send(AS_OF - k * DAY, NEWS, [ME])


def _meetings(s: Store) -> None:
    """Erin and I meet weekly for half an hour; she wrote three times and called three."""
    for k in range(20):
        s.send(AS_OF - (140 - 7 * k) * DAY, ME, [ERIN], channel="meeting", duration_s=1800)
    for k in range(3):
        s.send(AS_OF - (100 - k) * DAY, ERIN, [ME])
    s.send(AS_OF - 30 * DAY, ERIN, [ME], channel="call", duration_s=600)
    s.send(AS_OF - 20 * DAY, ERIN, [ME], channel="call", duration_s=600)
    s.send(AS_OF - 10 * DAY, ERIN, [ME], channel="call", duration_s=0)  # missed


@pytest.fixture
def office(store: Store) -> Store:
    _people(store)
    for scenario in (_long_tie, _one_way, _dormant, _group, _automated, _meetings):
        scenario(store)
    store.flush()
    return store


def _ties(s: Store, **kwargs: Any) -> dict[tuple[int, int], dict[str, Any]]:
    s.flush()
    table = compute_ties(s.con, **kwargs)
    return {(r["person_a"], r["person_b"]): r for r in table.to_pylist()}


# --- features -------------------------------------------------------------------


def test_long_balanced_tie_features(office: Store) -> None:
    t = _ties(office, as_of=AS_OF)[ME, ALICE]
    assert (t["messages_ab"], t["messages_ba"], t["messages"]) == (150, 150, 300)
    assert t["weighted_ab"] == pytest.approx(150.0)
    assert t["weighted_ba"] == pytest.approx(150.0)  # "to" and "cc" of one person: once, as to
    assert t["one_to_one_share"] == 1.0 and t["group_share"] == 0.0
    assert (t["active_days"], t["active_weeks"]) == (150, 150)
    assert t["duration_days"] == pytest.approx(149 * 7 + 3 / 24)
    assert t["recency_days"] == pytest.approx(4.0)
    assert t["balance"] == 1.0
    assert (t["replies_ab"], t["replies_ba"]) == (0, 150)
    assert t["reply_latency_h"] == pytest.approx(3.0)
    assert (t["meetings"], t["calls"], t["channels"]) == (0, 0, 1)
    assert t["last_contact"] == AS_OF - 4 * DAY
    assert t["as_of"] == AS_OF


def test_one_way_sender_features(office: Store) -> None:
    t = _ties(office, as_of=AS_OF)[ME, BOB]
    assert (t["messages_ab"], t["messages_ba"]) == (0, 14)
    assert t["balance"] == 0.0
    assert not t["two_way"]
    assert t["active_days"] == 14
    assert t["duration_days"] == pytest.approx(39.0)
    assert t["recency_days"] == pytest.approx(21.0)


def test_group_weights_split_over_recipients(office: Store) -> None:
    t = _ties(office, as_of=AS_OF)[ME, DAN]
    assert (t["messages_ab"], t["messages_ba"]) == (10, 5)
    assert t["weighted_ab"] == pytest.approx(10 / 6)
    assert t["weighted_ba"] == pytest.approx(5 / 5)
    assert t["one_to_one_share"] == 0.0 and t["group_share"] == 1.0
    assert t["balance"] == pytest.approx(0.5)


def test_cc_counts_less_than_to(store: Store) -> None:
    _people(store)
    store.send(AS_OF, ME, [ALICE], cc=[BOB])
    ties = _ties(store)
    assert ties[ME, ALICE]["weighted_ab"] == pytest.approx(1 / 2)
    assert ties[ME, BOB]["weighted_ab"] == pytest.approx(CC_FACTOR / 2)


def test_meetings_and_calls(office: Store) -> None:
    t = _ties(office, as_of=AS_OF)[ME, ERIN]
    assert (t["meetings"], t["meeting_minutes"]) == (20, pytest.approx(600.0))
    assert (t["calls"], t["call_minutes"]) == (3, pytest.approx(20.0))
    assert (t["messages_ab"], t["messages_ba"]) == (20, 6)
    assert t["channels"] == 3
    assert t["synchronous"] == 22  # the missed call is not a conversation
    # Meetings count both ways (an organiser is not the one who cares more); calls count
    # for whoever placed them: 20 from me, 3 emails and 3 calls + 20 meetings from Erin.
    assert t["balance"] == pytest.approx(20 / 26)
    assert t["two_way"]
    assert t["weighted_minutes"] == pytest.approx(620.0)


def test_automated_and_bulk_are_left_out(office: Store) -> None:
    ties = _ties(office, as_of=AS_OF)
    assert not [k for k in ties if NEWS in k]
    assert ties[ME, ALICE]["messages_ba"] == 150


def test_recency_is_judged_against_the_end_of_the_sources_that_saw_the_tie(store: Store) -> None:
    """Mailbox 1 ends on 31 January, mailbox 2 on 31 March: a tie seen only in mailbox 1
    has been silent since its last message until 31 January, not until March. Judged a
    month after every mailbox ended, every tie has been silent a month longer."""
    _people(store)
    first_end, last_end = datetime(2001, 1, 31, tzinfo=UTC), datetime(2001, 3, 31, tzinfo=UTC)
    store.send(first_end, ME, [CAROL], sources=[1])  # mailbox 1's last message
    store.send(last_end, ME, [DAN], sources=[2])  # mailbox 2's last message
    store.send(first_end - 30 * DAY, ME, [BOB], sources=[1])
    store.send(first_end - 10 * DAY, BOB, [ME], bulk=True, sources=[1])  # not contact
    store.send(first_end - 20 * DAY, ME, [ERIN], sources=[1, 2])  # filed in both
    store.send(first_end - 25 * DAY, ME, [ALICE], sources=[1])
    store.send(first_end - 50 * DAY, ALICE, [ME], sources=[2])
    for as_of, after in ((last_end, 0.0), (datetime(2001, 4, 30, tzinfo=UTC), 30.0)):
        ties = _ties(store, as_of=as_of)
        assert ties[ME, BOB]["recency_days"] == pytest.approx(30.0 + after)
        assert ties[ME, CAROL]["recency_days"] == pytest.approx(0.0 + after)
        assert ties[ME, DAN]["recency_days"] == pytest.approx(0.0 + after)
        # Seen by the later mailbox too: silent until its end.
        assert ties[ME, ERIN]["recency_days"] == pytest.approx(59.0 + 20.0 + after)
        assert ties[ME, ALICE]["recency_days"] == pytest.approx(59.0 + 25.0 + after)


def test_as_of_defaults_to_latest_interaction(office: Store) -> None:
    ties = _ties(office)
    assert ties[ME, ALICE]["as_of"] == AS_OF - 4 * DAY
    assert ties[ME, ALICE]["recency_days"] == pytest.approx(0.0)


def test_as_of_leaves_out_later_interactions(office: Store) -> None:
    ties = _ties(office, as_of=datetime(2000, 6, 1, tzinfo=UTC))
    assert set(ties) == {(ME, ALICE), (ME, CAROL)}
    assert ties[ME, CAROL]["messages"] == 88


def test_features_sql_is_portable_text(office: Store) -> None:
    sql = tie_features_sql(timestamp_literal(AS_OF))
    for dialect_only in ("epoch(", "::", "date_diff", "list(", "FILTER (", "QUALIFY"):
        assert dialect_only not in sql
    install_shims(office.con)
    assert office.con.execute(f"SELECT count(*) FROM ({sql})").fetchall() == [(14,)]


def _features(s: Store, as_of: datetime, counting: Counting | None) -> pa.Table:
    install_shims(s.con)
    sql = tie_features_sql(timestamp_literal(as_of), counting)
    return s.con.sql(f"SELECT * FROM ({sql}) ORDER BY person_a, person_b").to_arrow_table()


@pytest.mark.parametrize("as_of", [AS_OF, datetime(2000, 4, 10, tzinfo=UTC)])
def test_counting_without_distinct_gives_the_same_features(office: Store, as_of: datetime) -> None:
    counting = duckdb_counting(office.con, as_of)
    assert counting is not None
    assert counting.channels == (("call", "email", "meeting") if as_of == AS_OF else ("email",))
    first = AS_OF - 4 * DAY - timedelta(hours=3) - 149 * WEEK  # the long tie's first message
    assert counting.first_day == first.toordinal() - EPOCH_DAY
    assert "COUNT(DISTINCT" not in tie_features_sql(timestamp_literal(as_of), counting)
    plain, counted = _features(office, as_of, None), _features(office, as_of, counting)
    assert counted.schema == plain.schema
    assert counted.to_pylist() == plain.to_pylist()
    carol = next(r for r in counted.to_pylist() if (r["person_a"], r["person_b"]) == (ME, CAROL))
    start = datetime(2000, 3, 1, 10, tzinfo=UTC)  # as in _dormant
    sent = [start + timedelta(hours=31 * k + d) for k in range(44) for d in (0, 2)]
    assert carol["active_days"] == len({t.date() for t in sent if t <= as_of})
    assert carol["active_weeks"] == len({t.isocalendar()[:2] for t in sent if t <= as_of})


def test_counting_falls_back_to_distinct_where_bitmaps_do_not_fit(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert duckdb_counting(store.con, AS_OF) is None  # nothing to count
    _people(store)
    store.send(AS_OF - 3 * DAY, ME, [ALICE])
    store.send(AS_OF - 2 * DAY, ALICE, [ME], channel="call", duration_s=60)
    store.flush()
    first, last = (
        (AS_OF - 3 * DAY).toordinal() - EPOCH_DAY,
        (AS_OF - 2 * DAY).toordinal() - EPOCH_DAY,
    )
    assert duckdb_counting(store.con, AS_OF) == Counting(first, last, ("call", "email"))
    monkeypatch.setattr(features, "BITMAP_MAX_CHANNELS", 1)
    assert duckdb_counting(store.con, AS_OF) is None
    monkeypatch.undo()
    store.send(datetime(1988, 5, 1, tzinfo=UTC), ME, [ALICE])  # a span of 14 years
    store.flush()
    assert duckdb_counting(store.con, AS_OF) is None
    store.con.execute("DELETE FROM interactions WHERE ts < '1990-01-01'")
    store.send(AS_OF - DAY, ME, [ALICE], channel="it's odd")  # not a channel ingest writes
    store.flush()
    assert duckdb_counting(store.con, AS_OF) is None
    ties = _ties(store, as_of=AS_OF)  # counted plainly
    assert ties[ME, ALICE]["active_days"] == 3
    assert ties[ME, ALICE]["channels"] == 3


def test_empty_store_gives_empty_ties(store: Store) -> None:
    table = compute_ties(store.con)
    assert table.num_rows == 0
    assert {"strength", "band", "explanation", "model_version"} <= set(table.column_names)


# --- model over the store -------------------------------------------------------


def test_bands_and_explanations(office: Store) -> None:
    ties = _ties(office, as_of=AS_OF)
    alice, bob, carol = ties[ME, ALICE], ties[ME, BOB], ties[ME, CAROL]
    dan, erin = ties[ME, DAN], ties[ME, ERIN]
    assert alice["band"] == "strong"
    assert alice["explanation"] == (
        "300 messages over 3 years, balanced, mostly one-to-one, "
        "replies within 3 hours, last 4 days ago"
    )
    assert bob["band"] == "one-way"
    assert bob["explanation"] == "14 messages, all from Bob Pushy, never answered"  # neutral
    assert carol["band"] == "dormant"
    assert carol["explanation"] == "was close (88 messages in 2000), silent for 21 months"
    assert dan["band"] == "weak"
    assert dan["explanation"] == (
        "15 messages over 2 months, balanced, mostly in groups, last 7 days ago"
    )
    assert erin["band"] in {"strong", "weak"}
    assert erin["explanation"].startswith("3 messages, 20 meetings and 3 calls over 4 months")
    assert alice["strength"] > erin["strength"] > dan["strength"] > bob["strength"]


def test_ties_table_is_materialised_and_stamped(office: Store) -> None:
    returned = compute_ties(office.con, as_of=AS_OF)
    stored = office.con.sql("SELECT * FROM ties ORDER BY person_a, person_b").to_arrow_table()
    assert stored.equals(returned)
    versions = office.con.execute("SELECT DISTINCT model_version FROM ties").fetchall()
    assert versions == [(MODEL_VERSION,)]
    assert returned.column("mutual_contacts").null_count == returned.num_rows


def test_decay_respects_long_relationships(store: Store) -> None:
    _people(store)
    quiet_since = AS_OF - 90 * DAY
    for k in range(260):  # five years of weekly exchanges with Alice
        sent = quiet_since - k * WEEK
        store.send(sent, ME, [ALICE])
        store.send(sent + DAY, ALICE, [ME])
    for k in range(14):  # a two-week burst with Bob
        sent = quiet_since - k * DAY
        store.send(sent, ME, [BOB])
        store.send(sent, BOB, [ME])
    ties = _ties(store, as_of=AS_OF)
    assert ties[ME, ALICE]["band"] in {"strong", "weak"}
    assert ties[ME, BOB]["band"] == "dormant"
    assert ties[ME, ALICE]["decay"] > 0.8 > 0.1 > ties[ME, BOB]["decay"]


# --- pins -----------------------------------------------------------------------


def test_pin_survives_recomputation(office: Store) -> None:
    compute_ties(office.con, as_of=AS_OF)
    pin_tie(office.con, "Bob@Vendor.com", "me@home.org", "weak")
    row = _pinned(office.con, ME, BOB)
    assert row == ("weak", "one-way", True)
    ties = _ties(office, as_of=AS_OF)
    assert (ties[ME, BOB]["band"], ties[ME, BOB]["model_band"]) == ("weak", "one-way")
    assert ties[ME, BOB]["pinned"] is True
    assert ties[ME, ALICE]["pinned"] is False


def test_pin_survives_renumbered_people(office: Store) -> None:
    pin_tie(office.con, "carol@old.org", "me@corp.com", "strong")
    office.con.execute("UPDATE identities SET person_id = 40 WHERE person_id = ?", [CAROL])
    office.con.execute("UPDATE people SET person_id = 40 WHERE person_id = ?", [CAROL])
    ties = _ties(office, as_of=AS_OF)
    assert (ties[ME, 40]["band"], ties[ME, 40]["model_band"]) == ("strong", "dormant")


def test_unpin_restores_model_band(office: Store) -> None:
    compute_ties(office.con, as_of=AS_OF)
    pin_tie(office.con, "bob@vendor.com", "me@corp.com", "strong")
    assert unpin_tie(office.con, "me@corp.com", "bob@vendor.com") is True
    assert _pinned(office.con, ME, BOB) == ("one-way", "one-way", False)
    assert unpin_tie(office.con, "me@corp.com", "bob@vendor.com") is False
    assert pins(office.con).num_rows == 0


def test_newest_pin_wins_across_aliases(office: Store) -> None:
    pin_tie(office.con, "alice@corp.com", "me@corp.com", "weak")
    pin_tie(office.con, "alice@corp.com", "me@home.org", "dormant")
    compute_ties(office.con, as_of=AS_OF)
    assert _pinned(office.con, ME, ALICE) == ("dormant", "strong", True)


def test_pins_applied_in_memory_match_the_stored_ones(office: Store) -> None:
    """The analysis applies pins before it stores ties; the result is apply_pins'."""
    pin_tie(office.con, "alice@corp.com", "me@corp.com", "weak")
    pin_tie(office.con, "alice@corp.com", "me@home.org", "dormant")
    pin_tie(office.con, "bob@vendor.com", "me@corp.com", "strong")
    in_memory = scored_ties(office.con, as_of=AS_OF).sort_by(
        [("person_a", "ascending"), ("person_b", "ascending")]
    )
    stored = compute_ties(office.con, as_of=AS_OF)
    columns = ["person_a", "person_b", "band", "model_band", "pinned"]
    assert in_memory.select(columns).to_pylist() == stored.select(columns).to_pylist()
    assert sum(in_memory.column("pinned").to_pylist()) == 2


@pytest.mark.parametrize(
    ("a", "b", "band", "error"),
    [
        ("me@corp.com", "bob@vendor.com", "close", InputError),
        ("me@corp.com", "nobody@nowhere.com", "weak", NotFoundError),
        ("me@corp.com", "me@home.org", "weak", InputError),
        ("me@corp.com", " ME@corp.com ", "weak", InputError),
    ],
)
def test_pin_rejects_bad_input(
    office: Store, a: str, b: str, band: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        pin_tie(office.con, a, b, band)
    assert pins(office.con).num_rows == 0


def test_pin_accepts_underscored_band(office: Store) -> None:
    pin_tie(office.con, "me@corp.com", "dan@corp.com", "ONE_WAY")
    assert pins(office.con).column("band").to_pylist() == ["one-way"]


def _pinned(con: duckdb.DuckDBPyConnection, a: int, b: int) -> tuple[Any, ...]:
    (row,) = con.execute(
        "SELECT band, model_band, pinned FROM ties WHERE person_a = ? AND person_b = ?", [a, b]
    ).fetchall()
    return tuple(row)
