"""Nudges as calendar events (iCalendar, RFC 5545) and as a weekly digest (HTML or
Markdown).

An event is a whole day (the nudge's day), its summary names the person, its
description gives the reason and the suggested touch, its CONTACT the person, and
its UID is stable (the
person's address, the kind and the day), so importing the file again updates the
events instead of doubling them. The digest is one self-contained file: no script,
no stylesheet or image from elsewhere; every name and reason is escaped, since names
come from strangers' mail headers.
"""

from __future__ import annotations

import hashlib
import html
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pyarrow as pa

from weakties.errors import InputError
from weakties.insights.nudges import Nudge

PRODID = "-//weakties//keep in touch//EN"


def calendar(found: list[Nudge], made: datetime | None = None) -> icalendar.Calendar:
    """One all-day event per nudge."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "weakties: keep in touch")
    stamp = made or datetime.now(UTC)
    for n in found:
        cal.add_component(_event(n, stamp))
    return cal


def _event(n: Nudge, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    key = f"{n.address}|{n.kind}|{n.due.isoformat()}".encode()
    event.add("uid", f"{hashlib.sha256(key).hexdigest()[:32]}@weakties")
    event.add("dtstamp", stamp)
    event.add("dtstart", n.due)
    event.add("dtend", n.due + timedelta(days=1))
    event.add("summary", f"Get in touch with {n.person}")
    event.add("description", f"Why: {n.reason}.\nHow: {n.touch}.")
    event.add("categories", ["weakties", n.kind])
    event.add("transp", "TRANSPARENT")  # a reminder, not busy time
    # CONTACT, not ATTENDEE: a calendar would offer to send an invitation to an attendee.
    event.add("contact", f"{n.person} <{n.address}>")
    return event


def write_ics(path: Path, found: list[Nudge]) -> None:
    """Write the nudges to an .ics file (atomically)."""
    _write(path, calendar(found).to_ical())


@dataclass(frozen=True, slots=True)
class Digest:
    """What a weekly digest shows."""

    owner: str
    today: date
    nudges: list[Nudge]
    at_risk: pa.Table  # from insights.fading.fading(), the user's view
    reached_out: list[str]  # names, the last seven days


def digest_text(d: Digest, kind: str) -> str:
    """The digest as Markdown (``md``) or HTML (``html``)."""
    return _html(d) if kind == "html" else _markdown(d)


def digest_kind(path: Path) -> str:
    """``html`` or ``md`` from the file's name; anything else is refused."""
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "md"
    raise InputError(f"{path.name}: a digest is .html or .md.", "Name the file e.g. digest.html.")


def write_digest(path: Path, d: Digest) -> None:
    """Write the digest; its kind follows the file's name."""
    _write(path, digest_text(d, digest_kind(path)).encode("utf-8"))


def _risks(d: Digest) -> list[tuple[str, float, str]]:
    """Each tie at risk: the other person, the probability, why."""
    rows = d.at_risk.select(["person_b", "probability", "why"]).to_pylist()
    return [(str(r["person_b"]), float(r["probability"]), str(r["why"])) for r in rows]


def _markdown(d: Digest) -> str:
    week = d.today - timedelta(days=6)
    lines = [f"# Keep in touch: week of {week.isoformat()} to {d.today.isoformat()}", ""]
    lines += [f"For {_md(d.owner)}.", "", f"## This week's nudges ({len(d.nudges)})", ""]
    lines += [
        f"- **{_md(n.person)}** ({n.kind}): {_md(n.reason)}. *How:* {_md(n.touch)}."
        for n in d.nudges
    ]
    if not d.nudges:
        lines.append("Nobody to nudge: every tie is on its rhythm.")
    lines += ["", f"## Ties at risk ({d.at_risk.num_rows})", ""]
    lines += [f"- {_md(who)}: {p:.0%} ({_md(why)})" for who, p, why in _risks(d)]
    lines += ["", f"## You reached out to ({len(d.reached_out)})", ""]
    lines += [f"- {_md(name)}" for name in d.reached_out] or ["Nobody recorded this week."]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Text that Markdown shows as written: markup characters and HTML escaped."""
    out = html.escape(" ".join(text.split()), quote=False)
    for ch in "\\`*_[]|":
        out = out.replace(ch, "\\" + ch)
    return out


_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #ddd}
li{margin:.4em 0}.kind{font-size:.8em;color:#fff;background:#557;border-radius:3px;padding:0 .4em}
.how{color:#555}.p{font-variant-numeric:tabular-nums;font-weight:600}
"""


def _html(d: Digest) -> str:
    e = html.escape
    week = d.today - timedelta(days=6)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Keep in touch: week to {d.today.isoformat()}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Keep in touch: {week.isoformat()} to {d.today.isoformat()}</h1>",
        f"<p>For {e(d.owner)}.</p>",
        f"<h2>This week's nudges ({len(d.nudges)})</h2><ul>",
    ]
    parts += [
        f'<li><strong>{e(n.person)}</strong> <span class="kind">{e(n.kind)}</span><br>'
        f'{e(n.reason)}.<br><span class="how">How: {e(n.touch)}.</span></li>'
        for n in d.nudges
    ]
    if not d.nudges:
        parts.append("<li>Nobody to nudge: every tie is on its rhythm.</li>")
    parts.append(f"</ul><h2>Ties at risk ({d.at_risk.num_rows})</h2><ul>")
    parts += [
        f'<li>{e(who)}: <span class="p">{p:.0%}</span> ({e(why)})</li>' for who, p, why in _risks(d)
    ]
    parts.append(f"</ul><h2>You reached out to ({len(d.reached_out)})</h2><ul>")
    done = [f"<li>{e(name)}</li>" for name in d.reached_out]
    parts += done or ["<li>Nobody recorded this week.</li>"]
    parts.append("</ul></body></html>")
    return "\n".join(parts) + "\n"


def _write(path: Path, data: bytes) -> None:
    if path.is_dir():
        raise InputError(f"{path} is a folder.", "Give a file name.")
    if not path.parent.is_dir():
        raise InputError(f"No folder {path.parent}.", "Create it first, or write elsewhere.")
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
