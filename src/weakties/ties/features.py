"""Tie features: the one query definition, over ``interactions``, ``participants``
and ``identities``.

The query is plain SQL with aggregate and window functions only, so that the same
text runs on DuckDB today and on Spark SQL over Parquet tables of the same names
later. Its one engine-specific need, turning a timestamp into Unix seconds, is
spelled ``unix_seconds(ts)``: a Spark SQL built-in, which :func:`install_shims`
defines as a macro on a DuckDB connection.

What counts as contact:

* interactions flagged ``automated`` or ``bulk`` are left out, as are those
  without a timestamp, with an implausible one, or later than ``as_of``; except that
  a post to a mailing list (``bulk`` with a ``list_id``) that replies to a message
  (``in_reply_to``) is a contact from its sender to the sender of that message, as
  if sent to the two of them (the author and the list): the list address itself,
  automated, stays out;
* addresses whose identity is automated are left out (an interaction whose only
  sender is automated therefore adds nothing);
* each person counts once per interaction, in their most direct role;
* a *directed contact* runs from each sender (role ``from`` or ``organizer``) to
  each other participant in a recipient role (``to``, ``cc``, ``bcc``,
  ``attendee``); ``member`` (presence in a group) is not contact;
* addresses without an identity are ignored (identity resolution gives every
  address seen an identity).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb

from weakties.channels import names_where, sql_list
from weakties.records import CHANNEL_NAME

CC_FACTOR = 0.5
"""Weight of a cc or bcc contact relative to a ``to`` contact.

A message is addressed to its ``to`` line; cc and bcc copy someone in for
information, so they count half.
"""

GROUP_MIN_RECIPIENTS = 5
"""A contact is *group* contact when its interaction has at least this many
recipients. Kossinets & Watts (2006, supporting material) kept only messages with
at most four recipients as interpersonal mail; we keep the rest but mark them."""

SYNCHRONOUS_CHANNELS = names_where(synchronous=True)
"""Channels where both people take part at once (see :mod:`weakties.channels`)."""

MUTUAL_CHANNELS = names_where(mutual=True)
"""Channels where both take part in every contact: a contact on them (unless it lasted
exactly zero seconds, a missed call) shows the tie goes both ways."""

UNDIRECTED_CHANNELS = names_where(initiated=False)
"""Channels whose records do not say who started a contact: each contact counts for
both directions of reciprocity."""

UNWATCHED_CHANNELS = names_where(watched=False)
"""Channels whose dates do not say how long the store has observed (a connection)."""

_ROLE_RANK = """CASE pt.role
            WHEN 'from' THEN 0 WHEN 'organizer' THEN 0
            WHEN 'to' THEN 1 WHEN 'attendee' THEN 1
            WHEN 'cc' THEN 2 WHEN 'bcc' THEN 3
            ELSE 9 END"""


def _plausible(alias: str = "") -> str:
    """The condition for a timestamp that counts: present and not flagged implausible."""
    return (
        f"{alias}ts IS NOT NULL AND ({alias}date_flag IS NULL OR {alias}date_flag <> 'implausible')"
    )


def install_shims(con: duckdb.DuckDBPyConnection) -> None:
    """Define on a DuckDB connection the Spark built-ins the query calls."""
    con.execute("CREATE OR REPLACE TEMP MACRO unix_seconds(t) AS CAST(floor(epoch(t)) AS BIGINT)")


STRAY_GAP_DAYS = 60
"""A silence this long before the last few messages marks them as strays (bad clocks)."""

STRAY_SHARE = 0.01
"""At most this share of the messages can be set aside as strays."""


def latest_timestamp(
    con: duckdb.DuckDBPyConnection, now: datetime | None = None
) -> datetime | None:
    """The default ``as_of``: the end of the store's activity up to ``now`` (the wall
    clock when None).

    Judging recency against the corpus's own end (not the wall clock) lets a
    historic corpus, such as Enron mail of 2000-2002, be read in its own time. What
    lies after ``now`` has not happened yet (a calendar's coming meetings): it is
    left out, so that ``as_of`` is never later than now. A
    handful of messages dated long after everything else (Enron has a cluster
    stamped 2004, two years after the mail ends) are stray clocks, not the end:
    the latest time before a silence of more than ``STRAY_GAP_DAYS`` that has at
    most ``STRAY_SHARE`` of the messages after it is used instead.
    """
    moment = timestamp_literal(now or datetime.now(UTC))
    ((micros,),) = con.execute(
        f"""
        WITH t AS (
            SELECT epoch_us(ts) AS us FROM interactions
            WHERE {_plausible()} AND ts <= {moment}
        ),
        bound AS (
            SELECT CAST(floor(greatest(1, count(*) * {STRAY_SHARE})) AS BIGINT) AS k FROM t
        ),
        latest AS (  -- only the k latest can be strays; one more to see the gap below them
            SELECT us FROM t ORDER BY us DESC LIMIT (SELECT k + 1 FROM bound)
        ),
        ranked AS (
            SELECT us, lead(us) OVER (ORDER BY us DESC) AS below,
                   row_number() OVER (ORDER BY us DESC) AS rank
            FROM latest
        )
        SELECT coalesce(
            (SELECT below FROM ranked
             WHERE below IS NOT NULL AND rank <= (SELECT k FROM bound)
               AND us - below > CAST({STRAY_GAP_DAYS} AS BIGINT) * 86400 * 1000000
             ORDER BY rank DESC LIMIT 1),
            (SELECT max(us) FROM t))
        """
    ).fetchall()
    if micros is None:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))


def timestamp_literal(value: datetime) -> str:
    """A SQL literal for an aware ``value`` that both engines read as an instant."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return f"CAST('{text}+00:00' AS TIMESTAMP WITH TIME ZONE)"


BITMAP_MAX_DAYS = 4096
"""Longest span of days (about eleven years) counted with bitmaps; 512 bytes a tie."""

BITMAP_MAX_CHANNELS = 62
"""Most channels counted with flags; more are counted with ``COUNT(DISTINCT ...)``."""

PERIODS = 12
"""Temporal stability is counted in periods of contact: the corpus's span (its first
contact to ``as_of``) cut into this many equal periods, so that the grain suits the
data: about a day in a fortnight's face-to-face study, about 25 days in the nine
months of the MIT phone logs. Each period is at least :data:`MIN_PERIOD_S` and at
most :data:`MAX_PERIOD_S` long (a mailbox of years counts months). See
``docs/tie-model.md`` for how the number was chosen."""

MIN_PERIOD_S = 3600
"""Shortest period: an hour (a one-day log counts hours, not minutes)."""

MAX_PERIOD_S = 2629746
"""Longest period: a month (365.2425 / 12 days)."""


@dataclass(frozen=True, slots=True)
class Counting:
    """What the query needs to count distinct days, weeks and channels without
    ``COUNT(DISTINCT ...)``: the range of day numbers (days since 1970-01-01) the
    counted contacts can fall in, and every channel they can have.

    Plain ``COUNT(DISTINCT ...)`` is what Spark SQL runs well. DuckDB evaluates each
    distinct aggregate apart from the others, over a materialised copy of every
    contact; on the scale-10 demo organisation (815k contacts) the three of them were
    about a third of the query's CPU time. With a :class:`Counting` the query counts
    days and weeks as bits set in one fixed-size bitmap per tie (``bitstring_agg``,
    a DuckDB aggregate) and channels as one flag per channel, all in the one pass
    that computes the other features; the results are the same.
    """

    first_day: int
    last_day: int
    channels: tuple[str, ...]


def duckdb_counting(con: duckdb.DuckDBPyConnection, as_of: datetime) -> Counting | None:
    """The :class:`Counting` for the store behind ``con`` judged at ``as_of``, or None
    (count with ``COUNT(DISTINCT ...)``) when its days span more than
    :data:`BITMAP_MAX_DAYS` or it has more than :data:`BITMAP_MAX_CHANNELS` channels.

    The range and the channels are read from a superset of the contacts the query
    counts (every interaction with a plausible timestamp up to ``as_of``).
    """
    install_shims(con)
    ((first_s, last_s, names),) = con.execute(
        f"""SELECT min(unix_seconds(ts)), max(unix_seconds(ts)), list(DISTINCT channel)
        FROM interactions WHERE {_plausible()}
          AND unix_seconds(ts) <= unix_seconds({timestamp_literal(as_of)})"""
    ).fetchall()
    if first_s is None:
        return None
    first_day, last_day = int(first_s) // 86400, int(last_s) // 86400
    channels = tuple(sorted(str(c) for c in names))
    if last_day - first_day >= BITMAP_MAX_DAYS or len(channels) > BITMAP_MAX_CHANNELS:
        return None
    if not all(CHANNEL_NAME.match(c) for c in channels):
        return None  # channels are checked at ingest; anything else is counted plainly
    return Counting(first_day, last_day, channels)


def _channel_key(counting: Counting | None) -> str:
    """What ``live`` keeps of an interaction's channel for counting: the name, or with
    ``counting`` the channel's flag (one bit per channel)."""
    if counting is None:
        return "i.channel"
    flags = " ".join(f"WHEN '{c}' THEN {1 << k}" for k, c in enumerate(counting.channels))
    return f"CASE i.channel {flags} ELSE 0 END"


def _distinct_counts(counting: Counting | None) -> str:
    """The four distinct counts of the pairs aggregate, plainly or with bitmaps."""
    if counting is None:
        return """COUNT(DISTINCT day_no) AS active_days,
           COUNT(DISTINCT week_no) AS active_weeks,
           COUNT(DISTINCT period_no) AS active_periods,
           COUNT(DISTINCT channel_key) AS channels,"""
    first, last = counting.first_day, counting.last_day
    return f"""bit_count(bitstring_agg(day_no, {first}, {last})) AS active_days,
           bit_count(bitstring_agg(week_no, {(first + 3) // 7}, {(last + 3) // 7})) AS active_weeks,
           bit_count(bitstring_agg(period_no, 0, {_last_period(counting)})) AS active_periods,
           CAST(bit_count(bit_or(channel_key)) AS BIGINT) AS channels,"""


def _last_period(counting: Counting) -> int:
    """The highest period number a contact can have: the periods are :data:`PERIODS`
    equal parts of the span, or months when that is longer."""
    span_s = (counting.last_day - counting.first_day + 1) * 86400
    return max(PERIODS, -(-span_s // MAX_PERIOD_S))


def _counted(alias: str) -> str:
    """The condition for an interaction that counts as contact (``live``, ``span``)."""
    return f"""NOT {alias}automated AND NOT {alias}bulk AND {_plausible(alias)}
      AND unix_seconds({alias}ts) <= p.as_of_s"""


def tie_features_sql(as_of_expr: str, counting: Counting | None = None) -> str:
    """The tie features query: one row per unordered pair (person_a < person_b).

    Recency is measured against the end of what could have seen the tie: the last
    message of the latest-ending source (mailbox, log) holding the tie's messages,
    capped at ``as_of``. A colleague's mailbox that ends in December cannot show
    the mail of January; in a team's store, its ties are not silent for that. An
    ``as_of`` after the end of every source adds the time since that end to every
    tie: judged in 2030, mail that stopped in 2020 is ten years silent.

    ``as_of_expr`` is a SQL expression for the instant the ties are judged at
    (see :func:`timestamp_literal`). Columns ending in ``_ab`` run from person_a
    to person_b, ``_ba`` the other way; ``replies_ab`` counts person_a's replies
    to person_b's messages. ``mutual_contacts`` and ``overlap`` are left NULL for
    the graph step to fill.

    With ``counting`` (DuckDB only, see :class:`Counting`), distinct days, weeks and
    channels are counted without ``COUNT(DISTINCT ...)``; the results are the same.
    """
    return f"""
WITH params AS (
    SELECT {as_of_expr} AS as_of, unix_seconds({as_of_expr}) AS as_of_s
),
span AS (  -- how long the store has looked (a connection's date says nothing of it),
           -- and the length of the periods that span is counted in
    SELECT first_t, LEAST(GREATEST((p.as_of_s - first_t + 1) / {PERIODS}, {MIN_PERIOD_S}),
                          {MAX_PERIOD_S}) AS period_s
    FROM (SELECT COALESCE(MIN(CASE WHEN i.channel NOT IN ({sql_list(UNWATCHED_CHANNELS)})
                                   THEN unix_seconds(i.ts) END),
                          MIN(unix_seconds(i.ts))) AS first_t
          FROM interactions i CROSS JOIN params p WHERE {_counted("i.")})
    CROSS JOIN params p
),
live AS (  -- what each contact needs of its interaction, worked out once per interaction
    SELECT i.interaction_id, i.ts, unix_seconds(i.ts) AS t, i.message_id, i.in_reply_to,
           CAST(FLOOR(unix_seconds(i.ts) / 86400) AS BIGINT) AS day_no,
           CAST(FLOOR((FLOOR(unix_seconds(i.ts) / 86400) + 3) / 7) AS BIGINT) AS week_no,
           -- an older connection falls in the first period
           CAST(GREATEST(FLOOR((unix_seconds(i.ts) - sp.first_t) / sp.period_s), 0) AS BIGINT)
               AS period_no,
           {_channel_key(counting)} AS channel_key,
           COALESCE(i.duration_s, 0) AS dur_s,
           CASE WHEN i.channel = 'meeting' THEN 1 ELSE 0 END AS is_meeting,
           CASE WHEN i.channel = 'call' THEN 1 ELSE 0 END AS is_call,
           CASE WHEN i.channel IN ({sql_list(SYNCHRONOUS_CHANNELS)})
                 AND (i.duration_s IS NULL OR i.duration_s > 0) THEN 1 ELSE 0 END AS sync,
           CASE WHEN i.channel IN ({sql_list(MUTUAL_CHANNELS)})
                 AND (i.duration_s IS NULL OR i.duration_s > 0) THEN 1 ELSE 0 END AS took_part,
           CASE WHEN i.channel IN ({sql_list(UNDIRECTED_CHANNELS)}) THEN 1 ELSE 0 END AS undirected,
           CASE WHEN i.channel IN ({sql_list(UNWATCHED_CHANNELS)}) THEN 0 ELSE 1 END AS watched
    FROM interactions i CROSS JOIN params p CROSS JOIN span sp
    WHERE {_counted("i.")}
),
posts AS (  -- posts to a mailing list: contact only where one answers another (list_contacts)
    SELECT i.interaction_id, i.ts, unix_seconds(i.ts) AS t, i.message_id, i.in_reply_to,
           CAST(FLOOR(unix_seconds(i.ts) / 86400) AS BIGINT) AS day_no,
           CAST(FLOOR((FLOOR(unix_seconds(i.ts) / 86400) + 3) / 7) AS BIGINT) AS week_no,
           CAST(GREATEST(FLOOR((unix_seconds(i.ts) - sp.first_t) / sp.period_s), 0) AS BIGINT)
               AS period_no,
           {_channel_key(counting)} AS channel_key
    FROM interactions i CROSS JOIN params p CROSS JOIN span sp
    WHERE NOT i.automated AND i.bulk AND i.list_id IS NOT NULL AND {_plausible("i.")}
      AND unix_seconds(i.ts) <= p.as_of_s
),
said AS (  -- every message a reply can answer, and every reply: mail and list posts
    SELECT interaction_id, message_id, in_reply_to, t FROM live
    UNION ALL
    SELECT interaction_id, message_id, in_reply_to, t FROM posts
),
source_end AS (
    SELECT it.source_id, MAX(l.t) AS end_t
    FROM items it JOIN live l ON l.interaction_id = it.interaction_id
    GROUP BY it.source_id
),
latest_end AS (
    SELECT MAX(end_t) AS end_t FROM source_end
),
early AS (  -- interactions seen only in sources that end before the latest-ending one
    SELECT it.interaction_id, MAX(se.end_t) AS until_t
    FROM items it JOIN source_end se ON se.source_id = it.source_id
    WHERE it.interaction_id IN (
        SELECT e.interaction_id FROM items e JOIN source_end ee ON ee.source_id = e.source_id
        WHERE ee.end_t < (SELECT end_t FROM latest_end)
          AND e.interaction_id IN (SELECT interaction_id FROM live))
    GROUP BY it.interaction_id
    HAVING MAX(se.end_t) < (SELECT end_t FROM latest_end)
),
marked AS (  -- each address, and whether its person has other addresses too
    SELECT address, person_id, CASE WHEN automated THEN 1 ELSE 0 END AS automated,
           COUNT(*) OVER (PARTITION BY person_id) > 1 AS shared
    FROM identities
),
appearances AS (
    SELECT pt.interaction_id, d.person_id, {_ROLE_RANK} AS role_rank, d.automated, d.shared
    FROM participants pt
    JOIN marked d ON d.address = pt.address
),
who AS (  -- each person once per interaction, in their most direct role
    -- The store holds an address at most once per interaction, so only a person with
    -- several addresses can appear twice: only their rows need grouping.
    SELECT interaction_id, person_id, role_rank, automated FROM appearances WHERE NOT shared
    UNION ALL
    SELECT interaction_id, person_id, MIN(role_rank), MAX(automated)
    FROM appearances WHERE shared
    GROUP BY interaction_id, person_id
),
senders AS (
    SELECT interaction_id, person_id FROM who WHERE role_rank = 0 AND automated = 0
),
recipients AS (
    SELECT interaction_id, person_id, role_rank, automated,
           COUNT(*) OVER (PARTITION BY interaction_id) AS n
    FROM who WHERE role_rank BETWEEN 1 AND 3
),
replied AS (  -- reply and original first: few messages are replies, logs may have none
    SELECT r.interaction_id, r.t - o.t AS latency_s, o.interaction_id AS original_id
    FROM said r
    JOIN said o ON o.message_id = r.in_reply_to
    WHERE r.in_reply_to IS NOT NULL AND o.message_id IS NOT NULL
),
answers AS (
    SELECT a.interaction_id, rs.person_id AS replier, os.person_id AS original_sender,
           MAX(a.latency_s) AS latency_s
    FROM replied a
    JOIN senders rs ON rs.interaction_id = a.interaction_id
    JOIN senders os ON os.interaction_id = a.original_id
    WHERE rs.person_id <> os.person_id
    GROUP BY a.interaction_id, rs.person_id, os.person_id
),
list_contacts AS (  -- a reply on a list: from the replier to the author they answer, the
    -- list itself aside; counted as a message to two (the author and the list)
    SELECT a.replier AS src, a.original_sender AS dst, CAST(2 AS BIGINT) AS n, l.ts, l.day_no,
           l.week_no, l.period_no, l.channel_key, CAST(0 AS DOUBLE) AS dur_s, 0 AS is_meeting,
           0 AS is_call, 0 AS sync, 0 AS took_part, 0 AS undirected, 1 AS watched,
           CAST(1.0 AS DOUBLE) / 2 AS w
    FROM answers a JOIN posts l ON l.interaction_id = a.interaction_id
),
contacts AS (
    SELECT s.person_id AS src, r.person_id AS dst, r.n, l.ts, l.day_no, l.week_no, l.period_no,
           l.channel_key,
           l.dur_s, l.is_meeting, l.is_call, l.sync, l.took_part, l.undirected, l.watched,
           CAST(CASE WHEN r.role_rank = 1 THEN 1.0 ELSE {CC_FACTOR} END AS DOUBLE) / r.n AS w
    FROM live l
    JOIN senders s ON s.interaction_id = l.interaction_id
    JOIN recipients r ON r.interaction_id = l.interaction_id
    WHERE r.automated = 0
    UNION ALL
    SELECT * FROM list_contacts
),
pairs AS (
    SELECT LEAST(src, dst) AS person_a, GREATEST(src, dst) AS person_b,
           SUM(CASE WHEN src < dst THEN 1 ELSE 0 END) AS messages_ab,
           SUM(CASE WHEN src > dst THEN 1 ELSE 0 END) AS messages_ba,
           SUM(CASE WHEN src < dst THEN w ELSE 0 END) AS weighted_ab,
           SUM(CASE WHEN src > dst THEN w ELSE 0 END) AS weighted_ba,
           SUM(w * dur_s) / 60 AS weighted_minutes,
           SUM(CASE WHEN n = 1 THEN 1 ELSE 0 END) AS one_to_one,
           SUM(CASE WHEN n >= {GROUP_MIN_RECIPIENTS} THEN 1 ELSE 0 END) AS in_groups,
           {_distinct_counts(counting)}
           MIN(ts) AS first_contact, MAX(ts) AS last_contact,
           SUM(is_meeting) AS meetings, SUM(is_meeting * dur_s) / 60 AS meeting_minutes,
           SUM(is_call) AS calls, SUM(is_call * dur_s) / 60 AS call_minutes,
           SUM(sync) AS synchronous,
           SUM(took_part) AS took_part,
           SUM(undirected) AS undirected,
           SUM(watched) AS watched,
           SUM(CASE WHEN src < dst THEN undirected ELSE 0 END) AS undirected_ab,
           SUM(CASE WHEN src > dst THEN undirected ELSE 0 END) AS undirected_ba
    FROM contacts
    GROUP BY LEAST(src, dst), GREATEST(src, dst)
),
early_who AS (  -- who took part in interactions seen only in early-ending sources
    SELECT w.interaction_id, w.person_id, w.role_rank, w.automated, e.until_t
    FROM who w JOIN early e ON e.interaction_id = w.interaction_id
),
early_pairs AS (  -- per pair, its contacts in such interactions and when they were last seen
    SELECT LEAST(s.person_id, r.person_id) AS person_a,
           GREATEST(s.person_id, r.person_id) AS person_b,
           COUNT(*) AS messages, MAX(s.until_t) AS until_t
    FROM early_who s JOIN early_who r ON r.interaction_id = s.interaction_id
    WHERE s.role_rank = 0 AND s.automated = 0
      AND r.role_rank BETWEEN 1 AND 3 AND r.automated = 0
    GROUP BY LEAST(s.person_id, r.person_id), GREATEST(s.person_id, r.person_id)
),
replies AS (
    SELECT LEAST(replier, original_sender) AS person_a,
           GREATEST(replier, original_sender) AS person_b,
           SUM(CASE WHEN replier < original_sender THEN 1 ELSE 0 END) AS replies_ab,
           SUM(CASE WHEN replier > original_sender THEN 1 ELSE 0 END) AS replies_ba,
           PERCENTILE_CONT(0.5) WITHIN GROUP (
               ORDER BY CASE WHEN latency_s >= 0 THEN latency_s / 3600 END
           ) AS reply_latency_h
    FROM answers
    GROUP BY LEAST(replier, original_sender), GREATEST(replier, original_sender)
),
two_way AS (  -- a pair seen only in early-ending sources is seen until the latest of them
    SELECT p.*, unix_seconds(p.first_contact) AS first_t, unix_seconds(p.last_contact) AS last_t,
           CASE WHEN e.messages = p.messages_ab + p.messages_ba THEN e.until_t
                ELSE (SELECT end_t FROM latest_end) END AS until_t,
           p.messages_ab - p.undirected_ab + p.undirected AS reach_ab,
           p.messages_ba - p.undirected_ba + p.undirected AS reach_ba
    FROM pairs p
    LEFT JOIN early_pairs e ON e.person_a = p.person_a AND e.person_b = p.person_b
)
SELECT w.person_a, w.person_b,
       CAST(w.messages_ab AS BIGINT) AS messages_ab,
       CAST(w.messages_ba AS BIGINT) AS messages_ba,
       CAST(w.messages_ab + w.messages_ba AS BIGINT) AS messages,
       w.weighted_ab, w.weighted_ba, w.weighted_minutes,
       w.one_to_one / (w.messages_ab + w.messages_ba) AS one_to_one_share,
       w.in_groups / (w.messages_ab + w.messages_ba) AS group_share,
       w.active_days, w.active_weeks, w.active_periods, span.period_s / 86400 AS period_days,
       w.first_contact, w.last_contact,
       -- what the store watched of it: an older connection dates the tie, not its history
       GREATEST(w.last_t - GREATEST(w.first_t, span.first_t), 0) / 86400 AS duration_days,
       (LEAST(params.as_of_s, COALESCE(w.until_t, params.as_of_s)) - w.last_t
        + GREATEST(0, params.as_of_s - COALESCE((SELECT end_t FROM latest_end), params.as_of_s)))
           / 86400 AS recency_days,
       params.as_of AS as_of,
       (params.as_of_s - span.first_t) / 86400 AS observed_days,
       CASE WHEN GREATEST(w.reach_ab, w.reach_ba) = 0 THEN CAST(0 AS DOUBLE)
            ELSE LEAST(w.reach_ab, w.reach_ba) / GREATEST(w.reach_ab, w.reach_ba)
       END AS balance,
       (w.reach_ab > 0 AND w.reach_ba > 0) OR w.took_part > 0 AS two_way,
       CAST(w.meetings AS BIGINT) AS meetings, w.meeting_minutes,
       CAST(w.calls AS BIGINT) AS calls, w.call_minutes,
       w.channels, CAST(w.synchronous AS BIGINT) AS synchronous,
       CAST(w.watched AS BIGINT) AS watched_contacts,
       CAST(COALESCE(r.replies_ab, 0) AS BIGINT) AS replies_ab,
       CAST(COALESCE(r.replies_ba, 0) AS BIGINT) AS replies_ba,
       r.reply_latency_h,
       CAST(NULL AS BIGINT) AS mutual_contacts,
       CAST(NULL AS DOUBLE) AS overlap
FROM two_way w
CROSS JOIN params
CROSS JOIN span
LEFT JOIN replies r ON r.person_a = w.person_a AND r.person_b = w.person_b
"""
