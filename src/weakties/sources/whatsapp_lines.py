"""The lines of a WhatsApp "Export chat" text file: which start a message, in which
date format, from whom, and which are WhatsApp's own.

The formats follow the phone's platform and locale:

* Android: ``15.04.2016, 15:04 - Name: text``, ``12/31/19, 11:59 PM - Name: text``,
  ``2019-10-20, 10:16 - Name: text``;
* iOS: ``[15-01-20 02:22:56] Name: text``, ``[31/12/2019, 23:59:59] Name: text``,
  often with a left-to-right mark before the bracket, and U+202F before ``PM``.

Dates are day-first, month-first or year-first, with 2- or 4-digit years; clocks are
12- or 24-hour, with or without seconds. A file uses one format throughout: the order
of the date's fields is the one under which every date is valid and the dates run
forward most often (an export is in time order). A line that does not start with a
date and time continues the message before it.

A message is ``Name: text``; a line without a name is WhatsApp's own (a member added
or left, the group renamed, ...), in any language. iOS puts some of its own lines
under the chat's name instead (``Group: ‎Ash added Brock``, with a left-to-right
mark before the text): the chat's name is the one the end-to-end encryption notice
is written under, and its marked lines are WhatsApp's too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from itertools import pairwise

_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}"
_TIME = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[\s\u202f\u00a0]*[AaPp]\.?\s?[Mm]\.?)?"
HEADER = re.compile(
    rf"^[\u200e\u200f\ufeff]*(?:\[(?P<bd>{_DATE}),?\s+(?P<bt>{_TIME})\][ \u00a0]?"
    rf"|(?P<d>{_DATE}),?\s+(?P<t>{_TIME})\s*[-\u2013]\s)"
)
"""The date and time a message line starts with (bracketed iOS, or Android's ``-``)."""

_FIELDS = re.compile(r"\d+")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*([AaPp])?")
_QUOTES = re.compile('["\u201c\u201d\u00ab\u00bb]')
_MARKS = "\u200e\u200f\ufeff\u202a\u202b\u202c\u202d\u202e"
MAX_NAME = 100
"""A sender's name is at most this long (WhatsApp's own lines can be long sentences)."""

ENCRYPTION_NOTICES = (
    "messages and calls are end-to-end encrypted",
    "messages to this group are now secured with end-to-end encryption",
    "messages you send to this chat and calls are now secured",
    "messages you send to this group are now secured",
    "nachrichten und anrufe sind ende-zu-ende-verschlüsselt",
    "los mensajes y las llamadas están cifrados de extremo a extremo",
    "les messages et les appels sont chiffrés de bout en bout",
    "as mensagens e as chamadas são protegidas com a criptografia de ponta a ponta",
    "i messaggi e le chiamate sono crittografati end-to-end",
    "berichten en oproepen worden end-to-end versleuteld",
)
"""How WhatsApp's notice at the top of a chat begins, in the languages we have seen;
lower-cased. iOS writes it under the chat's name."""

ORDERS = ("dmy", "mdy", "ymd")  # preferred in this order when the dates allow several


@dataclass(slots=True)
class Line:
    """A message as read: where it starts, its date and clock as written, and its
    sender (None for WhatsApp's own lines) and text."""

    number: int  # 1-based line number of its first line
    day: str
    clock: str
    sender: str | None
    text: list[str]


def split_messages(text: str) -> tuple[list[Line], list[int]]:
    """The messages of an export, and the numbers of lines before the first message
    that are not blank (text without a date: not part of any message)."""
    messages: list[Line] = []
    orphans: list[int] = []
    for number, raw in enumerate(text.removesuffix("\n").split("\n"), 1):
        line = raw.removesuffix("\r")
        match = HEADER.match(line)
        if match is not None:
            day = match.group("bd") or match.group("d")
            clock = match.group("bt") or match.group("t")
            sender, body = _sender(line[match.end() :])
            messages.append(Line(number, day, clock, sender, [body]))
        elif messages:
            messages[-1].text.append(line)
        elif line.strip(" \t" + _MARKS):
            orphans.append(number)
    return messages, orphans


def _sender(rest: str) -> tuple[str | None, str]:
    name, colon, body = rest.partition(": ")
    if not colon:
        name, colon, body = rest.partition(":")  # "Name:" with an empty text
        if not colon or body:
            return None, rest
    name = name.strip(" " + _MARKS)
    if not name or len(name) > MAX_NAME or _QUOTES.search(name):  # a quoted subject: ours
        return None, rest
    return name, body


def is_notice(text: str) -> bool:
    """WhatsApp's end-to-end encryption notice, in one of the languages we know."""
    return text.strip(" " + _MARKS).lower().startswith(ENCRYPTION_NOTICES)


def is_marked(text: str) -> bool:
    """Text that starts with a left-to-right mark: on iOS, WhatsApp's own wording."""
    return text.startswith("\u200e")


def date_order(days: list[str], twelve_hour: bool = False) -> str:
    """The order of the date fields (``dmy``, ``mdy`` or ``ymd``) that reads every
    date in ``days`` (distinct, in file order) as a real date and runs forward most
    often. On a tie, day-first, unless the clock is 12-hour (then month-first, the US
    way)."""
    fields = [tuple(int(x) for x in _FIELDS.findall(d)) for d in days]
    widths = [tuple(len(x) for x in _FIELDS.findall(d)) for d in days[:1]]
    preferred = ("mdy", "dmy", "ymd") if twelve_hour else ORDERS
    best, best_back = preferred[0], len(days) + 1
    for order in preferred:
        if widths and widths[0][0] == 4 and order != "ymd":
            continue
        dates = [d for d in (as_date(f, order) for f in fields) if d is not None]
        if len(dates) != len(fields):
            continue
        back = sum(1 for a, b in pairwise(dates) if b < a)
        if back < best_back:
            best, best_back = order, back
    return best


def as_date(fields: tuple[int, ...], order: str) -> date | None:
    """The date of three fields read in ``order``; a 2-digit year is 20xx."""
    if len(fields) != 3:
        return None
    parts = dict(zip(order, fields, strict=True))
    year = parts["y"] + 2000 if parts["y"] < 100 else parts["y"]
    try:
        return date(year, parts["m"], parts["d"])
    except ValueError:
        return None


def clock_time(clock: str) -> time | None:
    """The time of day a clock (12- or 24-hour, with or without seconds) says."""
    match = _CLOCK.match(clock)
    if match is None:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if match[4]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[4] in "Pp" else 0)
    try:
        return time(hour, minute, second)
    except ValueError:
        return None


def is_twelve_hour(clock: str) -> bool:
    """A clock written with AM or PM."""
    match = _CLOCK.match(clock)
    return bool(match and match[4])
