"""Profile handles as identities: ``<scheme>:<id>``, so that an address book, a
connection list and a message log name one person the same way.

A LinkedIn profile is ``linkedin:<profile path>``: the path of its URL, without the
host, query or trailing slash, percent-decoded and lower-cased (LinkedIn's public
profile paths are case-insensitive), e.g. ``https://www.linkedin.com/in/Jane-Doe-42/``
and ``linkedin.com/in/jane-doe-42?trk=x`` are both ``linkedin:in/jane-doe-42``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

LINKEDIN = "linkedin:"
_LINKEDIN_HOST = re.compile(r"^(?:[a-z0-9-]+\.)*linkedin\.com$")
_PROFILE_ROOTS = frozenset({"in", "pub"})  # member profiles; /company/, /school/ are not people
_BAD = re.compile(r"[\s\x00-\x1f\x7f<>\"'`]")
MAX_HANDLE = 200


def normalise_linkedin(text: str) -> str | None:
    """``linkedin:<profile path>`` for a LinkedIn member profile URL, or None.

    Accepts the URL with or without scheme or ``www.``; anything that is not a member
    profile (a company page, another site, junk) is None.
    """
    raw = text.strip()[: MAX_HANDLE * 2]
    if not raw:
        return None
    if "://" not in raw:
        raw = "https://" + raw.lstrip("/")
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not _LINKEDIN_HOST.match(host):
        return None
    path = unquote(parts.path).strip("/").lower()
    segments = [s for s in path.split("/") if s]
    if len(segments) < 2 or segments[0] not in _PROFILE_ROOTS or _BAD.search(path):
        return None
    handle = LINKEDIN + "/".join(segments)
    return handle if len(handle) <= MAX_HANDLE else None


def is_linkedin_identity(address: str) -> bool:
    """True for identities made by :func:`normalise_linkedin`."""
    return address.startswith(LINKEDIN)
