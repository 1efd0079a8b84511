"""Tie strength against labelled data: it must rank close pairs better than any of the
raw features it is made of (bench/labelled_ties.py prints the full figures)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import labelled_data
import labelled_ties

SETS = {
    "mit-social-evolution": "mit-social-evolution",
    "sociopatterns-invs15": "sociopatterns-workplace",
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_strength_ranks_close_pairs_above_the_best_raw_feature(
    shared_data: Path, tmp_path: Path, name: str
) -> None:
    folder = shared_data / "labelled-ties" / SETS[name]
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    _, ties = labelled_ties.build(name, folder, tmp_path)
    figures = labelled_ties.evaluate(ties, bootstrap=0)
    auc = figures["auc"]
    assert figures["pairs"] > 200 and 0 < figures["close_pairs"] < figures["pairs"]
    best_raw = max(auc[k] for k in labelled_ties.RAW)
    assert auc["strength"] > best_raw, figures
    assert auc["strength"] > 0.7


def test_auc_matches_its_definition() -> None:
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 5, 60).astype(float)  # many ties between scores
    labels = rng.random(60) < 0.4
    pos, neg = scores[labels], scores[~labels]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    assert labelled_data.auc(scores, labels) == pytest.approx(wins / (pos.size * neg.size))
    assert np.isnan(labelled_data.auc(scores, np.zeros(60, dtype=bool)))


def test_an_sms_logged_again_whole_hours_later_is_one_message() -> None:
    hour = 3600
    times = [0, 1, hour, hour + 1, 2 * hour - 1, 7 * hour, 8 * hour + 5, 8 * hour + 100]
    # 0 and 1 s: one message; +1 h, +2 h, +7 h (to the second or two): copies of it;
    # 8 h 5 s: a new message, and 95 s later another.
    assert labelled_data._distinct_messages(times) == [0, 8 * hour + 5, 8 * hour + 100]


def test_back_to_back_sensor_rows_are_one_contact() -> None:
    step = labelled_data.INVS_STEP_S
    times = [100, 100 + step, 100 + 2 * step, 500, 500 + step, 900]
    assert labelled_data._runs(times) == [(100, 100 + 2 * step), (500, 500 + step), (900, 900)]
