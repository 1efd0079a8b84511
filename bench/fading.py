"""Does ``weakties fading`` know which ties are about to go silent?

On the email-Eu stream (Benson et al. 2018's e-mails, logged on the ``exchange``
channel), at reference days 180, 270, ..., 630 from its first e-mail with 90-day
windows: over the ties active in the 90 days before a reference day (last contact in
that window), the event is *no contact in the 90 days after it*. Every figure comes
from weakties' own pipeline: the store is built by ``api.ingest``, the ties by the
features query as of each day, mutual contacts by the graph layer over the ties of
that day, the probability by :mod:`weakties.ties.fading`.

Scores compared in the same run (AUC, pooled over reference days):

- ``model``: the fading probability;
- ``recency``: days since the last contact alone;
- ``overdue``: the tie's own overdue ratio (silence over its usual gap between days
  of contact).

Calibration: the Brier score of the model, and of recency alone turned into a
probability by a logistic fit on the same ties (which favours the baseline), and the
model's reliability table (ten bins of predicted probability: ties, mean predicted,
share that went silent).

The email-Eu stream has no e-mail at all from day 528 to day 796: at day 540 every
active tie "goes silent" because the log does, and at day 630 no tie is active.
Figures are given over every reference day (``all``) and over the reference days
whose next window the log observes, i.e. holds any record (``observed``); the fit
uses the observed ones.

``--data mit`` validates on the MIT Social Evolution calls and text messages with
30-day windows (reference days 60, 90, ... while a full window follows), without
refitting; ``--data departments`` on SNAP's directed email-Eu department logs.
``--fit`` refits the model on the observed windows and prints its coefficients (the
ones stored in weakties/ties/fading.py came from it), then the same figures for the
refitted model and, out of time, a fit on reference days 180-360 judged on day 450.

Prints one JSON object. Usage: ``python bench/fading.py [--data eu|mit|departments]
[--fit] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import (
    EMAIL_EU,
    LABELLED,
    Email,
    email_eu,
    email_eu_departments,
    mit_calls,
    mit_sms,
    write_log,
)
from weakties import api
from weakties.config import Settings
from weakties.graph import common_neighbours, from_ties
from weakties.identity.rebuild import rebuild_people_if_stale
from weakties.store import connect
from weakties.ties import fading as model
from weakties.ties import tie_features

Loader = Callable[[], list[tuple[str, list[Email]]]]
DATA: dict[str, tuple[Loader, int]] = {
    "eu": (lambda: [("exchange", email_eu())], 90),
    "departments": (lambda: [("email", email_eu_departments())], 90),
    "mit": (lambda: [("call", mit_calls()), ("sms", mit_sms())], 30),
}
NEEDS = {"eu": EMAIL_EU, "departments": EMAIL_EU.parent, "mit": LABELLED}
BINS = 10


@dataclass(frozen=True, slots=True)
class Window:
    """The active ties at one reference day: their inputs and whether they went silent."""

    day: int
    observed: bool  # the log holds records in the window after the day
    inputs: model.FadingInputs
    silent: np.ndarray


def build_store(work: Path, logs: list[tuple[str, list[Email]]]) -> Path:
    """Ingest the logs into a new store in ``work`` (kept when it is already there)."""
    db = work / "store.duckdb"
    if not db.exists():
        paths = []
        for channel, mails in logs:
            path = work / f"{channel}.csv"
            write_log(path, mails, channel)
            paths.append(path)
        api.ingest(Settings(db_path=db), paths)
    return db


def windows(
    db: Path, start: int, end: int, horizon: int, days_with_records: set[int]
) -> list[Window]:
    """The active ties at each reference day 2h, 3h, ... (h the horizon in days) while a
    whole window follows it before the log's end."""
    con = connect(db)
    try:
        rebuild_people_if_stale(con)
        span = (end - start) / 86400
        found = []
        for day in range(2 * horizon, int(span) - horizon + 1, horizon):
            at = {k: _features(con, start + (day + k * horizon) * 86400) for k in (-1, 0, 1)}
            observed = any(day < d <= day + horizon for d in days_with_records)
            found.append(_window(day, observed, at[-1], at[0], at[1], horizon))
        return found
    finally:
        con.close()


def _features(con: Any, t: int) -> Any:
    return tie_features(con, datetime.fromtimestamp(t, UTC))


def _window(day: int, observed: bool, before: Any, now: Any, after: Any, horizon: int) -> Window:
    g = from_ties(
        now.column("person_a").to_numpy(), now.column("person_b").to_numpy(), np.ones(now.num_rows)
    )
    mutual = common_neighbours(g)  # edge i is tie i
    now = now.drop_columns(["mutual_contacts"]).append_column(
        "mutual_contacts", pa.array(mutual.astype(np.float64))
    )
    inputs = model.inputs_from(now, before)
    later = model.lookup(now, after, "messages")
    silent = later == now.column("messages").to_numpy().astype(np.float64)
    active = inputs.recency_days <= horizon
    kept = model.FadingInputs(*(np.asarray(v)[active] for v in _fields(inputs)))
    return Window(day, observed, kept, silent[active].astype(np.float64))


def _fields(inputs: model.FadingInputs) -> list[np.ndarray]:
    return [getattr(inputs, f) for f in model.FadingInputs.__dataclass_fields__]


def _pooled(found: list[Window]) -> tuple[model.FadingInputs, np.ndarray, np.ndarray]:
    columns = [np.concatenate(c) for c in zip(*(_fields(w.inputs) for w in found), strict=True)]
    silent = np.concatenate([w.silent for w in found])
    days = np.concatenate([np.full(w.silent.size, w.day) for w in found])
    return model.FadingInputs(*columns), silent, days


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """Mann-Whitney AUC of ``score`` for ``label`` = 1, ties counted half."""
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(score.size)
    _, first, counts = np.unique(score[order], return_index=True, return_counts=True)
    ranks[order] = np.repeat(first + (counts + 1) / 2.0, counts)
    pos = label > 0.5
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if not n_pos or not n_neg:
        return float("nan")
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def reliability(p: np.ndarray, y: np.ndarray) -> list[dict[str, Any]]:
    """Ten bins of predicted probability: ties, mean predicted, share that went silent."""
    bins = np.minimum((p * BINS).astype(int), BINS - 1)
    rows = []
    for k in range(BINS):
        inside = bins == k
        if inside.any():
            rows.append(
                {
                    "bin": f"{k / BINS:.1f}-{(k + 1) / BINS:.1f}",
                    "ties": int(inside.sum()),
                    "predicted": round(float(p[inside].mean()), 3),
                    "silent": round(float(y[inside].mean()), 3),
                }
            )
    return rows


def figures(found: list[Window], horizon: int, fitted: model.FadingModel) -> dict[str, Any]:
    """AUC of the model, recency and overdue; Brier scores; reliability; per day."""
    inputs, y, days = _pooled(found)
    p = model.probability(inputs, horizon, fitted)
    recency = inputs.recency_days
    x_rec = np.log(np.maximum(recency, 1.0))[:, None]
    p_rec = model.probability_of(x_rec, model.fit(x_rec, y))
    return {
        "ties": int(y.size),
        "silent_share": round(float(y.mean()), 4),
        "auc": {
            "model": round(auc(p, y), 4),
            "recency": round(auc(recency, y), 4),
            "overdue": round(auc(model.overdue_ratio(inputs), y), 4),
        },
        "brier": {
            "model": round(float(np.mean((p - y) ** 2)), 4),
            "recency": round(float(np.mean((p_rec - y) ** 2)), 4),
            "base_rate": round(float(np.mean((y.mean() - y) ** 2)), 4),
        },
        "reliability": reliability(p, y),
        "auc_by_day": {
            str(d): round(auc(p[days == d], y[days == d]), 4) for d in sorted(set(days.tolist()))
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=sorted(DATA), default="eu")
    parser.add_argument("--fit", action="store_true", help="refit and print the coefficients")
    parser.add_argument("--keep", type=Path, help="keep the store and logs in this folder")
    args = parser.parse_args()
    if not NEEDS[args.data].is_dir():
        print(json.dumps({"skipped": f"no data at {NEEDS[args.data]}"}))
        return
    print(json.dumps(run(args.data, fit=args.fit, keep=args.keep), indent=1))


def run(data: str, *, fit: bool = False, keep: Path | None = None) -> dict[str, Any]:
    """Every figure of the bench for one data set, as a dictionary."""
    load, horizon = DATA[data]
    logs = load()
    stamps = sorted(m.t for _, mails in logs for m in mails)
    start, end = stamps[0], stamps[-1]
    work = keep or Path(tempfile.mkdtemp(prefix="weakties-fading-"))
    work.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    db = build_store(work, logs)
    with_records = {(t - start) // 86400 for t in stamps}
    found = windows(db, start, end, horizon, with_records)
    out: dict[str, Any] = {"data": data, "horizon_days": horizon}
    out["reference_days"] = [w.day for w in found]
    out["unobserved_days"] = [w.day for w in found if not w.observed]
    out["build_s"] = round(time.perf_counter() - began, 1)
    observed = [w for w in found if w.observed and w.silent.size]
    chosen = model.FITTED
    if fit:
        inputs, y, _ = _pooled(observed)
        chosen = model.fit(model.design(inputs, horizon), y)
        out["fitted"] = {"intercept": round(chosen.intercept, 4)} | {
            t: round(c, 4) for t, c in zip(model.TERMS, chosen.coefficients, strict=True)
        }
        out["out_of_time"] = _out_of_time(observed, horizon)
    out["all"] = figures([w for w in found if w.silent.size], horizon, chosen)
    out["observed"] = figures(observed, horizon, chosen)
    return out


def _out_of_time(observed: list[Window], horizon: int) -> dict[str, Any]:
    """Fit on every observed day but the last, judge the last."""
    early, last = observed[:-1], observed[-1]
    inputs, y, _ = _pooled(early)
    fitted = model.fit(model.design(inputs, horizon), y)
    p = model.probability(last.inputs, horizon, fitted)
    return {
        "fit_days": [w.day for w in early],
        "judged_day": last.day,
        "auc": round(auc(p, last.silent), 4),
        "recency_auc": round(auc(last.inputs.recency_days, last.silent), 4),
        "brier": round(float(np.mean((p - last.silent) ** 2)), 4),
    }


if __name__ == "__main__":
    main()
