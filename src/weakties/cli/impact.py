"""Commands that measure what the network brought: intros and report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from weakties import api
from weakties.cli.options import FormatOption, LimitOption, listing
from weakties.cli.render import Format, console
from weakties.config import Settings
from weakties.insights.intro_list import ROLES

INTRO_COLUMNS = ["introduced_at", "role", "introducer", "person_a", "person_b", "people",
                 "outcome", "days_to_first_direct", "strength"]  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command()(intros)
    app.command()(report)


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def intros(
    ctx: typer.Context,
    role: Annotated[
        str | None, typer.Option(help=f"Only this role: {', '.join(repr(r) for r in ROLES)}.")
    ] = None,
    limit: LimitOption = 50,
    fmt: FormatOption = Format.table,
) -> None:
    """Introductions made by you, received by you and between others, with their outcome
    (tie formed, days to the first one-to-one contact, strength now) and the base rate."""
    settings = _settings(ctx)
    listing(
        lambda n: api.intros(settings, role=role, limit=n),
        limit,
        fmt,
        title="Introductions",
        brief=INTRO_COLUMNS,
    )
    if fmt is Format.table:
        for s in api.intro_rates(settings):
            if s.introductions:
                console().print(Text(_rate_line(s.role, s.judged, s.formed, s.base_rate)))


def _rate_line(role: str, judged: int, formed: int, base: float | None) -> str:
    share = f"{100 * formed / judged:.0f} %" if judged else "-"
    chance = f"{100 * base:.1f} %" if base is not None else "-"
    return (
        f"{role}: {formed} of {judged} judged introductions formed a tie within 90 days "
        f"({share}); chance pairs: {chance}."
    )


def report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")],
    person: Annotated[
        str | None, typer.Option(help="Whose report (default: the store's owner).")
    ] = None,
    organisation: Annotated[
        bool, typer.Option("--organisation", help="The whole organisation's report.")
    ] = False,
) -> None:
    """Write the impact and network assessment report: one self-contained HTML file."""
    settings = _settings(ctx)
    data = api.report(settings, person=person, organisation=organisation)
    api.write_report(settings, out, data)
    console().print(Text(f"Wrote the report for {data.subject} to {out}."))
