"""The impact and network assessment report: its figures (:mod:`.data`) and the one
self-contained HTML file that shows them (:mod:`.html`, charts from :mod:`.svg`)."""

from __future__ import annotations

from weakties.insights.report.data import Fading, Report, build

__all__ = ["Fading", "Report", "build"]
