"""Nudges: whom to get in touch with now, why, and the lightest touch that will do.

Four reasons to reach out (cadences first, then the other kinds in turn):

1. **cadence**: the user asked to be in touch with the person (or their organisation,
   or their community) at least every so many days, and that time has passed;
2. **fading bridge**: an active tie that is not strong, links the user to people they
   do not otherwise reach (no contacts in common, or a tie between communities), and
   is more likely than not to go silent over the next 90 days (Burt 2000: bridges decay
   fastest, and they are where new information comes from);
3. **overdue**: a tie with a rhythm (at least :data:`RHYTHM_MIN_DAYS` days of contact)
   silent for :data:`OVERDUE_RATIO` times its usual gap or more;
4. **dormant**: a tie that was two-way and is now silent, to a community or an
   organisation the user no longer reaches through anyone: reconnecting such ties
   brings more novel knowledge than active ties do (Levin, Walter & Murnighan 2011).

The touch suggested is always the light one: frequency over intensity. A short note
every few weeks keeps a tie alive; a long lunch once a year does not.

Any new interaction with the person resets their clocks (the features are recomputed)
and lifts a snooze set before it. ``done`` records an outreach and starts a cooldown;
a person who left :data:`UNANSWERED_LIMIT` outreaches in a row unanswered is not
nudged again. At most ``per_day`` people are nudged a day: the day's nudges are
recorded, and running the command again the same day shows the same people.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from weakties.insights.fading import MIN_PROBABILITY, Viewer, active_ties, viewer
from weakties.store import followups as facts
from weakties.store.db import arrow
from weakties.store.reads import ORGANISATION
from weakties.ties import fading as model

PER_DAY = 5
"""Nudges a day by default: a handful a user can act on in a few minutes."""

COOLDOWN_DAYS = 21
"""After an outreach, the person is not nudged for three weeks (or their cadence, when
shorter): "a short note every few weeks"."""

UNANSWERED_LIMIT = 3
"""Outreaches in a row without an answer after which a person is no longer nudged."""

RHYTHM_MIN_DAYS = 4
"""Days of contact a tie needs before its mean gap is a rhythm to be overdue against."""

OVERDUE_RATIO = 2.0
"""Silence of this many usual gaps makes a tie overdue."""

OVERDUE_MAX_DAYS = 365.0
"""Past a year of silence a tie is no longer overdue but dormant."""

KINDS = ("cadence", "fading-bridge", "overdue", "dormant")

TOUCH = {
    "cadence": "a short check-in: two lines by message or mail, no meeting needed",
    "fading-bridge": "a two-line note, or pass on something useful to them (an article, "
    "a lead, an introduction); no meeting needed",
    "overdue": "a quick message on the channel you usually use; no need to catch up on everything",
    "dormant": "a one-line hello that recalls your last exchange; no ask the first time",
}
"""The lightest useful touch for each kind of nudge."""

NUDGE_COLUMNS = (
    "person", "organisation", "kind", "reason", "touch", "probability", "silent_days",
    "last_contact", "due", "person_id", "address",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Nudge:
    """One person to get in touch with, and why."""

    person_id: int
    person: str
    address: str
    organisation: str | None
    kind: str
    reason: str
    touch: str
    probability: float | None
    silent_days: float
    last_contact: datetime | None
    due: date
    urgency: float  # orders nudges of one kind
    cadence_days: int | None = None  # the cadence behind a cadence nudge


_MINE = f"""
SELECT t.other AS person_id, t.other_name AS person, p.primary_address AS address,
       p.org_domain AS org_key, {ORGANISATION} AS organisation, m.community_id,
       c.label AS community,
       t.band, t.strength, t.recency_days, t.active_days, t.duration_days, t.two_way,
       coalesce(t.is_bridge, false) OR coalesce(t.cross_community, false) AS bridging,
       t.mutual_contacts, t.explanation, t.last_contact
FROM (
    SELECT CASE WHEN person_a = $me THEN person_b ELSE person_a END AS other,
           CASE WHEN person_a = $me THEN name_b ELSE name_a END AS other_name, *
    FROM ties WHERE $me IN (person_a, person_b)
) t
JOIN people p ON p.person_id = t.other
LEFT JOIN organisations orgs ON orgs.org_domain = p.org_domain
LEFT JOIN person_metrics m ON m.person_id = t.other
LEFT JOIN communities c ON c.community_id = m.community_id
WHERE NOT p.automated
"""


def candidates(con: duckdb.DuckDBPyConnection, who: Viewer, today: date) -> list[Nudge]:
    """Every nudge that applies to the owner today, before the day's limit, in the order
    they are offered; at most one per person (their most pressing reason)."""
    assert who.person_id is not None
    mine = arrow(con, _MINE, {"me": who.person_id}).to_pylist()
    risks = _risks(con, who.person_id)
    every = _cadence_days(con, who.person_id, mine)
    reached = _reached(mine)
    found: dict[int, Nudge] = {}
    for tie in mine:
        for nudge in _nudges(tie, risks.get(int(tie["person_id"])), every, reached, today):
            best = found.get(nudge.person_id)
            if best is None or _rank(nudge) < _rank(best):
                found[nudge.person_id] = nudge
    return _interleaved(sorted(found.values(), key=_rank))


def _interleaved(ranked: list[Nudge]) -> list[Nudge]:
    """Cadences first (the user asked for them), then the other kinds in turn, each
    kind's most pressing first: a day's handful mixes a fading bridge, an overdue
    rhythm and a dormant tie rather than five of one kind."""
    place: dict[str, int] = {}
    keyed = []
    for n in ranked:
        k = place.get(n.kind, 0)
        place[n.kind] = k + 1
        keyed.append(((n.kind != "cadence", k if n.kind != "cadence" else 0), n))
    return [n for _, n in sorted(keyed, key=lambda kn: (*kn[0], _rank(kn[1])))]


def nudges(
    con: duckdb.DuckDBPyConnection,
    *,
    as_owner: str | None = None,
    today: date,
    per_day: int = PER_DAY,
    record: bool = True,
) -> list[Nudge]:
    """Today's nudges: those shown earlier today that still apply, then the most
    pressing others until ``per_day`` people have been nudged today. With ``record``
    the new ones are recorded as shown."""
    who = viewer(con, as_owner, required=True)
    assert who.person_id is not None
    state = facts.followups(con, who.person_id)
    open_now = [
        n for n in candidates(con, who, today) if _allowed(n, state.get(n.person_id), today)
    ]
    shown = facts.shown_on(con, who.person_id, today)
    earlier = sorted(
        (n for n in open_now if n.person_id in shown), key=lambda n: shown.index(n.person_id)
    )
    fresh = [n for n in open_now if n.person_id not in shown][: max(per_day - len(shown), 0)]
    if record and fresh:
        owner = facts.primary_address(con, who.person_id) or ""
        facts.mark_shown(con, owner, today, [(n.address, n.kind) for n in fresh])
    return earlier + fresh


def as_table(found: list[Nudge]) -> pa.Table:
    """Nudges as an Arrow table in the columns of :data:`NUDGE_COLUMNS`."""
    rows: list[dict[str, Any]] = [{c: getattr(n, c) for c in NUDGE_COLUMNS} for n in found]
    schema = pa.schema(
        [
            ("person", pa.string()), ("organisation", pa.string()), ("kind", pa.string()),
            ("reason", pa.string()), ("touch", pa.string()), ("probability", pa.float64()),
            ("silent_days", pa.float64()), ("last_contact", pa.timestamp("us", tz="UTC")),
            ("due", pa.date32()), ("person_id", pa.int64()), ("address", pa.string()),
        ]
    )  # fmt: skip
    return pa.Table.from_pylist(rows, schema=schema)


def _allowed(n: Nudge, state: facts.Followup | None, today: date) -> bool:
    """Not snoozed (unless they were in touch since), not cooling down after an
    outreach, and not left unanswered too often."""
    if state is None:
        return True
    if state.unanswered >= UNANSWERED_LIMIT:
        return False
    if state.snoozed_until is not None and state.snoozed_until > today:
        newer = (
            n.last_contact is not None
            and state.snoozed_at is not None
            and (n.last_contact > state.snoozed_at)
        )
        if not newer:
            return False
    if state.last_done is not None:
        cool = min(COOLDOWN_DAYS, n.cadence_days or COOLDOWN_DAYS)
        if state.last_done.date() + timedelta(days=cool) > today:
            return False
    return True


def _rank(n: Nudge) -> tuple[int, float, int]:
    return (KINDS.index(n.kind), -n.urgency, n.person_id)


def _risks(con: duckdb.DuckDBPyConnection, me: int) -> dict[int, dict[str, Any]]:
    table = active_ties(con, me)
    cols = ["person_b", "probability", "usual_gap_days", "overdue", "why"]
    return {int(r["person_b"]): r for r in table.select(cols).to_pylist()}


def _cadence_days(
    con: duckdb.DuckDBPyConnection, me: int, mine: list[dict[str, Any]]
) -> dict[int, tuple[int, str]]:
    """For each person, the shortest cadence that applies and where it comes from."""
    found: dict[int, tuple[int, str]] = {}
    anchors = _anchors(con, me)
    for c in facts.cadences(con, me):
        for tie in mine:
            label = _applies(c, tie, anchors)
            pid = int(tie["person_id"])
            if label and (pid not in found or c.days < found[pid][0]):
                found[pid] = (c.days, label)
    return found


def _anchors(con: duckdb.DuckDBPyConnection, me: int) -> dict[str, tuple[int | None, int | None]]:
    """Each address a cadence names: its person and their community."""
    rows = con.execute(
        """
        SELECT i.address, i.person_id, m.community_id FROM cadences c
        JOIN identities o ON o.address = c.owner AND o.person_id = ?
        JOIN identities i ON i.address = c.target
        LEFT JOIN person_metrics m ON m.person_id = i.person_id
        """,
        [me],
    ).fetchall()
    return {str(a): (int(p), None if k is None else int(k)) for a, p, k in rows}


def _applies(c: facts.Cadence, tie: dict[str, Any], anchors: dict[str, Any]) -> str | None:
    if c.kind == "organisation":
        return f"organisation {c.target}" if tie["org_key"] == c.target else None
    person, community = anchors.get(c.target, (None, None))
    if c.kind == "person":
        return "this person" if person == tie["person_id"] else None
    if community is not None and community == tie["community_id"]:
        return f"community {tie['community'] or community}"
    return None


def _reached(mine: list[dict[str, Any]]) -> tuple[set[str], set[int]]:
    """The organisations and communities the owner is in touch with now."""
    now = [t for t in mine if t["recency_days"] <= model.HORIZON_DAYS and t["two_way"]]
    orgs = {str(t["org_key"]) for t in now if t["org_key"]}
    groups = {int(t["community_id"]) for t in now if t["community_id"] is not None}
    return orgs, groups


def _nudges(
    tie: dict[str, Any],
    risk: dict[str, Any] | None,
    every: dict[int, tuple[int, str]],
    reached: tuple[set[str], set[int]],
    today: date,
) -> list[Nudge]:
    out = []
    pid = int(tie["person_id"])
    if pid in every:
        out += _cadence(tie, risk, *every[pid], today)
    if risk is not None:
        out += _fading_bridge(tie, risk, today) + _overdue(tie, risk, today)
    out += _dormant(tie, reached, today)
    return out


def _make(tie: dict[str, Any], kind: str, reason: str, urgency: float, *,
          probability: float | None, due: date) -> Nudge:  # fmt: skip
    return Nudge(
        person_id=int(tie["person_id"]),
        person=str(tie["person"]),
        address=str(tie["address"]),
        organisation=tie["organisation"],
        kind=kind,
        reason=reason,
        touch=TOUCH[kind],
        probability=probability,
        silent_days=float(tie["recency_days"]),
        last_contact=tie["last_contact"],
        due=due,
        urgency=urgency,
    )


def _cadence(tie: dict[str, Any], risk: dict[str, Any] | None, days: int, label: str,
             today: date) -> list[Nudge]:  # fmt: skip
    silent = float(tie["recency_days"])
    if silent < days:
        return []
    reason = f"you wanted to be in touch every {days} days ({label}); last contact {_ago(silent)}"
    p = None if risk is None else float(risk["probability"])
    made = _make(tie, "cadence", reason, silent / days, probability=p, due=today)
    return [replace(made, cadence_days=days)]


def _fading_bridge(tie: dict[str, Any], risk: dict[str, Any], today: date) -> list[Nudge]:
    p = float(risk["probability"])
    alone = not tie["mutual_contacts"]
    if p < MIN_PROBABILITY or tie["band"] == "strong" or not (alone or tie["bridging"]):
        return []
    link = "you share no contacts with them" if alone else "it links you to another community"
    if tie["community"] and not alone:
        link = f"it links you to {tie['community']}"
    reason = f"{p:.0%} likely to go silent in the next 90 days ({risk['why']}); {link}"
    return [_make(tie, "fading-bridge", reason, p, probability=p, due=today)]


def _overdue(tie: dict[str, Any], risk: dict[str, Any], today: date) -> list[Nudge]:
    ratio, gap = float(risk["overdue"]), float(risk["usual_gap_days"])
    if tie["active_days"] < RHYTHM_MIN_DAYS or not tie["two_way"] or ratio < OVERDUE_RATIO:
        return []
    reason = (
        f"usually in touch every {round(gap)} days; silent for "
        f"{round(float(tie['recency_days']))} days ({ratio:.1f}x the usual gap)"
    )
    p = float(risk["probability"])
    return [_make(tie, "overdue", reason, ratio, probability=p, due=today)]


def _dormant(tie: dict[str, Any], reached: tuple[set[str], set[int]], today: date) -> list[Nudge]:
    silent = float(tie["recency_days"])
    was_real = tie["two_way"] and tie["active_days"] >= 2
    if not was_real or (tie["band"] != "dormant" and silent <= OVERDUE_MAX_DAYS):
        return []
    orgs, groups = reached
    novel = []
    if tie["org_key"] and tie["org_key"] not in orgs:
        novel.append(f"nobody at {tie['organisation']}")
    if tie["community_id"] is not None and int(tie["community_id"]) not in groups:
        novel.append(f"nobody in {tie['community'] or 'their community'}")
    if not novel:
        return []
    reason = f"{tie['explanation']}; {' and '.join(novel)} is in touch with you now"
    return [_make(tie, "dormant", reason, float(tie["active_days"]), probability=None, due=today)]


def _ago(days: float) -> str:
    n = round(days)
    return "today" if n == 0 else f"{n} day{'' if n == 1 else 's'} ago"
