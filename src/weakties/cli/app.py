"""Typer commands. Each parses options, calls the API, and renders the result."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from weakties import api
from weakties.cli.act import register as register_acting
from weakties.cli.progress import progress_for
from weakties.cli.render import Format, console, render, render_object
from weakties.cli.summary import print_ingest_report
from weakties.cli.understand import register as register_understanding
from weakties.config import DEFAULT_BATCH_SIZE, Settings, default_db_path

app = typer.Typer(
    name="weakties",
    help="Relationship intelligence from the mail and logs you already have.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

PEOPLE_COLUMNS = ["name", "organisation", "interactions", "first_seen", "last_seen", "identities"]

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="The store file (default: $WEAKTIES_DB or the XDG data dir)."),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table, csv or json.")]


@app.callback()
def _root(ctx: typer.Context, db: DbOption = None) -> None:
    ctx.obj = Settings(db_path=db or default_db_path())
    ctx.meta["explicit_db"] = db is not None


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


@app.command()
def init(
    ctx: typer.Context,
    me: Annotated[list[str], typer.Option("--me", help="One of your own addresses (repeat).")],
) -> None:
    """Name your own addresses, so every source is known to be yours."""
    addresses = api.init(_settings(ctx), me)
    console().print(Text(f"Your addresses: {', '.join(addresses)}"))


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Mailboxes, mail files, logs.")],
    workers: Annotated[int, typer.Option(min=0, help="Parse processes (0: automatic).")] = 0,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Records per transaction.")
    ] = DEFAULT_BATCH_SIZE,
) -> None:
    """Read mail (mbox, maildir, .eml, gzip) and interaction logs (CSV, Parquet)."""
    settings = replace(_settings(ctx), workers=workers, batch_size=batch_size)
    with progress_for(console()) as sink:
        report = api.ingest(settings, paths, sink)
    print_ingest_report(console(), report)


@app.command()
def people(
    ctx: typer.Context,
    search: Annotated[str | None, typer.Option(help="Filter by name or address.")] = None,
    automated: Annotated[bool, typer.Option(help="Include robots and lists.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many rows (0: all).")] = 50,
    fmt: FormatOption = Format.table,
) -> None:
    """People with their interaction counts, first and last seen, organisation, identities."""
    rows = api.people(
        _settings(ctx), search=search, include_automated=automated, limit=limit or None
    )
    render(rows, fmt, title="People", brief=PEOPLE_COLUMNS)


@app.command()
def quarantine(
    ctx: typer.Context,
    reason: Annotated[str | None, typer.Option(help="Only this reason.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """What ingest set aside, where it is, and why."""
    render(api.quarantine(_settings(ctx), reason=reason), fmt, title="Quarantine")


@app.command()
def sources(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Ingested sources, their owners and their counts."""
    brief = ["label", "kind", "owner", "read", "stored", "duplicates", "quarantined"]
    render(api.sources(_settings(ctx)), fmt, title="Sources", brief=brief)


@app.command()
def stats(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """A summary of the store."""
    render_object(api.stats(_settings(ctx)), fmt, title=f"Store {_settings(ctx).db_path}")


@app.command()
def demo(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write the sample mailbox (default: beside the store)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 7,
) -> None:
    """Generate a sample organisation's mailbox, ingest it and summarise it."""
    from weakties.cli.demo_cmd import run_demo

    run_demo(_settings(ctx), out, seed, explicit_db=bool(ctx.meta.get("explicit_db")))


register_understanding(app)
register_acting(app)
