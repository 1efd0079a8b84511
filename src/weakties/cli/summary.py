"""The end-of-ingest summary a user reads."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from weakties.ingest import IngestReport
from weakties.sources.base import describe


def print_ingest_report(out: Console, report: IngestReport) -> None:
    """Per source: read, stored, duplicates, automated/bulk, quarantined, owner."""
    table = Table(title="Ingested")
    for name in (
        "source",
        "read",
        "stored",
        "duplicates",
        "automated/bulk",
        "quarantined",
        "owner",
    ):
        table.add_column(name, justify="right" if name not in ("source", "owner") else "left")
    for src in report.sources:
        c = src.counts
        owner = ", ".join(src.owner) + (f" ({src.owner_how})" if src.owner_how else "")
        table.add_row(
            Text(src.label),
            f"{c.read:,}",
            f"{c.stored:,}",
            f"{c.duplicates:,}",
            f"{c.automated:,}",
            f"{c.quarantined:,}",
            Text(owner or "unknown"),
        )
    t = report.totals
    if len(report.sources) > 1:
        table.add_row(
            Text("total", style="bold"),
            f"{t.read:,}",
            f"{t.stored:,}",
            f"{t.duplicates:,}",
            f"{t.automated:,}",
            f"{t.quarantined:,}",
            "",
        )
    out.print(table)
    if t.known:
        out.print(Text(f"{t.known:,} records were already in the store from an earlier run."))
    if t.reasons:
        reasons = ", ".join(f"{r}: {n:,}" for r, n in sorted(t.reasons.items()))
        out.print(Text(f"Quarantined by reason: {reasons}. See `weakties quarantine`."))
    if report.not_read:
        out.print(Text(f"{describe(report.not_read)}."))
    unknown = [s.label for s in report.sources if not s.owner]
    if unknown:
        out.print(
            Text(
                f"Owner unknown for: {', '.join(unknown)}. "
                "Name yours with `weakties init --me ADDRESS`."
            )
        )
