"""Decoding text from strangers: RFC 2047 encoded words, and a cache for short values.

Below sources and identity alike: both read header values and display names.
"""

from __future__ import annotations

import binascii
import codecs
import re
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

_ENCODED_WORD_RE = re.compile(r"=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=")
_SPACE_BETWEEN_WORDS_RE = re.compile(r"(\?=)\s+(=\?)")

_S = TypeVar("_S", str, bytes)
_T = TypeVar("_T")
SHORT = 4096
"""Values longer than this are never cached: they would pin memory for nothing."""


def short_cache(maxsize: int) -> Callable[[Callable[[_S], _T]], Callable[[_S], _T]]:
    """``lru_cache`` for short arguments only (header values recur; huge ones do not)."""

    def wrap(func: Callable[[_S], _T]) -> Callable[[_S], _T]:
        cached = lru_cache(maxsize=maxsize)(func)

        @wraps(func)
        def call(value: _S) -> _T:
            return cached(value) if len(value) <= SHORT else func(value)

        return call

    return wrap


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words (B and Q, any charset); never raises.

    Adjacent words in the same charset are decoded together so that a
    multi-byte character split across two words survives.
    """
    if "=?" not in text:
        return text
    text = _SPACE_BETWEEN_WORDS_RE.sub(r"\1\2", text)
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    pos = 0
    for match in _ENCODED_WORD_RE.finditer(text):
        if match.start() > pos or (pending and match.group(1).lower() != pending_charset):
            out.append(_decode_bytes(b"".join(pending), pending_charset))
            pending = []
            out.append(text[pos : match.start()])
        charset, kind, payload = match.groups()
        pending_charset = charset.lower()
        pending.append(_word_bytes(kind, payload))
        pos = match.end()
    out.append(_decode_bytes(b"".join(pending), pending_charset))
    out.append(text[pos:])
    return "".join(out)


def _word_bytes(kind: str, payload: str) -> bytes:
    data = payload.encode("ascii", "replace")
    if kind in "Qq":
        return binascii.a2b_qp(data, header=True)
    data += b"=" * (-len(data) % 4)
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        return b""


def _decode_bytes(data: bytes, charset: str) -> str:
    if not data:
        return ""
    try:
        return data.decode(_codec(charset), "replace")
    except (LookupError, UnicodeError, ValueError):  # codecs that refuse "replace" (idna)
        return data.decode("utf-8", "replace")


_CODECS: dict[str, str] = {}


def _codec(charset: str) -> str:
    """A text codec Python knows for ``charset``; unknown ones, and codecs that are not
    for text (``uu``, ``base64``, ``zlib``, ``rot13``...), read as UTF-8."""
    known = _CODECS.get(charset)
    if known is None:
        name = charset.partition("*")[0]  # RFC 2231 language suffix
        try:
            known = codecs.lookup(name).name
            b"".decode(known)  # refuses codecs that are not text encodings
        except (LookupError, ValueError):
            known = "utf-8"
        if len(_CODECS) < 1024:
            _CODECS[charset] = known
    return known
