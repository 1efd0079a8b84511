"""The strength model and bands, as pure functions over numpy arrays."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.ties import DEFAULT_RULES, Band, TieInputs, band, scores, strength
from weakties.ties.strength import DEFAULT_PARAMS, saturate

YEAR = 365.0

# A steady colleague: weekly contact for two years, mostly private, answered.
BASELINE: dict[str, float] = {
    "messages": 120.0,
    "weighted": 80.0,
    "weighted_minutes": 0.0,
    "one_to_one_share": 0.6,
    "active_weeks": 60.0,
    "duration_days": 2 * YEAR,
    "recency_days": 10.0,
    "observed_days": 3 * YEAR,
    "balance": 0.8,
    "replies": 30.0,
    "reply_latency_h": 5.0,
}

INCREASING = (
    "messages",
    "weighted",
    "weighted_minutes",
    "one_to_one_share",
    "active_weeks",
    "duration_days",
    "balance",
    "replies",
)
DECREASING = ("recency_days", "reply_latency_h")
UPPER = {"one_to_one_share": 1.0, "balance": 1.0}


def tie(**values: Any) -> TieInputs:
    """One tie (or several, when given arrays) with BASELINE for what is not given."""
    merged = {**BASELINE, **values}
    return TieInputs(
        **{k: np.atleast_1d(np.asarray(v, dtype=np.float64)) for k, v in merged.items()}
    )


def _feature(name: str) -> st.SearchStrategy[float]:
    upper = UPPER.get(name, 5000.0)
    return st.floats(0.0, upper, allow_nan=False)


def _ties() -> st.SearchStrategy[dict[str, float]]:
    return st.fixed_dictionaries({f.name: _feature(f.name) for f in fields(TieInputs)})


@settings(max_examples=300, deadline=None)
@given(_ties())
def test_strength_and_every_dimension_lie_in_unit_interval(values: dict[str, float]) -> None:
    s = scores(tie(**values))
    for part in (s.time, s.intensity, s.intimacy, s.reciprocity, s.decay, s.base, s.strength):
        assert np.all((part >= 0.0) & (part <= 1.0))


@settings(max_examples=200, deadline=None)
@given(_ties(), st.sampled_from(INCREASING), st.floats(0, 1), st.floats(0, 1))
def test_strength_never_falls_when_a_good_feature_grows(
    values: dict[str, float], name: str, low: float, high: float
) -> None:
    low, high = sorted((low, high))
    top = UPPER.get(name, 3000.0)
    weaker = strength(tie(**{**values, name: low * top}))
    stronger = strength(tie(**{**values, name: high * top}))
    assert stronger[0] >= weaker[0] - 1e-12


@settings(max_examples=200, deadline=None)
@given(_ties(), st.sampled_from(DECREASING), st.floats(0, 3000), st.floats(0, 3000))
def test_strength_never_rises_when_a_bad_feature_grows(
    values: dict[str, float], name: str, low: float, high: float
) -> None:
    low, high = sorted((low, high))
    assert strength(tie(**{**values, name: high}))[0] <= strength(tie(**{**values, name: low}))[0]


@settings(max_examples=200, deadline=None)
@given(_ties())
def test_a_tie_the_other_side_never_took_part_in_is_always_one_way(
    values: dict[str, float],
) -> None:
    inputs = tie(**{**values, "balance": 0.0})
    s = scores(inputs)
    never = np.zeros(1, dtype=np.bool_)
    bands = band(strength=s.strength, base=s.base, decay=s.decay, two_way=never)
    assert bands.tolist() == [Band.ONE_WAY]


def test_more_active_weeks_is_stronger() -> None:
    values = strength(tie(active_weeks=[1, 5, 20, 60, 100], duration_days=2 * YEAR))
    assert np.all(np.diff(values) > 0)


def test_more_recent_is_stronger() -> None:
    values = strength(tie(recency_days=[0, 7, 30, 90, 365, 1000]))
    assert np.all(np.diff(values) < 0)


def test_vectorised_equals_one_by_one() -> None:
    weeks, recency = [2.0, 30.0, 80.0], [400.0, 3.0, 60.0]
    together = strength(tie(active_weeks=weeks, recency_days=recency))
    pairs = zip(weeks, recency, strict=True)
    alone = [strength(tie(active_weeks=w, recency_days=r))[0] for w, r in pairs]
    assert together == pytest.approx(alone)


def test_saturate_is_half_at_the_half_saturation_constant() -> None:
    assert saturate(np.array([0.0, 6.0, 12.0]), 6.0) == pytest.approx([0.0, 0.5, 0.75])


def _band_of(inputs: TieInputs) -> str:
    s = scores(inputs)
    two_way = np.asarray(inputs.balance) > 0
    return str(band(strength=s.strength, base=s.base, decay=s.decay, two_way=two_way)[0])


def test_long_tie_quiet_for_three_months_is_not_gone() -> None:
    five_years = tie(active_weeks=200, duration_days=5 * YEAR, recency_days=90)
    assert scores(five_years).decay[0] > 0.8
    assert _band_of(five_years) == Band.STRONG


def test_short_tie_quiet_for_three_months_is_dormant() -> None:
    fling = {
        "messages": 40,
        "weighted": 40,
        "one_to_one_share": 1.0,
        "active_weeks": 2,
        "duration_days": 13,
        "balance": 1.0,
        "replies": 10,
    }
    assert _band_of(tie(**fling, recency_days=0)) == Band.STRONG
    assert scores(tie(**fling, recency_days=90)).decay[0] < DEFAULT_RULES.dormant_decay
    assert _band_of(tie(**fling, recency_days=90)) == Band.DORMANT


def test_trivial_exchange_fades_to_weak_not_dormant() -> None:
    once = tie(
        messages=2,
        weighted=2,
        one_to_one_share=1.0,
        active_weeks=1,
        duration_days=0,
        recency_days=400,
        balance=1.0,
        replies=1,
        reply_latency_h=2,
    )
    assert _band_of(once) == Band.WEAK


def test_group_only_acquaintance_is_weak() -> None:
    crowd = tie(
        messages=100,
        weighted=12,
        one_to_one_share=0.0,
        balance=0.5,
        replies=0,
        reply_latency_h=np.nan,
        active_weeks=30,
        duration_days=YEAR,
    )
    assert _band_of(crowd) == Band.WEAK


def test_call_log_without_replies_can_be_strong() -> None:
    """Sensors, calls and SMS carry no reply data; the model must not need it."""
    calls = tie(
        messages=40,
        weighted=40,
        weighted_minutes=200,
        one_to_one_share=1.0,
        active_weeks=4,
        duration_days=27,
        recency_days=1,
        observed_days=28,
        balance=0.7,
        replies=0,
        reply_latency_h=np.nan,
    )
    assert _band_of(calls) == Band.STRONG


def test_in_a_short_corpus_steady_beats_bursty_at_equal_volume() -> None:
    """Temporal stability: contact in all four weeks of a study says more than one busy week."""
    month = {
        "observed_days": 28.0,
        "reply_latency_h": np.nan,
        "replies": 0.0,
        "one_to_one_share": 1.0,
        "recency_days": 1.0,
        "balance": 1.0,
    }
    steady = strength(tie(**month, messages=20, weighted=20, active_weeks=4, duration_days=26))
    burst = strength(tie(**month, messages=20, weighted=20, active_weeks=1, duration_days=5))
    assert steady[0] > burst[0]


def test_one_way_keeps_a_floor_of_its_strength() -> None:
    two_way = strength(tie(balance=1.0))[0]
    one_way = strength(tie(balance=0.0))[0]
    assert one_way == pytest.approx(DEFAULT_PARAMS.one_way_floor * two_way)
    assert one_way < 0.15 * two_way  # attention, not a relationship
