"""Structure comes from relationships: one-way mail never makes a connector or a bridge.

A small company writes to each other in teams, a liaison keeps in touch with every
team, and the chief executive sends an all-hands message to 300 people every four weeks. The
message is attention, not 300 relationships: it must not make its sender the top connector,
nor its recipients a community of their own.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from itertools import combinations

import duckdb
import pytest

from weakties import api
from weakties.config import Settings
from weakties.graph import from_ties, leiden, place

TEAMS, TEAM_SIZE, WEEKS = 4, 6, 12
START = datetime(2024, 1, 1, 9, tzinfo=UTC)
CEO = "ceo@acme.example"
LIAISON = "liaison@acme.example"


def _team(t: int) -> list[str]:
    return [f"t{t}p{i}@acme.example" for i in range(TEAM_SIZE)]


def _rows() -> list[tuple[str, str, str]]:
    """(timestamp, sender, recipients) of the small company's mail."""
    rows: list[tuple[str, str, str]] = []

    def mail(week: int, hour: int, sender: str, to: list[str]) -> None:
        when = START + timedelta(weeks=week, hours=hour)
        rows.append((when.isoformat(), sender, ";".join(to)))

    for week in range(WEEKS):
        for t in range(TEAMS):
            for k, (a, b) in enumerate(combinations(_team(t), 2)):
                mail(week, k % 8, a, [b])
                mail(week, k % 8 + 1, b, [a])
            contact = _team(t)[0]
            mail(week, 10, LIAISON, [contact])
            mail(week, 11, contact, [LIAISON])
        if week % 3 == 0:  # the CEO keeps in touch with two people of the first team
            for member in _team(0)[1:3]:
                mail(week, 12, CEO, [member])
                mail(week, 13, member, [CEO])
    staff = [a for t in range(TEAMS) for a in _team(t)] + [LIAISON]
    others = [f"staff{i}@acme.example" for i in range(300 - len(staff))]
    for week in (1, 5, 9):  # a quarterly all-hands
        mail(week, 3, CEO, staff + others)
    return rows


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("all-hands")
    log = root / "mail.csv"
    with log.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["timestamp", "channel", "sender", "recipients"])
        out.writerows((ts, "email", s, r) for ts, s, r in _rows())
    settings = Settings(db_path=root / "store.duckdb")
    api.ingest(settings, [log])
    api.analyze(settings)
    return settings


def _communities(settings: Settings) -> dict[str, int]:
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        rows = con.execute(
            "SELECT i.address, m.community_id FROM person_metrics m "
            "JOIN identities i USING (person_id)"
        ).fetchall()
    finally:
        con.close()
    return {str(a): int(c) for a, c in rows}


def test_an_all_hands_message_does_not_make_its_sender_the_top_connector(
    company: Settings,
) -> None:
    ranked = api.connectors(company, limit=None).to_pylist()
    assert ranked[0]["name"] != "Ceo"
    assert ranked[0]["person_id"] == _person_id(company, LIAISON)
    ceo = next(r for r in ranked if r["person_id"] == _person_id(company, CEO))
    assert ceo["ties"] == 2  # the CEO's relationships
    assert ceo["communities_spanned"] == 1


def test_its_recipients_are_not_a_community_of_their_own(company: Settings) -> None:
    community = _communities(company)
    ceo_team = community[_team(0)[1]]
    assert community[CEO] == ceo_team
    for t in range(TEAMS):  # each team is a community
        assert len({community[a] for a in _team(t)}) == 1
    assert len({community[_team(t)[0]] for t in range(TEAMS)}) == TEAMS
    # Known only from the message: placed with its sender's team, not grouped apart
    leaves = [a for a in community if a.startswith("staff")]
    assert len(leaves) == 300 - TEAMS * TEAM_SIZE - 1
    assert {community[a] for a in leaves} == {ceo_team}


def test_bridges_listed_are_bridges_and_agree_with_the_summary(company: Settings) -> None:
    summary = api.analyze(company)
    listed = api.bridges(company, limit=None).to_pylist()
    assert len(listed) == summary.bridges
    assert all(r["is_bridge"] for r in listed)
    assert all(r["band"] != "one-way" for r in listed)
    # The liaison's ties are the only ones between teams: they are the bridges
    assert summary.bridges == TEAMS
    assert all("Liaison" in (r["person_a"], r["person_b"]) for r in listed)


def test_communities_count_placed_members(company: Settings) -> None:
    rows = api.communities(company).to_pylist()
    assert sum(r["placed"] for r in rows) == 300 - TEAMS * TEAM_SIZE - 1
    assert sum(r["size"] for r in rows) == len(_communities(company))


def _person_id(settings: Settings, address: str) -> int:
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        row = con.execute("SELECT person_id FROM identities WHERE address = ?", [address])
        return int(row.fetchall()[0][0])
    finally:
        con.close()


# --- place(), on a graph small enough to check by hand ---------------------------------


def test_place_follows_the_weight_of_one_way_ties() -> None:
    # two triangles 1-2-3 and 4-5-6 joined by nothing
    g = from_ties([1, 1, 2, 4, 4, 5], [2, 3, 3, 5, 6, 6], [1.0] * 6)
    found = leiden(g, resolution=1.0)
    assert found.membership[g.vertex(1)] != found.membership[g.vertex(4)]
    placed = place(
        g,
        found.membership,
        [7, 7, 7, 8, 9, 4],
        [1, 4, 5, 9, 10, 5],  # 8-9 and 9-10: both outside, place nobody; 4-5 is inside
        [0.1, 0.3, 0.3, 1.0, 1.0, 1.0],
    )
    assert placed.person_ids.tolist() == [7]
    assert placed.community.tolist() == [found.membership[g.vertex(4)]]
    assert placed.share.tolist() == pytest.approx([0.6 / 0.7])


def test_place_breaks_ties_towards_the_larger_community() -> None:
    g = from_ties([1, 1, 2, 4], [2, 3, 3, 5], [1.0] * 4)  # a triangle and a pair
    found = leiden(g, resolution=1.0)
    placed = place(g, found.membership, [6, 5], [1, 6], [0.5, 0.5])
    assert placed.person_ids.tolist() == [6]
    assert placed.community.tolist() == [0]  # numbered by size: the triangle
    assert placed.share.tolist() == [0.5]
