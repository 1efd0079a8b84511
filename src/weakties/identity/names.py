"""Display names for identity resolution: comparable forms, full names, readable forms.

Pure string functions, cached: a store sees the same display names on many
addresses and across rebuilds.
"""

from __future__ import annotations

import re
from functools import lru_cache

from weakties.identity.automated import is_email
from weakties.text.addresses import canonical_name, clean_name


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ROLE_WORDS = _words(
    """
    admin administrator info information team support sales help helpdesk desk service
    services office hr it marketing news newsletter noreply reply notification
    notifications alert alerts mailer daemon postmaster webmaster billing accounts account
    customer customers care contact enquiries inquiries jobs careers recruiting press media
    list lists mailing announcements announcement bulletin group dept department committee
    staff all everyone calendar system systems operations ops security training reception
    feedback events digest updates update via behalf unknown undisclosed recipients user
    users mailbox shared general payroll finance legal facilities communications corporate
    """
)
"""Words that make a name a role or a system, not a person's."""

_ADDRESS_LIKE = re.compile(r"@|^/|/o=|cn=|://|^[\w.-]+\.[a-z]{2,}$", re.IGNORECASE)
_PARENS = re.compile(r"\([^)]*\)|\[[^]]*\]")
_LOCAL_SEPARATORS = re.compile(r"[._-]+")


@lru_cache(maxsize=1 << 16)
def canonical(raw: str) -> str:
    """A comparable form of a display name ("Allen, Phillip K." -> "phillip k allen").

    Address-looking names and Exchange DNs become "": they say nothing of the person.
    """
    return "" if _ADDRESS_LIKE.search(raw.strip()) else canonical_name(raw)


@lru_cache(maxsize=1 << 16)
def is_full_name(canonical: str) -> bool:
    """A name good enough to merge on: two real words, letters only, no role words."""
    tokens = canonical.split()
    return (
        len(tokens) >= 2
        and sum(1 for t in tokens if len(t) >= 2) >= 2
        and all(t.isalpha() for t in tokens)
        and not any(t in ROLE_WORDS for t in tokens)
    )


def local_part_name(address: str) -> str | None:
    """The full name a local part spells (``phillip.k.allen`` -> "phillip k allen").

    Needs separators: ``firstlast`` or ``pallen`` could be anyone.
    """
    parts = local_words(address.lower())
    if not 2 <= len(parts) <= 4 or len(parts[0]) < 2 or len(parts[-1]) < 2:
        return None
    name = " ".join(parts)
    return name if is_full_name(name) else None


@lru_cache(maxsize=1 << 16)
def display_form(raw: str) -> str:
    """A display name as a person would write it: "Allen, Phillip K." -> "Phillip K. Allen"."""
    text = " ".join(_PARENS.sub(" ", clean_name(raw)).split())
    last, comma, first = text.partition(",")
    if comma and "," not in first and canonical_name(first):
        text = f"{first.strip()} {last.strip()}"
    return text


def name_from_local_part(address: str) -> str:
    """A last-resort display name from the address itself."""
    if not is_email(address):
        return address
    return " ".join(w.capitalize() for w in local_words(address)) or address


def local_words(address: str) -> list[str]:
    """The words of a local part, without its +tag: ``k..allen+x`` -> ["k", "allen"]."""
    local = address.rpartition("@")[0].split("+")[0]
    return [p for p in _LOCAL_SEPARATORS.split(local) if p]


def names_agree(a: str, b: str) -> bool:
    """Two canonical names that can be one person's: the same last name, and first names
    equal or one the other's initial ("phillip k allen", "phillip allen", "p allen").

    A nickname ("phil allen") does not agree: it could as well be someone else.
    """
    words_a, words_b = a.split(), b.split()
    if len(words_a) < 2 or len(words_b) < 2 or words_a[-1] != words_b[-1]:
        return False
    first_a, first_b = words_a[0], words_b[0]
    if first_a == first_b:
        return True
    short, long = sorted((first_a, first_b), key=len)
    return len(short) == 1 and long.startswith(short)
