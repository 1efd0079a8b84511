"""Asking for a mail server's password at the terminal, before any progress is drawn."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import typer

from weakties import api
from weakties.sources.server import Secret, ServerOptions


def ask_passwords(paths: Sequence[Path | str], server: ServerOptions) -> ServerOptions:
    """``server`` with the passwords of the accounts among ``paths`` that the environment
    does not hold, asked for without echo when a terminal is attached (without one,
    the source says which variable to set). They stay in memory only."""
    if not sys.stdin.isatty():
        return server
    wanted = api.passwords_wanted(paths, server)
    if not wanted:
        return server
    asked = dict(server.passwords)
    for account in wanted:
        try:
            typed = getpass.getpass(f"Password for {account}: ")
        except (EOFError, KeyboardInterrupt):
            raise typer.Abort() from None
        if typed:
            asked[account] = Secret(typed)
    return replace(server, passwords=asked)
