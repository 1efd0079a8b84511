"""What the chat and social exports (Slack, WhatsApp, X) share: reading their JSON
files defensively, naming where each record was read, and turning display names and
service ids into identities.

Exports are read only through the path methods an archive member also has
(``read_bytes``, ``iterdir``, ``is_file``, ``is_dir``, ``name``, ``/``), so that a
ZIP of an export reads as its unpacked folder does.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from weakties.records import path_text

MAX_FIELD = 200
"""Longest id or name kept from an export (longer ones are cut); stored names are cut
at this length anyway."""

_SPACES = re.compile(r"\s+")


class ExportError(ValueError):
    """A file of an export that cannot be read: ``reason`` is the quarantine code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def location_root(path: Path) -> str:
    """The text every record location of an export starts with: its absolute path."""
    try:
        return path_text(path.resolve())
    except (AttributeError, OSError):  # an archive member may not resolve
        return path_text(str(path).rstrip("/"))


def load_json(path: Path, prefix: bytes = b"") -> Any:
    """The JSON value in ``path``, after an optional JavaScript assignment such as X's
    ``window.YTD.follower.part0 = `` (anything up to the first ``=``, when the file
    starts with ``prefix``).

    Raises :class:`ExportError` when the file cannot be read or is not JSON.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportError("unreadable", f"{path.name}: {exc.strerror or exc}") from exc
    if prefix:
        body = data.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not body.startswith(prefix) or b"=" not in body:
            raise ExportError("bad-json", f"{path.name}: does not start with {prefix.decode()}")
        data = body.split(b"=", 1)[1]
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise ExportError("bad-json", f"{path.name}: {str(exc)[:200]}") from exc


def text_field(value: object) -> str:
    """A JSON value that should be a short string, as one: trimmed, cut at
    :data:`MAX_FIELD`, "" for anything else (numbers are kept as their digits)."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        return ""
    text = value.strip()[:MAX_FIELD]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON's \ud800 escapes can make
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def handle(scheme: str, *parts: str) -> str:
    """``<scheme>:<part>/<part>...``, lower-cased: how ids of services are identities
    (``slack:t0abc/u0xyz``, ``x:3128746474``). Owners named with ``init --me`` are
    matched lower-cased, so identities are too."""
    return f"{scheme}:" + "/".join(p.lower() for p in parts)


def name_key(name: str) -> str:
    """A display name as a key, and as the last part of an identity: Unicode-normalised,
    format marks (the left-to-right marks WhatsApp puts around names) and other
    unprintable characters dropped, case-folded, each run of spaces one ``_`` (an
    identity holds no space: listings separate identities with spaces)."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if c.isprintable() or c.isspace())
    return _SPACES.sub("_", text.strip()).casefold()


def clean_name(name: str) -> str:
    """A display name as shown: format marks dropped, spaces collapsed, cut."""
    text = "".join(c for c in name if unicodedata.category(c) != "Cf")
    return _SPACES.sub(" ", text).strip()[:MAX_FIELD]


def unix_time(text: str) -> datetime | None:
    """``"1452837318.000002"`` (seconds, optional fraction) as an aware UTC time, exactly
    (no float rounding of the microseconds); None when it is not such a number or out of
    range."""
    whole, _, fraction = text.strip().partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()) or len(whole) > 11:
        return None
    micros = int((fraction + "000000")[:6]) if fraction else 0
    try:
        return datetime.fromtimestamp(int(whole), UTC).replace(microsecond=micros)
    except (OverflowError, OSError, ValueError):
        return None
