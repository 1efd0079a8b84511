"""Introductions and the iceberg on the email-Eu stream, through the whole product:
the stream logged on the ``exchange`` channel, ingested, analysed; then the share of
detected introductions that led to a two-way one-to-one exchange within 90 days by
thread size (3 people, 4-5, 6-10) against chance pairs of the same month, and the
24-hour spark rate of group threads of 3-10 people against the week before.

Prints one JSON object. Timing: detecting the introductions against reading the
``ties`` table in the same process (best of 3 each).
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import EMAIL_EU, email_eu, write_log
from weakties import Settings, api
from weakties.api import open_store
from weakties.insights import iceberg, intro_list, intros

BANDS = {"3": (3, 3), "4-5": (4, 5), "6-10": (6, 10)}


def _best(run: object, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    if not EMAIL_EU.is_dir():
        raise SystemExit(f"{EMAIL_EU} not found")
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "email-eu.csv"
        write_log(log, email_eu())
        settings = Settings(db_path=Path(tmp) / "eu.duckdb")
        api.ingest(settings, [log])
        api.analyze(settings)
        with open_store(settings, read_only=True) as con:
            found = intro_list.find(con)
            detect_s = _best(lambda: intro_list.find(con))
            ties_s = _best(lambda: con.sql("SELECT * FROM ties").to_arrow_table())
    out: dict[str, object] = {"introductions": len(found.introductions)}
    for name, (lo, hi) in BANDS.items():
        chosen = [i for i in found.introductions if lo <= i.people <= hi]
        got = intros.rate(chosen)
        base = intros.base_rate(found.stream, chosen, found.direct)
        out[f"size_{name}"] = {
            "judged": got.judged, "formed": got.formed, "share": got.share,
            "chance_judged": base.judged, "chance_share": base.share,
        }  # fmt: skip
    group = iceberg.summarise(iceberg.tips(found.stream, found.direct))[0]
    out["iceberg"] = {
        "group_threads": group.tips,
        "rate": group.rate,
        "baseline": group.baseline_rate,
    }
    out["detect_s_over_ties_read_s"] = detect_s / ties_s
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
