"""The public data sets the benches read, turned into weakties interaction logs.

Shared by the benches so that each one reads a data set the same way. Plain
functions; nothing here is timed.
"""

from __future__ import annotations

import csv
import gzip
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
EMAIL_EU = SHARED / "snap-email-eu-core" / "scholp-email-Eu"
LOG_HEADER = ("timestamp", "channel", "sender", "recipients")


@dataclass(frozen=True, slots=True)
class Email:
    """One e-mail of the email-Eu stream: when, who sent it, to whom."""

    t: int
    sender: int
    recipients: tuple[int, ...]


def _ints(path: Path) -> list[int]:
    with gzip.open(path, "rb") as fh:
        return [int(x) for x in fh.read().split()]


def email_eu(folder: Path = EMAIL_EU) -> list[Email]:
    """The email-Eu stream (Benson et al. 2018's simplices: one per e-mail, the first node
    the sender), in time order; one-node simplices are left out."""
    nverts = _ints(folder / "email-Eu-nverts.txt.gz")
    nodes = _ints(folder / "email-Eu-simplices.txt.gz")
    times = _ints(folder / "email-Eu-times.txt.gz")
    if len(nverts) != len(times) or sum(nverts) != len(nodes):
        raise SystemExit(f"{folder}: nverts, simplices and times do not line up")
    mails, at = [], 0
    for size, stamp in zip(nverts, times, strict=True):
        members = nodes[at : at + size]
        at += size
        if size >= 2:
            mails.append(Email(stamp, members[0], tuple(members[1:])))
    mails.sort(key=lambda m: m.t)
    return mails


LABELLED = SHARED / "labelled-ties"


def sociopatterns() -> list[Email]:
    """SocioPatterns' InVS15 workplace contacts (Génois et al. 2018): one record per
    20-second row ``t i j``, in time order, stamped from 2015-05-04 (t is seconds from
    the study's start); face-to-face has no direction, so ``i`` is only the first id."""
    path = LABELLED / "sociopatterns-workplace" / "workplace_InVS15_tij.dat.gz"
    start = 1430719200  # 2015-05-04 06:00 UTC, the study's first Monday
    rows = []
    with gzip.open(path, "rt") as fh:
        for line in fh:
            t, i, j = line.split()
            rows.append(Email(start + int(t), int(i), (int(j),)))
    rows.sort(key=lambda m: m.t)
    return rows


def mit_calls() -> list[Email]:
    """MIT Social Evolution's calls between participants (Madan et al. 2012), caller
    first, in time order; calls dated before the study (2008-06) are left out."""
    import datetime as dt

    path = LABELLED / "mit-social-evolution" / "Calls.csv.gz"
    rows = []
    with gzip.open(path, "rt") as fh:
        for rec in csv.DictReader(fh):
            dest, caller = rec["dest_user_id_if_known"].strip(), rec["user_id"].strip()
            if not (dest.isdigit() and caller.isdigit()) or dest == caller:
                continue
            when = dt.datetime.fromisoformat(rec["time_stamp"]).replace(tzinfo=dt.UTC)
            if when.year < 2008 or (when.year == 2008 and when.month < 6):
                continue
            rows.append(Email(int(when.timestamp()), int(caller), (int(dest),)))
    rows.sort(key=lambda m: m.t)
    return rows


def write_log(path: Path, mails: list[Email], channel: str = "exchange") -> None:
    """Write e-mails as a weakties interaction log (CSV).

    Benson's simplices keep each e-mail's people in a canonical order, not sender
    first (taking the first id as the sender leaves 7 % of pairs reciprocal, against
    71 % in SNAP's directed edge list), so by default the e-mails are logged on the
    ``exchange`` channel, which claims no direction: the first id is only the hub the
    others are paired with.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(LOG_HEADER)
        for m in mails:
            writer.writerow(
                (m.t, channel, f"id:{m.sender}", ";".join(f"id:{r}" for r in m.recipients))
            )
    os.replace(partial, path)


def mit_sms() -> list[Email]:
    """MIT Social Evolution's text messages between participants, sender first, in time
    order. A message between two participants can be logged by both phones (once as
    sent, once as received): it is kept once, on its sender, time and receiver; messages
    dated before the study (2008-06) are left out."""
    import datetime as dt

    path = LABELLED / "mit-social-evolution" / "SMS.csv.gz"
    seen: set[tuple[int, int, int]] = set()
    rows = []
    with gzip.open(path, "rt") as fh:
        for rec in csv.DictReader(fh):
            user, other = rec["user.id"].strip(), rec["dest.user.id.if.known"].strip()
            if not (user.isdigit() and other.isdigit()) or user == other:
                continue
            when = dt.datetime.fromisoformat(rec["time"]).replace(tzinfo=dt.UTC)
            if when.year < 2008 or (when.year == 2008 and when.month < 6):
                continue
            incoming = rec["incoming"].strip() == "1"
            sender, receiver = (int(other), int(user)) if incoming else (int(user), int(other))
            key = (int(when.timestamp()), sender, receiver)
            if key not in seen:
                seen.add(key)
                rows.append(Email(key[0], sender, (receiver,)))
    rows.sort(key=lambda m: m.t)
    return rows


DEPARTMENTS_START = 1064021027
"""The first e-mail of the simplices (Unix seconds)."""

EMAIL_EU_DEPARTMENTS = tuple(
    SHARED / "snap-email-eu-core" / f"email-Eu-core-temporal-Dept{k}.txt" for k in (1, 2, 3, 4)
)


def email_eu_departments() -> list[Email]:
    """SNAP's four directed email-Eu department streams (``src dst t``), one e-mail per
    sender and second with its recipients, people numbered apart per department (the
    files' ids are their own), in time order. Unlike the simplices, these keep who sent
    each e-mail, so reciprocity can be read from them. Their seconds count from an
    anonymised start; they are dated from the simplices' first e-mail (2003-09-20), as
    a store would refuse dates of 1970 as implausible."""
    grouped: dict[tuple[int, int], list[int]] = {}
    for k, path in enumerate(EMAIL_EU_DEPARTMENTS):
        offset = (k + 1) * 100_000
        for line in path.read_text().split("\n"):
            parts = line.split()
            if len(parts) == 3 and parts[0] != parts[1]:
                src, dst, t = (int(x) for x in parts)
                grouped.setdefault((DEPARTMENTS_START + t, offset + src), []).append(offset + dst)
    mails = [Email(t, s, tuple(r)) for (t, s), r in grouped.items()]
    mails.sort(key=lambda m: m.t)
    return mails
