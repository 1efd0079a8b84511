"""`weakties demo`: generate the sample organisation, ingest it, show what weakties sees."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from weakties import api
from weakties.cli.profile import print_ego
from weakties.cli.progress import progress_for
from weakties.cli.render import Format, console, render, render_object
from weakties.cli.summary import print_ingest_report
from weakties.cli.understand import print_analysis
from weakties.config import Settings, default_db_path
from weakties.demo import DemoConfig, DemoTruth, generate, generate_events, load_truth


def demo_dir() -> Path:
    """Where the demo writes its files unless told otherwise: beside the default store."""
    return default_db_path().parent / "demo"


def run_demo(
    settings: Settings, out: Path | None, seed: int, *, explicit_db: bool, force: bool = False
) -> None:
    """Generate, ingest into a fresh store, and print the summary a newcomer needs.

    Into the store of ``--db`` only when it is empty or the demo's own (or ``force``).
    """
    out_dir = out or demo_dir()
    screen = console()
    started = time.perf_counter()
    db = settings.db_path if explicit_db else out_dir / "demo.duckdb"
    settings = Settings(db_path=db, workers=settings.workers, batch_size=settings.batch_size)
    if explicit_db:
        api.prepare_demo_store(settings, force=force)  # before writing anything
    files = generate(DemoConfig(seed=seed), out_dir)
    log = generate_events(DemoConfig(seed=seed), out_dir)
    if not explicit_db:
        for stale in (db, db.with_name(db.name + ".wal")):
            stale.unlink(missing_ok=True)
        api.prepare_demo_store(settings)
    _intro(screen, files.mbox, db)
    with progress_for(screen) as sink:
        report = api.ingest(settings, [files.mbox, log], sink)
    print_ingest_report(screen, report)
    render_object(api.stats(settings), Format.table, title="The store")
    with progress_for(screen) as sink:
        summary = api.analyze(settings, progress=sink)
    print_analysis(screen, summary)
    for view in api.owner_views(settings, limit=8):
        screen.print(Rule(f"What weakties sees for {view.name}"))
        print_ego(screen, view, who=view.name)
    truth = load_truth(files.truth)
    print_act(screen, settings, truth)
    report_path = print_keeping(screen, settings, truth, out_dir)
    screen.print(Rule())
    screen.print(
        Text(
            f"Done in {time.perf_counter() - started:.1f} s. Explore it yourself:\n"
            f"  weakties --db {db} ties --band weak\n"
            f"  weakties --db {db} person 'José Núñez'\n"
            f"  weakties --db {db} connectors\n"
            f"  weakties --db {db} people --search <name>\n"
            f"  weakties --db {db} intro <person or company>\n"
            f"  weakties --db {db} suggest\n"
            f"  weakties --db {db} backchannel <stakeholder>\n"
            f"  weakties --db {db} accounts\n"
            f"  weakties --db {db} fading\n"
            f"  weakties --db {db} intros\n"
            f"The impact report: {report_path}\n"
            f"The planted truth (who is close, who bridges, who went dormant) is in "
            f"{files.truth}."
        )
    )


def _intro(screen: Console, mbox: Path, db: Path) -> None:
    screen.print(Rule("weakties demo"))
    screen.print(
        Text(
            "A sample organisation: Dana Okafor, product manager at Northwind, her 300 "
            "colleagues in 10 teams, contacts at 20 other companies, 15 months of mail, "
            "with mailing lists and robots mixed in; her mailbox, and the organisation's "
            "log of mail, meetings and calls.\n"
            f"Mailbox written to {mbox}\nStore: {db}\n"
        )
    )


def print_act(screen: Console, settings: Settings, truth: DemoTruth) -> None:
    """One example of each question users act on, for the demo's owner."""
    act = truth.act
    examples = (
        (
            "Who can introduce you",
            api.intro(settings, act.to_meet[0], limit=3),
            ["tier", "target", "introducer", "explanation"],
        ),
        (
            "People to meet",
            api.suggest(settings, limit=5),
            ["person", "mutual_contacts", "introducer", "explanation"],
        ),
        (
            "Back channels around a stakeholder",
            api.backchannel(settings, act.stakeholder, limit=5),
            ["person", "stakeholder", "explanation"],
        ),
        (
            "Accounts, riskiest first",
            api.accounts(settings, limit=5),
            ["organisation", "coverage", "trend", "explanation"],
        ),
    )
    for title, rows, brief in examples:
        screen.print(Rule(title))
        render(rows, Format.table, brief=brief)


def print_keeping(screen: Console, settings: Settings, truth: DemoTruth, out: Path) -> Path:
    """The owner's nudges for the day after the sample ends (not recorded, so the store's
    own nudges are left as they were), the introductions found, and the impact report
    written beside the sample; returns the report's path."""
    screen.print(Rule("Get in touch this week"))
    nudges = api.nudges(settings, today=truth.config.end + timedelta(days=1), record=False)
    render(nudges, Format.table, brief=["person", "kind", "reason", "touch"])
    screen.print(Rule("Introductions, and what came of them"))
    render(
        api.intros(settings, limit=5),
        Format.table,
        brief=["introduced_at", "role", "introducer", "person_a", "person_b", "outcome"],
    )
    path = out / "report.html"
    api.write_report(settings, path)
    return path
