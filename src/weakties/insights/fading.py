"""Ties at risk: the user's active ties and the probability each goes silent.

A tie is *active* when its last contact falls within the horizon before the
analysis's ``as_of`` (the population the model was fitted on). The model
(:mod:`weakties.ties.fading`) reads the analysed ties and the tie features of the
same store one horizon earlier, computed here at query time: on the email-Eu store
(209,005 e-mails, 16,118 ties) that second features query takes about 1.5 s, against
a whole analysis, so no table is kept for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import numpy as np
import pyarrow as pa

from weakties.errors import InputError
from weakties.insights.lookup import find_person
from weakties.insights.queries import require_analysis
from weakties.store.db import arrow
from weakties.store.reads import ORGANISATION
from weakties.ties import fading as model
from weakties.ties import tie_features

MIN_PROBABILITY = 0.5
"""Ties listed as at risk by default: more likely to go silent than not."""

FADING_COLUMNS = (
    "person_a", "person_b", "organisation_b", "probability", "silent_days", "usual_gap_days",
    "recent_days", "active_days", "mutual_contacts", "band", "last_contact", "why",
    "id_a", "id_b",
)  # fmt: skip
"""The columns of :func:`fading`: the two people (the user first, when there is one),
the probability of no contact over the horizon, days since the last contact, the tie's
usual gap between days of contact, its days of contact over the last horizon and ever,
its mutual contacts, band and last contact, and why in words."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Whose view a listing takes: an owner of the store, or nobody (the whole log)."""

    person_id: int | None
    name: str


def viewer(con: duckdb.DuckDBPyConnection, as_owner: str | None, *, required: bool) -> Viewer:
    """The store's one owner, the owner named by ``as_owner``, or (``required=False``,
    a store without owner) nobody: the listing then covers every tie."""
    owners = con.execute(
        "SELECT person_id, display_name FROM people WHERE is_owner ORDER BY person_id"
    ).fetchall()
    if as_owner is not None:
        chosen = find_person(con, as_owner)
        found = [o for o in owners if int(o[0]) == chosen]
        if not found:
            raise InputError(
                f"{as_owner!r} is not an owner of this store.",
                "Pass one of the owners (see `weakties sources`).",
            )
        return Viewer(chosen, str(found[0][1]))
    if len(owners) == 1:
        return Viewer(int(owners[0][0]), str(owners[0][1]))
    if not owners and not required:
        return Viewer(None, "")
    if not owners:
        raise InputError(
            "This store has no owner, so there is no 'you' to nudge.",
            "Name your addresses with `weakties init --me ADDRESS` and analyse again.",
        )
    raise InputError(
        f"This store holds {len(owners)} owners' mail.", "Pass --as OWNER for one owner's view."
    )


_TIES = """
SELECT CASE WHEN $who = t.person_b THEN t.person_b ELSE t.person_a END AS person_a,
       CASE WHEN $who = t.person_b THEN t.person_a ELSE t.person_b END AS person_b,
       CASE WHEN $who = t.person_b THEN t.name_b ELSE t.name_a END AS name_a,
       CASE WHEN $who = t.person_b THEN t.name_a ELSE t.name_b END AS name_b,
       t.recency_days, t.active_days, t.duration_days, t.first_contact, t.last_contact,
       t.as_of, t.mutual_contacts, t.band, t.strength, t.two_way, t.is_bridge,
       t.cross_community, t.explanation, t.messages
FROM ties t
WHERE ($who IS NULL OR $who IN (t.person_a, t.person_b)) AND t.recency_days <= $horizon
"""


def active_ties(
    con: duckdb.DuckDBPyConnection, who: int | None, horizon_days: float = model.HORIZON_DAYS
) -> pa.Table:
    """The active ties (of ``who``, turned so that they are ``person_a``; every tie when
    None) with the model's probability, inputs and words (column ``why``)."""
    require_analysis(con)
    ties = arrow(con, _TIES, {"who": who, "horizon": horizon_days})
    if ties.num_rows == 0:
        return _with(ties, model.FadingInputs(*([np.zeros(0)] * 6)), np.zeros(0), horizon_days)
    as_of = ties.column("as_of")[0].as_py()
    before = _features_before(con, as_of, horizon_days)
    inputs = model.inputs_from(_ordered_pairs(ties), before)
    p = model.probability(inputs, horizon_days)
    return _with(ties, inputs, p, horizon_days)


def fading(
    con: duckdb.DuckDBPyConnection,
    *,
    as_owner: str | None = None,
    min_probability: float = MIN_PROBABILITY,
    horizon_days: float = model.HORIZON_DAYS,
    limit: int | None = None,
) -> pa.Table:
    """The user's active ties at least ``min_probability`` likely to go silent over the
    horizon, likeliest first, in the columns of :data:`FADING_COLUMNS`."""
    if not 0.0 <= min_probability <= 1.0:
        raise InputError(
            f"A probability is between 0 and 1, not {min_probability}.", "Pass e.g. 0.5."
        )
    who = viewer(con, as_owner, required=False)
    ties = active_ties(con, who.person_id, horizon_days)
    return with_table(
        con,
        "_fading",
        ties,
        f"""
        SELECT t.name_a AS person_a, t.name_b AS person_b, {ORGANISATION} AS organisation_b,
               t.probability, t.recency_days AS silent_days, t.usual_gap_days,
               CAST(t.recent_days AS BIGINT) AS recent_days, t.active_days,
               t.mutual_contacts, t.band, t.last_contact, t.why,
               t.person_a AS id_a, t.person_b AS id_b
        FROM _fading t LEFT JOIN people p ON p.person_id = t.person_b
        LEFT JOIN organisations orgs ON orgs.org_domain = p.org_domain
        WHERE t.probability >= $min
        ORDER BY t.probability DESC, t.person_a, t.person_b
        {f"LIMIT {int(limit)}" if limit else ""}
        """,
        {"min": min_probability},
    )


def with_table(
    con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, sql: str, params: dict[str, object]
) -> pa.Table:
    """Run a read over ``table`` registered as ``name`` for the read's duration."""
    con.register(name, table)
    try:
        return arrow(con, sql, params)
    finally:
        con.unregister(name)


def _features_before(con: duckdb.DuckDBPyConnection, as_of: datetime, days: float) -> pa.Table:
    features = tie_features(con, as_of - timedelta(days=days))
    return features.select(["person_a", "person_b", "active_days"])


def _ordered_pairs(ties: pa.Table) -> pa.Table:
    """The ties with ``person_a < person_b`` again, as the features query keys them."""
    a = ties.column("person_a").to_numpy()
    b = ties.column("person_b").to_numpy()
    low, high = np.minimum(a, b), np.maximum(a, b)
    ties = ties.set_column(0, "person_a", pa.array(low, pa.int64()))
    return ties.set_column(1, "person_b", pa.array(high, pa.int64()))


def _with(
    ties: pa.Table, inputs: model.FadingInputs, p: np.ndarray, horizon_days: float
) -> pa.Table:
    gap = model.usual_gap_days(inputs.duration_days, inputs.active_days)
    why = reasons(inputs, horizon_days) if ties.num_rows else []
    columns = {
        "probability": pa.array(p, pa.float64()),
        "usual_gap_days": pa.array(gap, pa.float64()),
        "overdue": pa.array(model.overdue_ratio(inputs) if ties.num_rows else [], pa.float64()),
        "recent_days": pa.array(inputs.recent_days, pa.float64()),
        "why": pa.array(why, pa.string()),
    }
    for name, values in columns.items():
        ties = ties.append_column(name, values)
    return ties


REASON_FLOOR = 0.15
"""A term is named among the reasons when it pushes the log-odds of fading up by at
least this much against the model's reference tie (see ``contributions``)."""


def reasons(inputs: model.FadingInputs, horizon_days: float = model.HORIZON_DAYS) -> list[str]:
    """Why each tie may fade, in words: the terms that push its probability up most
    (at most three), or what holds it when none does."""
    push = model.contributions(inputs, horizon_days)
    out = []
    for i in range(push.shape[0]):
        order = [int(k) for k in np.argsort(-push[i], kind="stable") if push[i, k] >= REASON_FLOOR]
        if inputs.active_days[i] < 2:  # one day of contact has no rhythm to be overdue on
            order = [k for k in order if model.TERMS[k] != "overdue"]
        words = [_phrase(model.TERMS[k], inputs, i, horizon_days) for k in order[:3]]
        out.append("; ".join(words) if words else "steady: frequent recent contact")
    return out


def _phrase(term: str, inputs: model.FadingInputs, i: int, horizon_days: float) -> str:
    days = int(inputs.active_days[i])
    if term == "silence":
        return f"silent for {_days(round(float(inputs.recency_days[i])))}"
    if term == "recent_days":
        recent, h = int(inputs.recent_days[i]), round(horizon_days)
        return f"{_days(recent)} of contact in the last {h}" if recent else f"none in {h} days"
    if term == "active_days":
        return f"only {_days(days)} of contact ever"
    if term == "age":
        return f"sparse: {_days(days)} of contact over {_span(float(inputs.age_days[i]))}"
    if term == "mutual_contacts":
        mutual = float(inputs.mutual_contacts[i])
        n = 0 if np.isnan(mutual) else int(mutual)
        return "no contacts in common (a bridge)" if n == 0 else f"only {_people(n)} in common"
    gap = float(model.usual_gap_days(inputs.duration_days, inputs.active_days)[i])
    ratio = max(float(inputs.recency_days[i]), 1.0) / gap
    return f"{ratio:.1f}x its usual gap of {_days(round(gap))}"


def _people(n: int) -> str:
    return f"{n} contact{'' if n == 1 else 's'}"


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _span(days: float) -> str:
    if days >= 60:
        return f"{days / 30.44:.0f} months"
    return _days(round(days))
