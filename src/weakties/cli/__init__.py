"""The command line: a thin Typer adapter over :mod:`weakties.api`."""

from __future__ import annotations

import sys

from weakties.cli.app import app
from weakties.errors import WeaktiesError


def main() -> None:
    """Entry point: usage errors exit 2 (Typer); a WeaktiesError becomes one line."""
    _no_plotting()
    try:
        app(prog_name="weakties")
    except WeaktiesError as exc:
        sys.stderr.write(f"weakties: {exc}\n")
        sys.exit(exc.exit_code)


def _no_plotting() -> None:
    """Keep igraph from importing matplotlib, which it does on import when it is installed
    (0.4 s before every graph command) for drawing that the command line never does."""
    sys.modules.setdefault("matplotlib", None)  # type: ignore[arg-type]


__all__ = ["app", "main"]
