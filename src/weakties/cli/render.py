"""Rendering tables for the terminal, CSV or JSON; every value from strangers is escaped.

CSV and JSON carry every value in full (floats to their last digit, timestamps with
their time and zone); only the terminal table rounds, for reading.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
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
        write_json(records)
    elif fmt is Format.csv:
        write_csv(columns, records)
    else:
        _print_table(columns, records, title)


def render_object(obj: Any, fmt: Format, *, title: str | None = None) -> None:
    """Print a dataclass as a two-column table (or a JSON object / CSV row)."""
    values = dataclasses.asdict(obj)
    if fmt is Format.json:
        write_json(values)
    elif fmt is Format.csv:
        write_csv(list(values), [values])
    else:
        table = Table(title=title, show_header=False)
        for key, value in values.items():
            table.add_row(Text(key.replace("_", " ")), Text(_cell(value)))
        console().print(table)


def write_json(value: Any) -> None:
    """``value`` as JSON on stdout; NaN and infinities (which JSON lacks) become null."""
    text = json.dumps(_finite(value), default=_json_default, ensure_ascii=False, indent=1)
    sys.stdout.write(text + "\n")


def write_csv(columns: list[str], records: list[dict[str, Any]]) -> None:
    """Rows as CSV on stdout, every value in full."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([csv_cell(record.get(c)) for c in columns])
    sys.stdout.write(buffer.getvalue())


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


def csv_cell(value: Any) -> str:
    """A value in full: floats to the last digit, timestamps in ISO 8601 with zone."""
    if value is None or isinstance(value, bool | int | float):
        return _full(value)
    text = _full(value)
    # Spreadsheets run cells that start with these as formulas; neutralise them.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _full(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_full(v) for v in value)
    return _printable(str(value))


def _cell(value: Any) -> str:
    """A value for reading in a table: dates without time, floats rounded."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return _rounded(value)
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return _printable(str(value))


def _rounded(value: float) -> str:
    """Three decimals at most, whole part always kept (132.3, 0.95, 0.003); a value too
    small for three decimals keeps two significant digits."""
    if not math.isfinite(value):
        return ""
    if value != 0 and abs(value) < 0.001:
        return f"{value:.2g}"
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _printable(text: str) -> str:
    """Drop control characters (terminal escapes) from untrusted text."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
