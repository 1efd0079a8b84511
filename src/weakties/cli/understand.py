"""Commands over the analysed store: analyze, ties, person, connectors, bridges,
communities, export, pin."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from weakties import api
from weakties.cli.options import FormatOption, LimitOption, listing
from weakties.cli.profile import print_profile
from weakties.cli.progress import progress_for
from weakties.cli.render import Format, console
from weakties.config import Settings
from weakties.errors import InputError
from weakties.insights.queries import BANDS

if TYPE_CHECKING:
    from weakties.analysis import AnalysisSummary

TIE_COLUMNS = ["person_a", "person_b", "band", "strength", "explanation"]
PERSON_TIE_COLUMNS = ["person_b", "organisation_b", "band", "strength", "explanation"]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    for command in (analyze, ties, person, connectors, bridges, communities, export, pin, unpin):
        app.command()(command)


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def analyze(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option(help="Judge ties as of this date (default: the latest mail).")
    ] = None,
    engine: Annotated[
        str, typer.Option(help="Where the tie features are computed: duckdb or spark.")
    ] = "duckdb",
    master: Annotated[
        str | None,
        typer.Option(help="Spark: the cluster's URL (default local[*], this machine's cores)."),
    ] = None,
    parquet: Annotated[
        Path | None,
        typer.Option(help="Spark: keep the facts exported as Parquet in this folder."),
    ] = None,
) -> None:
    """Rebuild people, ties, communities, bridges and connectors from the stored facts."""
    with progress_for(console()) as sink:
        summary = api.analyze(
            _settings(ctx),
            as_of=_date(as_of),
            progress=sink,
            engine=engine,
            master=master,
            parquet=parquet,
        )
    print_analysis(console(), summary)


def ties(
    ctx: typer.Context,
    band: Annotated[str | None, typer.Option(help=f"Only this band: {', '.join(BANDS)}.")] = None,
    person: Annotated[
        str | None, typer.Option(help="Only this person's ties, with them as person_a.")
    ] = None,
    limit: LimitOption = 50,
    fmt: FormatOption = Format.table,
) -> None:
    """Ties with their strength, band and explanation, strongest first."""
    settings = _settings(ctx)
    listing(
        lambda n: api.ties(settings, band=band, person=person, limit=n),
        limit,
        fmt,
        title=f"Ties of {person}" if person else "Ties",
        brief=PERSON_TIE_COLUMNS if person else TIE_COLUMNS,
    )


def person(
    ctx: typer.Context,
    who: Annotated[str, typer.Argument(help="An address, a name, or a person id.")],
    limit: LimitOption = 10,
    fmt: FormatOption = Format.table,
) -> None:
    """A person's profile: identities, community, brokerage, strongest ties, bridges."""
    profile = api.person(_settings(ctx), who, limit=limit or None)
    print_profile(profile, fmt)


def connectors(
    ctx: typer.Context, limit: LimitOption = 20, fmt: FormatOption = Format.table
) -> None:
    """People who span many worlds: low constraint, large effective size, many communities."""
    settings = _settings(ctx)
    listing(
        lambda n: api.connectors(settings, limit=n),
        limit,
        fmt,
        title="Connectors",
        brief=["name", "organisation", "connector_score", "explanation"],
    )


def bridges(ctx: typer.Context, limit: LimitOption = 20, fmt: FormatOption = Format.table) -> None:
    """Ties that link communities or whose two ends share few contacts."""
    settings = _settings(ctx)
    listing(
        lambda n: api.bridges(settings, limit=n),
        limit,
        fmt,
        title="Bridges",
        brief=[
            "person_a",
            "person_b",
            "bridge_score",
            "overlap",
            "community_a",
            "community_b",
            "band",
        ],
    )


def communities(
    ctx: typer.Context, limit: LimitOption = 0, fmt: FormatOption = Format.table
) -> None:
    """Communities found by Leiden, largest first, labelled by organisation and members."""
    settings = _settings(ctx)
    listing(lambda n: api.communities(settings, limit=n), limit, fmt, title="Communities")


def export(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help="The file to write (.graphml or .gexf), or a folder (parquet).")
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="graphml or gexf (default: from the file's name), or parquet: the store's "
            "facts as Parquet tables in a folder, for Spark.",
        ),
    ] = None,
) -> None:
    """Write the tie graph with strength, band and community for Gephi, or the store's
    facts as Parquet."""
    if fmt == "parquet":
        written = api.export_parquet(_settings(ctx), path)
        rows = ", ".join(f"{n:,} {name}" for name, n in written.items())
        console().print(Text(f"Wrote {rows} to {path}."))
        return
    nodes, edges = api.export(_settings(ctx), path, fmt)
    console().print(Text(f"Wrote {nodes:,} people and {edges:,} ties to {path}."))


def pin(
    ctx: typer.Context,
    address_a: Annotated[str, typer.Argument(help="One person's address.")],
    address_b: Annotated[str, typer.Argument(help="The other person's address.")],
    band: Annotated[str, typer.Argument(help=f"One of: {', '.join(BANDS)}.")],
) -> None:
    """Fix the band of a tie by hand; the pin survives every re-analysis."""
    api.pin(_settings(ctx), address_a, address_b, band)
    console().print(
        Text(f"Pinned {address_a} - {address_b} as {band}. Run `weakties analyze` to apply it.")
    )


def unpin(
    ctx: typer.Context,
    address_a: Annotated[str, typer.Argument()],
    address_b: Annotated[str, typer.Argument()],
) -> None:
    """Remove a pin."""
    removed = api.unpin(_settings(ctx), address_a, address_b)
    console().print(Text("Pin removed." if removed else "There was no such pin."))


def print_analysis(out: Console, summary: AnalysisSummary) -> None:
    """The one-paragraph result of an analysis."""
    bands = ", ".join(f"{n:,} {b}" for b, n in sorted(summary.ties_by_band.items()))
    when = summary.as_of.strftime("%Y-%m-%d") if summary.as_of else "-"
    out.print(
        Text(
            f"Analysed as of {when}: {summary.people:,} people, {summary.ties:,} ties ({bands}); "
            f"{summary.communities} communities among {summary.graph_people:,} people with "
            f"reciprocated ties (modularity {summary.modularity:.2f}), "
            f"{summary.placed_people:,} more placed by one-way mail; "
            f"{summary.bridges:,} bridges."
        )
    )


def _date(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"Not a date: {text!r}.", "Use YYYY-MM-DD.") from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
