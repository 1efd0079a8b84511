"""Natural and content keys, and the stable interaction ids derived from them."""

from __future__ import annotations

import hashlib

from weakties.records import Contact, Interaction, Role

_RECIPIENT_ROLES = frozenset({Role.TO, Role.CC, Role.BCC, Role.ATTENDEE, Role.MEMBER})


def interaction_keys(record: Interaction) -> tuple[str, ...]:
    """Every key under which ``record`` could already be stored, natural key first.

    Logs with an id are keyed by it alone. Mail is keyed by its Message-ID and by a
    content key (sender, time, recipients, subject hash), because one message copied
    into several folders may carry a different Message-ID in each (Enron).
    """
    if record.external_id is not None:
        return (f"x:{record.external_id}",)
    content = content_key(record)
    if record.message_id:
        return (f"m:{record.message_id}", content)
    return (content,)


def content_key(record: Interaction) -> str:
    """A hash of what makes a message the same message wherever it was filed."""
    senders: list[str] = []
    recipients: set[str] = set()
    for p in record.participants:
        if p.role in _RECIPIENT_ROLES:
            recipients.add(p.address)
        else:
            senders.append(p.address)
    stamp = record.timestamp
    when = repr(stamp.timestamp()) if stamp else f"?{record.message_id or record.location}"
    text = "\x1f".join(
        (
            record.channel,
            ",".join(sorted(senders)),
            when,
            ",".join(sorted(recipients)),
            record.subject_hash or "",
        )
    )
    return "c:" + hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).hexdigest()


def stable_id(key: str) -> int:
    """A signed 64-bit id derived from a key: the same key gives the same id in any run."""
    digest = hashlib.blake2b(key.encode("utf-8", "replace"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def contact_key(record: Contact) -> str:
    """A hash of what makes a contact the same entry wherever it was exported: its kind,
    name, identities, organisation, title and date (two exports of one address book
    store it once)."""
    since = repr(record.since.timestamp()) if record.since else ""
    text = "\x1f".join(
        (
            str(record.kind),
            record.name,
            ",".join(sorted(record.identities)),
            record.organisation,
            record.title,
            since,
        )
    )
    return "k:" + hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).hexdigest()
