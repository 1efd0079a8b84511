"""Labelled tie data turned into weakties interaction logs, and the AUC of a score.

Two public data sets say, independently of the interactions, which pairs are close
(see ``../shared/data/labelled-ties/README.md``):

* **MIT Social Evolution** (a student dormitory, 2008-2009; Madan et al. 2012): the
  calls and SMS between participants, and six survey waves in which each resident
  named their close friends. A pair is *close* when either side named the other
  ``CloseFriend`` in the survey wave nearest the end of the log; a pair neither of
  whose people answered that wave has no label and is left out.
* **SocioPatterns InVS15** (an office building in France, two weeks of 2015; Génois
  et al. 2015, Génois & Barrat 2018): face-to-face contacts sensed every 20 s, and
  each person's department. A pair is *close* when both work in the same department:
  organisational, not friendship, ground truth.

Each loader writes the log a real system would have given weakties (the README's
"Interaction logs" columns) and returns the labels keyed by the pair of ids as the
log spells them. :func:`auc` is the rank (Mann-Whitney) AUC with ties counted half.

Used by ``bench/labelled_ties.py`` and ``tests/test_tie_strength_labelled.py``.
"""

from __future__ import annotations

import csv
import gzip
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

Pair = tuple[str, str]
HEADER = ("timestamp", "channel", "sender", "recipients", "duration_s", "interaction_id")

MIT_STUDY_START = datetime(2008, 9, 1, tzinfo=UTC)
"""Rows dated before this are clock errors: the phones were handed out for the study,
whose first survey wave is 2008-09-09 (the SMS log has a few rows dated 2008-01-01)."""

MIT_DURATION_UNKNOWN = 32767
"""A call duration of 2**15 - 1 s (331 calls) is a counter's ceiling, not a nine-hour
call: such calls are logged without a duration."""

SMS_SAME_SECONDS = 2
"""Two SMS records of one sender to one recipient whose times differ by a whole number
of hours (0 to :data:`SMS_MAX_SHIFT_H`) give or take this many seconds are one message:
the same message logged by both phones, or again by one phone with its clock shifted
by whole hours: the log has runs of one message at t, t + 1 h, t + 2 h ... Between
participants, pairs of records of one sender and recipient lie a whole number of hours
apart to the second 345, 1791, 901, 1345, 438, 124, 186 and 44 times for 0 to 7 hours,
and never for 8 to 13 hours; at 100-200 s off a whole hour, 1 to 10 per 5 s."""

SMS_MAX_SHIFT_H = 7

INVS_START = datetime(2015, 6, 22, tzinfo=timezone(timedelta(hours=2)))
"""The file gives seconds from the start of the study, not dates. Its days 5 and 6
(from 0) are empty, so day 0 is a Monday; the log starts at a Monday midnight of
2015, Paris summer time. Only weekday and time of day can matter to the features."""

INVS_STEP_S = 20
"""The sensors' resolution: a row ``t i j`` says i and j faced each other during the
20 s before ``t``."""


@dataclass(frozen=True, slots=True)
class LabelledLog:
    """An interaction log written for weakties, and what the data say about its pairs."""

    name: str
    log: Path
    labels: dict[Pair, bool]  # sorted pair of ids -> close
    rows: int  # interactions written
    note: str


def pair(a: str, b: str) -> Pair:
    """The key of an unordered pair."""
    return (a, b) if a <= b else (b, a)


def auc(scores: Sequence[float] | NDArray[np.float64], labels: Sequence[bool]) -> float:
    """Probability that a random positive outscores a random negative (ties count half).

    The Mann-Whitney statistic from mid-ranks; NaN when either class is empty.
    """
    x = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=np.bool_)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(x.size, dtype=np.float64)
    sorted_x = x[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_x)) + 1]
    ends = np.r_[starts[1:], x.size]
    mid = (starts + ends + 1) / 2.0  # 1-based mid-rank of each run of equal values
    ranks[order] = np.repeat(mid, ends - starts)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


# --- MIT Social Evolution ---------------------------------------------------------------


def _csv_rows(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        return [row for row in reader if row]


def _mit_time(text: str) -> datetime | None:
    """The logs' times are UTC (calls peak at 02-04 UTC, late evening in Boston)."""
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC)
    except ValueError:
        return None


def _mit_id(raw: str) -> str | None:
    """A participant's id in the log; None for a blank or malformed one."""
    text = raw.strip()
    return f"mit{int(text)}" if text.isdigit() else None


def _mit_calls(folder: Path) -> list[tuple[datetime, str, str, str, str]]:
    """Calls between two participants, as (time, channel, caller, callee, duration)."""
    out = []
    for user, stamp, duration, dest, *_ in _csv_rows(folder / "Calls.csv.gz"):
        when, caller, callee = _mit_time(stamp), _mit_id(user), _mit_id(dest)
        if caller is None or callee is None or caller == callee:
            continue  # a call outside the study (no participant id), or to oneself
        if when is None or when < MIT_STUDY_START or not duration.strip().isdigit():
            continue
        seconds = "" if int(duration) == MIT_DURATION_UNKNOWN else str(int(duration))
        out.append((when, "call", caller, callee, seconds))
    return out


def _mit_sms(folder: Path) -> list[tuple[datetime, str, str, str, str]]:
    """SMS between two participants, each message once (see :data:`SMS_SAME_SECONDS`)."""
    times: dict[Pair, set[int]] = defaultdict(set)  # (sender, recipient) -> Unix seconds
    for user, stamp, incoming, dest, *_ in _csv_rows(folder / "SMS.csv.gz"):
        when, own, other = _mit_time(stamp), _mit_id(user), _mit_id(dest)
        if own is None or other is None or own == other:
            continue
        if when is None or when < MIT_STUDY_START:
            continue
        sender, recipient = (other, own) if incoming.strip() == "1" else (own, other)
        times[(sender, recipient)].add(int(when.timestamp()))
    return [
        (datetime.fromtimestamp(t, UTC), "sms", sender, recipient, "")
        for (sender, recipient), seen in times.items()
        for t in _distinct_messages(sorted(seen))
    ]


def _distinct_messages(times: list[int]) -> list[int]:
    """The earliest record of each message among one directed pair's sorted times."""
    kept: list[int] = []
    shifts = [h * 3600 for h in range(SMS_MAX_SHIFT_H + 1)]
    for t in times:
        lo = bisect_left(kept, t - shifts[-1] - SMS_SAME_SECONDS)
        if not any(abs(t - k - s) <= SMS_SAME_SECONDS for k in kept[lo:] for s in shifts):
            kept.append(t)
    return kept


def _mit_labels(folder: Path, end: datetime) -> tuple[dict[Pair, bool], str]:
    """Close friends in the survey wave nearest ``end``; pairs with a respondent only."""
    said: list[tuple[str, str, str, str]] = []  # (who, about whom, relationship, wave)
    for row in _csv_rows(folder / "RelationshipsFromSurveys.csv.gz"):
        a, b = _mit_id(row[0]), _mit_id(row[1])
        if a is not None and b is not None and a != b and len(row) >= 4:
            said.append((a, b, row[2], row[3]))
    waves = sorted({w for *_, w in said})
    wave = min(waves, key=lambda w: abs(datetime.fromisoformat(w).replace(tzinfo=UTC) - end))
    answered = {a for a, _, _, w in said if w == wave}
    close = {pair(a, b) for a, b, kind, w in said if w == wave and kind == "CloseFriend"}
    subjects = {_mit_id(row[0]) for row in _csv_rows(folder / "Subjects.csv.gz")}
    people = sorted({p for p in subjects if p is not None} | answered)
    labels = {
        pair(a, b): pair(a, b) in close
        for k, a in enumerate(people)
        for b in people[k + 1 :]
        if a in answered or b in answered
    }
    return labels, wave


def mit_log(folder: Path, out: Path) -> LabelledLog:
    """Write the MIT calls and SMS between participants as a log; label the pairs."""
    rows = sorted(_mit_calls(folder) + _mit_sms(folder))
    _write(out, rows)
    labels, wave = _mit_labels(folder, rows[-1][0])
    note = (
        f"calls and SMS {rows[0][0]:%Y-%m-%d} to {rows[-1][0]:%Y-%m-%d}; CloseFriend, wave {wave}"
    )
    return LabelledLog("mit-social-evolution", out, labels, len(rows), note)


# --- SocioPatterns InVS15 ---------------------------------------------------------------


def _invs_contacts(path: Path) -> list[tuple[datetime, str, str, str, str]]:
    """Back-to-back 20 s rows of a pair merged into one contact with its duration."""
    by_pair: dict[Pair, list[int]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            fields = line.split()
            if len(fields) >= 3:
                t, i, j = int(fields[0]), f"invs{int(fields[1])}", f"invs{int(fields[2])}"
                by_pair[pair(i, j)].append(t)
    out = []
    for (a, b), times in by_pair.items():
        for start, end in _runs(sorted(set(times))):
            when = INVS_START + timedelta(seconds=start - INVS_STEP_S)
            out.append((when, "in_person", a, b, str(end - start + INVS_STEP_S)))
    return out


def _runs(times: Iterable[int]) -> list[tuple[int, int]]:
    """Maximal runs of times ``INVS_STEP_S`` apart, as (first, last)."""
    runs: list[tuple[int, int]] = []
    for t in times:
        if runs and t - runs[-1][1] == INVS_STEP_S:
            runs[-1] = (runs[-1][0], t)
        else:
            runs.append((t, t))
    return runs


def invs_log(folder: Path, out: Path) -> LabelledLog:
    """Write the InVS15 contacts as an ``in_person`` log; label pairs by department."""
    rows = sorted(_invs_contacts(folder / "workplace_InVS15_tij.dat.gz"))
    _write(out, rows)
    department: dict[str, str] = {}
    for line in (folder / "workplace_InVS15_metadata.txt").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 2:
            department[f"invs{int(fields[0])}"] = fields[1]
    people = sorted(department)
    labels = {
        pair(a, b): department[a] == department[b]
        for k, a in enumerate(people)
        for b in people[k + 1 :]
    }
    note = "face-to-face contacts (20 s rows merged); same department"
    return LabelledLog("sociopatterns-invs15", out, labels, len(rows), note)


def _write(out: Path, rows: list[tuple[datetime, str, str, str, str]]) -> None:
    """Write rows as a log; the interaction id makes a repeated row one interaction."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for when, channel, sender, recipient, seconds in rows:
            stamp = when.isoformat()
            key = f"{channel}:{sender}:{recipient}:{int(when.timestamp())}:{seconds}"
            writer.writerow((stamp, channel, sender, recipient, seconds, key))
