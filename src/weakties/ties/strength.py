"""Tie strength in [0, 1] and bands, vectorised over numpy arrays.

The model follows Granovetter's (1973) dimensions of tie strength: the amount of
time, emotional intensity, intimacy and reciprocal services. Each dimension is a
saturating transform of observed features with a stated half-saturation constant
(round numbers chosen a priori, not fitted to a data set); their weighted mean is
scaled by reciprocity and by a decay whose time constant grows with the length of
the relationship. ``docs/tie-model.md`` gives the reasoning and the sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class Band(StrEnum):
    """What a tie is, in words a user acts on."""

    STRONG = "strong"
    WEAK = "weak"
    DORMANT = "dormant"  # was a real two-way tie; silent for long relative to its history
    ONE_WAY = "one-way"  # the other side never took part: not yet a relationship


@dataclass(frozen=True, slots=True)
class StrengthParams:
    """The model's constants. Half-saturation: the value at which a score is 0.5."""

    weeks_half: float = 6.0  # distinct active weeks
    duration_half_days: float = 180.0  # first to last contact
    stability_share: float = 0.8  # of the time score; the rest is duration
    full_history_days: float = 365.0  # shorter corpora shrink the two constants above
    min_weeks_half: float = 1.0
    min_duration_half_days: float = 7.0
    contacts_half: float = 10.0  # weighted contacts (1/n per recipient, cc half)
    minutes_half: float = 120.0  # weighted minutes of meetings and calls
    one_to_one_prior: float = 2.0  # pseudo-contacts shrinking a small sample's share
    replies_half: float = 5.0
    latency_scale_h: float = 24.0  # a reply this late halves the replies' weight
    weight_time: float = 0.45
    weight_intensity: float = 0.30
    weight_intimacy: float = 0.25
    one_way_floor: float = 0.1  # share of strength a tie keeps with no reciprocity
    tau_days: float = 30.0  # decay time constant of a tie with no history
    tau_gain: float = 0.5  # days of time constant per day of history (see _tau)


@dataclass(frozen=True, slots=True)
class BandRules:
    """Thresholds from strength to band."""

    strong: float = 0.5  # strength at or above: strong
    dormant_decay: float = 0.25  # decay below (silence over ~1.4 time constants) ...
    dormant_min_base: float = 0.3  # ... of a tie whose undecayed strength was at least this


DEFAULT_PARAMS = StrengthParams()
DEFAULT_RULES = BandRules()


@dataclass(frozen=True, slots=True)
class TieInputs:
    """The features the model reads, one array element per tie."""

    messages: FloatArray  # directed contacts, both ways, any channel
    weighted: FloatArray  # weighted contacts, both ways
    weighted_minutes: FloatArray
    one_to_one_share: FloatArray
    active_weeks: FloatArray
    duration_days: FloatArray
    recency_days: FloatArray
    observed_days: FloatArray  # length of the corpus up to as_of
    balance: FloatArray  # min/max of the two directions, 0..1
    replies: FloatArray  # both ways
    reply_latency_h: FloatArray  # median; NaN when there are no replies

    @classmethod
    def from_table(cls, table: pa.Table) -> TieInputs:
        """Read the inputs from a features table (see ``tie_features_sql``)."""
        return cls(
            messages=_column(table, "messages"),
            weighted=_column(table, "weighted_ab") + _column(table, "weighted_ba"),
            weighted_minutes=_column(table, "weighted_minutes"),
            one_to_one_share=_column(table, "one_to_one_share"),
            active_weeks=_column(table, "active_weeks"),
            duration_days=_column(table, "duration_days"),
            recency_days=_column(table, "recency_days"),
            observed_days=_column(table, "observed_days"),
            balance=_column(table, "balance"),
            replies=_column(table, "replies_ab") + _column(table, "replies_ba"),
            reply_latency_h=_column(table, "reply_latency_h"),
        )


@dataclass(frozen=True, slots=True)
class Scores:
    """Each dimension in [0, 1], and how they combine."""

    time: FloatArray
    intensity: FloatArray
    intimacy: FloatArray
    reciprocity: FloatArray  # the factor reciprocity scales the tie by
    decay: FloatArray
    base: FloatArray  # strength before decay: what the tie was at its best
    strength: FloatArray


def saturate(x: FloatArray, half: FloatArray | float) -> FloatArray:
    """0 at 0, 0.5 at ``half``, rising towards 1: ``1 - 2**(-x/half)``."""
    return 1.0 - np.exp2(-np.maximum(x, 0.0) / half)


def scores(inputs: TieInputs, params: StrengthParams = DEFAULT_PARAMS) -> Scores:
    """Score every tie on each dimension and combine them."""
    time = _time(inputs, params)
    intensity = _intensity(inputs, params)
    intimacy = _intimacy(inputs, params)
    reciprocity = params.one_way_floor + (1.0 - params.one_way_floor) * np.sqrt(
        np.clip(inputs.balance, 0.0, 1.0)
    )
    total = params.weight_time + params.weight_intensity + params.weight_intimacy
    mean = (
        params.weight_time * time
        + params.weight_intensity * intensity
        + params.weight_intimacy * intimacy
    ) / total
    base = mean * reciprocity
    decay = np.exp(-np.maximum(inputs.recency_days, 0.0) / _tau(inputs, params))
    return Scores(time, intensity, intimacy, reciprocity, decay, base, base * decay)


def strength(inputs: TieInputs, params: StrengthParams = DEFAULT_PARAMS) -> FloatArray:
    """Tie strength in [0, 1], one value per tie."""
    return scores(inputs, params).strength


def band(
    *,
    strength: FloatArray,
    base: FloatArray,
    decay: FloatArray,
    two_way: NDArray[np.bool_],
    rules: BandRules = DEFAULT_RULES,
) -> NDArray[np.str_]:
    """The band of each tie; the first rule that holds wins.

    one-way: the other side never took part (not ``two_way``: never wrote back, and
    no meeting, connected call or face-to-face contact between them);
    dormant: decayed below ``dormant_decay`` from at least ``dormant_min_base``;
    strong: ``strength >= strong``; weak: every other reciprocated tie.
    """
    one_way = ~np.asarray(two_way, dtype=np.bool_)
    dormant = (decay < rules.dormant_decay) & (base >= rules.dormant_min_base)
    strong = strength >= rules.strong
    choices = [Band.ONE_WAY.value, Band.DORMANT.value, Band.STRONG.value]
    return np.select([one_way, dormant, strong], choices, default=Band.WEAK.value).astype(np.str_)


def _time(inputs: TieInputs, p: StrengthParams) -> FloatArray:
    """Amount of time: temporal stability (distinct active weeks) and duration.

    A corpus shorter than ``full_history_days`` cannot show a long history, so the
    half-saturation constants shrink in proportion (never below a week).
    """
    scale = np.clip(inputs.observed_days / p.full_history_days, 0.0, 1.0)
    weeks_half = np.maximum(p.weeks_half * scale, p.min_weeks_half)
    days_half = np.maximum(p.duration_half_days * scale, p.min_duration_half_days)
    stability = saturate(inputs.active_weeks, weeks_half)
    duration = saturate(inputs.duration_days, days_half)
    return p.stability_share * stability + (1.0 - p.stability_share) * duration


def _intensity(inputs: TieInputs, p: StrengthParams) -> FloatArray:
    """Emotional intensity: weighted volume, or time spent together, whichever says more."""
    contacts = saturate(inputs.weighted, p.contacts_half)
    minutes = saturate(inputs.weighted_minutes, p.minutes_half)
    return 1.0 - (1.0 - contacts) * (1.0 - minutes)


def _intimacy(inputs: TieInputs, p: StrengthParams) -> FloatArray:
    """Intimacy: private contact, and replies (the quicker, the more).

    The one-to-one share is shrunk towards 0 for ties with few contacts, so that a
    single private note is not taken for a confidant. Replies can only add: logs
    without reply data (calls, SMS, sensors) are not penalised.
    """
    share = np.clip(inputs.one_to_one_share, 0.0, 1.0)
    messages = np.maximum(inputs.messages, 0.0)
    private = share * messages / (messages + p.one_to_one_prior)
    latency = np.where(np.isnan(inputs.reply_latency_h), p.latency_scale_h, inputs.reply_latency_h)
    speed = 1.0 / (1.0 + np.maximum(latency, 0.0) / p.latency_scale_h)
    answered = saturate(inputs.replies, p.replies_half) * speed
    return 1.0 - (1.0 - private) * (1.0 - answered)


def _tau(inputs: TieInputs, p: StrengthParams) -> FloatArray:
    """The decay time constant in days: longer for longer, steadier relationships.

    It grows with the geometric mean of the relationship's span and its active
    time (7 days per active week), so that neither a long span with two contacts
    nor a burst of weeks long ago alone earns a slow decay.
    """
    history = np.sqrt(
        np.maximum(inputs.duration_days, 0.0) * 7.0 * np.maximum(inputs.active_weeks, 0.0)
    )
    return p.tau_days + p.tau_gain * history


def _column(table: pa.Table, name: str) -> FloatArray:
    values = table.column(name).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=np.float64)
