"""The planted truth: who is what to the owner, saved as JSON beside the mbox.

Tests and benchmarks score weakties against this file: whom it should call
close, which weak ties bridge where, who went dormant, and what is noise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from weakties.demo.model import DemoConfig, Mail
from weakties.errors import InputError

SCHEMA = 3


@dataclass(frozen=True, slots=True)
class BridgeTruth:
    """A weak tie into a team (``kind`` "team") or company the owner's circle does not touch."""

    address: str
    name: str
    kind: str
    target: str


@dataclass(frozen=True, slots=True)
class DormantTruth:
    """Someone intense early in the period and silent for its last six months and more."""

    address: str
    name: str
    group: str
    last_contact: date


@dataclass(frozen=True, slots=True)
class OneWayTruth:
    """Someone who writes to the owner and never gets an answer (``role``: recruiter, vendor)."""

    address: str
    name: str
    role: str
    group: str


@dataclass(frozen=True, slots=True)
class ListTruth:
    """A mailing list: its posting address and List-Id."""

    name: str
    address: str
    list_id: str


@dataclass(frozen=True, slots=True)
class CompanyTruth:
    """Another company: its domain, its role around the owner, its contacts' addresses."""

    name: str
    domain: str
    role: str
    contacts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LinkTruth:
    """A cross-team tie of the organisation-wide log (the owner's mailbox may not show it)."""

    address: str
    team: str
    other: str
    other_team: str


@dataclass(frozen=True, slots=True)
class ActTruth:
    """What the act questions should find (see :mod:`weakties.demo.act`)."""

    stakeholder: str
    formal_thread: str  # shares the formal thread with owner and stakeholder: no back channel
    backchannels: tuple[str, ...]
    single_threaded: str  # the domain of the account that hangs on one thread
    single_thread: str  # the one contact still in touch
    to_meet: tuple[str, ...]  # two steps away, in a team the owner does not reach


@dataclass(frozen=True, slots=True)
class IntroTruth:
    """A planted introduction (see :mod:`weakties.demo.intros`): ``introducer`` wrote to
    ``a`` and ``b`` at ``at``; with ``outcome`` the two then wrote one-to-one, both ways."""

    role: str  # made, received, between others: whose introduction, for the owner
    introducer: str
    a: str
    b: str
    at: datetime
    outcome: bool


@dataclass(frozen=True, slots=True)
class SparkTruth:
    """A planted group thread at ``at`` followed by the owner's one-to-one with ``other``."""

    members: tuple[str, ...]
    at: datetime
    other: str


@dataclass(frozen=True, slots=True)
class Counts:
    """Sizes of what was generated; ``messages_written`` includes the duplicates."""

    messages_written: int
    unique_messages: int
    duplicates: int
    sent_by_owner: int
    colleagues: int
    external_contacts: int
    teams: int
    companies: int


@dataclass(frozen=True, slots=True)
class DemoTruth:
    """Everything planted in one demo mailbox, typed. Addresses are lower-case primaries."""

    config: DemoConfig
    period_start: date
    period_end: date
    owner_name: str
    owner: tuple[str, ...]
    close: tuple[str, ...]
    regular: tuple[str, ...]
    bridges: tuple[BridgeTruth, ...]
    dormant: tuple[DormantTruth, ...]
    one_way: tuple[OneWayTruth, ...]
    automated: tuple[str, ...]
    bulk: tuple[str, ...]
    blast: tuple[str, ...]
    mailing_lists: tuple[ListTruth, ...]
    teams: Mapping[str, tuple[str, ...]]
    companies: tuple[CompanyTruth, ...]
    aliases: Mapping[str, tuple[str, ...]]
    org_links: tuple[LinkTruth, ...]
    account_managers: Mapping[str, str]
    act: ActTruth
    fading: tuple[str, ...]  # new, thin, unembedded ties, silent for weeks: about to fade
    overdue: tuple[str, ...]  # a two-week rhythm, then silence: overdue against it
    intros: tuple[IntroTruth, ...]
    sparks: tuple[SparkTruth, ...]
    counts: Counts

    def addresses_of(self, address: str) -> tuple[str, ...]:
        """``address`` and every alias planted for the same person."""
        return (address, *self.aliases.get(address, ()))


def last_contacts(mails: Sequence[Mail], addresses: Mapping[str, str]) -> dict[str, date]:
    """Per primary address, the UTC date of the last mail naming any of its addresses.

    ``addresses`` maps every address (primary or alias) to its primary.
    """
    last: dict[str, date] = {}
    for mail in mails:
        for entry in (mail.sender, *mail.to, *mail.cc):
            primary = addresses.get(entry.email)
            if primary is not None:
                day = mail.when.date()
                last[primary] = max(day, last.get(primary, day))
    return last


def write_truth(path: Path, truth: DemoTruth) -> None:
    """Save ``truth`` as indented UTF-8 JSON with a schema number."""
    document = {"schema": SCHEMA, **_plain(truth)}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load_truth(path: Path | str) -> DemoTruth:
    """Read a truth file written by :func:`write_truth`."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        if raw.get("schema") != SCHEMA:
            raise InputError(f"{path} has truth schema {raw.get('schema')!r}, not {SCHEMA}.")
        return _truth(raw)
    except FileNotFoundError as exc:
        raise InputError(f"No demo truth file at {path}.") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            f"{path} is not a demo truth file: {exc!r}.",
            hint="Regenerate it with weakties.demo.generate().",
        ) from exc


def _plain(value: Any) -> Any:
    """Dataclasses, tuples and dates turned into JSON-ready dicts, lists, strings."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _truth(raw: dict[str, Any]) -> DemoTruth:
    config = raw["config"]
    return DemoTruth(
        config=DemoConfig(
            int(config["seed"]),
            int(config["colleagues"]),
            int(config["companies"]),
            int(config["months"]),
            date.fromisoformat(config["end"]),
            float(config["scale"]),
        ),
        period_start=date.fromisoformat(raw["period_start"]),
        period_end=date.fromisoformat(raw["period_end"]),
        owner_name=str(raw["owner_name"]),
        owner=_strings(raw["owner"]),
        close=_strings(raw["close"]),
        regular=_strings(raw["regular"]),
        bridges=tuple(BridgeTruth(**b) for b in raw["bridges"]),
        dormant=tuple(
            DormantTruth(d["address"], d["name"], d["group"], date.fromisoformat(d["last_contact"]))
            for d in raw["dormant"]
        ),
        one_way=tuple(OneWayTruth(**o) for o in raw["one_way"]),
        automated=_strings(raw["automated"]),
        bulk=_strings(raw["bulk"]),
        blast=_strings(raw["blast"]),
        mailing_lists=tuple(ListTruth(**m) for m in raw["mailing_lists"]),
        teams={str(k): _strings(v) for k, v in raw["teams"].items()},
        companies=tuple(
            CompanyTruth(c["name"], c["domain"], c["role"], _strings(c["contacts"]))
            for c in raw["companies"]
        ),
        aliases={str(k): _strings(v) for k, v in raw["aliases"].items()},
        org_links=tuple(LinkTruth(**link) for link in raw["org_links"]),
        account_managers={str(k): str(v) for k, v in raw["account_managers"].items()},
        act=ActTruth(
            str(raw["act"]["stakeholder"]),
            str(raw["act"]["formal_thread"]),
            _strings(raw["act"]["backchannels"]),
            str(raw["act"]["single_threaded"]),
            str(raw["act"]["single_thread"]),
            _strings(raw["act"]["to_meet"]),
        ),
        fading=_strings(raw["fading"]),
        overdue=_strings(raw["overdue"]),
        intros=tuple(
            IntroTruth(
                str(i["role"]),
                str(i["introducer"]),
                str(i["a"]),
                str(i["b"]),
                datetime.fromisoformat(i["at"]),
                bool(i["outcome"]),
            )
            for i in raw["intros"]
        ),
        sparks=tuple(
            SparkTruth(_strings(s["members"]), datetime.fromisoformat(s["at"]), str(s["other"]))
            for s in raw["sparks"]
        ),
        counts=Counts(**raw["counts"]),
    )


def _strings(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list):
        raise TypeError(f"expected a list of addresses, got {type(values).__name__}")
    return tuple(str(v) for v in values)
