"""Explanations: wording from a tie row alone."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.ties import DEFAULT_RULES, TieRow, explain
from weakties.ties.explain import voiced_sql
from weakties.ties.explain_columns import explain_table

ROW = TieRow(
    name_a="Me Myself",
    name_b="Alice Long",
    messages_ab=110,
    messages_ba=102,
    meetings=0,
    calls=0,
    one_to_one_share=0.8,
    group_share=0.05,
    first_year=1999,
    last_year=2002,
    duration_days=3 * 365.0,
    recency_days=4.2,
    balance=102 / 110,
    replies_ab=0,
    replies_ba=0,
    reply_latency_h=math.nan,
    base_strength=0.9,
    model_band="strong",
)


def test_long_balanced_tie() -> None:
    assert explain(ROW) == "212 messages over 3 years, balanced, mostly one-to-one, last 4 days ago"


def test_one_way_names_the_sender() -> None:
    row = ROW._replace(messages_ab=0, messages_ba=14, balance=0.0, model_band="one-way")
    assert explain(row) == "14 messages, all from Alice Long, never answered"
    row = ROW._replace(messages_ab=3, messages_ba=0, balance=0.0, model_band="one-way")
    assert explain(row) == "3 messages, all from Me Myself, never answered"


def test_dormant_close_tie() -> None:
    row = ROW._replace(
        messages_ab=44,
        messages_ba=44,
        model_band="dormant",
        first_year=2000,
        last_year=2000,
        recency_days=270.0,
    )
    assert explain(row) == "was close (88 messages in 2000), silent for 9 months"


def test_dormant_modest_tie_over_two_years() -> None:
    row = ROW._replace(
        messages_ab=6,
        messages_ba=4,
        model_band="dormant",
        base_strength=0.35,
        first_year=2000,
        last_year=2001,
        recency_days=800.0,
    )
    assert explain(row) == "was in touch (10 messages in 2000–2001), silent for 2 years"


@pytest.mark.parametrize(
    ("balance", "messages_ab", "messages_ba", "words"),
    [
        (0.3, 30, 100, "mostly from Alice Long"),
        (0.3, 100, 30, "mostly from Me Myself"),
        (0.1, 100, 10, "almost all from Me Myself"),
    ],
)
def test_lopsided_ties_say_who_writes(
    balance: float, messages_ab: int, messages_ba: int, words: str
) -> None:
    row = ROW._replace(
        balance=balance, messages_ab=messages_ab, messages_ba=messages_ba, model_band="weak"
    )
    assert explain(row).split(", ")[1] == words


def test_group_acquaintance() -> None:
    row = ROW._replace(
        messages_ab=10,
        messages_ba=5,
        one_to_one_share=0.0,
        group_share=1.0,
        duration_days=63.0,
        recency_days=7.0,
        balance=0.5,
        model_band="weak",
    )
    assert explain(row) == "15 messages over 2 months, balanced, mostly in groups, last 7 days ago"


def test_meetings_and_calls_are_named() -> None:
    row = ROW._replace(
        messages_ab=20,
        messages_ba=6,
        meetings=20,
        calls=3,
        duration_days=130.0,
        recency_days=1.5,
    )
    assert explain(row) == (
        "3 messages, 20 meetings and 3 calls over 4 months, balanced, mostly one-to-one, "
        "last contact yesterday"
    )


def test_single_call_today() -> None:
    row = ROW._replace(
        messages_ab=1,
        messages_ba=0,
        calls=1,
        duration_days=0.0,
        recency_days=0.2,
        one_to_one_share=1.0,
        balance=1.0,
    )
    assert explain(row) == "1 call in one day, balanced, mostly one-to-one, last contact today"


@pytest.mark.parametrize(
    ("latency", "words"),
    [
        (0.5, "replies within the hour"),
        (1.2, "replies within 1 hour"),
        (5.0, "replies within 5 hours"),
    ],
)
def test_quick_replies_are_mentioned(latency: float, words: str) -> None:
    row = ROW._replace(replies_ab=3, replies_ba=4, reply_latency_h=latency)
    assert words in explain(row).split(", ")


def test_slow_or_rare_replies_are_not() -> None:
    assert "replies" not in explain(ROW._replace(replies_ba=10, reply_latency_h=30.0))
    assert "replies" not in explain(ROW._replace(replies_ba=2, reply_latency_h=1.0))


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (3.0, "last 3 days ago"),
        (20.0, "last 3 weeks ago"),
        (100.0, "last 3 months ago"),
        (1000.0, "last 3 years ago"),
    ],
)
def test_recency_units(days: float, words: str) -> None:
    assert explain(ROW._replace(recency_days=days)).endswith(words)


# --- the whole-table explanation (SQL) says exactly what explain() says -----------------

_DAYS = st.one_of(
    st.sampled_from([0.0, 0.5, 0.99, 1.0, 1.5, 1.99, 2.0, 3.5, 13.99, 14.0, 17.5, 59.9, 60.0,
                     45.67, 76.1, 729.9, 730.0, 912.5, 1095.75]),
    st.floats(0.0, 4000.0),
)  # fmt: skip
_SHARE = st.one_of(st.sampled_from([0.0, 0.2, 0.5, 0.6, 1.0]), st.floats(0.0, 1.0, allow_nan=False))
_COUNT = st.one_of(st.sampled_from([0, 1, 2]), st.integers(0, 500))
_ROWS = st.builds(
    TieRow,
    name_a=st.text(min_size=1, max_size=12),
    name_b=st.text(min_size=1, max_size=12),
    messages_ab=_COUNT,
    messages_ba=_COUNT,
    meetings=st.sampled_from([0, 0, 1, 3]),
    calls=st.sampled_from([0, 0, 1, 2]),
    one_to_one_share=_SHARE,
    group_share=_SHARE,
    first_year=st.sampled_from([1999, 2001]),
    last_year=st.sampled_from([2001, 2002]),
    duration_days=_DAYS,
    recency_days=_DAYS,
    balance=_SHARE,
    replies_ab=st.integers(0, 3),
    replies_ba=st.integers(0, 3),
    reply_latency_h=st.one_of(
        st.just(math.nan), st.sampled_from([0.5, 1.0, 1.5, 2.5, 23.9, 24.0]), st.floats(0, 99)
    ),
    base_strength=st.sampled_from([0.1, DEFAULT_RULES.strong, 0.9]),
    model_band=st.sampled_from(["strong", "weak", "dormant", "one-way"]),
)


def _table(rows: list[TieRow]) -> pa.Table:
    columns = {name: [getattr(r, name) for r in rows] for name in TieRow._fields}
    for end in ("first", "last"):
        years = columns.pop(f"{end}_year")
        columns[f"{end}_contact"] = [datetime(y, 6, 1, tzinfo=UTC) for y in years]
    return pa.table(columns)


@settings(max_examples=60, deadline=None)
@given(st.lists(_ROWS, min_size=1, max_size=40))
def test_table_explanations_match_row_explanations(rows: list[TieRow]) -> None:
    # a tie's messages include its meetings and calls
    rows = [r._replace(messages_ab=r.messages_ab + r.meetings + r.calls) for r in rows]
    assert explain_table(_table(rows)).to_pylist() == [explain(r) for r in rows]


# --- the stored explanation spoken from a viewer's side -------------------------------------


def _voiced(rows: list[TieRow], viewer: str, you: bool) -> list[str]:
    """Each row's explanation as ``voiced_sql`` reads it back for person ``viewer``."""
    table = pa.table(
        {
            "person_a": ["a"] * len(rows),
            "person_b": ["b"] * len(rows),
            "name_a": [r.name_a for r in rows],
            "name_b": [r.name_b for r in rows],
            "messages_ab": [r.messages_ab for r in rows],
            "messages_ba": [r.messages_ba for r in rows],
            "explanation": [explain(r) for r in rows],
        }
    )
    con = duckdb.connect()
    con.register("ties", table)
    sql = f"SELECT {voiced_sql('t', '$viewer', '$you')} FROM ties t"
    said = [str(r[0]) for r in con.execute(sql, {"viewer": viewer, "you": you}).fetchall()]
    con.close()
    return said


def test_an_owner_reads_you_and_them() -> None:
    lopsided = ROW._replace(balance=0.1, messages_ab=100, messages_ba=10, model_band="weak")
    one_way = ROW._replace(messages_ab=0, messages_ba=14, balance=0.0, model_band="one-way")
    assert _voiced([lopsided, one_way], "a", True) == [
        "110 messages over 3 years, almost all from you, mostly one-to-one, last 4 days ago",
        "14 messages, all from them, never answered",
    ]
    assert _voiced([lopsided, one_way], "b", True)[1] == "14 messages, all from you, never answered"


def test_anyone_else_reads_names() -> None:
    one_way = ROW._replace(messages_ab=0, messages_ba=14, balance=0.0, model_band="one-way")
    assert _voiced([one_way], "a", False) == ["14 messages, all from Alice Long, never answered"]


@settings(max_examples=60, deadline=None)
@given(st.lists(_ROWS, min_size=1, max_size=20))
def test_voicing_says_what_explain_says_with_you_and_them(rows: list[TieRow]) -> None:
    as_a = [explain(r._replace(name_a="you", name_b="them")) for r in rows]
    as_b = [explain(r._replace(name_a="them", name_b="you")) for r in rows]
    assert _voiced(rows, "a", True) == as_a
    assert _voiced(rows, "b", True) == as_b
    assert _voiced(rows, "a", False) == [explain(r) for r in rows]
