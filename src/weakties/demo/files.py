"""Generate the demo files: the owner's mbox with its truth, and the organisation log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from weakties.demo import fading, intros
from weakties.demo.events import write_events
from weakties.demo.mbox import MboxCounts, write_mbox
from weakties.demo.model import DemoConfig, IdMaker, Mail, Person
from weakties.demo.noise import blast_senders, noise_mail
from weakties.demo.org import Organisation, build
from weakties.demo.owner import owner_mail
from weakties.demo.services import newsletters, notifiers
from weakties.demo.threads import Writer
from weakties.demo.truth import (
    ActTruth,
    BridgeTruth,
    CompanyTruth,
    Counts,
    DemoTruth,
    DormantTruth,
    IntroTruth,
    LinkTruth,
    ListTruth,
    OneWayTruth,
    SparkTruth,
    last_contacts,
    write_truth,
)

NAME = "northwind"


@dataclass(frozen=True, slots=True)
class DemoFiles:
    """Where :func:`generate` wrote the mailbox and its planted truth."""

    mbox: Path
    truth: Path


def generate(config: DemoConfig, out_dir: Path) -> DemoFiles:
    """Write ``northwind.mbox`` and ``northwind.truth.json`` into ``out_dir``.

    The same ``config`` always gives byte-identical files.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    org = build(config)
    mails = [*_owner_plan(org, config, text=True), *noise_mail(org, config)]
    files = DemoFiles(out_dir / f"{NAME}.mbox", out_dir / f"{NAME}.truth.json")
    owner = frozenset((org.owner.email, *org.owner.aliases))
    counts = write_mbox(files.mbox, mails, owner, config.rng("mbox"), config.count(8))
    write_truth(files.truth, _truth(config, org, mails, counts))
    return files


def generate_events(config: DemoConfig, out_dir: Path) -> Path:
    """Write ``northwind.events.csv``: the whole organisation's interactions.

    It holds the owner's person-to-person mail (same Message-IDs as the mbox)
    plus everyone else's mail, meetings and calls, as one generic log.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    org = build(config)
    path = out_dir / f"{NAME}.events.csv"
    write_events(path, config, org, _owner_plan(org, config, text=False))
    return path


def _owner_plan(org: Organisation, config: DemoConfig, text: bool) -> list[Mail]:
    """The owner's human threads; bodies come from their own stream, so the plan
    is the same whether or not they are written."""
    writer = Writer(
        config.rng("owner"),
        IdMaker(config.rng("ids")),
        org.period.end,
        config.rng("text") if text else None,
    )
    planted, sparks = intros.plan(org, config)
    openings = intros.owner_openings(planted, sparks, config.rng("intro-threads"))
    mails = owner_mail(org, writer) + [m for o in openings for m in writer.thread(o)]
    quiet = _fading_people(org, planted, sparks)
    rng = config.rng("fading")
    new = fading.choose_new(org)
    rhythm = [*fading.openings(org, quiet, rng), *fading.new_openings(org, new, rng)]
    return fading.silence(mails + [m for o in rhythm for m in writer.thread(o)], org, quiet)


def _fading_people(
    org: Organisation, planted: list[intros.Planted], sparks: list[intros.Spark]
) -> tuple[Person, ...]:
    """The colleagues planted as overdue: none with a part in the introductions."""
    taken = [p for i in planted for p in (i.introducer, i.a, i.b)]
    return fading.choose(org, taken + [p for s in sparks for p in s.members])


def _truth(
    config: DemoConfig, org: Organisation, mails: Sequence[Mail], counts: MboxCounts
) -> DemoTruth:
    owner = (org.owner.email, *org.owner.aliases)
    colleagues = [p for t in org.teams for p in t.members if p is not org.owner]
    planted, sparks = intros.plan(org, config)
    return DemoTruth(
        config=config,
        period_start=org.period.start.date(),
        period_end=org.period.end.date(),
        owner_name=org.owner.name,
        owner=owner,
        close=tuple(p.email for p in org.close),
        regular=tuple(p.email for p in org.regular),
        bridges=tuple(
            BridgeTruth(t.person.email, t.person.name, t.kind, t.target) for t in org.bridges
        ),
        dormant=_dormant(org, mails),
        one_way=tuple(
            OneWayTruth(t.person.email, t.person.name, t.kind, t.target) for t in org.one_way
        ),
        automated=tuple(s.address for s in notifiers()),
        bulk=tuple(s.address for s in newsletters(config)) + _blast(org),
        blast=_blast(org),
        mailing_lists=tuple(ListTruth(m.name, m.address, m.list_id) for m in org.lists),
        teams={t.name: tuple(p.email for p in t.members) for t in org.teams},
        companies=tuple(
            CompanyTruth(c.name, c.domain, c.role, tuple(p.email for p in c.members))
            for c in org.companies
        ),
        aliases=_aliases(org),
        org_links=tuple(LinkTruth(a.email, a.group, b.email, b.group) for a, b in org.liaisons),
        account_managers={c.name: p.email for c, p in org.account_managers},
        act=_act(org),
        fading=tuple(p.email for p in fading.choose_new(org)),
        overdue=tuple(p.email for p in _fading_people(org, planted, sparks)),
        intros=_intros(planted),
        sparks=_sparks(sparks),
        counts=Counts(
            messages_written=counts.written,
            unique_messages=len(mails),
            duplicates=counts.duplicates,
            sent_by_owner=sum(m.sender.email in owner for m in mails),
            colleagues=len(colleagues),
            external_contacts=sum(len(c.members) for c in org.companies) + len(org.friends),
            teams=len(org.teams),
            companies=len(org.companies),
        ),
    )


def _act(org: Organisation) -> ActTruth:
    planted = org.planted
    return ActTruth(
        stakeholder=planted.stakeholder.email,
        formal_thread=planted.formal.email,
        backchannels=tuple(p.email for p in planted.backchannels),
        single_threaded=planted.single_domain,
        single_thread=planted.single[0].email,
        to_meet=tuple(p.email for p, _ in planted.to_meet),
    )


def _intros(planted: list[intros.Planted]) -> tuple[IntroTruth, ...]:
    """The truth of the introductions :mod:`weakties.demo.intros` plants."""
    return tuple(
        IntroTruth(i.role, i.introducer.email, i.a.email, i.b.email, i.when, i.outcome)
        for i in planted
    )


def _sparks(sparks: list[intros.Spark]) -> tuple[SparkTruth, ...]:
    """The truth of the group threads with one-to-one sparks it plants."""
    return tuple(
        SparkTruth(tuple(p.email for p in s.members), s.when, s.other.email) for s in sparks
    )


def _blast(org: Organisation) -> tuple[str, ...]:
    return tuple(p.email for p in blast_senders(org))


def _dormant(org: Organisation, mails: Sequence[Mail]) -> tuple[DormantTruth, ...]:
    """Dormant people with the date they last appeared in the mailbox."""
    primary = {a: p.email for p in org.dormant for a in (p.email, *p.aliases)}
    last = last_contacts(mails, primary)
    return tuple(DormantTruth(p.email, p.name, p.group, last[p.email]) for p in org.dormant)


def _aliases(org: Organisation) -> dict[str, tuple[str, ...]]:
    """Every person with more than one address: primary -> the others."""
    people = [
        org.owner,
        *(p for t in org.teams for p in t.members),
        *(p for c in org.companies for p in c.members),
    ]
    return {p.email: p.aliases for p in people if p.aliases}
