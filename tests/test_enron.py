"""The whole Enron maildir end to end: accounting, re-ingest, identity, tie strength."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from weakties import api
from weakties.config import Settings
from weakties.ingest import IngestReport

ENRON_FILES = 14_272
OWNERS = {
    "allen-p": "phillip.allen@enron.com",
    "buy-r": "rick.buy@enron.com",
    "grigsby-m": "mike.grigsby@enron.com",
    "keavey-p": "peter.keavey@enron.com",
    "lewis-a": "andrew.lewis@enron.com",
    "presto-k": "kevin.presto@enron.com",
}


@pytest.fixture(scope="module")
def enron(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, IngestReport, IngestReport]:
    settings = Settings(db_path=tmp_path_factory.mktemp("enron") / "enron.duckdb")
    first = api.ingest(settings, [shared_data / "enron-maildir"])
    second = api.ingest(settings, [shared_data / "enron-maildir"])
    api.analyze(settings)
    return settings, first, second


def _con(settings: Settings) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.db_path), read_only=True)


def test_every_file_is_accounted_for(enron: tuple[Settings, IngestReport, IngestReport]) -> None:
    _, first, _ = enron
    t = first.totals
    assert t.read == ENRON_FILES
    assert t.stored + t.duplicates + t.quarantined == t.read
    assert t.duplicates > 3_000  # the same mail filed in sent, _sent_mail, all_documents ...
    con = _con(enron[0])
    ledger = con.execute("SELECT count(*), count(DISTINCT location) FROM items").fetchall()
    con.close()
    assert ledger == [(ENRON_FILES, ENRON_FILES)]


def test_second_run_stores_nothing(enron: tuple[Settings, IngestReport, IngestReport]) -> None:
    _, first, second = enron
    assert (second.totals.stored, second.totals.duplicates, second.totals.quarantined) == (0, 0, 0)
    assert second.totals.known == first.totals.read


def test_six_mailboxes_six_owners(enron: tuple[Settings, IngestReport, IngestReport]) -> None:
    _, first, _ = enron
    owners = {s.label: s.owner for s in first.sources}
    assert set(owners) == set(OWNERS)
    for label, address in OWNERS.items():
        assert address in owners[label], label


def test_phillip_allen_is_one_person_with_all_his_forms(
    enron: tuple[Settings, IngestReport, IngestReport],
) -> None:
    con = _con(enron[0])
    rows = con.execute(
        """
        SELECT i.address FROM identities i
        WHERE i.person_id = (SELECT person_id FROM identities
                             WHERE address = 'phillip.allen@enron.com')
        """
    ).fetchall()
    people = con.execute("SELECT count(*) FROM people WHERE is_owner").fetchall()
    con.close()
    forms = {r[0] for r in rows}
    assert {
        "phillip.allen@enron.com",
        "k..allen@enron.com",
        "pallen@enron.com",
        "phillip.k.allen@enron.com",
        "pallen@ect.enron.com",  # the same mailbox under ECT's domain
        "pallen70@hotmail.com",  # his own, written to as "phillip allen"
    } <= forms
    assert not any("diana" in a or "lauri" in a for a in forms)  # other Allens stay apart
    assert people == [(6,)]


def test_top_ties_are_two_way_and_never_robots(
    enron: tuple[Settings, IngestReport, IngestReport],
) -> None:
    con = _con(enron[0])
    for label, address in OWNERS.items():
        rows = con.execute(
            """
            SELECT t.messages_ab, t.messages_ba, t.band, p.automated
            FROM ties t
            JOIN identities me ON me.address = ? AND me.person_id IN (t.person_a, t.person_b)
            JOIN people p ON p.person_id = CASE WHEN t.person_a = me.person_id
                                                THEN t.person_b ELSE t.person_a END
            ORDER BY t.strength DESC LIMIT 5
            """,
            [address],
        ).fetchall()
        assert len(rows) == 5, label
        for ab, ba, band, automated in rows:
            assert ab > 0 and ba > 0, (label, ab, ba)
            assert band != "one-way" and not automated, label
    strong_robots = con.execute(
        """
        SELECT count(*) FROM ties t JOIN people a ON a.person_id = t.person_a
        JOIN people b ON b.person_id = t.person_b
        WHERE t.band IN ('strong', 'weak') AND (a.automated OR b.automated)
        """
    ).fetchall()
    con.close()
    assert strong_robots == [(0,)]


def test_list_traffic_is_left_out_of_ties(
    enron: tuple[Settings, IngestReport, IngestReport],
) -> None:
    con = _con(enron[0])
    bulk = con.execute("SELECT count(*) FROM interactions WHERE bulk OR automated").fetchall()
    con.close()
    assert bulk[0][0] > 100


def test_phillip_allen_is_first_seen_when_he_was_and_has_no_tie_with_himself(
    enron: tuple[Settings, IngestReport, IngestReport],
) -> None:
    settings = enron[0]
    (allen,) = [p for p in api.people(settings, search="pallen70").to_pylist()]
    assert "phillip.allen@enron.com" in allen["identities"].split()
    assert allen["first_seen"].year >= 1998  # not the 1980-01-01 of a broken Date header
    con = _con(settings)
    ties = con.execute(
        """
        SELECT count(*) FROM ties t
        JOIN identities a ON a.person_id = t.person_a JOIN identities b ON b.person_id = t.person_b
        WHERE 'pallen70@hotmail.com' IN (a.address, b.address)
          AND 'phillip.allen@enron.com' IN (a.address, b.address)
        """
    ).fetchall()
    first = con.execute(
        "SELECT min(ts) FROM interactions i JOIN participants p USING (interaction_id) "
        "JOIN identities d USING (address) WHERE d.person_id = (SELECT person_id FROM identities "
        "WHERE address = 'phillip.allen@enron.com') AND i.date_flag = 'implausible'"
    ).fetchall()
    con.close()
    assert ties == [(0,)]
    assert first[0][0] is not None and first[0][0].year == 1980  # the store has such a date
