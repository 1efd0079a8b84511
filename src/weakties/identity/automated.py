"""Automated senders: robots, lists, marketing engines and one-way blasts.

Flagged identities are left out of tie computations. Every rule names its reason
(``user``, ``local-part``, ``role``, ``list``, ``flagged``, ``many-names``, ``blast``,
``one-way``), so a listing can say why someone was set aside. Owners are never flagged
(the caller sees to that).

The rules read behaviour, not a list of names: how widely an address sends (fan-out),
whether anyone it wrote to ever wrote to it, whether its messages were ever answered,
whether it is ever written to at all, list headers on what it sent, and words of role
in its local part and display names ("Announcements", "Report", "Hot Deals"). A word
alone never flags an address that takes part in exchanges, except a shared role
mailbox (``info@``, ``sales@``: RFC 2142), which belongs to an organisation, not a
person. The user's own verdict (``weakties flag`` / ``unflag``) overrides them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from weakties.identity.orgs import org_domain
from weakties.text.addresses import is_automated_local_part


def is_email(address: str) -> bool:
    """A real e-mail address, as opposed to an opaque id or a Notes pseudo-address."""
    local, at, domain = address.rpartition("@")
    return bool(at and local and "." in domain and ":" not in local)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FLAGGED_MIN_SENT = 2  # "mostly flagged at ingest" needs at least this many sent
FLAGGED_SHARE = 0.5  # ... and more than this share of them flagged automated/bulk
BLAST_MIN_SENT = 5  # a one-way blast: at least this many messages sent,
BLAST_MEDIAN_RECIPIENTS = 10.0  # ... to a median of this many recipients each,
BLAST_DISTINCT_RECIPIENTS = 50  # ... or to this many distinct recipients in all,
BLAST_MAX_HEARD_BACK = 0.05  # ... with at most this share of them ever writing back,
BLAST_MAX_RECEIVED = 0.2  # ... and receiving at most this many messages per message sent
MACHINE_DIGITS = 6  # a run this long in a corporate local part is a tracking id, not a name
_LIST_TOKENS = _words("listserv majordomo mailman lyris sympa ezmlm")
_MACHINE_LOCAL = re.compile(r"[a-z0-9._+-]+")
_DIGIT_RUN = re.compile(rf"[0-9]{{{MACHINE_DIGITS},}}")
_DIGIT_GROUP = re.compile(r"[0-9]+")
_TOKEN_SPLIT = re.compile(r"[._+=-]+")
_STAFF_ID = re.compile(r"([a-z]{1,8})([0-9]{1,10})")
_DATE_STAMP = re.compile(r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])")


@dataclass(frozen=True, slots=True)
class Activity:
    """What one address did across all interactions; feeds the automated-sender rules."""

    address: str
    n_interactions: int = 0
    n_sent: int = 0
    n_flagged: int = 0  # sent and flagged automated, or bulk outside any list, at ingest
    median_recipients: float = 0.0  # over the messages it sent
    n_recipients: int = 0  # distinct addresses it sent to
    n_heard_back: int = 0  # of those, how many ever sent something to it
    n_received: int = 0  # interactions in which it was a recipient
    is_list: bool = False  # a mailing list's own address (it matches a List-Id)
    list_regular: bool = False  # on most threads of a list, never sending
    n_answered: int = 0  # messages it sent that some later message replies to
    user_flag: bool | None = None  # the user's verdict: automated (True), a person (False)


def automated_why(address: str, act: Activity | None, has_name: bool, names: frozenset[str]) -> str:
    """Why an address is an automated sender, or "" when it looks like a person.

    ``has_name``: the address has a dominant personal name; ``names``: the distinct
    canonical display names it was seen under.

    user: the user said so (``weakties flag``; ``unflag`` makes it a person whatever
    the rules say); local-part: no-reply, list plumbing, tracking ids; role: a shared
    role mailbox, or words of role in its names while it never took part in an
    exchange; list: a List-Id's own address, or a nameless regular of a list; flagged:
    most of what it sent was marked automated (or bulk outside a list) at ingest;
    blast: see _one_way_blast; one-way: see _one_way_sender.
    """
    if act is not None and act.user_flag is not None:
        return "user" if act.user_flag else ""
    if automated_local_part(address):
        return "local-part"
    if role_mailbox(address):
        return "role"
    if act is None:
        return ""
    if act.is_list or (act.list_regular and not has_name):
        return "list"
    if act.n_sent >= FLAGGED_MIN_SENT and act.n_flagged > FLAGGED_SHARE * act.n_sent:
        return "flagged"
    if _many_names(names, act):
        return "many-names"
    if _one_way_blast(act):
        return "blast"
    if _never_exchanged(act) and (_role_words(address) or any(map(_role_words_in, names))):
        return "role"
    return "one-way" if _one_way_sender(act) else ""


ROLE_MAILBOXES = _words(
    """
    info information sales support marketing contact contactus enquiries inquiries help
    helpdesk service customerservice webmaster hostmaster abuse noc security billing
    orders subscriptions subscribe unsubscribe press media jobs careers
    """
)
"""Local parts that name a shared mailbox of an organisation, not a person: RFC 2142
("Mailbox names for common services, roles and functions": info, marketing, sales,
support, abuse, noc, security, postmaster, hostmaster, webmaster ...) and their
everyday variants. Whoever answers ``info@`` answers for the organisation."""

BROADCAST_WORDS = _words(
    """
    announce announcement announcements newsletter newsletters digest bulletin bulletins
    report reports news deals offers promotions promo alert alerts update updates
    notification notifications info
    """
)
"""Words by which senders of announcements, reports and offers name themselves
("Enron Announcements", "Houston Report", "Bestfares.com Hot Deals", "Stock Info").
A feature, not a verdict: it flags only an address that never took part in an
exchange (see :func:`_never_exchanged`)."""

ONE_WAY_MIN_SENT = 20
"""A sender never written to, never answered, and heard back from by none of the people
it wrote to, is a broadcaster from this many messages on. In the Enron mailboxes the
announcement senders it finds sent 24 to 93 messages each; a correspondent that sends
a mailbox owner twenty messages without one reply, nor a message from anyone, is not a
relationship either."""


def role_mailbox(address: str) -> bool:
    """A shared role mailbox (``info@``, ``sales@``, ``support@``): see ROLE_MAILBOXES."""
    if not is_email(address):
        return False
    local = address.rpartition("@")[0].lower()
    return "".join(t for t in _TOKEN_SPLIT.split(local) if t) in ROLE_MAILBOXES


def _role_words(address: str) -> bool:
    """Words of broadcast in the local part (``enron.announcements``, ``houston.report``)."""
    if not is_email(address):
        return False
    tokens = _TOKEN_SPLIT.split(address.rpartition("@")[0].lower())
    return not BROADCAST_WORDS.isdisjoint(tokens)


def _role_words_in(name: str) -> bool:
    """Words of broadcast in a canonical display name ("enron announcements")."""
    return not BROADCAST_WORDS.isdisjoint(name.split())


def _never_exchanged(act: Activity) -> bool:
    """Nobody it wrote to ever wrote to it, and nothing it sent was ever answered."""
    return act.n_heard_back == 0 and act.n_answered == 0


def _one_way_sender(act: Activity) -> bool:
    """Sent at least ONE_WAY_MIN_SENT messages into silence: never written to by anyone,
    never answered, never heard back from."""
    return act.n_sent >= ONE_WAY_MIN_SENT and act.n_received == 0 and _never_exchanged(act)


MANY_NAMES = 5
"""A sender that signs as this many different people, and is never written to, is a
marketing or spam engine (one Enron address used 20 names, from "Casino Extreme" to
"Credit Factory"); a person's name varies in form, not in who it names."""


def _many_names(names: frozenset[str], act: Activity) -> bool:
    return len(names) >= MANY_NAMES and act.n_sent >= MANY_NAMES and act.n_received == 0


def automated_local_part(address: str) -> bool:
    """no-reply and friends, plus list plumbing: owner-x, x-request, listserv, majordomo."""
    if not is_email(address):
        return False
    if is_automated_local_part(address) or _machine_made(address):
        return True
    tokens = [t for t in _TOKEN_SPLIT.split(address.rpartition("@")[0].lower()) if t]
    if len(tokens) > 1 and (tokens[0] == "owner" or tokens[-1] in ("request", "owner")):
        return True
    return not _LIST_TOKENS.isdisjoint(tokens)


def _machine_made(address: str) -> bool:
    """A tracking-id local part at a corporate domain: ``faretracker_018751``, ``4026.6186.2``.

    Phone numbers (SMS and pager gateways) and free-mail users are left alone, and so
    is a staff id (see :func:`staff_id`).
    """
    local, _, domain = address.lower().rpartition("@")
    if not _MACHINE_LOCAL.fullmatch(local) or not _DIGIT_RUN.search(local):
        return False
    if staff_id(local):
        return False
    groups = _DIGIT_GROUP.findall(local)
    return (len(groups) > 1 or any(c.isalpha() for c in local)) and org_domain(domain) is not None


def staff_id(local: str) -> bool:
    """A local part made of a short letter prefix and one run of digits (``p100000``,
    ``u0007701``, ``emp000123``): how organisations number their staff's mailboxes, so
    a person's, not a machine's.

    What a machine makes is told by its shape: a series number glued to a word by a
    separator (``faretracker_018751``, ``bounce-news-932653``), several digit groups
    (``402612.61860093.2``, VERP and git ids), hex runs (several digit groups too), or a
    campaign's date stamp (``rcac20011112``: 12 November 2001), which a staff number
    never is.
    """
    match = _STAFF_ID.fullmatch(local)
    return match is not None and _DATE_STAMP.fullmatch(match.group(2)) is None


def _one_way_blast(act: Activity) -> bool:
    """Sent many messages to many recipients, and (nearly) nothing came back.

    Both reply measures are needed: in a partial corpus (a few mailboxes) the
    replies of most recipients are invisible, but a person still receives mail. One
    wide message is not enough: in the Enron mailboxes 37 addresses sent one to four
    messages to 10-349 people and were never written to, nearly all of them people
    sending a memo (their ties are one-way, so they broker nothing anyway).
    """
    if act.n_sent < BLAST_MIN_SENT or act.n_recipients == 0:
        return False
    wide = (
        act.median_recipients >= BLAST_MEDIAN_RECIPIENTS
        or act.n_recipients >= BLAST_DISTINCT_RECIPIENTS
    )
    return (
        wide
        and act.n_heard_back <= BLAST_MAX_HEARD_BACK * act.n_recipients
        and act.n_received <= BLAST_MAX_RECEIVED * act.n_sent
    )
