"""The report as one self-contained HTML file: inline CSS, inline SVG charts, no script,
no font, image or link that leaves the file. Every name is escaped (it is strangers'
text). Every number shown is one of :class:`~weakties.insights.report.data.Report`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from weakties.insights.report import svg
from weakties.insights.report.data import Report

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;
color:#222;padding:0 1rem}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:1px solid #ccc}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
td,th{border-bottom:1px solid #eee;padding:.25rem .6rem;text-align:left}
td.n,th.n{text-align:right}.chart{width:100%;height:auto;font-size:11px}
.note{color:#555;font-size:.9rem}
"""


def render(report: Report) -> str:
    """The whole page."""
    body = [
        f"<h1>Network report: {escape(report.subject)}</h1>",
        f'<p class="note">From {_day(report.first_seen)} to {_day(report.as_of)}. '
        "Made by weakties from message headers only.</p>",
        *_network(report),
        *_new(report),
        *_introductions(report),
        *_dormant(report),
        *_brokerage(report),
        *_gaps(report),
        *_iceberg(report),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Network report: {escape(report.subject)}</title>"
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "-"


def _num(value: float | int | None, fmt: str = "{:,}") -> str:
    if value is None:
        return "-"
    return fmt.format(value)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    if not rows:
        return '<p class="note">Nothing to show.</p>'
    cls = [' class="n"' if i in numeric else "" for i in range(len(head))]
    out = ["<table><tr>", *(f"<th{cls[i]}>{escape(h)}</th>" for i, h in enumerate(head)), "</tr>"]
    for row in rows:
        out += ["<tr>", *(f"<td{cls[i]}>{escape(c)}</td>" for i, c in enumerate(row)), "</tr>"]
    return "".join([*out, "</table>"])


def _network(r: Report) -> list[str]:
    labels = [m.month for m in r.months]
    series = [
        ("strong", [m.strong for m in r.months]),
        ("weak", [m.weak for m in r.months]),
        ("dormant", [m.dormant for m in r.months]),
        ("one-way", [m.one_way for m in r.months]),
    ]
    return [
        "<h2>Network size by band</h2>",
        svg.stacked_bars("Ties by band, month by month", labels, series),
        _table(
            ["month", "strong", "weak", "dormant", "one-way"],
            [
                [m.month, *(str(v) for v in (m.strong, m.weak, m.dormant, m.one_way))]
                for m in r.months
            ],
            {1, 2, 3, 4},
        ),
    ]


def _new(r: Report) -> list[str]:
    months = [m for m in r.months if m.new_cold is not None]
    series = [
        ("introduced", [m.new_introduced for m in months]),
        ("group thread", [m.new_group_thread for m in months]),
        ("cold", [m.new_cold for m in months]),
    ]
    return [
        "<h2>New connections and where they came from</h2>",
        '<p class="note">People met for the first time each month: through an introduction, '
        "in a group thread, or one-to-one. The store's first three months are left out: "
        "people first seen then may have met before.</p>",
        svg.stacked_bars("New connections per month", [m.month for m in months], series),
    ]


def _introductions(r: Report) -> list[str]:
    rows = [
        [
            s.role,
            _num(s.introductions),
            _num(s.judged),
            _num(s.formed),
            _share(s.formed_share),
            _share(s.base_rate),
            _num(s.median_days_to_first_direct, "{:.1f}"),
        ]
        for s in r.introductions
    ]
    recent = [
        [
            _day(i.introduced_at),
            i.role,
            i.introducer or "-",
            i.person_a,
            i.person_b,
            i.outcome,
            _num(i.days_to_first_direct, "{:.1f}"),
            _num(i.strength, "{:.2f}"),
        ]
        for i in r.recent_introductions
    ]
    return [
        "<h2>Introductions and their outcomes</h2>",
        '<p class="note">A tie formed: the two wrote to each other one-to-one, both ways, '
        "within 90 days. The base rate is that of chance pairs of the same month.</p>",
        _table(
            [
                "role",
                "introductions",
                "judged",
                "tie formed",
                "share",
                "base rate",
                "median days to first contact",
            ],
            rows,
            {1, 2, 3, 4, 5, 6},
        ),
        _table(
            [
                "date",
                "role",
                "introducer",
                "person",
                "introduced to",
                "outcome",
                "days",
                "strength now",
            ],
            recent,
            {6, 7},
        ),
    ]


def _dormant(r: Report) -> list[str]:
    rows = [
        [
            d.person,
            d.other,
            d.organisation or "-",
            _day(d.last_contact),
            f"{d.past_strength:.2f}",
            d.reaches or "-",
        ]
        for d in r.dormant
    ]
    return [
        "<h2>The dormant pool worth reviving</h2>",
        _table(
            [
                "person",
                "with",
                "organisation",
                "last contact",
                "past strength",
                "would reach again",
            ],
            rows,
            {4},
        ),
    ]


def _brokerage(r: Report) -> list[str]:
    labels = [m.month for m in r.months]
    return [
        "<h2>Brokerage over time</h2>",
        '<p class="note">Burt\'s constraint (lower: more brokerage), and the communities '
        "and organisations reached by ties active in the 90 days to each month's end.</p>",
        svg.lines(
            "Constraint", labels, [("constraint", [m.constraint for m in r.months])], "{:.2f}"
        ),
        svg.lines(
            "Communities and organisations reached",
            labels,
            [
                ("communities", [m.communities_reached for m in r.months]),
                ("organisations", [m.organisations_reached for m in r.months]),
            ],
        ),
    ]


def _gaps(r: Report) -> list[str]:
    gaps = [[g.kind, g.name, _num(g.size), _num(g.ties)] for g in r.gaps]
    bridges = [
        [
            b.person_a,
            b.person_b,
            b.band,
            _num(b.silent_days, "{:.0f}"),
            _num(b.bridge_score, "{:.2f}"),
            _share(b.risk),
        ]
        for b in r.bridges_at_risk
    ]
    return [
        "<h2>Gaps</h2>",
        "<p>Communities and organisations reached by one tie or none:</p>",
        _table(["kind", "name", "people", "ties"], gaps, {2, 3}),
        "<p>Bridges at risk:</p>",
        _table(
            ["person", "other", "band", "days silent", "bridge score", "risk"], bridges, {3, 4, 5}
        ),
    ]


def _iceberg(r: Report) -> list[str]:
    rows = [
        [s.kind, _num(s.tips), _num(s.sparked), _share(s.rate), _share(s.baseline_rate)]
        for s in r.iceberg
    ]
    labels = [m for m, *_ in r.iceberg_months]
    rate = [s / n if n else None for _, n, s, _ in r.iceberg_months]
    base = [b / n if n else None for _, n, _, b in r.iceberg_months]
    return [
        "<h2>The iceberg</h2>",
        '<p class="note">After a group thread (3 to 10 people) or a public post: how often '
        "its people wrote one-to-one within 24 hours, against the same 24 hours a week "
        "earlier.</p>",
        _table(["after", "count", "sparked", "rate", "a week earlier"], rows, {1, 2, 3, 4}),
        svg.lines(
            "Spark rate by month",
            labels,
            [("within 24 h", rate), ("a week earlier", base)],
            "{:.2f}",
        ),
    ]
