"""Options every listing shares, and the one way a listing is fetched and shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import pyarrow as pa
import typer
from rich.text import Text

from weakties.cli.render import Format, console, render

FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table, csv or json.")]
LimitOption = Annotated[
    int, typer.Option(min=0, help="At most this many rows (0: all).", show_default=True)
]


def listing(
    fetch: Callable[[int | None], pa.Table],
    limit: int,
    fmt: Format,
    *,
    title: str,
    brief: list[str] | None = None,
) -> None:
    """Fetch at most ``limit`` rows (0: all) and render them; a table says when rows were
    left out, so that a cut list is never mistaken for the whole one."""
    rows = fetch(limit + 1 if limit else None)
    cut = bool(limit) and rows.num_rows > limit
    if cut:
        rows = rows.slice(0, limit)
    render(rows, fmt, title=title, brief=brief)
    if cut and fmt is Format.table:
        console().print(Text(f"(the first {limit:,} rows; --limit 0 shows them all)"))
