"""The demo organisation: the owner, teams, companies and the planted ties.

Roles are decided here, once, from the "people" random stream, so that the
owner's mailbox and the organisation-wide log describe the same people.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from weakties.demo.act import Planted, plant
from weakties.demo.model import DemoConfig, Period, Person
from weakties.demo.names import (
    FREEMAIL,
    PLANTED_NAMES,
    NameBook,
    ascii_slug,
    company_names,
    local_part,
    team_names,
)
from weakties.demo.services import MailingList, mailing_lists

DOMAIN = "northwind.example"
OWNER_NAME = "Dana Okafor"
OWNER_EMAIL = f"dana.okafor@{DOMAIN}"
OWNER_PERSONAL = "dana.okafor@gmail.com"
OWNER_TEAM = "Product"
HOME_TZ = 60

# Company roles and their share of all companies, in the order they are dealt.
_COMPANY_ROLES = (
    ("close", 0.1),
    ("bridge", 0.15),
    ("dormant", 0.1),
    ("vendor", 0.15),
    ("agency", 0.1),
    ("blast", 0.05),
)
_ZONES = (-480, -300, 0, 60, 60, 120, 330, 540)
_STYLES = ("first.last", "first.last", "flast", "f.last", "first")


@dataclass(frozen=True, slots=True)
class Team:
    """A team of the owner's company."""

    name: str
    members: tuple[Person, ...]


@dataclass(frozen=True, slots=True)
class Company:
    """Another company; ``role`` says how the owner relates to it."""

    name: str
    domain: str
    role: str
    members: tuple[Person, ...]


@dataclass(frozen=True, slots=True)
class Tie:
    """A planted relation: a bridge (``kind`` team/company, ``target`` its
    cluster) or a one-way sender (``kind`` its role, ``target`` its group)."""

    person: Person
    kind: str
    target: str


@dataclass(frozen=True, slots=True)
class Organisation:
    """Everyone in the demo and the role each plays around the owner."""

    period: Period
    owner: Person
    personal: Person
    ceo: Person
    teams: tuple[Team, ...]
    companies: tuple[Company, ...]
    friends: tuple[Person, ...]
    close: tuple[Person, ...]
    regular: tuple[Person, ...]
    bridges: tuple[Tie, ...]
    dormant: tuple[Person, ...]
    one_way: tuple[Tie, ...]
    left: Mapping[str, datetime]
    liaisons: tuple[tuple[Person, Person], ...]
    account_managers: tuple[tuple[Company, Person], ...]
    lists: tuple[MailingList, ...]
    planted: Planted

    def active(self, person: Person, when: datetime) -> bool:
        """Whether ``person`` still writes and receives mail at ``when``."""
        left = self.left.get(person.email)
        return left is None or when <= left

    def team(self, name: str) -> Team:
        """The team called ``name``."""
        return next(team for team in self.teams if team.name == name)

    def cc_pool(self) -> tuple[Person, ...]:
        """Colleagues of the owner's circle who get copied on threads."""
        return tuple(p for p in self.close + self.regular if p.domain == DOMAIN)


def build(config: DemoConfig) -> Organisation:
    """The organisation for ``config``; the same config gives the same people."""
    rng, book = config.rng("people"), NameBook(config.rng("names"))
    period = Period.of(config)
    owner = Person(
        OWNER_NAME,
        book.claim(OWNER_EMAIL),
        OWNER_TEAM,
        HOME_TZ,
        (book.claim(OWNER_PERSONAL),),
        alias_rate=0.0,
    )
    names = team_names(_team_count(config) - 1, rng)
    close_teams, bridge_teams = _team_roles(names, rng)
    teams = _teams(config, rng, book, [OWNER_TEAM, *names], bridge_teams[0])
    companies = _companies(config, rng, book)
    circle = [t for t in teams if t.name in (OWNER_TEAM, *close_teams)]
    background = [t for t in teams if t.name not in (OWNER_TEAM, *close_teams, *bridge_teams)]
    close, regular, dormant = _circle_roles(config, rng, circle, companies)
    dormant_people = dormant + [c.members[0] for c in companies if c.role == "dormant"]
    planted = plant(
        owner,
        [(t.name, t.members) for t in circle],
        [(t.name, t.members) for t in background],
        [p for p in regular if p not in dormant],
        close,
        [(c.domain, c.role, c.members) for c in companies],
    )
    return Organisation(
        period=period,
        owner=owner,
        personal=replace(owner, email=OWNER_PERSONAL, aliases=()),
        ceo=background[0].members[0],
        teams=(replace(teams[0], members=(owner, *teams[0].members)), *teams[1:]),
        companies=tuple(companies),
        friends=tuple(_freemail_people(config.count(6), rng, book, "friend")),
        close=tuple(close),
        regular=tuple(regular),
        bridges=tuple(_bridges(config, teams, bridge_teams, companies)),
        dormant=tuple(dormant_people),
        one_way=tuple(_one_way(config, rng, book, companies)),
        left=_departures(rng, period, dormant_people),
        liaisons=tuple(_liaisons(rng, teams, {p.email for p in dormant_people})),
        account_managers=tuple(_account_managers(rng, companies, background)),
        lists=tuple(mailing_lists(config, rng, book)),
        planted=planted,
    )


def _team_count(config: DemoConfig) -> int:
    return min(max(8, round(config.colleague_count / 30)), 200)


def _team_roles(names: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    """Close-circle teams (the first ones) and bridge teams (drawn from the rest)."""
    n_close = max(2, round(len(names) * 0.2))
    rest = names[n_close:]
    n_bridge = max(2, round(len(names) * 0.3))
    return names[:n_close], rng.sample(rest, min(n_bridge, len(rest) - 2))


def _team_zone(name: str) -> int:
    zones = {
        "Americas": -300,
        "Toronto": -300,
        "Austin": -360,
        "APAC": 480,
        "Singapore": 480,
        "Pune": 330,
        "Nairobi": 180,
        "Lisbon": 0,
    }
    return next((z for key, z in zones.items() if key in name), HOME_TZ)


def _teams(
    config: DemoConfig, rng: random.Random, book: NameBook, names: list[str], zoe_team: str
) -> list[Team]:
    """Teams with sizes around their share of ``config.colleague_count``."""
    weights = [rng.uniform(0.6, 1.4) for _ in names]
    sizes = [max(4, int(config.colleague_count * w / sum(weights))) for w in weights]
    sizes[sizes.index(max(sizes))] += config.colleague_count - sum(sizes)
    planted = {OWNER_TEAM: PLANTED_NAMES[0], zoe_team: PLANTED_NAMES[1]}
    teams = []
    for name, size in zip(names, sizes, strict=True):
        first = [planted[name]] if name in planted else []
        people = first + [book.name() for _ in range(size - len(first))]
        members = tuple(_colleague(rng, book, p, name) for p in people)
        teams.append(Team(name, members))
    return teams


def _colleague(rng: random.Random, book: NameBook, name: str, team: str) -> Person:
    """A colleague at ``first.last@`` with, now and then, a second address.

    The planted names always have one, so aliases show up among close ties
    and bridges.
    """
    email = book.address(local_part(name, "first.last"), DOMAIN)
    draw = rng.random()
    aliases: tuple[str, ...] = ()
    if name == PLANTED_NAMES[1]:
        draw = 0.15
    elif name == PLANTED_NAMES[0]:
        draw = 0.0
    if draw < 0.12:
        aliases = (book.address(local_part(name, "f.last"), DOMAIN),)
    elif draw < 0.17:
        aliases = (_personal_address(rng, book, name),)
    return Person(name, email, team, _team_zone(team), aliases)


def _personal_address(rng: random.Random, book: NameBook, name: str) -> str:
    local = f"{local_part(name, 'first.last')}.{rng.randrange(10, 100)}"
    return book.address(local, rng.choice(FREEMAIL))


def _companies(config: DemoConfig, rng: random.Random, book: NameBook) -> list[Company]:
    """Other companies, each with a role and a handful of contacts."""
    roles = [
        role
        for role, share in _COMPANY_ROLES
        for _ in range(max(1, round(share * config.company_count)))
    ]
    roles += ["regular"] * (config.company_count - len(roles))
    named = company_names(roles, rng)
    return [
        _company(rng, book, name, domain, role)
        for (name, domain), role in zip(named, roles, strict=True)
    ]


def _company(rng: random.Random, book: NameBook, name: str, domain: str, role: str) -> Company:
    style, zone = rng.choice(_STYLES), rng.choice(_ZONES)
    members = []
    for _ in range(rng.randrange(3, 11)):
        full = book.name()
        aliases: tuple[str, ...] = ()
        if rng.random() < 0.08:
            aliases = (
                book.address(local_part(full, "f.last" if style != "f.last" else "flast"), domain),
            )
        members.append(
            Person(full, book.address(local_part(full, style), domain), name, zone, aliases)
        )
    return Company(name, domain, role, tuple(members))


def _freemail_people(count: int, rng: random.Random, book: NameBook, kind: str) -> list[Person]:
    """People writing from free-mail providers (friends, recruiters)."""
    people = []
    for _ in range(count):
        full = book.name()
        first, last = (ascii_slug(part) for part in full.split(" ", 1))
        local = rng.choice((f"{first}.{last}", f"{first}{last}", f"{first[0]}{last}"))
        email = book.address(local, rng.choice(FREEMAIL))
        people.append(Person(full, email, "", HOME_TZ if kind == "friend" else 0))
    return people


def _circle_roles(
    config: DemoConfig, rng: random.Random, circle: list[Team], companies: list[Company]
) -> tuple[list[Person], list[Person], list[Person]]:
    """Close, regular and dormant people drawn from the owner's circle."""
    jose, pool = circle[0].members[0], [p for t in circle for p in t.members[1:]]
    rng.shuffle(pool)
    n_close = config.count(9)
    close = [jose, *pool[: n_close - 1]]
    dormant = pool[n_close - 1 : n_close - 1 + config.count(4)]
    regular = pool[n_close - 1 + len(dormant) : n_close - 1 + len(dormant) + config.count(25)]
    partners = _interleave([c.members for c in companies if c.role == "close"])
    n_ext = config.count(3)
    close += partners[:n_ext]
    regular += partners[n_ext : n_ext + config.count(5)] + _regular_externals(config, companies)
    return close, regular, dormant


def _interleave(groups: list[tuple[Person, ...]]) -> list[Person]:
    """Members of several groups taken in turn: first of each, then second of each..."""
    longest = max((len(g) for g in groups), default=0)
    return [g[i] for i in range(longest) for g in groups if i < len(g)]


def _regular_externals(config: DemoConfig, companies: list[Company]) -> list[Person]:
    regulars = [c.members for c in companies if c.role == "regular"]
    return _interleave(regulars)[: config.count(10)]


def _bridges(
    config: DemoConfig, teams: list[Team], bridge_teams: list[str], companies: list[Company]
) -> list[Tie]:
    """One or more bridge people per bridge team, one per bridge company."""
    wanted = config.count(5)
    by_team = [t for name in bridge_teams for t in teams if t.name == name]
    ties = [
        Tie(
            by_team[i % len(by_team)].members[i // len(by_team)],
            "team",
            by_team[i % len(by_team)].name,
        )
        for i in range(wanted)
    ]
    ties += [Tie(c.members[0], "company", c.name) for c in companies if c.role == "bridge"]
    return ties


def _one_way(
    config: DemoConfig, rng: random.Random, book: NameBook, companies: list[Company]
) -> list[Tie]:
    """Vendors and recruiters who write to the owner and never hear back."""
    ties = [
        Tie(p, "vendor", c.name) for c in companies if c.role == "vendor" for p in c.members[:2]
    ]
    ties += [Tie(c.members[0], "recruiter", c.name) for c in companies if c.role == "agency"]
    ties += [
        Tie(p, "recruiter", "") for p in _freemail_people(config.count(2), rng, book, "recruiter")
    ]
    return ties


def _departures(
    rng: random.Random, period: Period, dormant: Sequence[Person]
) -> dict[str, datetime]:
    """When each dormant person goes silent: early on, and at least 7 months before the end."""
    cutoff = min(period.start + timedelta(days=152), period.end - timedelta(days=214))
    span = cutoff - period.start
    return {p.email: period.start + span * rng.uniform(0.6, 1.0) for p in dormant}


def _liaisons(rng: random.Random, teams: list[Team], gone: set[str]) -> list[tuple[Person, Person]]:
    """Cross-team links of the organisation-wide log: one liaison per team."""
    chosen = [rng.choice([p for p in t.members if p.email not in gone]) for t in teams]
    pairs: set[tuple[int, int]] = set()
    for i in range(len(teams)):
        for j in rng.sample([k for k in range(len(teams)) if k != i], rng.choice((1, 2))):
            pairs.add((min(i, j), max(i, j)))
    return [(chosen[i], chosen[j]) for i, j in sorted(pairs)]


def _account_managers(
    rng: random.Random, companies: list[Company], background: list[Team]
) -> list[tuple[Company, Person]]:
    """Who at the owner's company looks after each customer or partner."""
    sellers = [t for t in background if t.name.startswith(("Sales", "Customer", "Partner"))]
    people = [p for t in (sellers or background) for p in t.members]
    return [(c, rng.choice(people)) for c in companies if c.role in ("close", "regular")]
