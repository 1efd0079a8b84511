"""Pins: a user's verdict on a tie's band, kept across re-analysis.

A pin names the tie by two addresses (any identity of each person), not by person
ids, so it survives identity resolution renumbering people. Pins are applied after
the model: a tie row keeps the model's ``model_band`` beside the ``band`` in force
and a ``pinned`` flag.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import numpy as np
import pyarrow as pa

from weakties.errors import InputError, NotFoundError
from weakties.store import derived
from weakties.store.db import arrow
from weakties.ties.strength import Band

_PIN_PAIRS = """
SELECT person_a, person_b, band FROM (
    SELECT LEAST(ia.person_id, ib.person_id) AS person_a,
           GREATEST(ia.person_id, ib.person_id) AS person_b,
           p.band,
           ROW_NUMBER() OVER (
               PARTITION BY LEAST(ia.person_id, ib.person_id),
                            GREATEST(ia.person_id, ib.person_id)
               ORDER BY p.pinned_at DESC, p.address_a, p.address_b
           ) AS k
    FROM tie_pins p
    JOIN identities ia ON ia.address = p.address_a
    JOIN identities ib ON ib.address = p.address_b
    WHERE ia.person_id <> ib.person_id
) WHERE k = 1
"""


def pin_tie(
    con: duckdb.DuckDBPyConnection, address_a: str, address_b: str, band: Band | str
) -> None:
    """Pin the band of the tie between the people behind two addresses.

    Raises :class:`InputError` for an unknown band or two addresses of one person,
    :class:`NotFoundError` for an address the store does not know.
    """
    chosen = _band(band)
    first, second = _pair(address_a, address_b)
    if _person(con, first) == _person(con, second):
        raise InputError(
            f"{first} and {second} are the same person.", "Pin a tie between two people."
        )
    con.execute(
        "INSERT OR REPLACE INTO tie_pins VALUES (?, ?, ?, ?)",
        [first, second, chosen.value, datetime.now(UTC)],
    )
    apply_pins(con)


def unpin_tie(con: duckdb.DuckDBPyConnection, address_a: str, address_b: str) -> bool:
    """Remove a pin; False when there was none. The model's band applies again."""
    first, second = _pair(address_a, address_b)
    removed = con.execute(
        "DELETE FROM tie_pins WHERE address_a = ? AND address_b = ? RETURNING band",
        [first, second],
    ).fetchall()
    apply_pins(con)
    return bool(removed)


def pins(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Every pin, newest first."""
    return arrow(
        con,
        "SELECT address_a, address_b, band, pinned_at FROM tie_pins "
        "ORDER BY pinned_at DESC, address_a, address_b",
    )


def apply_pins(con: duckdb.DuckDBPyConnection) -> int:
    """Set ``band`` and ``pinned`` of the ``ties`` table from the pins; count pinned ties.

    When several pins name the same pair of people (through different addresses),
    the newest wins. Does nothing when ties have not been computed yet.
    """
    if not _has_ties(con):
        return 0
    con.execute("UPDATE ties SET band = model_band, pinned = false WHERE pinned")
    con.execute(
        f"""
        UPDATE ties SET band = pp.band, pinned = true
        FROM ({_PIN_PAIRS}) pp
        WHERE ties.person_a = pp.person_a AND ties.person_b = pp.person_b
        """
    )
    ((count,),) = con.execute("SELECT count(*) FROM ties WHERE pinned").fetchall()
    derived.refresh_relationships(con)
    return int(count)


def pin_bands(con: duckdb.DuckDBPyConnection, ties: pa.Table) -> pa.Table:
    """``ties`` (a scored ties table, not yet stored) with the pins applied in memory.

    The same rule as :func:`apply_pins`: ``band`` is the pinned band where a pin names
    the pair (the newest pin wins), else ``model_band``; ``pinned`` says which.
    """
    pinned = {(int(a), int(b)): str(band) for a, b, band in con.execute(_PIN_PAIRS).fetchall()}
    flags = np.zeros(ties.num_rows, dtype=np.bool_)
    band_column: pa.Array | pa.ChunkedArray = ties.column("model_band")  # usually as it is
    if pinned:
        bands = np.asarray(band_column.to_pylist(), dtype=object)
        a = ties.column("person_a").to_numpy()
        b = ties.column("person_b").to_numpy()
        near = np.isin(a, [k[0] for k in pinned]) & np.isin(b, [k[1] for k in pinned])
        for row in np.flatnonzero(near):
            band = pinned.get((int(a[row]), int(b[row])))
            if band is not None:
                bands[row], flags[row] = band, True
        band_column = pa.array(bands.tolist(), pa.string())
    for name, values in (("band", band_column), ("pinned", pa.array(flags, pa.bool_()))):
        ties = ties.set_column(ties.column_names.index(name), name, values)
    return ties


def normalise_address(address: str) -> str:
    """An e-mail address lower-cased; an opaque id kept as given; both trimmed."""
    text = address.strip().strip("<>").strip()
    return text.lower() if "@" in text else text


def _pair(address_a: str, address_b: str) -> tuple[str, str]:
    first, second = sorted((normalise_address(address_a), normalise_address(address_b)))
    if first == second:
        raise InputError(f"Both addresses are {first}.", "Pin a tie between two people.")
    return first, second


def _band(band: Band | str) -> Band:
    text = str(band).strip().lower().replace("_", "-")
    try:
        return Band(text)
    except ValueError:
        known = ", ".join(b.value for b in Band)
        raise InputError(f"Unknown band {band!r}.", f"Use one of: {known}.") from None


def _person(con: duckdb.DuckDBPyConnection, address: str) -> int:
    found = con.execute("SELECT person_id FROM identities WHERE address = ?", [address]).fetchall()
    if not found:
        raise NotFoundError(
            f"No one with the address {address} is in the store.",
            "Check the spelling, or ingest the mail that mentions them.",
        )
    return int(found[0][0])


def _has_ties(con: duckdb.DuckDBPyConnection) -> bool:
    ((count,),) = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'ties' AND table_schema = current_schema()"
    ).fetchall()
    return bool(count)
