"""The user's verdict on a sender: ``weakties flag`` (an automated sender, left out of
ties) and ``weakties unflag`` (a person, whatever the rules say).

Verdicts are facts of the user's, kept in ``sender_flags`` by address, so they survive
re-ingest, identity resolution and re-analysis. They name every address the person had
when the verdict was given; they take effect on the next rebuild of people (the
rebuild's stamp names them, so ``weakties analyze`` sees a verdict and rebuilds).
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from weakties.errors import InputError, NotFoundError
from weakties.store.db import arrow


def set_verdict(con: duckdb.DuckDBPyConnection, address: str, automated: bool) -> list[str]:
    """Flag (``automated``) or unflag the sender behind ``address``; returns the
    addresses the verdict was recorded for (every address of that person).

    :class:`NotFoundError` for an address the store has never seen; :class:`InputError`
    for one of the owner's own addresses, which are never automated.
    """
    wanted = address.strip().strip("<>").lower()
    rows = con.execute(
        """
        SELECT i.address, p.is_owner FROM identities i JOIN people p USING (person_id)
        WHERE i.person_id = (SELECT person_id FROM identities WHERE address = ?)
        ORDER BY i.address
        """,
        [wanted],
    ).fetchall()
    if not rows:
        raise NotFoundError(
            f"No one in the store uses the address {wanted!r}.",
            "Check it with `weakties people --automated --search ...`.",
        )
    if any(owner for _, owner in rows) and automated:
        raise InputError(f"{wanted} is one of your own addresses.", "Owners are never flagged.")
    addresses = [str(a) for a, _ in rows]
    now = datetime.now(UTC)
    con.executemany(
        "INSERT OR REPLACE INTO sender_flags VALUES (?, ?, ?)",
        [[a, automated, now] for a in addresses],
    )
    return addresses


def verdicts(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Every verdict, newest first: address, automated (True: flagged), flagged_at."""
    return arrow(
        con,
        "SELECT address, automated, flagged_at FROM sender_flags ORDER BY flagged_at DESC, address",
    )
