"""Commands for keeping in touch: fading, nudges, cadence, done, snooze, reminders,
digest."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from weakties import api
from weakties.cli.options import FormatOption, LimitOption, listing
from weakties.cli.render import Format, console, render
from weakties.config import Settings
from weakties.insights.keep import parse_day

AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Whose view, in a store of several owners' mail (an address)."),
]
TodayOption = Annotated[
    str | None, typer.Option(help="The day to plan for, YYYY-MM-DD (default: today).")
]
PerDayOption = Annotated[int, typer.Option(min=1, help="At most this many people a day.")]

FADING_BRIEF = ["person_b", "organisation_b", "probability", "silent_days", "why"]
NUDGE_BRIEF = ["person", "kind", "reason", "touch"]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    for command in (fading, nudges, cadence, done, snooze, reminders, digest):
        app.command()(command)


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def fading(
    ctx: typer.Context,
    min_probability: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Only ties at least this likely to fade.")
    ] = 0.5,
    as_owner: AsOption = None,
    limit: LimitOption = 20,
    fmt: FormatOption = Format.table,
) -> None:
    """Your active ties likely to go silent in the next 90 days, with the probability and
    why (every tie of a store without owner)."""
    settings = _settings(ctx)
    listing(
        lambda n: api.fading(settings, as_owner=as_owner, min_probability=min_probability, limit=n),
        limit,
        fmt,
        title="Ties at risk of fading (next 90 days)",
        brief=FADING_BRIEF,
    )


def nudges(
    ctx: typer.Context,
    per_day: PerDayOption = 5,
    today: TodayOption = None,
    as_owner: AsOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Whom to get in touch with today, why, and the lightest touch that will do."""
    found = api.nudges(_settings(ctx), as_owner=as_owner, today=_day(today), per_day=per_day)
    render(found, fmt, title="Get in touch", brief=NUDGE_BRIEF)


def cadence(
    ctx: typer.Context,
    target: Annotated[
        str | None,
        typer.Argument(help="A person, an organisation, or with --community a community."),
    ] = None,
    every: Annotated[
        str | None, typer.Argument(help="How often: 30d, 2w, 3m, 1y; off to remove.")
    ] = None,
    community: Annotated[
        bool, typer.Option(help="The target is a community (its label, or a member).")
    ] = False,
    as_owner: AsOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Keep in touch with someone (or an organisation, or a community) at least this
    often; without arguments, list the cadences."""
    settings = _settings(ctx)
    if target is None:
        render(api.cadences(settings, as_owner=as_owner), fmt, title="Cadences")
        return
    if every is None:
        from weakties.errors import InputError

        raise InputError("No period given.", "Add one, e.g. `weakties cadence PERSON 30d`.")
    label, days = api.cadence(settings, target, every, as_owner=as_owner, community=community)
    said = (
        f"No cadence for {label} any more."
        if days is None
        else (f"Keep in touch with {label} every {days} days.")
    )
    console().print(Text(said))


def done(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Whom you got in touch with.")],
    on: Annotated[str | None, typer.Option(help="When, YYYY-MM-DD (default: today).")] = None,
    as_owner: AsOption = None,
) -> None:
    """Record that you got in touch: no nudge about them for a while."""
    name = api.done(_settings(ctx), person, as_owner=as_owner, on=_day(on))
    console().print(Text(f"Noted: you got in touch with {name}."))


def snooze(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Whom not to be nudged about.")],
    until: Annotated[str, typer.Option(help="Until this day, YYYY-MM-DD.")],
    today: TodayOption = None,
    as_owner: AsOption = None,
) -> None:
    """No nudges about someone until a day (or until you are next in touch)."""
    day = parse_day(until, what="date for --until")
    name = api.snooze(_settings(ctx), person, day, as_owner=as_owner, today=_day(today))
    console().print(Text(f"No nudges about {name} until {day.isoformat()}."))


def reminders(
    ctx: typer.Context,
    ics: Annotated[Path, typer.Option("--ics", help="The calendar file to write (.ics).")],
    per_day: PerDayOption = 5,
    today: TodayOption = None,
    as_owner: AsOption = None,
) -> None:
    """Write today's nudges as calendar events for a calendar application to import."""
    n = api.reminders(_settings(ctx), ics, as_owner=as_owner, today=_day(today), per_day=per_day)
    console().print(Text(f"Wrote {n} reminder{'' if n == 1 else 's'} to {ics}."))


def digest(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The file to write: .html or .md.")],
    per_day: PerDayOption = 5,
    today: TodayOption = None,
    as_owner: AsOption = None,
) -> None:
    """Write the weekly digest: today's nudges, ties at risk, whom you reached out to."""
    api.digest(_settings(ctx), out, as_owner=as_owner, today=_day(today), per_day=per_day)
    console().print(Text(f"Wrote the digest to {out}."))


def _day(text: str | None) -> date | None:
    return None if text is None else parse_day(text)
