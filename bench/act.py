"""How fast are the answers users act on, on a large organisation?

Generates an organisation (bench/synthetic.py: by default 100,000 people and 5 million
interactions, ten owners), ingests and analyses it, then times, each in the same
process after the analysis:

- ``intro`` to a person of another organisation, through any owner (``--team``), over
  random targets: median and 95th percentile;
- ``suggest --person`` for random people: median and 95th percentile;
- ``accounts``: every organisation's coverage, once;
- ``suggest --everyone`` on the email-Eu stream's first half (a whole-organisation run).

Each question is timed on one open store from the second question on (the process then
keeps the relationships in memory), on one open store with nothing kept (``_filtered``:
what a single command computes), through the API inside one ``api.reading`` block
(``_reading``: a notebook or a server; every question counted, the first ones that read
filtered and the one that loads the relationships included), and through the API
outside it, which opens the store per call (``_api``). Prints one JSON object with the
timings in milliseconds and the peak RSS of the process.
Usage: ``python bench/act.py [--people N] [--interactions N] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import EMAIL_EU, email_eu, write_log
from synthetic import Shape, generate, owner_addresses
from weakties import api
from weakties.config import Settings


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _quantiles(ms: list[float]) -> dict[str, float]:
    values = np.array(ms)
    return {
        "n": int(values.size),
        "p50_ms": round(float(np.percentile(values, 50)), 1),
        "p95_ms": round(float(np.percentile(values, 95)), 1),
        "max_ms": round(float(values.max()), 1),
    }


def _timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=5_000_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="keep the log and the store in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="weakties-act-"))
    work.mkdir(parents=True, exist_ok=True)
    shape = Shape(args.people, args.interactions)
    log = work / f"org-{args.people}-{args.interactions}.csv"
    out: dict[str, Any] = {"people": args.people, "interactions": args.interactions}
    if not log.exists():
        started = time.perf_counter()
        out["generated"] = generate(shape, log)
        out["generate_s"] = round(time.perf_counter() - started, 1)
    settings = Settings(db_path=work / "org.duckdb")
    if not settings.db_path.exists():
        api.init(settings, owner_addresses(shape, log))
        started = time.perf_counter()
        api.ingest(settings, [log])
        out["ingest_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        summary = api.analyze(settings)
        out["analyze_s"] = round(time.perf_counter() - started, 1)
        out["ties"] = summary.ties
    out["peak_rss_mb_after_analysis"] = round(_peak_mb(), 1)
    out.update(_queries(settings, args.samples))
    out.update(_everyone())
    out["peak_rss_mb"] = round(_peak_mb(), 1)
    print(json.dumps(out, indent=1))


def _queries(settings: Settings, samples: int) -> dict[str, Any]:
    """Each question three ways: on one open store from the second question on (as a
    server holds it: the process keeps the relationships in memory); on one open store
    with nothing kept (``_filtered``: what one command-line call computes); and through
    the API, which opens the store for every call (``_api``). Then the cost of opening
    the store alone."""
    from weakties.insights.accounts import accounts_table
    from weakties.insights.intro import intro_table
    from weakties.insights.lookup import find_person
    from weakties.insights.suggest import suggest_table
    from weakties.store import relationships

    rng = np.random.default_rng(11)
    with api.open_store(settings, read_only=True) as con:
        outside = [
            str(r[0])
            for r in con.execute(
                "SELECT primary_address FROM people WHERE org_domain <> 'ours.example' "
                "AND NOT automated ORDER BY person_id"
            ).fetchall()
        ]
        anyone = [
            str(r[0])
            for r in con.execute(
                "SELECT primary_address FROM people WHERE NOT automated ORDER BY person_id"
            ).fetchall()
        ]
        targets = [outside[i] for i in rng.choice(len(outside), samples, replace=False)]
        people = [anyone[i] for i in rng.choice(len(anyone), samples, replace=False)]
        ids = [find_person(con, p) for p in people]

        def cold(call: Any) -> float:
            relationships.forget()
            return _timed(call)

        intro_table(con, targets[0], team=True)  # warm the page cache once
        filtered = [cold(lambda t=t: intro_table(con, t, team=True)) for t in targets]
        suggest_filtered = [cold(lambda i=i: suggest_table(con, i)) for i in ids]
        keep = _timed(lambda: intro_table(con, targets[0], team=True))  # reads the table in
        intro = [_timed(lambda t=t: intro_table(con, t, team=True)) for t in targets]
        suggest = [_timed(lambda i=i: suggest_table(con, i)) for i in ids]
        accounts = _timed(lambda: accounts_table(con))
    relationships.forget()
    with api.reading(settings):  # a notebook or a server: one connection for all
        intro_reading = [_timed(lambda t=t: api.intro(settings, t, team=True)) for t in targets]
        suggest_reading = [_timed(lambda p=p: api.suggest(settings, person=p)) for p in people]
        accounts_reading = _timed(lambda: api.accounts(settings))
    intro_api = [_timed(lambda t=t: api.intro(settings, t, team=True)) for t in targets]
    suggest_api = [_timed(lambda p=p: api.suggest(settings, person=p)) for p in people]
    opening = [_timed(lambda: api.open_store(settings, read_only=True).__enter__().close())]
    opening += [_timed(lambda: api.open_store(settings, read_only=True).__enter__().close())]
    return {
        "intro": _quantiles(intro),
        "intro_filtered": _quantiles(filtered),
        "intro_api": _quantiles(intro_api),
        "intro_reading": _quantiles(intro_reading),
        "intro_reading_first_three_ms": [round(v, 1) for v in intro_reading[:3]],
        "suggest_person_reading": _quantiles(suggest_reading),
        "accounts_reading_ms": round(accounts_reading, 1),
        "suggest_person": _quantiles(suggest),
        "suggest_person_filtered": _quantiles(suggest_filtered),
        "suggest_person_api": _quantiles(suggest_api),
        "keep_relationships_ms": round(keep, 1),
        "accounts_ms": round(accounts, 1),
        "open_store_ms": round(min(opening), 1),
    }


def _everyone() -> dict[str, Any]:
    if not EMAIL_EU.is_dir():
        return {"suggest_everyone_email_eu": "skipped: no email-Eu data"}
    work = Path(tempfile.mkdtemp(prefix="weakties-act-eu-"))
    mails = email_eu()
    log = work / "first-half.csv"
    write_log(log, mails[: len(mails) // 2])
    settings = Settings(db_path=work / "eu.duckdb")
    api.ingest(settings, [log])
    api.analyze(settings)
    rows: list[int] = []
    ms = _timed(lambda: rows.append(api.suggest(settings, everyone=True, limit=10).num_rows))
    return {"suggest_everyone_email_eu_ms": round(ms, 1), "suggest_everyone_rows": rows[0]}


if __name__ == "__main__":
    main()
