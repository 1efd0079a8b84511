"""The command line: a thin Typer adapter over :mod:`weakties.api`."""

from __future__ import annotations

import sys

from weakties.cli.app import app
from weakties.errors import WeaktiesError


def main() -> None:
    """Entry point: usage errors exit 2 (Typer); a WeaktiesError becomes one line."""
    try:
        app(prog_name="weakties")
    except WeaktiesError as exc:
        sys.stderr.write(f"weakties: {exc}\n")
        sys.exit(exc.exit_code)


__all__ = ["app", "main"]
