"""Replies on a mailing list are exchanges between the people, not with the list."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from weakties import api
from weakties.config import Settings

LIST = "dev@lists.example.org"


def _post(n: int, sender: str, name: str, day: int, reply_to: int | None) -> str:
    """One list post as an mbox entry (headers as Mailman delivers them)."""
    answer = f"In-Reply-To: <m{reply_to}@example.org>\nReferences: <m{reply_to}@example.org>\n"
    return (
        f"From {sender} Mon Mar {day:2d} 10:00:00 2024\n"
        f"From: {name} <{sender}>\n"
        f"To: {LIST}\n"
        f"Date: Mon, {day:02d} Mar 2024 10:00:00 +0000\n"
        f"Subject: Re: a question\n"
        f"Message-ID: <m{n}@example.org>\n"
        f"{answer if reply_to is not None else ''}"
        f"List-Id: Developers <dev.lists.example.org>\n"
        f"Precedence: list\n"
        f"\n"
        f"Body {n}.\n\n"
    )


def _archive(path: Path) -> Path:
    ann, bo, cy = (
        ("ann@uni.example", "Ann Lee"),
        ("bo@corp.example", "Bo Chan"),
        ("cy@home.example", "Cy Diaz"),
    )
    posts = [
        _post(1, *ann, 1, None),
        _post(2, *bo, 2, 1),  # Bo answers Ann
        _post(3, *ann, 3, 2),  # Ann answers Bo
        _post(4, *bo, 9, 3),
        _post(5, *cy, 10, None),  # Cy asks; nobody answers
        _post(6, *ann, 11, 99),  # replies to a message the archive does not hold
    ]
    path.write_text("".join(posts))
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("list")
    settings = Settings(db_path=root / "store.duckdb")
    api.ingest(settings, [_archive(root / "dev.mbox")])
    api.analyze(settings)
    return settings


def _ties(settings: Settings) -> list[tuple[str, str, int, int, int, int, str]]:
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        rows = con.execute(
            """
            SELECT a.address, b.address, t.messages_ab, t.messages_ba,
                   t.replies_ab, t.replies_ba, t.band
            FROM ties t
            JOIN people pa ON pa.person_id = t.person_a
            JOIN people pb ON pb.person_id = t.person_b
            JOIN identities a ON a.address = pa.primary_address
            JOIN identities b ON b.address = pb.primary_address
            """
        ).fetchall()
        bulk = con.execute("SELECT count(*) FROM interactions WHERE NOT bulk").fetchall()
    finally:
        con.close()
    assert bulk == [(0,)]  # every post is list mail
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_replies_on_a_list_are_ties_between_the_two_people(store: Settings) -> None:
    ties = _ties(store)
    assert len(ties) == 1
    a, b, ab, ba, rab, rba, band = ties[0]
    assert {a, b} == {"ann@uni.example", "bo@corp.example"}
    assert (ab, ba) == ((1, 2) if a == "ann@uni.example" else (2, 1))
    assert (rab, rba) == (ab, ba)  # each contact is a reply
    assert band != "one-way"


def test_the_list_address_and_the_unanswered_stay_out(store: Settings) -> None:
    ties = _ties(store)
    named = {address for tie in ties for address in tie[:2]}
    assert LIST not in named and "cy@home.example" not in named
    people = {r["identities"] for r in api.people(store, include_automated=True).to_pylist()}
    assert "cy@home.example" in people  # Cy is a person, seen, with no tie


def test_a_real_list_archive_gives_ties_between_its_people(
    shared_data: Path, tmp_path: Path
) -> None:
    """R-package-devel, 2019 Q1 (pipermail, 387 posts): 0 ties before replies counted."""
    settings = Settings(db_path=tmp_path / "store.duckdb")
    api.ingest(settings, [shared_data / "mailing-lists" / "r-package-devel" / "2019q1.txt"])
    summary = api.analyze(settings)
    assert summary.ties > 100
    assert summary.ties - summary.ties_by_band.get("one-way", 0) > 40  # reciprocated
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        (restored, hidden, fake_orgs) = con.execute(
            """
            SELECT count(*) FILTER (WHERE address LIKE '%@gmail.com'),
                   count(*) FILTER (WHERE address LIKE '%.invalid'),
                   (SELECT count(*) FROM organisations WHERE org_domain LIKE '%|%'
                      OR org_domain LIKE '%.invalid')
            FROM identities
            """
        ).fetchall()[0]
    finally:
        con.close()
    assert restored >= 15 and hidden > 0 and fake_orgs == 0
