"""How long-running steps (ingest, analysis) report progress to an adapter.

Below every layer that reports: the core knows nothing of terminals.
"""

from __future__ import annotations

from typing import Protocol


class ProgressSink(Protocol):
    """What ingest tells an adapter while it runs."""

    def start(self, label: str, total: int | None) -> None: ...

    def advance(self, n: int) -> None: ...

    def finish(self) -> None: ...


class SilentProgress:
    """Reports nothing: for runs without a terminal."""

    def start(self, label: str, total: int | None) -> None:
        return None

    def advance(self, n: int) -> None:
        return None

    def finish(self) -> None:
        return None
