"""The command line: a thin Typer adapter over :mod:`weakties.api`."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from weakties.cli.app import app
from weakties.errors import WeaktiesError


def main() -> None:
    """Entry point: exits with :func:`run`'s code."""
    _no_plotting()
    sys.exit(run())


def run(args: Sequence[str] | None = None) -> int:
    """Run the command line on ``args`` (default: ``sys.argv``) and return its exit code.

    Every mistake a user can make ends in one line on stderr: a usage error (an
    unknown option, a bad value) exits 2 like a :class:`WeaktiesError` of bad input,
    with the command's ``--help`` named as what to read.
    """
    try:
        code = app(args=args, prog_name="weakties", standalone_mode=False)
    except WeaktiesError as exc:
        return _fail(str(exc), exc.exit_code)
    except typer.Abort:
        return _fail("Aborted.", 1)
    except typer.TyperException as exc:  # click's usage errors: bad options and values
        return _fail(_usage_line(exc), getattr(exc, "exit_code", 2))
    return code if isinstance(code, int) else 0


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"weakties: {' '.join(message.split())}\n")
    return code


def _usage_line(exc: typer.TyperException) -> str:
    message = exc.format_message().rstrip(".")
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", "") or "weakties"
    return f"{message}. See `{command} --help`."


def _no_plotting() -> None:
    """Keep igraph from importing matplotlib, which it does on import when it is installed
    (0.4 s before every graph command) for drawing that the command line never does."""
    sys.modules.setdefault("matplotlib", None)  # type: ignore[arg-type]


__all__ = ["app", "main", "run"]
