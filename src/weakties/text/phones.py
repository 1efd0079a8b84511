"""Phone numbers as identities: ``tel:+<E.164>``, so that calls, SMS, chats and address
books meet the same person.

Parsing follows libphonenumber's metadata (the ``phonenumbers`` package). A number
written without a country code is read in the default region: the ``region`` argument,
else ``$WEAKTIES_PHONE_REGION`` (an ISO 3166 code such as ``GB``), else none, in which
case only numbers written with ``+`` and a country code are recognised. A number that
is not possible in its region (too short, too long) is not an identity.
"""

from __future__ import annotations

import os
import re

import phonenumbers

REGION_VARIABLE = "WEAKTIES_PHONE_REGION"
_JUNK = re.compile(r"^(?:tel:|callto:|sip:)", re.IGNORECASE)
_DIGITS = re.compile(r"\d")


def default_region() -> str | None:
    """The region numbers without a country code are read in, from the environment."""
    value = os.environ.get(REGION_VARIABLE, "").strip().upper()
    return value if len(value) == 2 and value.isalpha() else None


def check_region(text: str) -> str:
    """``text`` as a region code libphonenumber knows (``gb`` -> ``GB``); ValueError
    naming the problem otherwise."""
    code = text.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{text.strip()[:20]!r} is not a region code")
    return code


def normalise_phone(text: str, region: str | None = None) -> str | None:
    """``tel:+<E.164>`` for a phone number as people write it, or None.

    ``region`` (ISO 3166 alpha-2) is where a number without ``+`` is read; it defaults
    to :func:`default_region`. Extensions are dropped: they reach the same person.
    """
    raw = _JUNK.sub("", text.strip())[:64]
    if len(_DIGITS.findall(raw)) < 5:
        return None
    where = (region or default_region() or "").upper() or None
    try:
        number = phonenumbers.parse(raw, where)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_phone_identity(address: str) -> bool:
    """True for identities made by :func:`normalise_phone`."""
    return address.startswith("tel:+")
