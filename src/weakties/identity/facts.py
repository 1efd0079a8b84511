"""What identity resolution knows about one address, and the merges it refused."""

from __future__ import annotations

from dataclasses import dataclass, field

from weakties.identity.automated import Activity


@dataclass(frozen=True, slots=True)
class Refusal:
    """A merge that was refused, and why (kept for reports and tuning)."""

    rule: str  # name, local-part, same-local-part, own-free-mail, owner, link, user, contact
    key: str  # the name or local part that would have merged the addresses
    addresses: tuple[str, ...]
    reason: str  # too-many-addresses, last-names-disagree, names-disagree, split-by-user,
    # shared (an identity contacts give to people whose names share no word) ...


@dataclass(slots=True)
class AddressFacts:
    """Everything resolution knows about one address."""

    address: str
    names: dict[str, int] = field(default_factory=dict)  # raw display name -> times seen
    named: list[tuple[str, str, int]] = field(default_factory=list)  # (canonical, raw, n)
    n_seen: int = 0
    activity: Activity | None = None
    domain: str | None = None
    org: str | None = None
    dominant: str | None = None
    automated_why: str = ""
    org_names: dict[str, int] = field(default_factory=dict)  # named organisation -> contacts
    card_names: set[str] = field(default_factory=set)  # canonical names contacts give it
    named_org: str | None = None  # from org_names when the domain names none

    @property
    def n_interactions(self) -> int:
        return self.activity.n_interactions if self.activity else self.n_seen


@dataclass(frozen=True, slots=True)
class Sent:
    """An owner's address wrote to ``recipient`` ``n`` times, calling it ``name`` ("" for
    no display name)."""

    sender: str
    recipient: str
    name: str
    n: int = 1
