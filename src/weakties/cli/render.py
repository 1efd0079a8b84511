"""Rendering tables for the terminal, CSV or JSON; every value from strangers is escaped."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import sys
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.table import Table
from rich.text import Text


class Format(StrEnum):
    """Output formats every listing offers."""

    table = "table"
    csv = "csv"
    json = "json"


def console() -> Console:
    """The console for results (stdout); markup and highlighting off for safety."""
    # Without a terminal (a pipe, a log, CI) rich would assume 80 columns and cut
    # names and explanations; 120 keeps the tables whole and still readable.
    width = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 120
    return Console(highlight=False, soft_wrap=False, width=width)


def render(
    rows: pa.Table, fmt: Format, *, title: str | None = None, brief: list[str] | None = None
) -> None:
    """Print an Arrow table in the chosen format; ``brief`` names the columns a terminal
    table shows (CSV and JSON always carry every column)."""
    records = rows.to_pylist()
    columns = list(rows.column_names)
    if brief and fmt is Format.table:
        columns = [c for c in brief if c in columns]
    if fmt is Format.json:
        sys.stdout.write(json.dumps(records, default=_json_default, ensure_ascii=False, indent=1))
        sys.stdout.write("\n")
    elif fmt is Format.csv:
        _write_csv(columns, records)
    else:
        _print_table(columns, records, title)


def render_object(obj: Any, fmt: Format, *, title: str | None = None) -> None:
    """Print a dataclass as a two-column table (or a JSON object / CSV row)."""
    values = dataclasses.asdict(obj)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(values, default=_json_default, ensure_ascii=False, indent=1))
        sys.stdout.write("\n")
    elif fmt is Format.csv:
        _write_csv(list(values), [values])
    else:
        table = Table(title=title, show_header=False)
        for key, value in values.items():
            table.add_row(Text(key.replace("_", " ")), Text(_cell(value)))
        console().print(table)


def _print_table(columns: list[str], records: list[dict[str, Any]], title: str | None) -> None:
    table = Table(title=title)
    for name in columns:
        table.add_column(Text(name.replace("_", " ")), overflow="fold")
    for record in records:
        table.add_row(*(Text(_cell(record[c])) for c in columns))
    out = console()
    out.print(table)
    if not records:
        out.print(Text("(nothing to show)"))


def _write_csv(columns: list[str], records: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_csv_cell(record[c]) for c in columns])
    sys.stdout.write(buffer.getvalue())


def _csv_cell(value: Any) -> str:
    text = _cell(value)
    # Spreadsheets run cells that start with these as formulas; neutralise them.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return _printable(str(value))


def _printable(text: str) -> str:
    """Drop control characters (terminal escapes) from untrusted text."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
