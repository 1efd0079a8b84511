"""Finding a person from what a user types: an address, a name, or an id."""

from __future__ import annotations

import duckdb

from weakties.errors import InputError, NotFoundError
from weakties.store.db import first_row
from weakties.text.handles import normalise_linkedin
from weakties.text.phones import normalise_phone


def find_person(con: duckdb.DuckDBPyConnection, query: str) -> int:
    """The person_id for an address (a phone number or LinkedIn profile URL as written,
    too), a (part of a) name, or a numeric id.

    An exact address or id wins; otherwise the text (plain text, any case: ``%`` is no
    wildcard) must be part of one person's name or address only.
    """
    text = query.strip()
    if not text:
        raise InputError("No person given.", "Pass an address, a name or a person id.")
    for address in _as_identities(text):
        exact = first_row(
            con.execute(  # an e-mail address in any case; an opaque id as given
                "SELECT person_id FROM identities WHERE address IN (?, lower(?))",
                [address, address],
            )
        )
        if exact:
            return int(exact[0])
    if text.lstrip("-").isdigit():
        found = first_row(
            con.execute("SELECT person_id FROM people WHERE person_id = ?", [int(text)])
        )
        if found:
            return int(found[0])
    return _by_name(con, text)


def _as_identities(text: str) -> list[str]:
    """What the user may have typed an identity as: itself, a phone number as written
    (``+44 7700 900123``), or a LinkedIn profile URL."""
    found = [text]
    found += [i for i in (normalise_phone(text), normalise_linkedin(text)) if i and i != text]
    return found


def _by_name(con: duckdb.DuckDBPyConnection, text: str) -> int:
    rows = con.execute(
        """
        SELECT p.person_id, p.display_name, p.primary_address FROM people p
        WHERE contains(lower(p.display_name), lower(?))
           OR contains(lower(p.primary_address), lower(?))
        ORDER BY (lower(p.display_name) = lower(?)) DESC, p.display_name LIMIT 6
        """,
        [text, text, text],
    ).fetchall()
    if not rows:
        raise NotFoundError(
            f"Nobody called {text!r} is in the store.", "Try `weakties people --search ...`."
        )
    exact = [r for r in rows if str(r[1]).lower() == text.lower()]
    if len(exact) == 1 or len(rows) == 1:
        return int((exact or rows)[0][0])
    names = "; ".join(f"{r[1]} <{r[2]}>" for r in rows[:5])
    raise InputError(f"{text!r} matches several people: {names}.", "Pass an address to pick one.")
