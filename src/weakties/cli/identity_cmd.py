"""Commands that correct identity resolution: merge, split."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from weakties import api
from weakties.cli.render import console
from weakties.cli.understand import print_analysis
from weakties.config import Settings

_WHO = "An address, a name, or a person id."


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    for command in (merge, split):
        app.command()(command)


def merge(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help=_WHO)],
    b: Annotated[str, typer.Argument(help=_WHO)],
) -> None:
    """Make two people one, for good: the merge survives ingest and analysis."""
    _print(api.merge(_settings(ctx), a, b), "Merged")


def split(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help=_WHO)],
    address: Annotated[str, typer.Argument(help="The address to take out of that person.")],
) -> None:
    """Take an address out of a person, for good: it stays apart whatever the evidence."""
    _print(api.split(_settings(ctx), person, address), "Split")


def _print(change: api.IdentityChange, verb: str) -> None:
    out = console()
    for name, addresses in change.people:
        out.print(Text(f"{verb}: {name} <{', '.join(addresses)}>"))
        verb = "and"
    if change.analysis is None:
        out.print(Text("People rebuilt. Run `weakties analyze` to see ties with them."))
    else:
        print_analysis(out, change.analysis)


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings
