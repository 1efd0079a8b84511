"""Identity resolution: which addresses belong to one person.

Pure: typed facts in, a :class:`Resolution` out. Addresses are merged
(union-find) only on solid evidence, in this order:

0. the user's own verdicts (``weakties merge``), which no guard refuses;
1. owner groups: the addresses of one mailbox's owner, or of ``me``;
2. alias links the sources saw (an Exchange DN beside an SMTP address);
3. one full display name that is the *dominant* name of two or more
   addresses of the same organisation;
4. a local part spelling a full name (``phillip.k.allen``, ``anne_m_lee``)
   equal to the dominant name of another address of the same organisation;
5. the same local part at two mail domains of one organisation
   (``pallen@ect.enron.com``, ``pallen@enron.com``), with its own guards
   (:mod:`weakties.identity.address_rules`);
6. an owner's own free-mail address: one the owner wrote to that is known by
   the owner's full name (:mod:`weakties.identity.address_rules`).

Rules 3 and 4 are name evidence. They never touch free-mail or automated
addresses, and a name merge is refused (and reported) when the merged
cluster would hold more than :data:`MAX_NAME_CLUSTER` addresses, or dominant
names whose last names disagree. Evidence merges (1, 2) are always kept.
Weak evidence (a shared first or last name, a name seen once on an address
known by another name, the same name at two free-mail providers) never merges.

Rule 2 includes contacts: the identities on one address-book card or connection are
one person. An identity that contacts give to people whose names share no word (an
office's switchboard on two colleagues' cards, a family's landline) is shared: the
contact links through it are refused (and reported), the identity stays.

A user's split (``weakties split``) beats every rule: two addresses it keeps
apart are never joined, whatever the evidence (:class:`Clusters`).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

from weakties.identity.address_rules import merge_own_free_mail, merge_same_local_part
from weakties.identity.automated import Activity, automated_why, is_email
from weakties.identity.clusters import Clusters
from weakties.identity.facts import AddressFacts, Refusal, Sent
from weakties.identity.names import canonical as _canonical
from weakties.identity.names import display_form as _display_form
from weakties.identity.names import is_full_name as _is_full_name
from weakties.identity.names import local_part_name as _local_part_name
from weakties.identity.names import name_from_local_part as _name_from_local_part
from weakties.identity.orgs import is_named_org, named_org_key, org_domain, org_name
from weakties.text.phones import is_phone_identity

MAX_NAME_CLUSTER = 8  # a person rarely has more addresses at one organisation than this
MAX_NAMES = 20  # display names kept per identity (a list address collects hundreds)


@dataclass(frozen=True, slots=True)
class Observation:
    """How often ``address`` was seen under display name ``name`` ("" for none), and the
    organisation a contact (a card, a connection) names for it ("" for none)."""

    address: str
    name: str
    n_seen: int  # 0: known from a contact only
    n_sent: int = 0
    organisation: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """Alias evidence from a source: ``address`` and ``other`` are one person."""

    address: str
    other: str
    evidence: str


@dataclass(frozen=True, slots=True)
class Override:
    """The user's verdict on two addresses: one person (``same``) or never (not ``same``)."""

    address: str
    other: str
    same: bool


@dataclass(frozen=True, slots=True)
class Identity:
    """One address, the person it belongs to, and what was seen of it."""

    address: str
    person_id: int
    kind: str  # email, phone, id
    domain: str | None
    names: tuple[str, ...]  # display names as seen, most frequent first
    automated: bool
    n_interactions: int
    automated_why: str = ""  # local-part, flagged, list, blast; "" when not automated


@dataclass(frozen=True, slots=True)
class Person:
    """One resolved person (or automated sender) and the addresses it uses."""

    person_id: int
    display_name: str
    primary_address: str
    org_domain: str | None
    automated: bool
    is_owner: bool
    addresses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation domain and how many non-automated people it has."""

    org_domain: str
    name: str
    n_people: int


@dataclass(frozen=True, slots=True)
class Resolution:
    """The result of :func:`resolve`, every part sorted for stable output."""

    identities: tuple[Identity, ...]
    people: tuple[Person, ...]
    organisations: tuple[Organisation, ...]
    refusals: tuple[Refusal, ...]

    @property
    def n_merged(self) -> int:
        """People with more than one address."""
        return sum(1 for p in self.people if len(p.addresses) > 1)


def resolve(
    observations: Iterable[Observation],
    links: Iterable[Link] = (),
    owners: Iterable[Iterable[str]] = (),
    activity: Iterable[Activity] = (),
    sent: Iterable[Sent] = (),
    overrides: Iterable[Override] = (),
) -> Resolution:
    """Resolve addresses into people, organisations and automated senders.

    ``sent`` is what the owners wrote to whom (rule 6); ``overrides`` are the user's
    merges and splits. The result depends only on the facts, not on their order, so
    a rebuild over the same store produces identical tables.
    """
    owner_groups = [sorted(set(group)) for group in owners]
    link_list = sorted(links, key=lambda x: (x.address, x.other, x.evidence))
    facts = _collect(observations, activity, link_list, owner_groups)
    owner_set = {a for group in owner_groups for a in group}
    for fact in facts.values():
        fact.automated_why = "" if fact.address in owner_set else _why(fact)
    verdicts = sorted(set(overrides), key=lambda o: (o.address, o.other, o.same))
    clusters = Clusters(sorted(facts), [(o.address, o.other) for o in verdicts if not o.same])
    refusals = _merge_on_evidence(clusters, facts, verdicts, owner_groups, link_list)
    refusals += _merge_on_names(clusters, facts)
    refusals += merge_same_local_part(clusters, facts)
    refusals += merge_own_free_mail(clusters, facts, owner_set, sent)
    return _build(clusters, facts, owner_set, refusals)


def _merge_on_evidence(
    clusters: Clusters,
    facts: dict[str, AddressFacts],
    verdicts: list[Override],
    owner_groups: list[list[str]],
    links: list[Link],
) -> list[Refusal]:
    """Rules 0-2: the user's merges, owner groups and alias links; only a split stops them."""
    evidence = [("user", [o.address, o.other]) for o in verdicts if o.same]
    evidence += [("owner", group) for group in owner_groups]
    shared = _shared_identities(facts)
    refusals: list[Refusal] = []
    for link in links:
        through = _shared_end(link, shared)
        if through:
            refusals.append(Refusal("contact", through, (link.address, link.other), "shared"))
        else:
            evidence.append(("link", [link.address, link.other]))
    for rule, addresses in evidence:
        known = [a for a in addresses if a in facts]
        if not clusters.union(known):
            refusals.append(Refusal(rule, "", tuple(known), "split-by-user"))
    return refusals


# -- facts -------------------------------------------------------------------------


def _collect(
    observations: Iterable[Observation],
    activity: Iterable[Activity],
    links: list[Link],
    owners: list[list[str]],
) -> dict[str, AddressFacts]:
    """Gather names and activity per address, and derive domain, org and dominant name."""
    facts: dict[str, AddressFacts] = {}

    def fact(address: str) -> AddressFacts:
        if address not in facts:
            facts[address] = AddressFacts(address)
        return facts[address]

    for obs in observations:
        entry = facts.get(obs.address) or fact(obs.address)
        entry.n_seen += obs.n_seen
        name = obs.name.strip()
        if name:
            entry.names[name] = entry.names.get(name, 0) + obs.n_seen
        if obs.n_seen == 0 and (canonical := _canonical(name)):
            entry.card_names.add(canonical)
        if obs.organisation.strip():
            org = obs.organisation.strip()
            entry.org_names[org] = entry.org_names.get(org, 0) + 1
    for act in activity:
        fact(act.address).activity = act
    linked = [a for link in links for a in (link.address, link.other)]
    for address in chain(linked, *owners):
        fact(address)
    for entry in facts.values():
        entry.domain = entry.address.rpartition("@")[2] if _kind(entry.address) == "email" else None
        entry.org = org_domain(entry.domain)
        entry.named = [(c, raw, n) for raw, n in entry.names.items() if (c := _canonical(raw))]
        entry.dominant = _dominant(entry.named, entry.org)
    _name_organisations(facts)
    return facts


def _kind(address: str) -> str:
    if is_email(address):
        return "email"
    return "phone" if is_phone_identity(address) else "id"


def _name_organisations(facts: dict[str, AddressFacts]) -> None:
    """Each address's named organisation, for people whose domain names none.

    A name that an address at an organisation's domain also carries (a card of
    jane@ibm.com saying "IBM") is that domain; any other is ``org:<name>``.
    """
    domains: dict[str, Counter[str]] = defaultdict(Counter)
    for fact in facts.values():
        keys: Counter[str] = Counter()
        for raw, n in fact.org_names.items():
            key = named_org_key(raw)
            if key:
                keys[key] += n
        fact.named_org = min(keys, key=lambda k: (-keys[k], k)) if keys else None
        if fact.org and fact.named_org:
            domains[fact.named_org][fact.org] += 1
    for fact in facts.values():
        learned = domains.get(fact.named_org or "")
        if learned:
            fact.named_org = min(learned, key=lambda d: (-learned[d], d))


def _dominant(named: list[tuple[str, str, int]], org: str | None) -> str | None:
    """The full name an address is known by, if one clearly leads; else None."""
    brand = org.split(".")[0] if org else None
    full: dict[str, int] = {}
    for canonical, _raw, n in named:
        if _is_full_name(canonical) and brand not in canonical.split():
            full[canonical] = full.get(canonical, 0) + n
    if len(full) < 2:
        return next(iter(full), None)
    top = max(full.values())
    leaders = [name for name, n in full.items() if n == top]
    return leaders[0] if len(leaders) == 1 else None


def _why(fact: AddressFacts) -> str:
    names = frozenset(canonical for canonical, _, _ in fact.named)
    return automated_why(fact.address, fact.activity, fact.dominant is not None, names)


# -- merging ----------------------------------------------------------------------------


def _shared_identities(facts: dict[str, AddressFacts]) -> set[str]:
    """Identities that contacts give to people whose names share no word."""
    shared: set[str] = set()
    for fact in facts.values():
        if len(fact.card_names) > 1:
            words = [set(name.split()) for name in sorted(fact.card_names)]
            if any(a.isdisjoint(b) for i, a in enumerate(words) for b in words[i + 1 :]):
                shared.add(fact.address)
    return shared


def _shared_end(link: Link, shared: set[str]) -> str:
    """The shared identity a contact link goes through, or "" (other links always hold)."""
    if not shared or not link.evidence.startswith("contact-"):
        return ""
    return next((a for a in (link.address, link.other) if a in shared), "")



def _merge_on_names(clusters: Clusters, facts: dict[str, AddressFacts]) -> list[Refusal]:
    """Apply rules 3 and 4 group by group in a fixed order, refusing unsafe merges."""
    refusals: list[Refusal] = []
    for rule, key, addresses in _name_groups(facts):
        roots = sorted({clusters.find(a) for a in addresses})
        if len(roots) < 2:
            continue
        reason = _unsafe(clusters, facts, roots)
        if not reason and not clusters.union(roots):
            reason = "split-by-user"
        if reason:
            refusals.append(Refusal(rule, key, tuple(addresses), reason))
    return refusals


def _name_groups(facts: dict[str, AddressFacts]) -> list[tuple[str, str, list[str]]]:
    """The candidate name merges: (rule, name, addresses), in a deterministic order."""
    by_name: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    for fact in sorted(facts.values(), key=lambda f: f.address):
        if fact.org and fact.dominant and not fact.automated_why:
            by_name[(fact.org, fact.dominant)].append(fact.address)
    groups = [
        ("name", name, addresses)
        for (_org, name), addresses in sorted(by_name.items())
        if len(addresses) > 1
    ]
    for address in sorted(facts):
        fact = facts[address]
        spelled = _local_part_name(address) if fact.org and not fact.automated_why else None
        if spelled is None or fact.org is None:
            continue
        others = [a for a in by_name.get((fact.org, spelled), []) if a != address]
        if others:
            groups.append(("local-part", spelled, [address, *others]))
    return groups


def _unsafe(clusters: Clusters, facts: dict[str, AddressFacts], roots: list[str]) -> str:
    """Why merging these clusters on a name would be unsafe, or "" when it is fine."""
    if sum(len(clusters.members(r)) for r in roots) > MAX_NAME_CLUSTER:
        return "too-many-addresses"
    surnames = [
        {n.split()[-1] for m in clusters.members(r) if (n := facts[m].dominant)} for r in roots
    ]
    surnames = [s for s in surnames if s]
    union = set().union(*surnames) if surnames else set()
    if surnames and not any(s == union for s in surnames):
        return "last-names-disagree"
    return ""


# -- output -------------------------------------------------------------------------------


def _build(
    clusters: Clusters, facts: dict[str, AddressFacts], owners: set[str], refusals: list[Refusal]
) -> Resolution:
    """Turn the final clusters into sorted identities, people and organisations."""
    people: list[Person] = []
    identities: list[Identity] = []
    taken: set[int] = set()
    for root in clusters.roots():
        addresses = clusters.members(root)
        if len(addresses) == 1:  # most people: one address, so no ranking or merging
            person_id = _person_id(root, taken)
            people.append(_lone_person(person_id, facts[root], root in owners))
            identities.append(_identity(person_id, facts[root]))
            continue
        members = [facts[a] for a in sorted(addresses)]
        person_id = _person_id(members[0].address, taken)
        people.append(_person(person_id, members, owners))
        identities.extend(_identity(person_id, m) for m in members)
    people.sort(key=lambda p: p.person_id)
    identities.sort(key=lambda i: i.address)
    organisations = _organisations(people, _org_display_names(facts))
    return Resolution(tuple(identities), tuple(people), organisations, tuple(refusals))


def _person_id(smallest: str, taken: set[int]) -> int:
    """A stable positive int64 from the cluster's smallest address."""
    digest = hashlib.blake2b(smallest.encode("utf-8"), digest_size=8).digest()
    person_id = int.from_bytes(digest, "big") >> 1
    while person_id in taken:  # astronomically rare; keeps ids unique
        person_id = (person_id + 1) % (1 << 63)
    taken.add(person_id)
    return person_id


def _identity(person_id: int, fact: AddressFacts) -> Identity:
    names = fact.names
    ranked = sorted(names, key=lambda k: (-names[k], k)) if len(names) > 1 else list(names)
    return Identity(
        address=fact.address,
        person_id=person_id,
        kind=_kind(fact.address),
        domain=fact.domain,
        names=tuple(ranked[:MAX_NAMES]),
        automated=bool(fact.automated_why),
        n_interactions=fact.n_interactions,
        automated_why=fact.automated_why,
    )


def _person(person_id: int, members: list[AddressFacts], owners: set[str]) -> Person:
    """One person from its cluster's addresses (sorted by address)."""
    is_owner = any(m.address in owners for m in members)
    primary = min(members, key=lambda m: (bool(m.automated_why), -m.n_interactions, m.address))
    return Person(
        person_id=person_id,
        display_name=_display_name(members) or _name_from_local_part(primary.address),
        primary_address=primary.address,
        org_domain=_person_org(members),
        automated=not is_owner and all(m.automated_why for m in members),
        is_owner=is_owner,
        addresses=tuple(m.address for m in members),
    )


def _lone_person(person_id: int, fact: AddressFacts, is_owner: bool) -> Person:
    """:func:`_person` for a cluster of one address, without its cluster-wide ranking."""
    return Person(
        person_id=person_id,
        display_name=_display_name([fact]) or _name_from_local_part(fact.address),
        primary_address=fact.address,
        org_domain=fact.org or fact.named_org,
        automated=not is_owner and bool(fact.automated_why),
        is_owner=is_owner,
        addresses=(fact.address,),
    )


def _display_name(members: list[AddressFacts]) -> str:
    """The most frequent full name of the cluster, else its most frequent readable name."""
    if len(members) == 1 and len(members[0].named) < 2:  # the usual case: nothing to rank
        return _display_form(members[0].named[0][1]) if members[0].named else ""
    totals: dict[str, int] = {}
    for member in members:
        for canonical, _raw, n in member.named:
            totals[canonical] = totals.get(canonical, 0) + n
    if not totals:
        return ""
    best = min(totals, key=lambda c: (not _is_full_name(c), -totals[c], c))
    forms: dict[str, int] = {}
    for member in members:
        for canonical, raw, n in member.named:
            if canonical == best:
                form = _display_form(raw)
                forms[form] = forms.get(form, 0) + n
    return min(forms, key=lambda f: (-forms[f], f))


def _person_org(members: list[AddressFacts]) -> str | None:
    """The organisation most of the person's interactions went through; else the one
    their contacts name."""
    weight: dict[str, int] = {}
    for member in members:
        if member.org:
            weight[member.org] = weight.get(member.org, 0) + max(member.n_interactions, 1)
    if not weight:
        for member in members:
            if member.named_org:
                weight[member.named_org] = weight.get(member.named_org, 0) + 1
    if not weight:
        return None
    return min(weight, key=lambda org: (-weight[org], org))


def _organisations(people: list[Person], named: dict[str, str]) -> tuple[Organisation, ...]:
    """Every organisation a person belongs to, counting its non-automated people.

    A domain is named from itself (``enron.com`` -> Enron); a named organisation by
    the form its contacts write most (``named``)."""
    domains = sorted({p.org_domain for p in people if p.org_domain})
    humans = Counter(p.org_domain for p in people if p.org_domain and not p.automated)
    return tuple(
        Organisation(d, named.get(d, d) if is_named_org(d) else org_name(d), humans[d])
        for d in domains
    )


def _org_display_names(facts: dict[str, AddressFacts]) -> dict[str, str]:
    """Each named organisation's key -> the form of its name written most often."""
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for fact in facts.values():
        for raw, n in fact.org_names.items():
            key = named_org_key(raw)
            if key:
                forms[key][" ".join(raw.split())] += n
    return {key: min(c, key=lambda f: (-c[f], f)) for key, c in forms.items()}
