"""How well tie strength ranks the pairs labelled data call close, against raw features.

For each labelled set (``bench/labelled_data.py``: MIT Social Evolution calls and SMS
with close-friend surveys; SocioPatterns InVS15 face-to-face contacts with
departments), writes the interaction log a real system would give weakties, ingests
it into a temporary store through ``weakties.api``, analyses it, and prints one JSON
object with, over the labelled pairs that interacted:

* the AUC of ``strength``, of each raw feature (interactions, active days, minutes
  together, and the others the model reads) and of each dimension score;
* the paired-bootstrap 95 % interval of strength's lead over the best of the three
  raw features the model must beat (interactions, active days, minutes);
* with ``--fit``, the grid search of the fitted parameters on the fitting set (MIT)
  and what the chosen values give on the other set (InVS15), out of sample.

Usage: python bench/labelled_ties.py [--data ../shared/data/labelled-ties] [--fit]
       [--bootstrap 1000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import labelled_data
from weakties import api
from weakties.config import Settings
from weakties.store import connect
from weakties.store.db import arrow

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "labelled-ties"
FIT_SET = "mit-social-evolution"

RAW = {"interactions": "messages", "active_days": "active_days", "minutes": "weighted_minutes"}
"""The raw features strength must beat (README of the labelled data: count, active days,
total duration)."""

OTHER_RAW = {
    "active_weeks": "active_weeks",
    "active_periods": "active_periods",
    "span_days": "duration_days",
    "recency": "recency_days",  # negated: recent ranks high
    "balance": "balance",
}
DIMENSIONS = (
    "time_score",
    "intensity_score",
    "intimacy_score",
    "reciprocity_score",
    "decay",
    "base_strength",
)

GRID = {"tau_gain": (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)}
"""The fitted parameter and the values tried (see docs/tie-model.md): how much a long
history slows a tie's decay. Only the MIT logs (nine months, a label at their end) can
say; the fortnight of InVS15 cannot."""

SENSITIVITY = {
    "tau_days": (7.0, 15.0, 30.0, 60.0, 120.0),
    "balance_power": (0.0, 0.25, 0.5, 1.0, 2.0),
    "weight_intensity": (0.5, 1.0, 2.0),
    "reference_quantile": (0.5, 0.75, 0.9),
}
"""A priori parameters, varied one at a time around the fitted model, to show what each
set would have preferred (reported, not fitted)."""

Figures = dict[str, Any]


def build(name: str, folder: Path, work: Path) -> tuple[labelled_data.LabelledLog, pa.Table]:
    """Write the set's log, ingest and analyse it; its ties with a ``close`` label."""
    loader = labelled_data.mit_log if name == FIT_SET else labelled_data.invs_log
    log = loader(folder, work / f"{name}.csv")
    settings = Settings(db_path=work / f"{name}.duckdb")
    api.ingest(settings, [log.log])
    api.analyze(settings)
    con = connect(settings.db_path, read_only=True)
    try:
        ties = arrow(con, "SELECT * FROM ties ORDER BY person_a, person_b")
        ids = dict(con.execute("SELECT person_id, address FROM identities").fetchall())
    finally:
        con.close()
    keys = [
        labelled_data.pair(ids[a], ids[b])
        for a, b in zip(
            ties.column("person_a").to_pylist(), ties.column("person_b").to_pylist(), strict=True
        )
    ]
    close = pa.array([log.labels.get(k) for k in keys], pa.bool_())
    return log, ties.append_column("close", close)


def _labelled(ties: pa.Table) -> tuple[pa.Table, np.ndarray]:
    labels = ties.column("close")
    keep = np.asarray(labels.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    kept = ties.filter(pa.array(keep))
    return kept, np.asarray(kept.column("close").to_numpy(zero_copy_only=False), dtype=bool)


def _values(ties: pa.Table, column: str) -> np.ndarray:
    x = np.asarray(ties.column(column).to_numpy(zero_copy_only=False), dtype=np.float64)
    x = np.nan_to_num(x, nan=0.0)
    return -x if column == "recency_days" else x


def evaluate(ties: pa.Table, bootstrap: int, seed: int = 7) -> Figures:
    """The AUCs of one set's ties, and strength's lead over the best raw feature."""
    kept, y = _labelled(ties)
    auc = {
        name: labelled_data.auc(_values(kept, col), y)
        for name, col in {"strength": "strength", **RAW, **OTHER_RAW}.items()
    }
    dims = {name: labelled_data.auc(_values(kept, name), y) for name in DIMENSIONS}
    best = max(RAW, key=lambda k: auc[k])
    lead = _bootstrap_lead(_values(kept, "strength"), _values(kept, RAW[best]), y, bootstrap, seed)
    return {
        "pairs": int(y.size),
        "close_pairs": int(y.sum()),
        "unlabelled_ties": ties.num_rows - kept.num_rows,
        "auc": {k: round(v, 4) for k, v in auc.items()},
        "auc_dimensions": {k: round(v, 4) for k, v in dims.items()},
        "best_raw": best,
        "strength_lead_over_best_raw": round(auc["strength"] - auc[best], 4),
        "lead_95_interval": lead,
        "bands": dict(
            sorted(
                (str(k), int(v))
                for k, v in zip(
                    *np.unique(kept.column("band").to_pylist(), return_counts=True), strict=True
                )
            )
        ),
    }


def _bootstrap_lead(
    score: np.ndarray, raw: np.ndarray, y: np.ndarray, n: int, seed: int
) -> list[float] | None:
    """Paired bootstrap (pairs resampled with replacement) of AUC(score) - AUC(raw);
    None with ``n`` 0."""
    if n <= 0:
        return None
    rng = np.random.default_rng(seed)
    leads = []
    for _ in range(n):
        i = rng.integers(0, y.size, y.size)
        leads.append(labelled_data.auc(score[i], y[i]) - labelled_data.auc(raw[i], y[i]))
    low, high = np.nanpercentile(leads, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def fit(sets: dict[str, pa.Table]) -> Figures:
    """Grid search of :data:`GRID` on the fitting set, every point also on the other set;
    then :data:`SENSITIVITY` around the chosen point."""
    from weakties.ties import DEFAULT_PARAMS, StrengthParams, TieInputs, scores

    prepared = {}
    for name, ties in sets.items():
        _, y = _labelled(ties)
        keep = np.asarray(
            ties.column("close").is_valid().to_numpy(zero_copy_only=False), dtype=bool
        )
        prepared[name] = (TieInputs.from_table(ties), keep, y)

    def aucs(params: StrengthParams) -> dict[str, float]:
        return {
            name: round(labelled_data.auc(scores(inputs, params).strength[keep], y), 4)
            for name, (inputs, keep, y) in prepared.items()
        }

    rows = []
    for values in itertools.product(*GRID.values()):
        chosen = dict(zip(GRID, values, strict=True))
        rows.append({**chosen, **aucs(replace(DEFAULT_PARAMS, **chosen))})
    best = max(rows, key=lambda r: r[FIT_SET])
    fitted = replace(DEFAULT_PARAMS, **{k: best[k] for k in GRID})
    around = {
        name: [{name: v, **aucs(replace(fitted, **{name: v}))} for v in values]
        for name, values in SENSITIVITY.items()
    }
    return {
        "fitted_on": FIT_SET,
        "grid": {k: list(v) for k, v in GRID.items()},
        "chosen": {k: best[k] for k in GRID},
        "chosen_auc": {k: v for k, v in best.items() if k not in GRID},
        "defaults": {k: getattr(DEFAULT_PARAMS, k) for k in GRID},
        "points": rows,
        "sensitivity": around,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--fit", action="store_true", help="also run the parameter grid")
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args()
    folders = {
        "mit-social-evolution": args.data / "mit-social-evolution",
        "sociopatterns-invs15": args.data / "sociopatterns-workplace",
    }
    out: Figures = {"fitted_on": FIT_SET, "sets": {}}
    tables: dict[str, pa.Table] = {}
    with tempfile.TemporaryDirectory(prefix="weakties-labelled-") as tmp:
        for name, folder in folders.items():
            start = time.perf_counter()
            log, ties = build(name, folder, Path(tmp))
            tables[name] = ties
            figures = evaluate(ties, args.bootstrap)
            role = "fitted" if name == FIT_SET else "out of sample"
            out["sets"][name] = {
                "role": role,
                "log": log.note,
                "interactions_written": log.rows,
                "ties": ties.num_rows,
                **figures,
                "seconds": round(time.perf_counter() - start, 1),
            }
    if args.fit:
        out["fit"] = fit(tables)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
