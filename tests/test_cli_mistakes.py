"""What a new user meets: every command refuses bad input in one line (exit 2, never a
traceback), listings share one ``--limit``, and outputs say what the store holds.

Commands run in this process through :func:`weakties.cli.run` (what the ``weakties``
script runs), over a small interaction log written here.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import typer

from weakties import api
from weakties.cli import app, run
from weakties.config import Settings
from weakties.errors import InputError, StoreError

START = datetime(2023, 1, 2, 9, tzinfo=UTC)
HUB = "hub@acme.example"
PARTNERS = [f"p{i:02d}@acme.example" for i in range(14)] + ["a_b@acme.example"]


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def invoke(db: Path | None, *args: str) -> Ran:
        code = run([*(("--db", str(db)) if db else ()), *args])
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return invoke


def write_log(path: Path, *, seed: int = 3) -> Path:
    """A year of a hub's two-way mail with 15 partners, and meetings among them."""
    rng = random.Random(seed)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["timestamp", "channel", "sender", "recipients", "duration_s"])
        for day in range(0, 360, 2):
            when = START + timedelta(days=day)
            for k, partner in enumerate(PARTNERS):
                if (day // 2 + k) % 3 == 0:
                    there = (when + timedelta(minutes=k)).isoformat()
                    out.writerow([there, "email", HUB, partner, ""])
                    back = (when + timedelta(minutes=k + 30)).isoformat()
                    out.writerow([back, "email", partner, HUB, ""])
            a, b = rng.sample(PARTNERS, 2)
            later = (when + timedelta(hours=3)).isoformat()
            out.writerow([later, "meeting", a, f"{b};{HUB}", "1800"])
    return path


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(an analysed store, a store ingested but never analysed)."""
    root = tmp_path_factory.mktemp("mistakes")
    log = write_log(root / "log.csv")
    analysed, raw = root / "analysed.duckdb", root / "raw.duckdb"
    for db in (analysed, raw):
        api.ingest(Settings(db_path=db), [log])
    api.analyze(Settings(db_path=analysed))
    return analysed, raw


def one_line_refusal(result: Ran) -> None:
    assert result.code == 2, result
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("weakties: "), result.err


# --- every command, bad input ------------------------------------------------------

BAD_INPUTS: dict[str, list[tuple[str, ...]]] = {
    "init": [("init",), ("init", "--me", ""), ("init", "--me", "  "), ("init", "--me", "nobody")],
    "ingest": [("ingest",), ("ingest", "{tmp}/missing.mbox"), ("ingest", "--workers", "-1", ".")],
    "people": [("people", "--limit", "-1"), ("people", "--format", "xml")],
    "quarantine": [("quarantine", "--limit", "-1"), ("quarantine", "--limit", "x")],
    "sources": [("sources", "--limit", "-1")],
    "stats": [("stats", "--format", "yaml"), ("stats", "extra")],
    "analyze": [
        ("analyze", "--as-of", "1990-01-01"),
        ("analyze", "--as-of", "yesterday"),
        ("analyze", "--engine", "flink"),
        ("analyze", "--master", "local[1]"),
    ],
    "ties": [("ties", "--limit", "-1"), ("ties", "--band", "bogus"), ("ties", "--person", "%")],
    "person": [("person",), ("person", HUB, "--limit", "-1"), ("person", "nobody-at-all")],
    "connectors": [("connectors", "--limit", "-1")],
    "bridges": [("bridges", "--limit", "-2")],
    "communities": [("communities", "--limit", "-1")],
    "export": [
        ("export", "{tmp}"),
        ("export", "{tmp}/graph.txt"),
        ("export", "{tmp}/graph.gexf", "--format", "graphml"),
        ("export", "{tmp}/graph.graphml", "--format", "pdf"),
        ("export", "{tmp}/copy.duckdb", "--format", "parquet"),
    ],
    "pin": [("pin", HUB, PARTNERS[0], "bogus"), ("pin", HUB, "stranger@nowhere.example", "weak")],
    "unpin": [("unpin", HUB)],
    "flag": [("flag",), ("flag", "stranger@nowhere.example"), ("flag", "")],
    "unflag": [("unflag",), ("unflag", "stranger@nowhere.example")],
    "demo": [("demo", "--seed", "x")],
    "merge": [("merge", HUB), ("merge", HUB, HUB), ("merge", HUB, "nobody-at-all")],
    "split": [("split", HUB), ("split", HUB, PARTNERS[0]), ("split", PARTNERS[0], PARTNERS[0])],
    "intro": [("intro",), ("intro", "nobody-at-all"), ("intro", HUB, "--limit", "-1")],
    "suggest": [("suggest", "--person", "nobody-at-all"), ("suggest", "--limit", "-1")],
    "backchannel": [("backchannel",), ("backchannel", "nobody-at-all")],
    "account": [("account",), ("account", "no-such-org.example")],
    "accounts": [("accounts", "--limit", "-1"), ("accounts", "--format", "xml")],
    "intros": [("intros", "--role", "x"), ("intros", "--limit", "-1")],
    "report": [
        ("report",),
        ("report", "--out", "{tmp}"),
        ("report", "--out", "{tmp}/r.html", "--person", "nobody-at-all"),
    ],
    "fading": [("fading", "--min-probability", "2"), ("fading", "--as", "nobody-at-all")],
    "nudges": [("nudges", "--as", "p00"), ("nudges", "--per-day", "0"), ("nudges", "--today", "x")],
    "cadence": [("cadence", HUB), ("cadence", HUB, "often"), ("cadence", "nobody-at-all", "30d")],
    "done": [("done",), ("done", "nobody-at-all"), ("done", HUB, "--on", "x")],
    "snooze": [("snooze", HUB), ("snooze", HUB, "--until", "soon")],
    "reminders": [("reminders",), ("reminders", "--ics", "{tmp}")],
    "digest": [("digest",), ("digest", "--out", "{tmp}/digest.pdf")],
}


def test_the_bad_inputs_cover_every_command() -> None:
    """A command added later needs its bad inputs here too."""
    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert commands <= set(BAD_INPUTS), f"add bad inputs for: {commands - set(BAD_INPUTS)}"


@pytest.mark.parametrize("args", [a for cases in BAD_INPUTS.values() for a in cases], ids=" ".join)
def test_every_command_refuses_bad_input_in_one_line(
    cli, stores: tuple[Path, Path], tmp_path: Path, args: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    analysed, _ = stores
    db = tmp_path / "copy.duckdb"
    db.write_bytes(analysed.read_bytes())  # each case gets its own store
    given = [a.replace("{tmp}", str(tmp_path)) for a in args]
    before = _ties(db)
    one_line_refusal(cli(db, *given))
    assert _ties(db) == before  # a refused command changes nothing


def test_unknown_commands_and_options_are_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for args in (("nosuchcommand",), ("--nosuchoption",), ("ties", "--nosuchoption")):
        result = cli(tmp_path / "s.duckdb", *args)
        one_line_refusal(result)
        assert "--help" in result.err


def _ties(db: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT * FROM ties ORDER BY person_a, person_b").fetchall()


# --- the analysis is required, and must be current ----------------------------------

READERS = [
    ("person", HUB),
    ("ties",),
    ("ties", "--person", HUB),
    ("connectors",),
    ("bridges",),
    ("communities",),
    ("export", "{tmp}/g.graphml"),
]


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_store_never_analysed_says_run_analyze(
    cli, stores: tuple[Path, Path], tmp_path: Path, args: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    _, raw = stores
    result = cli(raw, *(a.replace("{tmp}", str(tmp_path)) for a in args))
    one_line_refusal(result)
    assert "weakties analyze" in result.err and "first" in result.err
    assert not (tmp_path / "g.graphml").exists()


def test_owner_views_need_the_analysis_too(stores: tuple[Path, Path]) -> None:
    _, raw = stores
    with pytest.raises(StoreError, match="weakties analyze"):
        api.owner_views(Settings(db_path=raw))


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_an_analysis_by_another_model_says_run_it_again(
    cli, stores: tuple[Path, Path], tmp_path: Path, args: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    analysed, _ = stores
    db = tmp_path / "old.duckdb"
    db.write_bytes(analysed.read_bytes())
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE meta SET value = 'strength-0' WHERE key = 'analysis_model'")
    result = cli(db, *(a.replace("{tmp}", str(tmp_path)) for a in args))
    one_line_refusal(result)
    assert "strength-0" in result.err and "analyze` again" in result.err


# --- limits --------------------------------------------------------------------------


def test_limit_zero_is_every_row_everywhere(cli, stores: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    analysed, _ = stores
    all_ties = json.loads(cli(analysed, "ties", "--person", HUB, "--limit", "0", "-f", "json").out)
    strong = [t for t in all_ties if t["band"] == "strong"]
    assert len(strong) > 10  # more than the default, so that 0 must mean all
    profile = json.loads(cli(analysed, "person", HUB, "--limit", "0", "-f", "json").out)
    assert len(profile["strongest"]) == len(strong)
    assert len(json.loads(cli(analysed, "person", HUB, "-f", "json").out)["strongest"]) == 10
    people = json.loads(cli(analysed, "people", "--limit", "0", "-f", "json").out)
    assert len(people) == len(PARTNERS) + 1
    three = json.loads(cli(analysed, "people", "--limit", "3", "-f", "json").out)
    assert three == people[:3]


def test_quarantine_has_a_limit(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "bad.csv"
    rows = [f"2024-01-0{d},email,,b@x.example" for d in range(1, 8)]  # no sender: quarantined
    log.write_text("timestamp,channel,sender,recipients\n" + "\n".join(rows) + "\n")
    db = tmp_path / "q.duckdb"
    assert cli(db, "ingest", str(log)).code == 0
    assert len(json.loads(cli(db, "quarantine", "--limit", "0", "-f", "json").out)) == 7
    assert len(json.loads(cli(db, "quarantine", "--limit", "3", "-f", "json").out)) == 3
    table = cli(db, "quarantine", "--limit", "3").out
    assert "--limit 0 shows them all" in table


# --- output --------------------------------------------------------------------------

LISTINGS = [
    ("people",),
    ("ties",),
    ("connectors",),
    ("bridges",),
    ("communities",),
    ("sources",),
    ("quarantine",),
]


@pytest.mark.parametrize("args", LISTINGS, ids=" ".join)
def test_csv_carries_the_values_json_does(
    cli, stores: tuple[Path, Path], args: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    """No rounding of floats, no timestamps cut to dates: CSV and JSON agree exactly."""
    analysed, _ = stores
    as_json = json.loads(cli(analysed, *args, "--limit", "0", "-f", "json").out)
    as_csv = list(
        csv.DictReader(io.StringIO(cli(analysed, *args, "--limit", "0", "-f", "csv").out))
    )
    assert len(as_csv) == len(as_json)
    for mine, theirs in zip(as_csv, as_json, strict=True):
        assert list(mine) == list(theirs)
        for name, value in theirs.items():
            assert _same(mine[name], value), (name, mine[name], value)


def _same(text: str, value: object) -> bool:
    if value is None:
        return text == ""
    if isinstance(value, bool):
        return text == str(value)
    if isinstance(value, int):
        return int(text) == value
    if isinstance(value, float):
        return float(text) == value
    if isinstance(value, str) and _is_time(value):
        return datetime.fromisoformat(text) == datetime.fromisoformat(value)
    return text.removeprefix("'") == value


def _is_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value


def test_floats_and_times_in_full_only_the_table_rounds(cli, stores: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    analysed, _ = stores
    ties = list(csv.DictReader(io.StringIO(cli(analysed, "ties", "-f", "csv").out)))
    strengths = [t["strength"] for t in ties]
    assert any(len(s.split(".")[1]) > 3 for s in strengths)  # more digits than a table shows
    assert all("T" in t["last_contact"] and "+00:00" in t["last_contact"] for t in ties)
    table = cli(analysed, "ties", "--limit", "3").out
    assert f"{float(strengths[0]):.3f}".rstrip("0") in table and strengths[0] not in table


def test_listings_give_the_stored_values_unrounded(cli, stores: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    analysed, _ = stores
    with duckdb.connect(str(analysed), read_only=True) as con:
        metrics = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT person_id, connector_score, effective_size, constraint_, betweenness "
                "FROM person_metrics"
            ).fetchall()
        }
        stored = {
            (r[0], r[1]): r[2:]
            for r in con.execute(
                "SELECT person_a, person_b, strength, bridge_score, overlap FROM ties"
            ).fetchall()
        }
    shown = json.loads(cli(analysed, "connectors", "--limit", "0", "-f", "json").out)
    assert shown
    for row in shown:
        expected = metrics[row["person_id"]]
        got = (row["connector_score"], row["effective_size"], row["constraint"], row["betweenness"])
        assert got == expected
    ties = json.loads(cli(analysed, "ties", "--limit", "0", "-f", "json").out)
    for tie in ties:
        pair = (min(tie["id_a"], tie["id_b"]), max(tie["id_a"], tie["id_b"]))
        assert (tie["strength"], tie["bridge_score"], tie["overlap"]) == stored[pair]


def test_ties_of_a_person_have_the_columns_of_ties(cli, stores: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    analysed, _ = stores
    every = json.loads(cli(analysed, "ties", "--limit", "0", "-f", "json").out)
    mine = json.loads(cli(analysed, "ties", "--person", HUB, "--limit", "0", "-f", "json").out)
    assert list(every[0]) == list(mine[0]) == list(api_tie_columns())
    hub_id = {t["id_a"] for t in mine}
    assert len(hub_id) == 1 and {t["person_a"] for t in mine} == {"Hub"}
    theirs = {(t["id_a"], t["id_b"]) for t in every if hub_id & {t["id_a"], t["id_b"]}}
    assert {frozenset(p) for p in theirs} == {frozenset((t["id_a"], t["id_b"])) for t in mine}


def api_tie_columns() -> tuple[str, ...]:
    from weakties.insights.queries import TIE_COLUMNS

    return TIE_COLUMNS


def test_person_as_json_and_csv_has_every_section(cli, stores: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    analysed, _ = stores
    profile = json.loads(cli(analysed, "person", HUB, "-f", "json").out)
    assert profile["name"] == "Hub" and profile["identities"] == [HUB]
    for section in ("strongest", "bridging_weak", "dormant", "connectors"):
        assert isinstance(profile[section], list), section
    assert profile["strongest"] and profile["connectors"]
    rows = list(csv.DictReader(io.StringIO(cli(analysed, "person", HUB, "-f", "csv").out)))
    fields = {r["field"]: r["value"] for r in rows if r["section"] == "profile"}
    assert fields["name"] == "Hub" and fields["identities"] == HUB
    counted = {s: sum(r["section"] == s for r in rows) for s in ("strongest", "connectors")}
    assert counted == {s: len(profile[s]) for s in counted}


def test_search_is_plain_text(cli, stores: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    analysed, _ = stores

    def found(text: str) -> list[str]:
        rows = json.loads(cli(analysed, "people", "--search", text, "-f", "json").out)
        return [r["identities"] for r in rows]

    assert found("%") == []
    assert found("_") == ["a_b@acme.example"]
    assert found("P0") and all(a.startswith("p0") for a in found("P0"))
    one_line_refusal(cli(analysed, "person", "%"))  # no one's name holds a %


def test_version_and_h(cli) -> None:  # type: ignore[no-untyped-def]
    from weakties import __version__

    result = cli(None, "--version")
    assert result.code == 0 and result.out.strip() == f"weakties {__version__}"
    assert cli(None, "-h").out == cli(None, "--help").out != ""
    for command in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
        short = cli(None, command, "-h")
        assert short.code == 0 and "Usage: weakties " + command in short.out, command
    bare = cli(None)
    assert bare.code == 0 and "Commands" in bare.out


# --- export --------------------------------------------------------------------------


def test_export_takes_its_format_from_the_name(
    cli, stores: tuple[Path, Path], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    analysed, _ = stores
    for name, root in (("g.gexf", "{http://gexf.net/1.3}gexf"), ("g.graphml", "graphml")):
        out = tmp_path / name
        assert cli(analysed, "export", str(out)).code == 0
        import xml.etree.ElementTree as ET

        tag = ET.parse(out).getroot().tag
        assert tag == root or tag.endswith(root), (name, tag)
    folder = tmp_path / "folder"
    folder.mkdir()
    result = cli(analysed, "export", str(folder))
    one_line_refusal(result)
    assert "folder" in result.err and not any(folder.iterdir())


# --- analyze --as-of ----------------------------------------------------------------


def test_as_of_before_everything_is_refused_and_keeps_the_analysis(
    cli, stores: tuple[Path, Path], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    analysed, _ = stores
    db = tmp_path / "s.duckdb"
    db.write_bytes(analysed.read_bytes())
    before = _ties(db)
    result = cli(db, "analyze", "--as-of", "1990-01-01")
    one_line_refusal(result)
    assert "2023-01-02" in result.err  # says when the store begins
    assert _ties(db) == before and before


def test_as_of_in_the_future_counts_the_silence(
    cli, stores: tuple[Path, Path], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    analysed, _ = stores
    db = tmp_path / "s.duckdb"
    db.write_bytes(analysed.read_bytes())
    assert cli(db, "analyze", "--as-of", "2030-01-01").code == 0
    ties = json.loads(cli(db, "ties", "--limit", "0", "-f", "json").out)
    assert ties
    for tie in ties:
        assert "today" not in tie["explanation"]
        assert re.search(r"(last|silent for) [67] years", tie["explanation"]), tie["explanation"]
    with duckdb.connect(str(db), read_only=True) as con:
        (least,) = con.execute("SELECT min(recency_days) FROM ties").fetchone()  # type: ignore[misc]
    assert least > 365 * 6


# --- demo ----------------------------------------------------------------------------


def test_demo_refuses_a_store_of_real_data(cli, stores: tuple[Path, Path], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, raw = stores
    db = tmp_path / "real.duckdb"
    db.write_bytes(raw.read_bytes())
    result = cli(db, "demo", "--out", str(tmp_path / "demo"))
    one_line_refusal(result)
    assert "--force" in result.err
    assert not (tmp_path / "demo").exists()  # refused before writing anything
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM sources").fetchall() == [(1,)]


def test_demo_store_rules(tmp_path: Path) -> None:
    fresh = Settings(db_path=tmp_path / "fresh.duckdb")
    api.prepare_demo_store(fresh)
    api.prepare_demo_store(fresh)  # the demo's own store: again is fine
    mine = Settings(db_path=tmp_path / "mine.duckdb")
    api.init(mine, ["me@example.org"])
    with pytest.raises(InputError, match="your addresses"):
        api.prepare_demo_store(mine)
    api.prepare_demo_store(mine, force=True)
    with pytest.raises(InputError):
        api.prepare_demo_store(mine)  # forcing once does not make it the demo's


# --- the store file ------------------------------------------------------------------


def test_db_paths_of_other_kinds_are_refused_untouched(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lite = tmp_path / "x.sqlite"
    with sqlite3.connect(lite) as con:
        con.execute("CREATE TABLE t (a)")
    log = tmp_path / "log.csv"
    log.write_text("timestamp,channel,sender,recipients\n2024-01-01,email,a@x.org,b@x.org\n")
    for db, words in ((lite, "SQLite"), (log, "not a weakties store"), (tmp_path, "folder")):
        before = db.read_bytes() if db.is_file() else None
        for args in (("stats",), ("ingest", str(log))):
            result = cli(db, *args)
            one_line_refusal(result)
            assert words in result.err
        assert before is None or db.read_bytes() == before
    one_line_refusal(cli(Path(":memory:"), "stats"))


def test_a_new_store_is_duckdb_whatever_its_name(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "log.csv"
    log.write_text("timestamp,channel,sender,recipients\n2024-01-01,email,a@x.org,b@x.org\n")
    for name in ("x.sqlite", "x.db", "x.parquet", "x.csv"):
        db = tmp_path / name
        assert cli(db, "ingest", str(log)).code == 0, name
        assert db.read_bytes()[8:12] == b"DUCK", name
        assert json.loads(cli(db, "stats", "-f", "json").out)["interactions"] == 1


# --- ingest --------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"timestamp,channel,sender,recipients\n"])
def test_an_empty_log_is_refused_and_leaves_no_source(cli, tmp_path: Path, content: bytes) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "empty.csv"
    log.write_bytes(content)
    db = tmp_path / "s.duckdb"
    result = cli(db, "ingest", str(log))
    one_line_refusal(result)
    assert "empty.csv: nothing to read" in result.err
    assert not db.exists()
    assert cli(db, "init", "--me", "me@example.org").code == 0  # a store that exists
    one_line_refusal(cli(db, "ingest", str(log)))
    assert json.loads(cli(db, "sources", "-f", "json").out) == []


def test_ingest_names_the_files_it_did_not_read(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "export"
    folder.mkdir()
    write_log(folder / "log.csv")
    (folder / "x.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + bytes(60))  # a ZIP is read
    (folder / "y.bin").write_bytes(bytes(range(256)))
    (folder / "README.md").write_text("what this folder is\n")
    result = cli(tmp_path / "s.duckdb", "ingest", str(folder))
    assert result.code == 0
    assert "2 files not read: " in result.out
    assert "x.7z (archive)" in result.out and "y.bin (binary)" in result.out
    assert "README" not in result.out
