"""Explanations for a whole ties table at once, as one SQL expression.

The same words as :func:`weakties.ties.explain.explain`, which stays the readable
definition and the reference the tests hold this to. Explaining tie by tie in
Python cost about 0.6 s for the 68k ties of the scale-10 demo organisation, a
sixth of its whole analysis; DuckDB builds the same strings in a few hundredths of
a second, on all cores. (Arrow's string kernels were tried first and were no
faster than Python here.)

Python's ``round`` rounds halves to even; so does DuckDB's ``round_even``, used
wherever the scalar code rounds. ``int(days)`` truncates: ``trunc``.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from weakties.ties.explain import BALANCED, IN_GROUPS, LOPSIDED, ONE_TO_ONE, QUICK_REPLY_H
from weakties.ties.strength import DEFAULT_RULES, Band

_MACROS = (
    "CREATE OR REPLACE TEMP MACRO wt_count(n, noun) AS "
    "CAST(CAST(n AS BIGINT) AS VARCHAR) || ' ' || noun || CASE WHEN n = 1 THEN '' ELSE 's' END",
    """CREATE OR REPLACE TEMP MACRO wt_quantity(d) AS CASE
        WHEN d < 14 THEN wt_count(greatest(1, trunc(d)), 'day')
        WHEN d < 60 THEN wt_count(round_even(d / 7.0, 0), 'week')
        WHEN d < 730 THEN wt_count(round_even(d / 30.44, 0), 'month')
        ELSE wt_count(round_even(d / 365.25, 0), 'year') END""",
    """CREATE OR REPLACE TEMP MACRO wt_volume(written, meetings, calls) AS CASE
        (written > 0)::INT + (meetings > 0)::INT + (calls > 0)::INT
        WHEN 0 THEN '0 messages'
        WHEN 1 THEN CASE WHEN written > 0 THEN wt_count(written, 'message')
                         WHEN meetings > 0 THEN wt_count(meetings, 'meeting')
                         ELSE wt_count(calls, 'call') END
        WHEN 2 THEN CASE WHEN written > 0 THEN wt_count(written, 'message')
                         ELSE wt_count(meetings, 'meeting') END
                    || ' and '
                    || CASE WHEN calls > 0 THEN wt_count(calls, 'call')
                            ELSE wt_count(meetings, 'meeting') END
        ELSE wt_count(written, 'message') || ', ' || wt_count(meetings, 'meeting')
             || ' and ' || wt_count(calls, 'call') END""",
)

_EXPLAIN = f"""
WITH t AS (
    SELECT *,
           wt_volume(messages_ab + messages_ba - meetings - calls, meetings, calls) AS volume,
           CASE WHEN messages_ab >= messages_ba THEN name_a ELSE name_b END AS who
    FROM wt_ties
)
SELECT CASE model_band
    WHEN '{Band.ONE_WAY}' THEN volume || ', all from ' || who || ', never answered'
    WHEN '{Band.DORMANT}' THEN
        CASE WHEN base_strength >= {DEFAULT_RULES.strong!r} THEN 'was close'
             ELSE 'was in touch' END
        || ' (' || volume || ' in ' || CAST(year(first_contact) AS VARCHAR)
        || CASE WHEN year(first_contact) = year(last_contact) THEN ''
                ELSE '–' || CAST(year(last_contact) AS VARCHAR) END
        || '), silent for ' || wt_quantity(recency_days)
    ELSE volume
        || CASE WHEN duration_days < 1 THEN ' in one day'
                ELSE ' over ' || wt_quantity(duration_days) END
        || ', ' || CASE WHEN balance >= {BALANCED!r} THEN 'balanced'
                        WHEN balance >= {LOPSIDED!r} THEN 'mostly from ' || who
                        ELSE 'almost all from ' || who END
        || CASE WHEN one_to_one_share >= {ONE_TO_ONE!r} THEN ', mostly one-to-one'
                WHEN group_share >= {IN_GROUPS!r} THEN ', mostly in groups'
                ELSE '' END
        || CASE WHEN replies_ab + replies_ba < 3 OR reply_latency_h IS NULL
                     OR isnan(reply_latency_h) OR reply_latency_h >= {QUICK_REPLY_H!r} THEN ''
                WHEN reply_latency_h < 1 THEN ', replies within the hour'
                ELSE ', replies within '
                     || wt_count(greatest(1, round_even(reply_latency_h, 0)), 'hour') END
        || CASE WHEN recency_days < 1 THEN ', last contact today'
                WHEN recency_days < 2 THEN ', last contact yesterday'
                ELSE ', last ' || wt_quantity(recency_days) || ' ago' END
    END AS explanation
FROM t
"""


def explain_table(table: pa.Table) -> pa.Array:
    """One explanation per row of a scored ties table, in row order (see ``explain``)."""
    zone = getattr(table.schema.field("first_contact").type, "tz", None) or "UTC"
    con = duckdb.connect()
    try:
        con.execute(f"SET TimeZone = '{zone}'")  # years as the timestamps' own zone reads them
        for macro in _MACROS:
            con.execute(macro)
        con.register("wt_ties", table)
        found = con.sql(_EXPLAIN).to_arrow_table().column("explanation")
    finally:
        con.close()
    return found.combine_chunks() if found.num_chunks != 1 else found.chunk(0)
