"""One typed settings object, built once and passed in."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def default_db_path() -> Path:
    """``$WEAKTIES_DB``, else ``$XDG_DATA_HOME/weakties/weakties.duckdb``."""
    env = os.environ.get("WEAKTIES_DB")
    if env:
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "weakties" / "weakties.duckdb"


DEFAULT_BATCH_SIZE = 5000


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity outside Linux
        return os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run may tune. Defaults are the product's defaults."""

    db_path: Path = field(default_factory=default_db_path)
    batch_size: int = DEFAULT_BATCH_SIZE  # records per ingest transaction
    workers: int = 0  # parse processes; 0 = decide from the input size and cores
    memory_limit: str = "512MB"  # DuckDB's own buffer cap
    phone_region: str | None = None  # ISO 3166 alpha-2; None: $WEAKTIES_PHONE_REGION
