"""The owner's view on the demo's planted truth, and communities through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from weakties import api
from weakties.config import Settings
from weakties.demo import DemoConfig, DemoTruth, generate, load_truth
from weakties.graph import ari, nmi
from weakties.insights.ego import EgoView, ego_view, owners


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[EgoView, DemoTruth, Settings]:
    root = tmp_path_factory.mktemp("insights")
    files = generate(DemoConfig(seed=7), root / "demo")
    settings = Settings(db_path=root / "demo.duckdb")
    api.ingest(settings, [files.mbox])
    api.analyze(settings)
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        view = ego_view(con, owners(con)[0][0], limit=10)
    finally:
        con.close()
    return view, load_truth(files.truth), settings


def _names(table: pa.Table) -> set[str]:
    return {str(r["person"]) for r in table.to_pylist()}


def test_strongest_are_close_collaborators(
    demo: tuple[EgoView, DemoTruth, Settings],
) -> None:
    view, truth, settings = demo
    close = {
        p["name"]
        for p in api.people(settings, limit=None).to_pylist()
        if any(a in p["identities"].split() for a in truth.close)
    }
    strongest = _names(view.strongest)
    assert len(strongest) == 10
    assert len(strongest & close) >= 8


def test_bridging_weak_ties_are_the_planted_bridges(
    demo: tuple[EgoView, DemoTruth, Settings],
) -> None:
    view, truth, _ = demo
    bridges = {b.name for b in truth.bridges}
    top = [r["person"] for r in view.bridging_weak.to_pylist()][:4]
    assert sum(name in bridges for name in top) >= 3
    assert all(r["band"] == "weak" for r in view.bridging_weak.to_pylist())


def test_dormant_are_the_planted_dormant(demo: tuple[EgoView, DemoTruth, Settings]) -> None:
    view, truth, _ = demo
    dormant = {d.name for d in truth.dormant}
    found = _names(view.dormant)
    assert dormant <= found


def test_communities_through_the_interaction_log(shared_data: Path, tmp_path: Path) -> None:
    """SNAP email-Eu-core's edge list as a log, analysed end to end: NMI >= 0.60."""
    folder = shared_data / "snap-email-eu-core"
    log = tmp_path / "eu.csv"
    with log.open("w") as out:
        out.write("timestamp,channel,sender,recipients\n")
        for line in (folder / "email-Eu-core.txt").read_text().splitlines():
            a, b = line.split()
            if a != b:
                out.write(f"2003-10-01T00:00:00Z,email,n{a},n{b}\n")
    settings = Settings(db_path=tmp_path / "eu.duckdb")
    api.ingest(settings, [log])
    api.analyze(settings)
    con = duckdb.connect(str(settings.db_path), read_only=True)
    found = dict(
        con.execute(
            "SELECT i.address, m.community_id FROM person_metrics m JOIN identities i "
            "USING (person_id)"
        ).fetchall()
    )
    con.close()
    labels = dict(
        (f"n{a}", int(d))
        for a, d in (
            line.split()
            for line in (folder / "email-Eu-core-department-labels.txt").read_text().splitlines()
        )
    )
    # people with no tie at all are singletons of their own
    ours = [found.get(a, -1 - i) for i, a in enumerate(labels)]
    assert nmi(ours, list(labels.values())) >= 0.60
    assert ari(ours, list(labels.values())) > 0.4
