"""Commands that answer what to do: intro, suggest, backchannel, account, accounts."""

from __future__ import annotations

from typing import Annotated

import typer

from weakties import api
from weakties.cli.render import Format, render
from weakties.config import Settings

FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table, csv or json.")]
LimitOption = Annotated[int, typer.Option(min=0, help="At most this many rows (0: all).")]
AsOption = Annotated[
    str | None, typer.Option("--as", help="Take this owner's view (a team's store).")
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    for command in (intro, suggest, backchannel, account, accounts):
        app.command()(command)


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def intro(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="A person (address or name) or a company.")],
    as_owner: AsOption = None,
    team: Annotated[bool, typer.Option(help="Paths through any owner of the store.")] = False,
    limit: LimitOption = 10,
    fmt: FormatOption = Format.table,
) -> None:
    """Who can introduce you: ranked paths to a person or a company, weakest leg first."""
    rows = api.intro(_settings(ctx), target, as_owner=as_owner, team=team, limit=limit or None)
    brief = ["rank", "tier", "target", "introducer", "second_introducer", "through", "explanation"]
    render(rows, fmt, title=f"Introductions to {target}", brief=brief)


def suggest(
    ctx: typer.Context,
    person: Annotated[str | None, typer.Option(help="For this person (default: you).")] = None,
    as_owner: AsOption = None,
    everyone: Annotated[
        bool, typer.Option(help="The top suggestions of every person (--limit each).")
    ] = False,
    limit: LimitOption = 10,
    fmt: FormatOption = Format.table,
) -> None:
    """People to meet: not yet tied, likely and useful, each with the best introducer."""
    rows = api.suggest(
        _settings(ctx), person=person, as_owner=as_owner, everyone=everyone, limit=limit or None
    )
    brief = ["for_person", "person", "organisation", "mutual_contacts", "introducer", "explanation"]
    if not everyone:
        brief = brief[1:]
    render(rows, fmt, title="People to meet", brief=brief)


def backchannel(
    ctx: typer.Context,
    stakeholder: Annotated[str, typer.Argument(help="A person, or a company (its key people).")],
    as_owner: AsOption = None,
    team: Annotated[bool, typer.Option(help="Channels through any owner of the store.")] = False,
    limit: LimitOption = 10,
    fmt: FormatOption = Format.table,
) -> None:
    """Who can give you a candid view of a stakeholder, outside the people in the game."""
    rows = api.backchannel(
        _settings(ctx), stakeholder, as_owner=as_owner, team=team, limit=limit or None
    )
    brief = ["rank", "person", "organisation", "stakeholder", "introducer", "explanation"]
    render(rows, fmt, title=f"Back channels around {stakeholder}", brief=brief)


def account(
    ctx: typer.Context,
    organisation: Annotated[str, typer.Argument(help="A company name or e-mail domain.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Everyone known at an organisation, with the teammate who knows them best."""
    rows = api.account(_settings(ctx), organisation)
    brief = ["person", "title", "teammate", "strength", "band", "last_two_way", "covered_now"]
    render(rows, fmt, title=f"Who we know at {organisation}", brief=brief)


def accounts(ctx: typer.Context, limit: LimitOption = 0, fmt: FormatOption = Format.table) -> None:
    """Every organisation's coverage: dark, single-threaded, thin or covered, riskiest first."""
    rows = api.accounts(_settings(ctx), limit=limit or None)
    brief = ["organisation", "coverage", "trend", "known_people", "explanation"]
    render(rows, fmt, title="Accounts", brief=brief)
