"""The strength model and bands, as pure functions over numpy arrays.

Strength reads each measure against the corpus's own ties (``Reference``). Tests of
single ties fix that reference, as a corpus would: REFERENCE is a mailbox whose
upper-quartile two-way tie was in touch in 4 of its 12 periods, over 120 days of
history, with a tenth of each person's contact, 12 private messages and 5 replies.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.ties import (
    DEFAULT_RULES,
    Band,
    Reference,
    TieInputs,
    band,
    scores,
    strength,
)
from weakties.ties.strength import (
    DEFAULT_PARAMS,
    history_days,
    person_share,
    relative,
    typical,
)

YEAR = 365.0

REFERENCE = Reference(
    active_periods=4.0,
    history_days=120.0,
    contact_share=0.1,
    period_share=0.1,
    minutes_share=float("nan"),
    private_contacts=12.0,
    replies=5.0,
    group_contact=True,
)

# A steady colleague: weekly contact for two years, mostly private, answered.
BASELINE: dict[str, float] = {
    "messages": 120.0,
    "one_to_one_share": 0.6,
    "active_periods": 10.0,
    "active_weeks": 60.0,
    "duration_days": 2 * YEAR,
    "recency_days": 10.0,
    "balance": 0.8,
    "two_way": 1.0,
    "watched": 1.0,
    "replies": 30.0,
    "reply_latency_h": 5.0,
    "contact_share": 0.2,
    "period_share": 0.2,
    "minutes_share": 0.0,
}

INCREASING = (
    "messages",
    "one_to_one_share",
    "active_periods",
    "active_weeks",
    "duration_days",
    "balance",
    "two_way",
    "replies",
    "contact_share",
    "period_share",
    "minutes_share",
)
DECREASING = ("recency_days", "reply_latency_h")
UPPER = {
    "one_to_one_share": 1.0,
    "balance": 1.0,
    "two_way": 1.0,
    "watched": 1.0,
    "contact_share": 1.0,
    "period_share": 1.0,
    "minutes_share": 1.0,
}


def tie(**values: Any) -> TieInputs:
    """One tie (or several, when given arrays) with BASELINE for what is not given."""
    merged = {**BASELINE, **values}
    arrays = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in merged.values())
    )
    return TieInputs(**{k: np.array(v) for k, v in zip(merged, arrays, strict=True)})


def _feature(name: str) -> st.SearchStrategy[float]:
    upper = UPPER.get(name, 5000.0)
    return st.floats(0.0, upper, allow_nan=False)


def _ties() -> st.SearchStrategy[dict[str, float]]:
    return st.fixed_dictionaries({f.name: _feature(f.name) for f in fields(TieInputs)})


@settings(max_examples=300, deadline=None)
@given(_ties(), st.booleans())
def test_strength_and_every_dimension_lie_in_unit_interval(
    values: dict[str, float], with_minutes: bool
) -> None:
    ref = replace(REFERENCE, minutes_share=0.05) if with_minutes else REFERENCE
    s = scores(tie(**values), reference=ref)
    for part in (s.time, s.intensity, s.intimacy, s.reciprocity, s.decay, s.base, s.strength):
        assert np.all((part >= 0.0) & (part <= 1.0))


@settings(max_examples=300, deadline=None)
@given(_ties(), st.sampled_from(INCREASING), st.floats(0, 1), st.floats(0, 1), st.booleans())
def test_strength_never_falls_when_a_good_feature_grows(
    values: dict[str, float], name: str, low: float, high: float, with_minutes: bool
) -> None:
    low, high = sorted((low, high))
    top = UPPER.get(name, 3000.0)
    ref = replace(REFERENCE, minutes_share=0.05) if with_minutes else REFERENCE
    weaker = strength(tie(**{**values, name: low * top}), reference=ref)
    stronger = strength(tie(**{**values, name: high * top}), reference=ref)
    assert stronger[0] >= weaker[0] - 1e-12


@settings(max_examples=200, deadline=None)
@given(_ties(), st.sampled_from(DECREASING), st.floats(0, 3000), st.floats(0, 3000))
def test_strength_never_rises_when_a_bad_feature_grows(
    values: dict[str, float], name: str, low: float, high: float
) -> None:
    low, high = sorted((low, high))
    later = strength(tie(**{**values, name: high}), reference=REFERENCE)
    sooner = strength(tie(**{**values, name: low}), reference=REFERENCE)
    assert later[0] <= sooner[0]


@settings(max_examples=200, deadline=None)
@given(_ties())
def test_a_tie_the_other_side_never_took_part_in_is_always_one_way(
    values: dict[str, float],
) -> None:
    inputs = tie(**{**values, "balance": 0.0, "two_way": 0.0})
    s = scores(inputs, reference=REFERENCE)
    never = np.zeros(1, dtype=np.bool_)
    bands = band(strength=s.strength, base=s.base, decay=s.decay, two_way=never)
    assert bands.tolist() == [Band.ONE_WAY]


# --- the transforms --------------------------------------------------------------


def test_relative_is_half_at_the_typical_value_and_never_flat() -> None:
    x = np.array([0.0, 10.0, 40.0])
    assert relative(x, 10.0) == pytest.approx([0.0, 0.5, 0.8])
    # Each doubling moves the log-odds by log 2, from a tenth to a thousand times typical:
    doubling = 10.0 * 2.0 ** np.arange(-4, 11)
    score = relative(doubling, 10.0)
    log_odds = np.log(score / (1.0 - score))
    assert np.diff(log_odds) == pytest.approx(np.full(doubling.size - 1, np.log(2.0)))


def test_a_measure_the_corpus_lacks_scores_nothing() -> None:
    assert relative(np.array([3.0, 300.0]), float("nan")).tolist() == [0.0, 0.0]


def test_typical_is_a_quantile_of_the_positive_values_under_the_mask() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 100.0])
    mask = np.array([True, True, True, True, True, False])
    assert typical(x, mask) == pytest.approx(2.5)  # 0 and the masked 100 left out
    assert typical(x, mask, 0.75) == pytest.approx(3.25)
    assert np.isnan(typical(x, np.zeros(6, dtype=bool)))


def test_person_share_is_the_smaller_share_of_the_two_people() -> None:
    # a-b: 6 contacts, a-c: 2, b-d: 12. Totals: a 8, b 18, c 2, d 12.
    a = np.array([1, 1, 2], dtype=np.int64)
    b = np.array([2, 3, 4], dtype=np.int64)
    x = np.array([6.0, 2.0, 12.0])
    share = person_share(a, b, x, np.ones(3, dtype=bool))
    # The typical total of the people in two-way ties (2, 8, 12, 18) is 10: c's 2 is
    # measured against it.
    assert share == pytest.approx([6 / 18, 2 / 10, 12 / 18])


def test_person_share_grows_with_the_tie_itself() -> None:
    a = np.array([1, 1, 2], dtype=np.int64)
    b = np.array([2, 3, 3], dtype=np.int64)
    two_way = np.ones(3, dtype=bool)
    shares = [person_share(a, b, np.array([x, 5.0, 5.0]), two_way)[0] for x in (1, 5, 50, 500)]
    assert np.all(np.diff(shares) > 0) and shares[-1] <= 1.0


def test_history_tempers_a_long_span_by_how_active_it_was() -> None:
    sparse = tie(duration_days=5 * YEAR, active_weeks=2)
    weekly = tie(duration_days=5 * YEAR, active_weeks=260)
    assert history_days(sparse)[0] == pytest.approx(160, abs=1)
    assert history_days(weekly)[0] == pytest.approx(1822, abs=1)


def test_reference_is_read_from_the_corpus_two_way_ties() -> None:
    corpus = tie(
        active_periods=[1, 2, 3, 4, 50, 70],
        two_way=[1, 1, 1, 1, 0, 1],  # the one-way tie's 50 periods do not count,
        watched=[1, 1, 1, 1, 1, 0],  # nor a tie known only from a connection
        one_to_one_share=1,
        replies=0,
        minutes_share=0,
    )
    ref = Reference.of(corpus, quantile=0.5)
    assert ref.active_periods == pytest.approx(2.5)
    assert np.isnan(ref.minutes_share) and np.isnan(ref.replies)
    assert not ref.intimacy_measured


def test_intimacy_weighs_nothing_where_the_corpus_cannot_show_it() -> None:
    """A call, SMS or face-to-face log: every contact one-to-one, no replies."""
    calls = replace(REFERENCE, group_contact=False, replies=float("nan"))
    few = strength(tie(messages=3, replies=0), reference=calls)
    many = strength(tie(messages=3000, replies=0), reference=calls)
    assert few == pytest.approx(many)
    assert strength(tie(messages=3, replies=0), reference=REFERENCE) < strength(
        tie(messages=3000, replies=0), reference=REFERENCE
    )


# --- the dimensions keep discriminating -------------------------------------------


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("active_periods", [1, 2, 4, 8, 16, 32]),
        ("contact_share", [0.01, 0.02, 0.05, 0.1, 0.3, 0.6, 1.0]),
        ("messages", [10, 30, 100, 300]),
        ("replies", [10, 30, 100, 300]),
    ],
)
def test_no_dimension_saturates_within_the_range_of_real_ties(
    name: str, values: list[float]
) -> None:
    """Past ten contacts (where the previous model's intensity stopped moving), every
    step of each measure, up to tens of times the corpus's upper quartile, still moves
    strength by a visible amount."""
    alone = {"replies": 0.0, "one_to_one_share": 1.0} if name == "messages" else {}
    if name == "replies":
        alone = {"messages": 120.0, "one_to_one_share": 0.1}
    s = strength(tie(**alone, **{name: values}), reference=REFERENCE)
    assert np.all(np.diff(s) > 0.003)


def test_more_active_periods_is_stronger() -> None:
    values = strength(tie(active_periods=[1, 3, 6, 9, 12]), reference=REFERENCE)
    assert np.all(np.diff(values) > 0)


def test_more_recent_is_stronger() -> None:
    values = strength(tie(recency_days=[0, 7, 30, 90, 365, 1000]), reference=REFERENCE)
    assert np.all(np.diff(values) < 0)


def test_vectorised_equals_one_by_one() -> None:
    periods, recency = [2.0, 8.0, 12.0], [400.0, 3.0, 60.0]
    together = strength(tie(active_periods=periods, recency_days=recency), reference=REFERENCE)
    pairs = zip(periods, recency, strict=True)
    alone = [
        strength(tie(active_periods=p, recency_days=r), reference=REFERENCE)[0] for p, r in pairs
    ]
    assert together == pytest.approx(alone)


def test_scores_read_the_reference_from_the_ties_when_none_is_given() -> None:
    corpus = tie(active_periods=[1, 2, 3, 8, 12], contact_share=[0.01, 0.02, 0.05, 0.2, 0.4])
    assert scores(corpus).strength == pytest.approx(
        scores(corpus, reference=Reference.of(corpus)).strength
    )


# --- reciprocity -----------------------------------------------------------------


def test_answering_without_ever_calling_back_is_lopsided_not_one_way() -> None:
    """Every call from one side, all answered: the other took part (two-way), never
    started contact (balance 0)."""
    p = DEFAULT_PARAMS
    answered = scores(tie(balance=0.0, two_way=1.0), reference=REFERENCE).reciprocity[0]
    ignored = scores(tie(balance=0.0, two_way=0.0), reference=REFERENCE).reciprocity[0]
    equal = scores(tie(balance=1.0, two_way=1.0), reference=REFERENCE).reciprocity[0]
    assert ignored == pytest.approx(p.one_way_floor)
    assert answered == pytest.approx(p.one_way_floor + (1 - p.one_way_floor) / 2)
    assert equal == pytest.approx(1.0)


def test_one_way_keeps_a_floor_of_its_strength() -> None:
    two_way = strength(tie(balance=1.0, two_way=1.0), reference=REFERENCE)[0]
    one_way = strength(tie(balance=0.0, two_way=0.0), reference=REFERENCE)[0]
    assert one_way == pytest.approx(DEFAULT_PARAMS.one_way_floor * two_way)
    assert one_way < 0.15 * two_way  # attention, not a relationship


# --- bands -----------------------------------------------------------------------


def _band_of(inputs: TieInputs) -> str:
    s = scores(inputs, reference=REFERENCE)
    two_way = np.asarray(inputs.two_way) > 0
    return str(band(strength=s.strength, base=s.base, decay=s.decay, two_way=two_way)[0])


def test_long_tie_quiet_for_three_months_is_not_gone() -> None:
    five_years = tie(active_periods=12, active_weeks=200, duration_days=5 * YEAR, recency_days=90)
    assert scores(five_years, reference=REFERENCE).decay[0] > 0.8
    assert _band_of(five_years) == Band.STRONG


def test_short_tie_quiet_for_three_months_is_dormant() -> None:
    fling = {
        "messages": 40,
        "one_to_one_share": 1.0,
        "active_periods": 3,
        "active_weeks": 2,
        "duration_days": 13,
        "balance": 1.0,
        "replies": 10,
        "contact_share": 0.3,
        "period_share": 0.2,
    }
    assert _band_of(tie(**fling, recency_days=0)) == Band.STRONG
    assert scores(tie(**fling, recency_days=90), reference=REFERENCE).decay[0] < (
        DEFAULT_RULES.dormant_decay
    )
    assert _band_of(tie(**fling, recency_days=90)) == Band.DORMANT


def test_trivial_exchange_fades_to_weak_not_dormant() -> None:
    once = tie(
        messages=2,
        one_to_one_share=1.0,
        active_periods=1,
        active_weeks=1,
        duration_days=0,
        recency_days=400,
        balance=1.0,
        replies=1,
        reply_latency_h=2,
        contact_share=0.02,
        period_share=0.02,
    )
    assert _band_of(once) == Band.WEAK


def test_group_only_acquaintance_is_weak() -> None:
    crowd = tie(
        messages=100,
        one_to_one_share=0.0,
        balance=0.5,
        replies=0,
        reply_latency_h=np.nan,
        active_periods=6,
        active_weeks=30,
        duration_days=YEAR,
        contact_share=0.02,
        period_share=0.05,
    )
    assert _band_of(crowd) == Band.WEAK


def test_call_log_without_replies_can_be_strong() -> None:
    """Sensors, calls and SMS carry no reply data; the model must not need it."""
    calls = replace(REFERENCE, group_contact=False, replies=float("nan"), minutes_share=0.05)
    inputs = tie(
        messages=40,
        one_to_one_share=1.0,
        active_periods=8,
        active_weeks=4,
        duration_days=27,
        recency_days=1,
        balance=0.7,
        replies=0,
        reply_latency_h=np.nan,
        contact_share=0.3,
        period_share=0.25,
        minutes_share=0.2,
    )
    s = scores(inputs, reference=calls)
    bands = band(strength=s.strength, base=s.base, decay=s.decay, two_way=np.array([True]))
    assert bands.tolist() == [Band.STRONG]


def test_in_a_short_corpus_steady_beats_bursty_at_equal_volume() -> None:
    """Temporal stability: contact in most periods of a study says more than one burst."""
    month = {
        "reply_latency_h": np.nan,
        "replies": 0.0,
        "one_to_one_share": 1.0,
        "recency_days": 1.0,
        "balance": 1.0,
        "messages": 20,
        "contact_share": 0.2,
    }
    steady = strength(
        tie(**month, active_periods=10, active_weeks=4, duration_days=26, period_share=0.3),
        reference=REFERENCE,
    )
    burst = strength(
        tie(**month, active_periods=2, active_weeks=1, duration_days=5, period_share=0.06),
        reference=REFERENCE,
    )
    assert steady[0] > burst[0]
