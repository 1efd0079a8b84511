"""An organisation that numbers its staff's mailboxes (``p100000@corp.example``) is a
company of people: none of them is taken for a machine."""

from __future__ import annotations

from pathlib import Path

from weakties import api
from weakties.config import Settings

PEOPLE = [f"p{100000 + i}@corp.example" for i in range(51)]


def _log(path: Path) -> Path:
    """Each of p100000..p100050 writes to the next three, who write back, every week."""
    rows = ["timestamp,channel,sender,recipients"]
    for week in range(1, 9):
        for i, sender in enumerate(PEOPLE):
            for step in (1, 2, 3):
                other = PEOPLE[(i + step) % len(PEOPLE)]
                day = f"2025-0{1 + week // 5}-{(week % 5) * 5 + 1:02d}"
                rows.append(f"{day}T09:{step:02d}:{i % 60:02d}Z,email,{sender},{other}")
                rows.append(f"{day}T10:{step:02d}:{i % 60:02d}Z,email,{other},{sender}")
    path.write_text("\n".join(rows) + "\n")
    return path


def test_numbered_staff_are_people_not_robots(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "store.duckdb")
    api.ingest(settings, [_log(tmp_path / "corp.csv")])
    api.analyze(settings)
    rows = api.people(settings, include_automated=True).to_pylist()
    seen = {str(r["identities"]).split()[0]: r for r in rows}
    assert set(seen) == set(PEOPLE)
    assert [a for a, r in seen.items() if r["automated"]] == []
