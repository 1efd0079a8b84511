"""Commands for the user's verdict on senders: flag, unflag."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from weakties import api
from weakties.cli.render import console
from weakties.config import Settings

AddressArgument = Annotated[str, typer.Argument(help="An address of the sender.")]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    for command in (flag, unflag):
        app.command()(command)


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def flag(ctx: typer.Context, address: AddressArgument) -> None:
    """Mark a sender as automated (a robot, a list, a broadcaster): left out of ties."""
    _say(api.flag(_settings(ctx), address, automated=True), "an automated sender")


def unflag(ctx: typer.Context, address: AddressArgument) -> None:
    """Mark a sender as a person, whatever the rules say: their ties count again."""
    _say(api.flag(_settings(ctx), address, automated=False), "a person")


def _say(addresses: list[str], what: str) -> None:
    console().print(
        Text(
            f"Marked {', '.join(addresses)} as {what}. "
            "Run `weakties analyze` to apply it; `weakties people --automated` lists why."
        )
    )
