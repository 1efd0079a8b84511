"""Tie strength in [0, 1] and bands, vectorised over numpy arrays.

The model follows Granovetter's (1973) dimensions of tie strength: the amount of time,
emotional intensity, intimacy and reciprocal services. Each measure is read *relative to
the corpus*: it scores 0.5 at the value of the corpus's typical two-way tie (its median)
and rises along a log-logistic curve, so that no measure stops discriminating at a fixed
count and the same model reads a fortnight of face-to-face contacts, a year of calls or
a decade of mail. Volume is read relative to each person too: the share of each one's
contact that goes to the other (intensity). The dimensions' mean is scaled by
reciprocity and by a decay whose time constant grows with the length of the
relationship. ``docs/tie-model.md`` gives the reasoning, the sources, the two
parameters fitted on labelled data and the out-of-sample figures.
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
    """The model's constants: a priori unless marked fitted (see docs/tie-model.md)."""

    reference_quantile: float = 0.75  # each measure scores 0.5 at this quantile of the corpus
    weight_time: float = 1.0  # the dimensions weigh alike (unit weights)
    weight_intensity: float = 1.0
    weight_intimacy: float = 1.0
    latency_scale_h: float = 24.0  # a reply this late halves the replies' weight
    one_way_floor: float = 0.1  # share of strength a tie keeps with no reciprocity
    balance_power: float = 0.5  # how much lopsided initiative costs (see _reciprocity)
    tau_days: float = 30.0  # decay time constant of a tie with no history
    tau_gain: float = 1.0  # fitted: days of time constant per day of history (see _tau)


@dataclass(frozen=True, slots=True)
class BandRules:
    """Thresholds from strength to band."""

    strong: float = 0.5  # strength at or above: strong
    dormant_decay: float = 0.25  # decay below (silence over ~1.4 time constants) ...
    dormant_min_base: float = 0.4  # ... of a tie this strong at its best (base)


DEFAULT_PARAMS = StrengthParams()
DEFAULT_RULES = BandRules()


@dataclass(frozen=True, slots=True)
class TieInputs:
    """The features the model reads, one array element per tie."""

    messages: FloatArray  # directed contacts, both ways, any channel
    one_to_one_share: FloatArray
    active_periods: FloatArray  # periods of the corpus with contact (features.PERIODS)
    active_weeks: FloatArray
    duration_days: FloatArray  # first to last contact
    recency_days: FloatArray
    balance: FloatArray  # min/max of the two directions, 0..1
    two_way: FloatArray  # 1 when the other side took part at all (features ``two_way``)
    watched: FloatArray  # 1 when some contact was on a channel that logs a period (not
    # only a connection): only such two-way ties set the corpus's reference
    replies: FloatArray  # both ways
    reply_latency_h: FloatArray  # median; NaN when there are no replies
    contact_share: FloatArray  # of each one's weighted contacts (see person_share)
    period_share: FloatArray  # of each one's active periods, tie by tie
    minutes_share: FloatArray  # of each one's weighted minutes of calls and meetings

    @classmethod
    def from_table(cls, table: pa.Table) -> TieInputs:
        """Read the inputs from a features table (see ``tie_features_sql``); the shares
        are worked out over the whole table, each person's ties together."""
        a, b = _ids(table, "person_a"), _ids(table, "person_b")
        weighted = _column(table, "weighted_ab") + _column(table, "weighted_ba")
        periods = _column(table, "active_periods")
        two_way = _column(table, "two_way") > 0.0
        watched = _column(table, "watched_contacts") > 0.0
        people = People(a, b, two_way & watched)
        return cls(
            messages=_column(table, "messages"),
            one_to_one_share=_column(table, "one_to_one_share"),
            active_periods=periods,
            active_weeks=_column(table, "active_weeks"),
            duration_days=_column(table, "duration_days"),
            recency_days=_column(table, "recency_days"),
            balance=_column(table, "balance"),
            two_way=two_way.astype(np.float64),
            watched=watched.astype(np.float64),
            replies=_column(table, "replies_ab") + _column(table, "replies_ba"),
            reply_latency_h=_column(table, "reply_latency_h"),
            contact_share=people.share(weighted),
            period_share=people.share(periods),
            minutes_share=people.share(_column(table, "weighted_minutes")),
        )


@dataclass(frozen=True, slots=True)
class Reference:
    """The corpus's typical two-way tie: each measure scores 0.5 at its value here.

    A measure the corpus does not have (no durations, no replies) is NaN and left out;
    so is intimacy when the corpus cannot tell private from group contact (every
    contact one-to-one, as in call, SMS and face-to-face logs, and no replies).
    """

    active_periods: float
    history_days: float
    contact_share: float
    period_share: float
    minutes_share: float
    private_contacts: float
    replies: float
    group_contact: bool  # some contact in the corpus is not one-to-one

    @classmethod
    def of(
        cls, inputs: TieInputs, quantile: float = DEFAULT_PARAMS.reference_quantile
    ) -> Reference:
        """The ``quantile`` of each measure over the two-way ties that have it (over every
        tie when none is two-way); NaN for a measure no such tie has. Ties known only
        from connections are left out: their date is when a link was made, and an
        export of old connections must not move every other tie's score."""
        mask = np.asarray((inputs.two_way > 0.0) & (inputs.watched > 0.0), dtype=np.bool_)
        if not mask.any():
            mask = np.ones_like(mask)
        return cls(
            active_periods=typical(inputs.active_periods, mask, quantile),
            history_days=typical(history_days(inputs), mask, quantile),
            contact_share=typical(inputs.contact_share, mask, quantile),
            period_share=typical(inputs.period_share, mask, quantile),
            minutes_share=typical(inputs.minutes_share, mask, quantile),
            private_contacts=typical(private_contacts(inputs), mask, quantile),
            replies=typical(inputs.replies, mask, quantile),
            group_contact=bool(np.any(inputs.one_to_one_share < 1.0)),
        )

    @property
    def intimacy_measured(self) -> bool:
        """Whether the corpus can show intimacy: group contact to set private contact
        against, or replies."""
        return self.group_contact or bool(np.isfinite(self.replies))


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


def relative(x: FloatArray, typical_value: float) -> FloatArray:
    """``x / (x + typical)``: 0 at 0, 0.5 at the typical value, 0.8 at four times it.

    A log-logistic curve: each doubling of ``x`` moves the score as much anywhere in the
    range, so a measure keeps discriminating from a handful to thousands of contacts.
    A measure the corpus lacks (``typical`` NaN) scores 0.
    """
    if not np.isfinite(typical_value) or typical_value <= 0.0:
        return np.zeros_like(np.asarray(x, dtype=np.float64))
    x = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
    return x / (x + typical_value)


def typical(x: FloatArray, mask: NDArray[np.bool_], q: float = 0.5) -> float:
    """The ``q`` quantile (the median by default) of the positive values of ``x`` under
    ``mask``; NaN when there are none."""
    values = np.asarray(x, dtype=np.float64)[mask]
    values = values[np.isfinite(values) & (values > 0.0)]
    return float(np.quantile(values, q)) if values.size else float("nan")


def person_share(
    a: NDArray[np.int64], b: NDArray[np.int64], x: FloatArray, two_way: NDArray[np.bool_]
) -> FloatArray:
    """Each tie's share of its people's contact: ``x / max(X_a, X_b, X_typical)``, in [0, 1].

    ``X_a`` adds ``x`` over every tie of person a; ``X_typical`` is the median total of
    the people in ``two_way`` ties (two-way and watched, see ``TieInputs``). The smaller
    of the two people's shares is taken: a tie is a large part of both one's contact or
    it is not intense. (The geometric mean of the two ranked a little better on both
    labelled sets, but in a mailbox a correspondent seen only with the mailbox's owner
    has all of their seen contact with the owner, and a handful of their messages
    outranked the owner's busiest colleague.) Someone seen less than the typical person
    is measured against the typical total: two messages between two people glimpsed in
    one thread are not half of anyone's life. Saramäki et al. (2014) read each person's
    ties the same way, as the fraction of their calls that each one receives (their
    "social signature").
    """
    return People(a, b, two_way).share(x)


class People:
    """The people of a table of ties, indexed once for every :func:`person_share`: for
    the 68k ties of the scale-10 demo organisation, reading the model's inputs took
    65 ms indexing them once per measure, 25 ms indexing them once."""

    def __init__(
        self, a: NDArray[np.int64], b: NDArray[np.int64], two_way: NDArray[np.bool_]
    ) -> None:
        people, index = np.unique(np.concatenate([a, b]), return_inverse=True)
        self.n = people.size
        self.ia, self.ib = index[: a.size], index[a.size :]
        mask = np.asarray(two_way, dtype=np.bool_)
        self.engaged = np.unique(np.concatenate([self.ia[mask], self.ib[mask]]))

    def share(self, x: FloatArray) -> FloatArray:
        """Each tie's share of its people's totals of ``x`` (see :func:`person_share`)."""
        x = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
        totals = np.bincount(self.ia, x, self.n) + np.bincount(self.ib, x, self.n)
        floor = typical(totals[self.engaged], np.ones(self.engaged.size, dtype=np.bool_))
        larger = np.maximum(np.maximum(totals[self.ia], totals[self.ib]), np.nan_to_num(floor))
        return np.where(larger > 0.0, x / np.where(larger > 0.0, larger, 1.0), 0.0)


def scores(
    inputs: TieInputs, params: StrengthParams = DEFAULT_PARAMS, reference: Reference | None = None
) -> Scores:
    """Score every tie on each dimension and combine them.

    ``reference`` is the corpus's typical tie; by default it is read from ``inputs``
    themselves, the corpus being scored.
    """
    reference = reference or Reference.of(inputs, params.reference_quantile)
    time = _time(inputs, reference)
    intensity = _intensity(inputs, reference)
    intimacy = _intimacy(inputs, params, reference)
    reciprocity = _reciprocity(inputs, params)
    w_intimacy = params.weight_intimacy if reference.intimacy_measured else 0.0
    total = params.weight_time + params.weight_intensity + w_intimacy
    mean = (
        params.weight_time * time + params.weight_intensity * intensity + w_intimacy * intimacy
    ) / total
    base = mean * reciprocity
    decay = np.exp(-np.maximum(inputs.recency_days, 0.0) / _tau(inputs, params))
    return Scores(time, intensity, intimacy, reciprocity, decay, base, base * decay)


def strength(
    inputs: TieInputs, params: StrengthParams = DEFAULT_PARAMS, reference: Reference | None = None
) -> FloatArray:
    """Tie strength in [0, 1], one value per tie."""
    return scores(inputs, params, reference).strength


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


def history_days(inputs: TieInputs) -> FloatArray:
    """The length of a relationship, tempered by how much of it was active: the
    geometric mean of its span (first to last contact) and its active time (7 days per
    active week). Two messages five years apart have 160 days of history; weekly
    contact over those five years, 1,820."""
    return np.sqrt(
        np.maximum(inputs.duration_days, 0.0) * 7.0 * np.maximum(inputs.active_weeks, 0.0)
    )


def _time(inputs: TieInputs, ref: Reference) -> FloatArray:
    """Amount of time: temporal stability (periods with contact) and the length of the
    relationship (:func:`history_days`), each relative to the corpus's typical tie."""
    stability = relative(inputs.active_periods, ref.active_periods)
    length = relative(history_days(inputs), ref.history_days)
    return (stability + length) / 2.0


def _intensity(inputs: TieInputs, ref: Reference) -> FloatArray:
    """Emotional intensity: how much of each one's contact goes to the other, counted in
    weighted contacts and in periods of contact, each share relative to the corpus's
    typical tie. Where the corpus has durations, minutes together count as a third
    share when they raise the score: time spent in calls and meetings can only add, so
    a tie kept by mail alone is not marked down in a store that also holds a calendar.
    """
    contact = relative(inputs.contact_share, ref.contact_share)
    periods = relative(inputs.period_share, ref.period_share)
    written = (contact + periods) / 2.0
    if not np.isfinite(ref.minutes_share):
        return written
    minutes = relative(inputs.minutes_share, ref.minutes_share)
    return np.maximum(written, (contact + periods + minutes) / 3.0)


def private_contacts(inputs: TieInputs) -> FloatArray:
    """Contacts in interactions with exactly one recipient."""
    return np.clip(inputs.one_to_one_share, 0.0, 1.0) * np.maximum(inputs.messages, 0.0)


def _intimacy(inputs: TieInputs, p: StrengthParams, ref: Reference) -> FloatArray:
    """Intimacy: private contact, and replies (the quicker, the more).

    Both are amounts relative to the corpus's typical tie, not shares: a colleague with
    thirty private messages among a hundred is more of a confidant than someone with
    four private messages and nothing else. Replies can only add: logs without reply
    data (calls, SMS, sensors) are not penalised.
    """
    private = relative(private_contacts(inputs), ref.private_contacts)
    latency = np.where(np.isnan(inputs.reply_latency_h), p.latency_scale_h, inputs.reply_latency_h)
    speed = 1.0 / (1.0 + np.maximum(latency, 0.0) / p.latency_scale_h)
    answered = relative(inputs.replies, ref.replies) * speed
    return 1.0 - (1.0 - private) * (1.0 - answered)


def _reciprocity(inputs: TieInputs, p: StrengthParams) -> FloatArray:
    """The factor reciprocity scales a tie by: ``one_way_floor`` when the other side
    never took part, 1 when both sides start contact equally.

    Half of it is the other side taking part at all (a reply, an answered call, a
    meeting), half the balance of who starts contact, ``balance ** balance_power``:
    someone who always answers but never calls is in a relationship, of a lopsided kind.
    """
    balance = np.clip(inputs.balance, 0.0, 1.0)
    initiative = np.where(balance > 0.0, balance**p.balance_power, 0.0)
    took_part = np.clip(inputs.two_way, 0.0, 1.0)
    return p.one_way_floor + (1.0 - p.one_way_floor) * (took_part + initiative) / 2.0


def _tau(inputs: TieInputs, p: StrengthParams) -> FloatArray:
    """The decay time constant in days: longer for longer, steadier relationships.

    It grows with the relationship's :func:`history_days`, so that neither a long span
    with two contacts nor a burst of weeks long ago alone earns a slow decay. Decay runs
    in calendar time whatever the corpus's length: relationships fade over weeks and
    months, not over a share of the data.
    """
    return p.tau_days + p.tau_gain * history_days(inputs)


def _ids(table: pa.Table, name: str) -> NDArray[np.int64]:
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.int64)


def _column(table: pa.Table, name: str) -> FloatArray:
    values = table.column(name).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=np.float64)
