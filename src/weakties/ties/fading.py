"""Fading ties: the probability that an active tie goes silent over the next horizon.

A logistic model on six log-scaled features of the tie, each one measured in units of
the horizon so that the same coefficients read a 30-day window as they read a 90-day
one (Raeder et al. 2011 model a tie's decay the same way, from its past activity and
its place in the network):

* **silence**: days since the last contact;
* **recent days**: days with contact over the last horizon;
* **active days**: days with contact over the tie's whole life (counting days, not
  messages, says how the contact was spread: ten e-mails on one afternoon are one day);
* **age**: time since the first contact (new ties are fragile: Burt 2000's "liability
  of newness");
* **mutual contacts**: people tied to both (embeddedness: bridges fade faster, Burt
  2000; ties with few common neighbours decay first, Raeder et al. 2011);
* **overdue**: the silence over the tie's own usual gap between days of contact.

Each tie competes for a person's limited attention (Miritello et al. 2013), so a tie
that has not been fed lately goes first, whatever its past. Reciprocity was measured
and left out: on the directed email-Eu department logs, once the other terms are
known, one-way ties fade no faster (coefficient -0.02 ± 0.06; see docs/fading.md).

The coefficients were fitted on the email-Eu stream (docs/fading.md gives the fit,
its out-of-sample figures and ``bench/fading.py``, which reproduces it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

HORIZON_DAYS = 90.0
"""The horizon the model was fitted for: silent over the next 90 days."""

TERMS = ("silence", "recent_days", "active_days", "age", "mutual_contacts", "overdue")
"""The model's terms, in the order of :attr:`FadingModel.coefficients`."""


@dataclass(frozen=True, slots=True)
class FadingModel:
    """A logistic model: ``P = 1 / (1 + exp(-(intercept + coefficients · terms)))``."""

    intercept: float
    coefficients: tuple[float, ...]  # one per name in TERMS


FITTED = FadingModel(
    intercept=2.7033,
    coefficients=(0.2058, -0.6686, -0.9641, 0.3338, -0.2123, 0.1134),
)
"""Fitted by ``bench/fading.py --fit`` on the email-Eu stream, reference days 180-450
(the windows the log observes), 24,780 active ties; see docs/fading.md."""


@dataclass(frozen=True, slots=True)
class FadingInputs:
    """What the model reads of each tie, one array element per tie (days throughout)."""

    recency_days: FloatArray  # since the last contact
    recent_days: FloatArray  # days with contact over the last horizon
    active_days: FloatArray  # days with contact, ever
    age_days: FloatArray  # since the first contact
    duration_days: FloatArray  # first to last contact
    mutual_contacts: FloatArray  # people tied to both (NaN: unknown, read as none)


def usual_gap_days(duration_days: FloatArray, active_days: FloatArray) -> FloatArray:
    """The tie's own rhythm: its mean gap between days of contact, at least one day."""
    gaps = np.maximum(active_days - 1.0, 1.0)
    return np.maximum(np.asarray(duration_days, dtype=np.float64) / gaps, 1.0)


def overdue_ratio(inputs: FadingInputs) -> FloatArray:
    """Silence over the tie's usual gap: 3 means three usual gaps have gone by."""
    return np.maximum(inputs.recency_days, 1.0) / usual_gap_days(
        inputs.duration_days, inputs.active_days
    )


def design(inputs: FadingInputs, horizon_days: float = HORIZON_DAYS) -> FloatArray:
    """The terms of :data:`TERMS` for every tie, one row per tie."""
    h = float(horizon_days)
    mutual = np.nan_to_num(np.asarray(inputs.mutual_contacts, dtype=np.float64), nan=0.0)
    return np.column_stack(
        [
            np.log(np.maximum(inputs.recency_days, 1.0) / h),
            np.log1p(np.maximum(inputs.recent_days, 0.0)),
            np.log1p(np.maximum(inputs.active_days, 0.0)),
            np.log1p(np.maximum(inputs.age_days, 0.0) / h),
            np.log1p(np.maximum(mutual, 0.0)),
            np.log(overdue_ratio(inputs)),
        ]
    )


def probability(
    inputs: FadingInputs, horizon_days: float = HORIZON_DAYS, model: FadingModel = FITTED
) -> FloatArray:
    """The probability that each tie has no contact over the next ``horizon_days``."""
    return probability_of(design(inputs, horizon_days), model)


def probability_of(x: FloatArray, model: FadingModel) -> FloatArray:
    """The model's probability for rows of terms ``x`` (any terms: a baseline's too)."""
    return _logistic(_linear(x, model))


def contributions(
    inputs: FadingInputs, horizon_days: float = HORIZON_DAYS, model: FadingModel = FITTED
) -> FloatArray:
    """Each term's push on each tie's log-odds of fading (one column per term), from a
    reference tie seen on one day a week for a year, last two days ago, with three
    mutual contacts: the words of ``weakties fading`` name the largest pushes."""
    x = design(inputs, horizon_days)
    ref = design(_reference(horizon_days), horizon_days)
    push: FloatArray = (x - ref) * np.asarray(model.coefficients, dtype=np.float64)
    return push


def fit(x: FloatArray, y: FloatArray, *, ridge: float = 1e-4, steps: int = 100) -> FadingModel:
    """Fit a logistic model by Newton's method (iteratively reweighted least squares),
    with a tiny ridge so that a constant term does not make it singular."""
    rows = np.column_stack([np.ones(len(y)), np.asarray(x, dtype=np.float64)])
    beta = np.zeros(rows.shape[1])
    penalty = ridge * np.eye(beta.size)
    for _ in range(steps):
        p = _logistic(rows @ beta)
        gradient = rows.T @ (y - p) - penalty @ beta
        hessian = rows.T @ (rows * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if float(np.abs(step).max()) < 1e-10:
            break
    return FadingModel(float(beta[0]), tuple(float(b) for b in beta[1:]))


def inputs_from(ties: pa.Table, before: pa.Table) -> FadingInputs:
    """The inputs from a ties (or tie features) table judged at ``as_of`` and the tie
    features of the same store judged one horizon earlier (``before``, whose
    ``active_days`` are subtracted to count the days of the last horizon).

    ``ties`` needs ``person_a``, ``person_b``, ``recency_days``, ``active_days``,
    ``duration_days``, ``first_contact``, ``as_of`` and ``mutual_contacts``.
    """
    earlier = lookup(ties, before, "active_days")
    active = _column(ties, "active_days")
    as_of = _seconds(ties, "as_of")
    first = _seconds(ties, "first_contact")
    return FadingInputs(
        recency_days=_column(ties, "recency_days"),
        recent_days=np.maximum(active - earlier, 0.0),
        active_days=active,
        age_days=np.maximum(as_of - first, 0.0) / 86400.0,
        duration_days=_column(ties, "duration_days"),
        mutual_contacts=_column(ties, "mutual_contacts"),
    )


def _reference(horizon_days: float) -> FadingInputs:
    weekly = float(horizon_days) / 7.0
    one = np.ones(1)
    return FadingInputs(
        recency_days=one * 2.0,
        recent_days=one * weekly,
        active_days=one * 52.0,
        age_days=one * 365.0,
        duration_days=one * 363.0,
        mutual_contacts=one * 3.0,
    )


def _linear(x: FloatArray, model: FadingModel) -> FloatArray:
    z: FloatArray = np.asarray(x, dtype=np.float64) @ np.asarray(model.coefficients)
    return z + model.intercept


def _logistic(z: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0))), dtype=np.float64)


def _column(table: pa.Table, name: str) -> FloatArray:
    values = table.column(name).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=np.float64)


def _seconds(table: pa.Table, name: str) -> FloatArray:
    values = table.column(name).cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64) / 1e6


def _keys(table: pa.Table) -> NDArray[np.int64]:
    a = np.asarray(table.column("person_a").to_numpy(zero_copy_only=False), dtype=np.int64)
    b = np.asarray(table.column("person_b").to_numpy(zero_copy_only=False), dtype=np.int64)
    return np.asarray(np.stack([a, b], axis=1), dtype=np.int64)


def lookup(ties: pa.Table, other: pa.Table, name: str) -> FloatArray:
    """``other``'s column ``name`` for each pair of ``ties`` (0 where it has no row)."""
    out = np.zeros(ties.num_rows, dtype=np.float64)
    if ties.num_rows == 0 or other.num_rows == 0:
        return out
    mine, theirs = _keys(ties), _keys(other)
    order = np.lexsort((theirs[:, 1], theirs[:, 0]))
    sorted_keys = theirs[order]
    view = np.dtype([("a", np.int64), ("b", np.int64)])
    haystack = np.ascontiguousarray(sorted_keys).view(view).ravel()
    needles = np.ascontiguousarray(mine).view(view).ravel()
    pos = np.searchsorted(haystack, needles).clip(max=haystack.size - 1)
    found = haystack[pos] == needles
    values = _column(other, name)[order]
    out[found] = values[pos[found]]
    return out
