"""Typer commands. Each parses options, calls the API, and renders the result."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from weakties import __version__, api
from weakties.cli.act import register as register_acting
from weakties.cli.flags import register as register_flags
from weakties.cli.identity_cmd import register as register_identity
from weakties.cli.impact import register as register_impact
from weakties.cli.keep import register as register_keeping
from weakties.cli.options import FormatOption, LimitOption, listing
from weakties.cli.progress import progress_for
from weakties.cli.render import Format, console, render_object
from weakties.cli.server import ask_passwords
from weakties.cli.summary import print_ingest_report
from weakties.cli.understand import register as register_understanding
from weakties.config import DEFAULT_BATCH_SIZE, Settings, default_db_path
from weakties.sources.server import DEFAULT_PASSWORD_ENV, ServerOptions

app = typer.Typer(
    name="weakties",
    help="Relationship intelligence from the mail and logs you already have.",
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

PEOPLE_COLUMNS = ["name", "organisation", "interactions", "first_seen", "last_seen", "identities"]

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="The store file (default: $WEAKTIES_DB or the XDG data dir)."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"weakties {__version__}")
        raise typer.Exit()


VersionOption = Annotated[
    bool,
    typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
]


@app.callback(invoke_without_command=True)
def _root(ctx: typer.Context, db: DbOption = None, version: VersionOption = False) -> None:
    if ctx.invoked_subcommand is None:  # `weakties` alone: what it can do
        typer.echo(ctx.get_help())
        raise typer.Exit()
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
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Mailboxes, mail files, calendars, logs, contacts, exports, or a mail "
            "server's account as imaps://USER@HOST[:PORT]/.",
            show_default=False,
        ),
    ],
    workers: Annotated[int, typer.Option(min=0, help="Parse processes (0: automatic).")] = 0,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Records per transaction.")
    ] = DEFAULT_BATCH_SIZE,
    region: Annotated[
        str | None,
        typer.Option(
            help="Country of phone numbers written without +code, e.g. GB "
            "(default: $WEAKTIES_PHONE_REGION)."
        ),
    ] = None,
    folder: Annotated[
        list[str] | None,
        typer.Option(
            "--folder",
            help="IMAP: read this folder (repeat; default: all but Trash and Spam).",
            show_default=False,
        ),
    ] = None,
    cafile: Annotated[
        Path | None,
        typer.Option(help="IMAP: trust the server's certificate through this CA (PEM)."),
    ] = None,
    password_env: Annotated[
        str,
        typer.Option(
            help="IMAP: the environment variable that holds the password (asked for at "
            "a terminal when it is unset)."
        ),
    ] = DEFAULT_PASSWORD_ENV,
) -> None:
    """Read mail (mbox, maildir, .eml, gzip, an IMAP account's headers), calendars (.ics),
    interaction logs (CSV, Parquet), address books (vCard, Google and Outlook CSV) and
    LinkedIn, Slack, WhatsApp and X exports."""
    settings = replace(_settings(ctx), workers=workers, batch_size=batch_size, phone_region=region)
    server = ServerOptions(tuple(folder or ()), cafile, password_env)
    server = ask_passwords(paths, server)
    with progress_for(console()) as sink:
        report = api.ingest(settings, paths, sink, server)
    print_ingest_report(console(), report)


@app.command()
def people(
    ctx: typer.Context,
    search: Annotated[
        str | None, typer.Option(help="Only names or addresses containing this text.")
    ] = None,
    automated: Annotated[
        bool, typer.Option(help="Include robots, lists and broadcasters, and say why.")
    ] = False,
    limit: LimitOption = 50,
    fmt: FormatOption = Format.table,
) -> None:
    """People with their interaction counts, first and last seen, organisation, identities."""
    settings = _settings(ctx)
    listing(
        lambda n: api.people(settings, search=search, include_automated=automated, limit=n),
        limit,
        fmt,
        title="People",
        brief=[*PEOPLE_COLUMNS[:-1], "automated", "why", "identities"]
        if automated
        else PEOPLE_COLUMNS,
    )


@app.command()
def quarantine(
    ctx: typer.Context,
    reason: Annotated[str | None, typer.Option(help="Only this reason.")] = None,
    limit: LimitOption = 50,
    fmt: FormatOption = Format.table,
) -> None:
    """What ingest set aside, where it is, and why."""
    settings = _settings(ctx)
    listing(
        lambda n: api.quarantine(settings, reason=reason, limit=n), limit, fmt, title="Quarantine"
    )


@app.command()
def sources(ctx: typer.Context, limit: LimitOption = 0, fmt: FormatOption = Format.table) -> None:
    """Ingested sources, their owners and their counts."""
    settings = _settings(ctx)
    brief = ["label", "kind", "owner", "read", "stored", "duplicates", "quarantined", "automated",
             "contacts"]  # fmt: skip
    listing(lambda n: api.sources(settings, limit=n), limit, fmt, title="Sources", brief=brief)


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
    force: Annotated[
        bool, typer.Option(help="Add the sample organisation even to a store of real data.")
    ] = False,
) -> None:
    """Generate a sample organisation's mailbox, ingest it and summarise it."""
    from weakties.cli.demo_cmd import run_demo

    explicit = bool(ctx.meta.get("explicit_db"))
    run_demo(_settings(ctx), out, seed, explicit_db=explicit, force=force)


register_understanding(app)
register_identity(app)
register_flags(app)
register_acting(app)
register_impact(app)
register_keeping(app)
