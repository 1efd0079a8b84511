"""Introductions and the iceberg on the email-Eu stream (shared data): three-person
threads lead to one-to-one contact far more often than chance pairs, and group threads
spark one-to-one contact more often than the same hours a week before."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from weakties.insights import iceberg, intros
from weakties.insights.stream import Stream


def _ints(path: Path) -> list[int]:
    with gzip.open(path, "rb") as fh:
        return [int(x) for x in fh.read().split()]


def _stream(folder: Path) -> Stream:
    """The stream as the store would give it from the ``exchange`` log: everyone in an
    e-mail addressed, no sender known, both ways for one-to-one contact."""
    sizes, nodes = (
        _ints(folder / "email-Eu-nverts.txt.gz"),
        _ints(folder / "email-Eu-simplices.txt.gz"),
    )
    times = _ints(folder / "email-Eu-times.txt.gz")
    mails, at = [], 0
    for size, t in zip(sizes, times, strict=True):
        people = tuple(sorted(set(nodes[at : at + size])))
        at += size
        if len(people) >= 2:
            mails.append((t, people))
    mails.sort()
    n = len(mails)
    false = np.zeros(n, dtype=np.bool_)
    return Stream(
        interaction_id=np.arange(n, dtype=np.int64),
        t=np.array([t for t, _ in mails], dtype=np.int64),
        public=false,
        mutual=np.ones(n, dtype=np.bool_),
        synchronous=false,
        watched=np.ones(n, dtype=np.bool_),
        thread=np.arange(n, dtype=np.int64),
        people=[p for _, p in mails],
        copied=[()] * n,
        sender=np.full(n, -1, dtype=np.int64),
        audience=[()] * n,
    )


def test_three_person_introductions_beat_chance(shared_data: Path) -> None:
    stream = _stream(shared_data / "snap-email-eu-core" / "scholp-email-Eu")
    found = intros.detect(stream)
    three = intros.rate(i for i in found if i.people == 3)
    large = intros.rate(i for i in found if 6 <= i.people <= 10)
    chance = intros.base_rate(stream, [i for i in found if i.people == 3])
    assert three.judged > 50 and chance.judged > 200
    assert three.share is not None and chance.share is not None and large.share is not None
    assert three.share > 5 * chance.share
    assert three.share > large.share


def test_group_threads_spark_more_than_a_week_before(shared_data: Path) -> None:
    stream = _stream(shared_data / "snap-email-eu-core" / "scholp-email-Eu")
    group = iceberg.summarise(iceberg.tips(stream))[0]
    assert group.tips > 30_000
    assert group.rate is not None and group.baseline_rate is not None
    assert group.rate > 0.55 and group.baseline_rate < 0.5
