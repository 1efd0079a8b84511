"""A person's profile on screen, or whole as JSON (one object) or CSV (one table)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.text import Text

from weakties.cli.render import Format, console, render, write_csv, write_json
from weakties.insights.ego import EgoView
from weakties.insights.profile import PersonProfile

EGO_COLUMNS = ["person", "organisation", "strength", "explanation"]
CONNECTOR_COLUMNS = ["person", "organisation", "connector_score", "explanation"]
SECTIONS = ("strongest", "bridging_weak", "dormant", "connectors")
"""The lists of a profile, in the order they are shown (each an :class:`EgoView` field)."""


def print_profile(profile: PersonProfile, fmt: Format) -> None:
    """The profile in ``fmt``: every field and every list, whatever the format."""
    if fmt is Format.json:
        write_json(profile_object(profile))
    elif fmt is Format.csv:
        columns, rows = profile_rows(profile)
        write_csv(columns, rows)
    else:
        _print_table(profile)


def profile_object(profile: PersonProfile) -> dict[str, Any]:
    """The profile's fields, then each list under its section name."""
    fields = {f.name: getattr(profile, f.name) for f in dataclasses.fields(profile)}
    fields.pop("ties")
    lists = {name: _section(profile.ties, name).to_pylist() for name in SECTIONS}
    return fields | lists


def profile_rows(profile: PersonProfile) -> tuple[list[str], list[dict[str, Any]]]:
    """One table: a ``section`` column, ``field``/``value`` rows for the profile's fields
    (section ``profile``), then the rows of every list with their own columns."""
    head = profile_object(profile)
    rows: list[dict[str, Any]] = [
        {"section": "profile", "field": k, "value": v} for k, v in head.items() if k not in SECTIONS
    ]
    columns = ["section", "field", "value"]
    for name in SECTIONS:
        table = _section(profile.ties, name)
        columns += [c for c in table.column_names if c not in columns]
        rows += [{"section": name} | row for row in table.to_pylist()]
    return columns, rows


def _section(view: EgoView, name: str) -> pa.Table:
    table = getattr(view, name)
    assert isinstance(table, pa.Table)
    return table


def _print_table(profile: PersonProfile) -> None:
    out = console()
    rank = f"#{profile.connector_rank}" if profile.connector_rank else "-"
    out.print(Text(f"{profile.name}", style="bold"))
    out.print(
        Text(
            f"organisation: {profile.organisation or '-'}; identities: "
            f"{', '.join(profile.identities)}"
        )
    )
    used = ", ".join(f"{c} {n:,}" for c, n in (profile.channels or {}).items())
    out.print(Text(f"{profile.interactions:,} interactions; {_seen(profile)}"))
    out.print(Text(f"channels: {used or '-'}"))
    out.print(
        Text(
            f"community: {profile.community or '-'}; spans "
            f"{profile.communities_spanned} communities; connector rank {rank}"
        )
    )
    print_ego(out, profile.ties, who=profile.name)


def _seen(profile: PersonProfile) -> str:
    first, last = profile.first_seen, profile.last_seen
    if first is None or last is None:
        return "no dated interaction"
    return f"first seen {first:%Y-%m-%d}, last seen {last:%Y-%m-%d}"


def print_ego(out: Console, view: EgoView, *, who: str = "you") -> None:
    """The four lists of the owner's view, each row with its explanation."""
    titles = (
        f"Strongest ties of {who}",
        "Weak ties that bridge to people otherwise out of reach",
        "Dormant ties worth reviving",
        "Connectors: people who span many worlds",
    )
    for title, name in zip(titles, SECTIONS, strict=True):
        columns = CONNECTOR_COLUMNS if name == "connectors" else EGO_COLUMNS
        render(_section(view, name), Format.table, title=title, brief=columns)
