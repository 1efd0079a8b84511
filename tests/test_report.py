"""Introductions on the demo's planted truth, and the report end to end: the CLI, the
file (self-contained, its numbers those of api.report()), and a real headless browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from weakties import api
from weakties.cli import app, run
from weakties.config import Settings
from weakties.demo import DemoConfig, DemoTruth, generate, generate_events, load_truth
from weakties.insights.report.data import Report
from weakties.insights.report.html import render


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, DemoTruth]:
    root = tmp_path_factory.mktemp("report")
    files = generate(DemoConfig(), root / "demo")
    log = generate_events(DemoConfig(), root / "demo")
    settings = Settings(db_path=root / "demo.duckdb")
    api.ingest(settings, [files.mbox, log])
    api.analyze(settings)
    return settings, load_truth(files.truth)


def test_planted_introductions_are_found(demo: tuple[Settings, DemoTruth]) -> None:
    settings, truth = demo
    people = api.people(settings, limit=None).to_pylist()
    name = {a: str(p["name"]) for p in people for a in str(p["identities"]).split()}
    planted = {frozenset((name[i.a], name[i.b])): i for i in truth.intros}
    found = {
        frozenset((str(r["person_a"]), str(r["person_b"]))): r
        for r in api.intros(settings).to_pylist()
    }
    hits = set(planted) & set(found)
    assert len(hits) / len(found) >= 0.9  # precision
    assert len(hits) / len(planted) >= 0.9  # recall
    for pair in hits:
        assert found[pair]["role"] == planted[pair].role
        assert found[pair]["tie_formed"] is planted[pair].outcome


def test_cli_intros_json(
    demo: tuple[Settings, DemoTruth], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, truth = demo
    code = run(["--db", str(settings.db_path), "intros", "--role", "received", "-f", "json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    assert len(rows) == sum(i.role == "received" for i in truth.intros)
    assert all(r["role"] == "received" and r["person_a"] == truth.owner_name for r in rows)
    assert {"outcome", "days_to_first_direct", "strength", "base_rate"} <= set(rows[0])


@pytest.fixture(scope="module")
def written(demo: tuple[Settings, DemoTruth], tmp_path_factory: pytest.TempPathFactory) -> Path:
    settings, _ = demo
    out = tmp_path_factory.mktemp("html") / "report.html"
    result = CliRunner().invoke(app, ["--db", str(settings.db_path), "report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_report_file_is_self_contained(written: Path) -> None:
    text = written.read_text(encoding="utf-8")
    without_ns = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"(src|href)\s*=|https?:|url\(|@import|<script", without_ns, re.I)
    assert text.count("<svg") >= 5


def test_report_numbers_are_the_apis(demo: tuple[Settings, DemoTruth], written: Path) -> None:
    settings, truth = demo
    data = api.report(settings)
    text = written.read_text(encoding="utf-8")
    assert data.subject == truth.owner_name
    for m in data.months:
        assert f'<td>{m.month}</td><td class="n">{m.strong}</td><td class="n">{m.weak}</td>' in text
    for s in data.introductions:
        assert f'<td>{s.role}</td><td class="n">{s.introductions}</td>' in text
    made = next(s for s in data.introductions if s.role == "made")
    assert made.introductions == sum(i.role == "made" for i in truth.intros)
    group = next(s for s in data.iceberg if s.kind == "group thread")
    assert f'<td>group thread</td><td class="n">{group.tips:,}</td>' in text


def test_names_are_escaped() -> None:
    hostile = '<img src=x onerror="alert(1)">'
    page = render(
        Report(
            hostile, None, datetime(2024, 1, 1, tzinfo=UTC), None, [], [], [], [], [], [], [], []
        )
    )
    assert hostile not in page and "&lt;img src=x" in page


def test_renders_in_headless_chromium(written: Path, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does)")
    shot = tmp_path / "report.png"
    flags = [
        browser, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
        "--window-size=1200,2600",
    ]  # fmt: skip
    shown = subprocess.run(
        [*flags, f"--screenshot={shot}", written.as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr[-2000:]
    console = [line for line in shown.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console
    assert shot.stat().st_size > 10_000
    dom = subprocess.run(
        [*flags, "--dump-dom", written.as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert "Network report" in dom.stdout and dom.stdout.count("<svg") >= 5


def test_planted_fading_and_overdue_ties_are_found(demo: tuple[Settings, DemoTruth]) -> None:
    """New, thin acquaintances silent for weeks rank among the owner's ties likeliest to
    go silent; colleagues whose two-week rhythm broke are nudged as overdue."""
    settings, truth = demo
    people = api.people(settings, limit=None).to_pylist()
    name = {a: str(p["name"]) for p in people for a in str(p["identities"]).split()}
    rows = api.fading(settings, min_probability=0.0, limit=None).to_pylist()
    ranked = [str(r["person_b"]) for r in rows]
    median = sorted(float(r["probability"]) for r in rows)[len(rows) // 2]
    for address in truth.fading:
        k = ranked.index(name[address])
        assert k < len(rows) / 3, (address, k, len(rows))
        assert rows[k]["probability"] > median
    day = truth.config.end + timedelta(days=1)
    nudged = {
        str(n["person"]): n
        for n in api.nudges(settings, today=day, per_day=30, record=False).to_pylist()
    }
    for address in truth.overdue:
        assert nudged[name[address]]["kind"] == "overdue", address
        assert "usual gap" in nudged[name[address]]["reason"]
