"""Evidence from the addresses themselves: one local part across an organisation's
mail domains, and an owner's own free-mail address.

Rule 5, **the same local part at two mail domains of one organisation**
(``pallen@ect.enron.com`` and ``pallen@enron.com``): an organisation's subdomains
usually share one directory of mailboxes, so the same local part names the same
mailbox. Not always: a subsidiary may run its own mail, and ``jsmith`` at one is not
``jsmith`` at another. So the addresses (their clusters, after rules 1-4) merge only
when

* the local part is not generic: at least :data:`MIN_LOCAL_PART` characters, not all
  digits, no role word (``info``, ``admin``, ``sales`` ...), not a machine's, and no
  address of the group is automated;
* no two of the clusters are known by names that disagree (``John Smith`` and
  ``Jane Smith`` at ``jsmith@`` are two people, and then nobody at ``jsmith@`` is
  merged);
* a cluster known by no name joins only when one of the group's addresses is at the
  organisation's own domain and, that one aside, it is the group's only unnamed
  cluster (the parent and one child: ``enron.com`` and ``ect.enron.com``). Two
  subsidiaries' unnamed addresses, or several unnamed children, cannot be told apart
  and stay apart;
* the merged person has at most ``MAX_NAME_CLUSTER`` addresses.

Rule 6, **an owner's own free-mail address**: an owner wrote to a free-mail address
(forwarding to themselves, say), and that address is known by a full name that
agrees with the owner's (``phillip allen`` for ``Phillip K. Allen``), either as the
owner addressed it or as it is generally seen. It joins the owner unless it is known
by another name, or agrees with more than one owner. ``init --me`` names such an
address outright.

Every refused merge is reported as a :class:`~weakties.identity.facts.Refusal`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from weakties.identity.clusters import Clusters
from weakties.identity.facts import AddressFacts, Refusal, Sent
from weakties.identity.names import ROLE_WORDS, canonical, is_full_name, local_words, names_agree
from weakties.identity.orgs import is_free_mail
from weakties.text.addresses import is_automated_local_part

MIN_LOCAL_PART = 3  # "jo", "ab": too short to name one mailbox across domains
MAX_ADDRESSES = 8  # as identity.resolve.MAX_NAME_CLUSTER: one person, one organisation


def merge_same_local_part(clusters: Clusters, facts: dict[str, AddressFacts]) -> list[Refusal]:
    """Rule 5, group by group in a fixed order; returns the refusals."""
    refusals: list[Refusal] = []
    for (org, local), addresses in _local_groups(facts):
        roots = sorted({clusters.find(a) for a in addresses})
        if len(roots) < 2:
            continue
        key = f"{local}@{org}"
        reason = _generic(local, addresses, facts)
        if reason:
            refusals.append(Refusal("same-local-part", key, tuple(addresses), reason))
            continue
        names = {r: _names(clusters, facts, r) for r in roots}
        if _disagree(list(names.values())):
            refusals.append(Refusal("same-local-part", key, tuple(addresses), "names-disagree"))
            continue
        parent = next((clusters.find(a) for a in addresses if facts[a].domain == org), None)
        join, reason = _joinable(roots, names, parent)
        if reason:
            refusals.append(Refusal("same-local-part", key, tuple(addresses), reason))
        if len(join) < 2:
            continue
        if sum(len(clusters.members(r)) for r in join) > MAX_ADDRESSES:
            refusals.append(Refusal("same-local-part", key, tuple(addresses), "too-many-addresses"))
        elif not clusters.union(join):
            refusals.append(Refusal("same-local-part", key, tuple(addresses), "split-by-user"))
    return refusals


def _local_groups(facts: dict[str, AddressFacts]) -> list[tuple[tuple[str, str], list[str]]]:
    """Addresses of an organisation grouped by local part, groups of two or more."""
    groups: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    for address, fact in facts.items():
        if fact.org:
            groups[(fact.org, address.rpartition("@")[0])].append(address)
    return sorted((k, sorted(v)) for k, v in groups.items() if len(v) > 1)


def _generic(local: str, addresses: list[str], facts: dict[str, AddressFacts]) -> str:
    """Why a local part says nothing of who uses it, or ""."""
    if len(local) < MIN_LOCAL_PART or local.replace(".", "").isdigit():
        return "generic-local-part"
    if any(w in ROLE_WORDS for w in local_words(addresses[0])):
        return "generic-local-part"
    if is_automated_local_part(addresses[0]) or any(facts[a].automated_why for a in addresses):
        return "automated"
    return ""


def _names(clusters: Clusters, facts: dict[str, AddressFacts], root: str) -> set[str]:
    return {n for m in clusters.members(root) if (n := facts[m].dominant)}


def _disagree(named: list[set[str]]) -> bool:
    """True when two of the name sets share no name that agrees."""
    known = [names for names in named if names]
    return any(
        not any(names_agree(x, y) for x in a for y in b)
        for i, a in enumerate(known)
        for b in known[i + 1 :]
    )


def _joinable(
    roots: list[str], names: dict[str, set[str]], parent: str | None
) -> tuple[list[str], str]:
    """The clusters of a group that may merge, and why the others may not ("" if none).

    ``parent`` is the cluster of the group's address at the organisation's own domain.
    """
    named = [r for r in roots if names[r]]
    unnamed = [r for r in roots if not names[r] and r != parent]
    if parent is not None and not names[parent]:
        named.append(parent)  # the parent joins whoever the one child is
    if not unnamed:
        return named, ""
    if parent is None:
        return named, "sibling-subdomains"
    if len(unnamed) > 1:
        return named, "several-unnamed"
    return named + unnamed, ""


# -- rule 6 -------------------------------------------------------------------------------


def merge_own_free_mail(
    clusters: Clusters,
    facts: dict[str, AddressFacts],
    owners: set[str],
    sent: Iterable[Sent],
) -> list[Refusal]:
    """Rule 6: each free-mail address an owner wrote to under the owner's own name
    joins that owner; returns the refusals."""
    owner_roots = {clusters.find(a) for a in owners if a in facts}
    called = _called(clusters, facts, owner_roots, sent)
    refusals: list[Refusal] = []
    for address in sorted(called):
        fact = facts[address]
        matched = sorted(
            {
                clusters.find(root)
                for root, names in called[address].items()
                if _agree(names, _names(clusters, facts, root))
            }
        )
        if not matched:
            continue
        key = fact.dominant or address
        own = _names(clusters, facts, matched[0])
        theirs = _names(clusters, facts, clusters.find(address))
        if len(matched) > 1:
            refusals.append(Refusal("own-free-mail", key, (address,), "several-owners"))
        elif theirs and not _agree(theirs, own):
            refusals.append(Refusal("own-free-mail", key, (address,), "names-disagree"))
        elif not clusters.union([matched[0], address]):
            refusals.append(Refusal("own-free-mail", key, (address,), "split-by-user"))
    return refusals


def _called(
    clusters: Clusters,
    facts: dict[str, AddressFacts],
    owner_roots: set[str],
    sent: Iterable[Sent],
) -> dict[str, dict[str, set[str]]]:
    """For each free-mail address an owner wrote to: per owner (cluster root), the full
    names the address is known by (its own, and the one the owner gave it)."""
    called: dict[str, dict[str, set[str]]] = {}
    for row in sent:
        sender, fact = row.sender, facts.get(row.recipient)
        if sender not in facts or fact is None or not _free_mail(fact):
            continue
        root = clusters.find(sender)
        if root not in owner_roots or clusters.find(fact.address) == root:
            continue
        names = called.setdefault(fact.address, {}).setdefault(root, set())
        if fact.dominant:
            names.add(fact.dominant)
        given = canonical(row.name)
        if given and is_full_name(given):
            names.add(given)
    return called


def _free_mail(fact: AddressFacts) -> bool:
    """A free-mail address of a person (free-mail domains are no organisation)."""
    return not fact.org and not fact.automated_why and is_free_mail(fact.domain or "")


def _agree(names: set[str], own: set[str]) -> bool:
    return any(names_agree(x, y) for x in names for y in own)
