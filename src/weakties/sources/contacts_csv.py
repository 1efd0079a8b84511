"""Address books as CSV: Google Contacts' and Outlook's contact exports.

A layout is recognised by its header row:

* Google Contacts, "Google CSV": ``Name,Given Name,...,E-mail 1 - Type,E-mail 1 -
  Value,...,Phone 1 - Value,...,Organization 1 - Name,Organization 1 - Title`` (the
  older export) or ``First Name,Middle Name,Last Name,...,Organization Name,
  Organization Title,...,E-mail 1 - Label,E-mail 1 - Value`` (the current one). A cell
  may hold several values separated by `` ::: ``.
* Outlook, "Comma Separated Values": ``First Name,Middle Name,Last Name,Title,...,
  E-mail Address,...,Mobile Phone,...,Company,Job Title,...`` (``Title`` is the
  honorific; the job is ``Job Title``).

Each row is one :class:`~weakties.records.Contact` (kind ``card``) with the name,
every e-mail address, every phone number (``tel:+E.164``), LinkedIn profiles among
its web pages, the organisation and the title; a row without any identity is
quarantined (``no-identity``), and so is a row the CSV reader cannot read
(``bad-row``). Locations are ``<path>#row<n>``, n counting data rows from 1.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from weakties.records import Contact, ContactKind, Quarantined, Record, path_text
from weakties.sources.base import Source
from weakties.sources.csvtext import first_row, head_text, read_text, rows
from weakties.text.addresses import normalize_address
from weakties.text.handles import normalise_linkedin
from weakties.text.phones import normalise_phone

MAX_IDENTITIES = 32  # as for a vCard: more is a list, not a person
_SEPARATOR = " ::: "  # Google's separator of several values in one cell


def _matching(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern, re.IGNORECASE)
    return lambda name: compiled.fullmatch(name) is not None


@dataclass(frozen=True, slots=True)
class Layout:
    """Which columns of one vendor's export hold what."""

    name: str
    signature: frozenset[str]  # columns whose presence identifies the layout
    full_name: tuple[str, ...]  # a column holding the whole name, first that has one
    name_parts: tuple[str, ...]  # else these, joined
    email: Callable[[str], bool]
    phone: Callable[[str], bool]
    web: Callable[[str], bool]
    organisation: tuple[str, ...]
    title: tuple[str, ...]


GOOGLE = Layout(
    name="google",
    signature=frozenset({"e-mail 1 - value"}),
    full_name=("Name",),
    name_parts=(
        "First Name",
        "Given Name",
        "Middle Name",
        "Additional Name",
        "Last Name",
        "Family Name",
    ),
    email=_matching(r"e-mail \d+ - value"),
    phone=_matching(r"phone \d+ - value"),
    web=_matching(r"website \d+ - value"),
    organisation=("Organization 1 - Name", "Organization Name"),
    title=("Organization 1 - Title", "Organization Title"),
)

_OUTLOOK_PHONE = re.compile(r"(?:[a-z]+ )*phone(?: \d)?", re.IGNORECASE)

OUTLOOK = Layout(
    name="outlook",
    signature=frozenset({"first name", "last name", "e-mail address"}),
    full_name=(),
    name_parts=("First Name", "Middle Name", "Last Name"),
    email=_matching(r"e-mail(?: \d)? address"),
    phone=lambda name: _OUTLOOK_PHONE.fullmatch(name) is not None and "assistant" not in name,
    web=_matching(r"(?:personal )?web page"),
    organisation=("Company",),
    title=("Job Title",),
)
LAYOUTS = (GOOGLE, OUTLOOK)


def layout_of(header: list[str]) -> Layout | None:
    """The layout whose signature columns the header has, or None."""
    names = {cell.strip().lower() for cell in header}
    return next((layout for layout in LAYOUTS if layout.signature <= names), None)


def looks_like_contacts(path: Path, head: bytes) -> bool:
    """True for a Google or Outlook contacts CSV (judged by its header, any name)."""
    text = head_text(head)
    if "e-mail" not in text.partition("\n")[0].lower():
        return False  # most files met are mail: no header to parse
    return layout_of(first_row(text)) is not None


class ContactsCsvSource(Source):
    """One Google or Outlook contacts CSV: one contact per row."""

    kind = "contacts-csv"

    def records(self) -> Iterator[Record]:
        root = path_text(self.path.absolute())
        lines = rows(read_text(self.path))
        header = next((row for row in lines if not isinstance(row, csv.Error)), None)
        layout = layout_of(header) if header else None
        if header is None or layout is None:
            return  # the registry only sends files with a known header
        columns = _Columns(header, layout)
        for n, row in enumerate(lines, 1):
            location = f"{root}#row{n}"
            if isinstance(row, csv.Error):
                yield Quarantined(location, "bad-row", str(row)[:200])
            else:
                yield columns.record(row, location, self.region)


class _Columns:
    """The positions of one file's columns, by role."""

    def __init__(self, header: list[str], layout: Layout) -> None:
        at = {cell.strip().lower(): i for i, cell in reversed(list(enumerate(header)))}
        self.full = [at[c.lower()] for c in layout.full_name if c.lower() in at]
        self.parts = [at[c.lower()] for c in layout.name_parts if c.lower() in at]
        self.email = [i for i, c in enumerate(header) if layout.email(c.strip())]
        self.phone = [i for i, c in enumerate(header) if layout.phone(c.strip())]
        self.web = [i for i, c in enumerate(header) if layout.web(c.strip())]
        self.organisation = [at[c.lower()] for c in layout.organisation if c.lower() in at]
        self.title = [at[c.lower()] for c in layout.title if c.lower() in at]

    def record(self, row: list[str], location: str, region: str | None) -> Record:
        identities = self.identities(row, region)
        if not identities:
            detail = "no e-mail address, phone number or LinkedIn profile"
            if any(_cells(row, self.phone)):
                detail += " (phone numbers without a country code need --region)"
            return Quarantined(location, "no-identity", detail)
        full = _first(row, self.full)
        return Contact(
            location=location,
            kind=ContactKind.CARD,
            name=(full or " ".join(_cells(row, self.parts)))[:200],
            identities=tuple(identities),
            organisation=_first(row, self.organisation)[:200],
            title=_first(row, self.title)[:200],
        )

    def identities(self, row: list[str], region: str | None) -> list[str]:
        found: list[str | None] = []
        found += (normalize_address(v) for v in _cells(row, self.email))
        found += (normalise_phone(v, region) for v in _cells(row, self.phone))
        found += (normalise_linkedin(v) for v in _cells(row, self.web))
        unique = dict.fromkeys(f for f in found if f and _usable(f))
        return list(unique)[:MAX_IDENTITIES]


def _usable(identity: str) -> bool:
    """An identity this module made is usable unless it is an address without a dotted
    domain (an Exchange or Notes name that only looks like one)."""
    local, at, domain = identity.rpartition("@")
    return not at or (":" not in local and "." in domain)


def _cells(row: list[str], columns: list[int]) -> list[str]:
    values: list[str] = []
    for i in columns:
        if i < len(row):
            values += [v.strip() for v in row[i].split(_SEPARATOR) if v.strip()]
    return values


def _first(row: list[str], columns: list[int]) -> str:
    return next(iter(_cells(row, columns)), "")
