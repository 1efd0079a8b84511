"""Introductions and people to meet, on a small office whose answers can be checked by hand,
and the suggestion ranking against the classic baselines on real data."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from weakties import api
from weakties.config import Settings
from weakties.demo import DemoConfig, DemoTruth, generate, generate_events, load_truth
from weakties.errors import InputError, NotFoundError
from weakties.graph import from_ties
from weakties.graph.linkpred import two_hop_scores, walk_blocks, wra_scores

ME = "me@home.example"
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _exchange(
    rows: list[tuple[str, str, str]], a: str, b: str, n: int, *, days_ago: int = 0
) -> None:
    """``n`` messages each way between a and b, one a day, the last ``days_ago`` days
    before the end of the log (day 120)."""
    end = START + timedelta(days=120 - days_ago)
    for k in range(n):
        when = (end - timedelta(days=2 * k)).isoformat()
        rows.append((when, a, b))
        rows.append(((end - timedelta(days=2 * k, hours=-1)).isoformat(), b, a))


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """me knows ana well and recently, bo a little and long ago, and cy well. ana and bo
    both know the target tara; ana well, bo well too. cy knows vic at acme.example; dee
    and eve know each other but no one me knows (a separate pair)."""
    rows: list[tuple[str, str, str]] = []
    _exchange(rows, ME, "ana@corp.example", 20)
    _exchange(rows, ME, "bo@corp.example", 3, days_ago=100)
    _exchange(rows, ME, "cy@corp.example", 15)
    _exchange(rows, "ana@corp.example", "tara@target.example", 15)
    _exchange(rows, "bo@corp.example", "tara@target.example", 15)
    _exchange(rows, "cy@corp.example", "vic@acme.example", 12)
    _exchange(rows, "vic@acme.example", "wes@acme.example", 12)
    _exchange(rows, "ana@corp.example", "zed@corp.example", 10)
    _exchange(rows, "cy@corp.example", "zed@corp.example", 10)
    _exchange(rows, "dee@far.example", "eve@far.example", 8)
    root = tmp_path_factory.mktemp("act")
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


def test_the_path_with_the_stronger_weakest_leg_comes_first(office: Settings) -> None:
    rows = api.intro(office, "tara@target.example").to_pylist()
    assert [r["introducer"] for r in rows[:2]] == ["Ana", "Bo"]
    assert rows[0]["score"] > rows[1]["score"]  # bo's leg to me is weak and stale
    assert rows[0]["hops"] == 2 and rows[0]["confidence"] == "high"
    assert "you and Ana" in rows[0]["explanation"]
    assert "Tara" in rows[0]["explanation"]


def test_a_target_already_tied_says_so(office: Settings) -> None:
    rows = api.intro(office, "ana@corp.example").to_pylist()
    assert rows[0]["tier"] == "direct"
    assert rows[0]["explanation"].startswith("already tied: you and Ana")


def test_an_organisation_is_reached_through_its_people(office: Settings) -> None:
    rows = api.intro(office, "acme.example").to_pylist()
    assert rows, "acme.example has people and a path to them"
    targets = {r["target"] for r in rows}
    assert targets <= {"Vic", "Wes"}
    first = rows[0]
    assert (first["target"], first["introducer"], first["hops"]) == ("Vic", "Cy", 2)
    far = [r for r in rows if r["target"] == "Wes"]
    assert far and far[0]["hops"] == 3 and far[0]["confidence"] == "low"
    assert far[0]["second_introducer"] == "Vic"


def test_unknown_targets_are_one_line_errors(office: Settings) -> None:
    with pytest.raises(NotFoundError, match="Nobody and no organisation"):
        api.intro(office, "nobody@nowhere.example")
    with pytest.raises(InputError):
        api.intro(office, "  ")


def test_questions_inside_a_reading_block_share_one_connection(
    office: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside ``api.reading`` the store is opened once for every question, the answers
    are those of calls that open it each time, a call that writes is refused with what
    to do, and the store can be written again once the block ends."""
    from weakties.errors import StoreError
    from weakties.store import db

    alone = [api.intro(office, t).to_pylist() for t in ("tara@target.example", "acme.example")]
    opened: list[bool] = []
    real = db.connect

    def counting(*args: object, **kwargs: object) -> object:
        opened.append(bool(kwargs.get("read_only")))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "connect", counting)
    with api.reading(office):
        shared = [api.intro(office, t).to_pylist() for t in ("tara@target.example", "acme.example")]
        shared_people = api.suggest(office).to_pylist()
        with pytest.raises(StoreError, match="open for reading") as refused:
            api.pin(office, ME, "bo@corp.example", "strong")
        assert "outside" in refused.value.hint
    assert opened == [True]
    assert shared == alone
    assert shared_people == api.suggest(office).to_pylist()
    api.unpin(office, ME, "bo@corp.example")  # writes again: the block's connection is closed


def test_a_store_without_an_owner_asks_for_one(office: Settings, tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "timestamp,channel,sender,recipients\n2026-01-01T00:00:00Z,email,a@x.org,b@x.org\n"
    )
    settings = Settings(db_path=tmp_path / "s.duckdb")
    api.ingest(settings, [log])
    api.analyze(settings)
    with pytest.raises(InputError, match="init --me"):
        api.intro(settings, "b@x.org")


def test_suggestions_rank_by_shared_contacts_and_name_the_introducer(office: Settings) -> None:
    rows = api.suggest(office).to_pylist()
    by_person = {r["person"]: r for r in rows}
    assert "Ana" not in by_person and "Dee" not in by_person  # tied / out of reach
    zed, tara, vic = by_person["Zed"], by_person["Tara"], by_person["Vic"]
    assert zed["likelihood"] > vic["likelihood"]  # two strong mutual contacts beat one
    assert zed["mutual_contacts"] == 2 and zed["introducer"] in {"Ana", "Cy"}
    assert zed["explanation"].startswith("2 mutual contacts; best introduced by")
    assert "you and" in zed["explanation"]
    # Tara is a little less likely than Zed but opens an organisation no tie reaches yet
    assert tara["likelihood"] < zed["likelihood"] < tara["score"]
    assert rows[0]["person"] == "Tara" and "target.example" in tara["explanation"]
    vic = by_person["Vic"]
    assert "opens" in vic["explanation"] and "acme.example" in vic["explanation"]


def test_suggestions_for_someone_else_name_both_people(office: Settings) -> None:
    rows = api.suggest(office, person="cy@corp.example").to_pylist()
    assert rows and all("you" not in r["explanation"].split() for r in rows)
    assert {r["for_person"] for r in rows} == {"Cy"}


def test_everyone_gets_their_own_suggestions(office: Settings) -> None:
    rows = api.suggest(office, everyone=True, limit=2).to_pylist()
    per = {}
    for r in rows:
        per.setdefault(r["for_person"], []).append(r["person"])
    assert all(len(v) <= 2 for v in per.values())
    assert "Zed" in per["Me"]


def test_two_hop_scores_by_hand() -> None:
    """a-b-c, a-d-c, b-e: for a, c has two common neighbours (b, d), e one (b)."""
    ids = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    edges = [("a", "b", 1.0), ("b", "c", 0.5), ("a", "d", 0.25), ("d", "c", 1.0), ("b", "e", 1.0)]
    g = from_ties(
        [ids[x] for x, _, _ in edges], [ids[y] for _, y, _ in edges], [w for *_, w in edges]
    )
    found = two_hop_scores(g, g.vertex(1), method="cn")
    got = dict(zip(g.person_ids[found.vertices].tolist(), found.scores.tolist(), strict=True))
    assert got == {3: 2.0, 5: 1.0}
    ra = two_hop_scores(g, g.vertex(1), method="ra")
    got = dict(zip(g.person_ids[ra.vertices].tolist(), ra.scores.tolist(), strict=True))
    assert got == pytest.approx({3: 1 / 3 + 1 / 2, 5: 1 / 3})
    wra = two_hop_scores(g, g.vertex(1), method="wra")
    got = dict(zip(g.person_ids[wra.vertices].tolist(), wra.scores.tolist(), strict=True))
    # through b: w(a,b) w(b,c) / s(b) = 1 * 0.5 / 2.5; through d: 0.25 * 1 / 1.25
    assert got == pytest.approx({3: 0.5 / 2.5 + 0.25 / 1.25, 5: 1.0 / 2.5})


def test_two_hop_scores_match_networkx() -> None:
    nx = pytest.importorskip("networkx")
    rng = np.random.default_rng(3)
    graph = nx.gnm_random_graph(60, 200, seed=3)
    a = np.array([u for u, _ in graph.edges()])
    b = np.array([v for _, v in graph.edges()])
    g = from_ties(a + 1, b + 1, rng.uniform(0.1, 1.0, a.size))
    for node in (0, 7, 33):
        found = two_hop_scores(g, g.vertex(node + 1), method="ra")
        ours = dict(
            zip((g.person_ids[found.vertices] - 1).tolist(), found.scores.tolist(), strict=True)
        )
        pairs = [(node, y) for y in graph if y != node and not graph.has_edge(node, y)]
        theirs = {y: s for _, y, s in nx.resource_allocation_index(graph, pairs) if s > 0}
        assert ours == pytest.approx(theirs)


def test_scores_for_many_people_at_once_equal_one_at_a_time() -> None:
    """wra_scores over blocks of vertices gives each vertex exactly the scores
    two_hop_scores gives it alone, and the blocks cover every vertex once, in order."""
    rng = np.random.default_rng(5)
    a, b = rng.integers(1, 80, 400), rng.integers(1, 80, 400)
    keys = np.unique(np.minimum(a, b) * 100 + np.maximum(a, b))
    keys = keys[keys // 100 != keys % 100]
    g = from_ties(keys // 100, keys % 100, rng.uniform(0.05, 1.0, keys.size))
    blocks = walk_blocks(g, budget=300)
    assert len(blocks) > 3
    assert np.concatenate(blocks).tolist() == list(range(g.n_vertices))
    for block in blocks:
        many = wra_scores(g, block, power=0.25)
        for i, v in enumerate(block.tolist()):
            one = two_hop_scores(g, v, method="wra", power=0.25)
            mine = many.source == i
            assert many.vertices[mine].tolist() == one.vertices.tolist()
            assert many.scores[mine].tolist() == one.scores.tolist()
            assert many.common[mine].tolist() == one.common.tolist()


def test_everyone_gets_what_each_would_get_alone(northwind: tuple[Settings, DemoTruth]) -> None:
    settings, _ = northwind
    everyone = api.suggest(settings, everyone=True, limit=4).to_pylist()
    by_person: dict[int, list[dict[str, object]]] = {}
    for r in everyone:
        by_person.setdefault(int(r["for_person_id"]), []).append(r)
    busiest = sorted(by_person, key=lambda p: (-len(by_person[p]), p))
    for pid in [*busiest[:3], *busiest[-2:]]:
        alone = api.suggest(settings, person=str(pid), limit=4).to_pylist()
        assert [r["person_id"] for r in alone] == [r["person_id"] for r in by_person[pid]]
        for mine, theirs in zip(alone, by_person[pid], strict=True):
            assert mine["score"] == pytest.approx(theirs["score"], rel=1e-12)
            assert mine["explanation"] == theirs["explanation"]
            assert mine["introducer_id"] == theirs["introducer_id"]


def test_suggestions_beat_the_classic_scores_on_email_eu(shared_data: Path) -> None:
    """bench/suggest.py's evaluation: AUC, precision at n and HR@10 of the suggestion
    score at least those of resource allocation, the best baseline there."""
    bench = Path(__file__).resolve().parents[1] / "bench" / "suggest.py"
    result = subprocess.run(
        [sys.executable, str(bench)], capture_output=True, text=True, timeout=900, check=True
    )
    import json

    figures = json.loads(result.stdout)
    ours = figures["weakties"]
    for metric in ("auc", "precision_at_n", "hr_at_10"):
        best = max(figures[m][metric] for m in ("cn", "aa", "ra"))
        assert ours[metric] >= best, (metric, ours[metric], best)
    assert ours["introducers"]["top_over_bottom"] >= 8


def _write(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["timestamp", "channel", "sender", "recipients"])
        writer.writerows([(t, "email", a, b) for t, a, b in rows])
    return path


def _team(rows: list[tuple[str, str, str]], members: list[str], n: int = 10) -> None:
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            _exchange(rows, a, b, n)


COLLEAGUE = "me@corp.example"


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The owner works at corp.example too (the stakeholder is a colleague). Three teams.
    The stakeholder sam (product) writes one-to-one every other day with
    cy (finance); dan is in sam's team; fay shares the formal thread with me and sam; gil
    (sales) is close to sam but has no private channel with me, only through ana."""
    rows: list[tuple[str, str, str]] = []
    mine = [COLLEAGUE, "ana@corp.example", "bo@corp.example", "kim@corp.example"]
    product = ["sam@corp.example", "dan@corp.example", "pia@corp.example", "qin@corp.example"]
    finance = ["cy@corp.example", "fin@corp.example", "fox@corp.example", "fry@corp.example"]
    sales = ["gil@corp.example", "sol@corp.example", "sue@corp.example", "sid@corp.example"]
    for team in (mine, product, finance, sales):
        _team(rows, team)
    _exchange(rows, "sam@corp.example", "cy@corp.example", 25)
    _exchange(rows, COLLEAGUE, "cy@corp.example", 4)
    _exchange(rows, "sam@corp.example", "gil@corp.example", 25)
    _exchange(rows, "ana@corp.example", "gil@corp.example", 8)
    end = START + timedelta(days=120)
    for k in range(12):  # the formal thread: me, sam and fay together
        when = (end - timedelta(days=3 * k)).isoformat()
        rows.append((when, COLLEAGUE, "sam@corp.example;fay@corp.example"))
        rows.append((when, "sam@corp.example", f"{COLLEAGUE};fay@corp.example"))
        rows.append((when, "fay@corp.example", f"{COLLEAGUE};sam@corp.example"))
    _exchange(rows, "fay@corp.example", "sam@corp.example", 10)
    # accounts: acme (one person now), beta (gone quiet), gamma (three people now)
    _exchange(rows, COLLEAGUE, "al@acme.example", 5, days_ago=10)
    _exchange(rows, COLLEAGUE, "ax@acme.example", 5, days_ago=150)
    _exchange(rows, COLLEAGUE, "bea@beta.example", 5, days_ago=200)
    for who in ("gus", "gwen", "gabe", "gia"):  # gia only through ana, not a teammate
        owner = "ana@corp.example" if who == "gia" else COLLEAGUE
        _exchange(rows, owner, f"{who}@gamma.example", 5, days_ago=5)
    root = tmp_path_factory.mktemp("company")
    settings = Settings(db_path=root / "store.duckdb")
    api.init(settings, [COLLEAGUE])
    api.ingest(settings, [_write(root / "log.csv", rows)])
    api.analyze(settings)
    return settings


def test_back_channels_are_close_to_the_stakeholder_and_outside_the_game(
    company: Settings,
) -> None:
    rows = api.backchannel(company, "sam@corp.example").to_pylist()
    people = [r["person"] for r in rows]
    assert people[0] == "Cy", rows
    assert "Dan" not in people  # sam's own team
    assert "Fay" not in people  # in the formal thread with me and sam
    assert "Gil" in people and people.index("Gil") > 0  # only through an introducer
    gil = rows[people.index("Gil")]
    assert gil["introducer"] == "Ana"
    assert "Cy and Sam write one-to-one" in rows[0]["explanation"]
    assert "you and Cy" in rows[0]["explanation"]


def test_accounts_rank_the_riskiest_first(company: Settings) -> None:
    rows = {r["organisation"]: r for r in api.accounts(company).to_pylist()}
    assert rows["acme.example"]["coverage"] == "single-threaded"
    assert rows["beta.example"]["coverage"] == "dark"
    assert rows["gamma.example"]["coverage"] == "covered"
    assert rows["gamma.example"]["covered_people"] == 3  # gia's only tie is ana's
    assert rows["gamma.example"]["teammates"] == 1
    order = [r["organisation"] for r in api.accounts(company).to_pylist()]
    assert order.index("beta.example") < order.index("acme.example") < order.index("gamma.example")
    assert "gone dark" in rows["beta.example"]["explanation"]


def test_an_account_lists_who_knows_whom(company: Settings) -> None:
    rows = api.account(company, "acme.example").to_pylist()
    assert [r["person"] for r in rows] == ["Al", "Ax"]
    assert rows[0]["teammate"] == "Me" and rows[0]["covered_now"]
    assert not rows[1]["covered_now"]
    with pytest.raises(InputError, match="not an organisation"):
        api.account(company, "sam@corp.example")


def test_accounts_read_the_contacts_the_analysis_counted(company: Settings) -> None:
    """The owners' contacts in both coverage windows are counted once, when the analysis
    is published, and equal a count made afresh from the facts."""
    from weakties.store import derived

    with api.open_store(company, read_only=True) as con:
        kept = derived.owner_contacts(con).sort_by(
            [("owner", "ascending"), ("person", "ascending"), ("later", "ascending")]
        )
        as_of = derived.state(con).as_of
        before, start, end = derived.coverage_windows(as_of)
        fresh = derived.count_owner_contacts(con, before, end + timedelta(seconds=1), split=start)
    fresh = fresh.sort_by([("owner", "ascending"), ("person", "ascending"), ("later", "ascending")])
    assert kept.num_rows > 0 and kept.to_pylist() == fresh.to_pylist()
    assert {r["later"] for r in kept.to_pylist()} == {True, False}  # both windows counted


@pytest.fixture(scope="module")
def northwind(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, DemoTruth]:
    """The demo organisation: the owner's mailbox and the organisation's log."""
    root = tmp_path_factory.mktemp("northwind")
    config = DemoConfig(seed=7, scale=0.5)
    files = generate(config, root)
    settings = Settings(db_path=root / "store.duckdb")
    api.ingest(settings, [files.mbox, generate_events(config, root)])
    api.analyze(settings)
    return settings, load_truth(files.truth)


def _addresses(settings: Settings, ids: list[int]) -> list[set[str]]:
    with api.open_store(settings, read_only=True) as con:
        rows = con.execute("SELECT person_id, address FROM identities").fetchall()
    by_person: dict[int, set[str]] = {}
    for pid, address in rows:
        by_person.setdefault(int(pid), set()).add(str(address))
    return [by_person.get(i, set()) for i in ids]


def test_the_planted_back_channels_are_found(northwind: tuple[Settings, DemoTruth]) -> None:
    settings, truth = northwind
    rows = api.backchannel(settings, truth.act.stakeholder, limit=5).to_pylist()
    found = _addresses(settings, [r["person_id"] for r in rows])
    hits = sum(1 for addresses in found if addresses & set(truth.act.backchannels))
    assert hits / 5 >= 0.8, rows
    assert not any(truth.act.formal_thread in a for a in found)  # in the game: left out


def test_the_planted_single_threaded_account_is_listed_so(
    northwind: tuple[Settings, DemoTruth],
) -> None:
    settings, truth = northwind
    rows = {r["organisation"]: r for r in api.accounts(settings).to_pylist()}
    assert rows[truth.act.single_threaded]["coverage"] == "single-threaded"
    people = api.account(settings, truth.act.single_threaded).to_pylist()
    covered = [r for r in people if r["covered_now"]]
    assert len(covered) == 1
    assert truth.act.single_thread in _addresses(settings, [covered[0]["person_id"]])[0]


def test_the_planted_people_to_meet_are_suggested(northwind: tuple[Settings, DemoTruth]) -> None:
    settings, truth = northwind
    rows = api.suggest(settings, limit=10).to_pylist()
    suggested = set().union(*_addresses(settings, [r["person_id"] for r in rows]))
    assert set(truth.act.to_meet) <= suggested, rows
    intro = api.intro(settings, truth.act.to_meet[0]).to_pylist()
    assert intro and intro[0]["hops"] == 2


def test_a_three_hop_path_explains_the_introducers_own_tie(office: Settings) -> None:
    """me -> Cy -> Vic -> Wes: the middle leg (Cy and Vic) touches neither end, yet the
    explanation says how well Cy knows Vic, never "no tie"."""
    rows = api.intro(office, "wes@acme.example").to_pylist()
    far = [r for r in rows if r["hops"] == 3]
    assert far and (far[0]["introducer"], far[0]["second_introducer"]) == ("Cy", "Vic")
    assert "Cy knows Vic" in far[0]["explanation"]
    assert "no tie" not in far[0]["explanation"]
