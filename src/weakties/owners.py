"""Whose is each source: declared by an archive, named by ``init --me``, or inferred
from the records it holds.

Inferred owners are asked of the store once per run for all of its mail sources
together (one query over their sent items, one over the recipients of those without
any), not once per source: a folder of 2,000 one-message mbox files cost two scans
of the participants per file, and that cost grew with the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import duckdb

from weakties.store.db import first_row
from weakties.text.addresses import canonical_name

if TYPE_CHECKING:
    from weakties.sources.base import Source

SENT_SHARE = 0.02  # a sender of at least this share of a mailbox's sent items is its owner
RECIPIENT_SHARE = 0.30  # without sent items: a recipient of this share of the mail is its owner
PRESENCE_SHARE = 0.5  # a calendar's owner takes part in at least this share of its meetings

Owner = tuple[list[str], str | None]
"""A source's owner's addresses, and how they were found (None when not found)."""


def infer_owner(
    con: duckdb.DuckDBPyConnection, source_id: int, source: Source | None = None
) -> Owner:
    """Name the owner of one source (see :func:`infer_owners`)."""
    return infer_owners(con, [(source_id, source)])[source_id]


def infer_owners(
    con: duckdb.DuckDBPyConnection, placed: Sequence[tuple[int, Source | None]]
) -> dict[int, Owner]:
    """Name the owner of each source: the account an archive declares; else ``init
    --me``; else what the source's :attr:`~weakties.sources.base.Source.owner_rule`
    infers from its records (for mail: its sent items, else its main recipient).
    Stored in one transaction; sources whose owner is not found are left as they were.
    """
    me = [r[0] for r in con.execute("SELECT address FROM me ORDER BY address").fetchall()]
    found: dict[int, Owner] = {}
    mail: list[int] = []
    for source_id, source in placed:
        rule = source.owner_rule if source is not None else "mail"
        declared = source.declared_owner() if source is not None and rule == "declared" else []
        if declared:
            found[source_id] = (declared, "archive")
        elif me:
            found[source_id] = (me, "init")
        elif rule == "mail":
            mail.append(source_id)
        else:
            found[source_id] = (OWNER_RULES.get(rule, _no_owner)(con, source_id), "inferred")
    found |= {i: (owner, "inferred") for i, owner in _owners_of_mail(con, mail).items()}
    _store(con, {i: o for i, o in found.items() if o[0]})
    return {i: (owner, how) if owner else ([], None) for i, (owner, how) in found.items()}


def _store(con: duckdb.DuckDBPyConnection, owners: dict[int, Owner]) -> None:
    if not owners:
        return
    ids = list(owners)
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM source_owners WHERE source_id IN (SELECT unnest(?::INTEGER[]))", [ids])
    con.executemany(
        "INSERT INTO source_owners VALUES (?, ?)",
        [[i, a] for i, (owner, _) in owners.items() for a in owner],
    )
    con.executemany(
        "UPDATE sources SET owner_how = ? WHERE source_id = ?",
        [[how, i] for i, (_, how) in owners.items()],
    )
    con.execute("COMMIT")


def _owners_of_mail(con: duckdb.DuckDBPyConnection, ids: list[int]) -> dict[int, list[str]]:
    """Mail sources' owners: from their sent items, else from their recipients."""
    if not ids:
        return {}
    sent = _owners_from_sent(con, ids)
    rest = [i for i in ids if not sent.get(i)]
    recipients = _owners_from_recipients(con, rest) if rest else {}
    return {i: sent.get(i) or recipients.get(i, []) for i in ids}


def _owner_from_mail(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    return _owners_of_mail(con, [source_id])[source_id]


def _owner_from_sent(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    return _owners_from_sent(con, [source_id]).get(source_id, [])


def _owner_from_recipients(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    return _owners_from_recipients(con, [source_id]).get(source_id, [])


def _owner_of_calendar(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    """A calendar's sent items if it has any, else the person in most of its meetings,
    else its main recipient."""
    return (
        _owner_from_sent(con, source_id)
        or _owner_from_presence(con, source_id)
        or _owner_from_recipients(con, source_id)
    )


def _no_owner(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    return []


def _owner_in_every_chat(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    """The one sender who wrote in every chat of a source of several chats (the phone's
    owner, in a folder of one phone's chat exports). A chat is a file (a location's part
    before ``#``); a message it shares with an earlier export counts for it too."""
    rows = con.execute(
        """
        WITH chats AS (
            SELECT DISTINCT split_part(it.location, '#', 1) AS chat, it.interaction_id
            FROM items it JOIN interactions i USING (interaction_id)
            WHERE it.source_id = ? AND NOT i.automated
        ),
        n AS (SELECT count(DISTINCT chat) AS n FROM chats)
        SELECT p.address FROM chats c JOIN participants p USING (interaction_id)
        WHERE p.role = 'from'
        GROUP BY p.address
        HAVING count(DISTINCT c.chat) = (SELECT n FROM n) AND (SELECT n FROM n) >= 2
        ORDER BY p.address LIMIT 2
        """,
        [source_id],
    ).fetchall()
    return [str(rows[0][0])] if len(rows) == 1 else []


OWNER_RULES: dict[str, Callable[[duckdb.DuckDBPyConnection, int], list[str]]] = {
    "mail": _owner_from_mail,
    "calendar": _owner_of_calendar,
    "every-chat": _owner_in_every_chat,
    "declared": _no_owner,  # an archive that does not name its account
    "none": _no_owner,
}
"""How each kind of source's owner is inferred from its stored records, by the source's
``owner_rule``, when neither the source itself nor ``init --me`` names it."""


def _owner_from_presence(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    """The person who takes part, in any role, in most of a calendar's meetings.

    A calendar has no sent folder, and its owner is the organiser of some meetings
    and an attendee of others: in either role, they are in nearly all of them
    (Google lists the owner among the attendees of every meeting with guests).
    """
    row = first_row(
        con.execute(
            """
        WITH meetings AS (
            SELECT DISTINCT it.interaction_id FROM items it JOIN interactions i
              USING (interaction_id)
            WHERE it.source_id = ? AND i.channel = 'meeting'
        )
        SELECT p.address, count(*) AS n, (SELECT count(*) FROM meetings) AS total
        FROM meetings JOIN participants p USING (interaction_id)
        GROUP BY p.address ORDER BY n DESC, p.address LIMIT 1
        """,
            [source_id],
        )
    )
    if row and row[2] and row[1] >= max(2, PRESENCE_SHARE * row[2]):
        return [str(row[0])]
    return []


def _owners_from_sent(con: duckdb.DuckDBPyConnection, ids: list[int]) -> dict[int, list[str]]:
    """Per source, the senders of its sent items: the main one, the frequent ones, and
    any that sent under the main one's full name (a personal address used from the
    same mail client)."""
    rows = con.execute(
        """
        SELECT it.source_id, p.address, count(*) AS n,
               sum(count(*)) OVER (PARTITION BY it.source_id) AS total,
               mode(nullif(p.name, '')) AS name
        FROM items it JOIN participants p USING (interaction_id)
        WHERE it.source_id IN (SELECT unnest(?::INTEGER[])) AND it.is_sent AND p.role = 'from'
        GROUP BY it.source_id, p.address ORDER BY it.source_id, n DESC, p.address
        """,
        [ids],
    ).fetchall()
    by_source: dict[int, list[tuple[str, int, int, str | None]]] = {}
    for source_id, address, n, total, name in rows:
        by_source.setdefault(int(source_id), []).append((str(address), n, total, name))
    return {i: _main_senders(found) for i, found in by_source.items()}


def _main_senders(rows: list[tuple[str, int, int, str | None]]) -> list[str]:
    main_name = canonical_name(rows[0][3] or "")
    full_name = len(main_name.split()) >= 2
    return [
        a
        for a, n, total, name in rows
        if n >= 2
        and (n >= SENT_SHARE * total or (full_name and canonical_name(name or "") == main_name))
    ]


def _owners_from_recipients(con: duckdb.DuckDBPyConnection, ids: list[int]) -> dict[int, list[str]]:
    """Per source, the recipient of at least RECIPIENT_SHARE of its mail (and of two
    messages), if there is one; a list's address is never an owner."""
    rows = con.execute(
        """
        WITH mail AS (
            SELECT DISTINCT it.source_id, it.interaction_id FROM items it JOIN interactions i
              USING (interaction_id)
            WHERE it.source_id IN (SELECT unnest(?::INTEGER[])) AND NOT i.bulk AND NOT i.automated
        ),
        totals AS (SELECT source_id, count(*) AS total FROM mail GROUP BY source_id),
        counted AS (
            SELECT m.source_id, p.address, count(*) AS n
            FROM mail m JOIN participants p USING (interaction_id)
            WHERE p.role IN ('to', 'cc', 'bcc', 'attendee')
              AND p.address NOT IN (  -- a list's address (List-Id a.b.org -> a@b.org)
                  SELECT regexp_replace(list_id, '[.]', '@') FROM interactions
                  WHERE list_id IS NOT NULL)
            GROUP BY m.source_id, p.address
        )
        SELECT c.source_id, c.address, c.n, t.total
        FROM counted c JOIN totals t USING (source_id)
        QUALIFY row_number() OVER (PARTITION BY c.source_id ORDER BY c.n DESC, c.address) = 1
        """,
        [ids],
    ).fetchall()
    return {
        int(source_id): [str(address)]
        for source_id, address, n, total in rows
        if total and n >= max(2, RECIPIENT_SHARE * total)
    }
