"""E-mail addresses and display names: parse, normalise, compare.

Address lists are parsed with a split-based fast path for the common shapes
(``a@b, Name <c@d>``) and a hand-written tokenizer for the rest (quoted names
with commas, ``(comments)``, group syntax, unquoted ``Last, First <x@y>``).
Normalisation lower-cases, strips stray quotes, brackets and dots, unwraps
Exchange/Notes ``IMCEA...`` encapsulation and drops routing junk such as
``a@b.com@ENRON``. Anything without a usable ``local@domain`` is rejected
(``None`` or left out) so callers can decide what to do.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from weakties.text.decode import decode_words, short_cache

Mailbox = tuple[str, str]
"""``(normalised address, display name)``; the name may be ""."""

_CLEAN_LIST_RE = re.compile(
    r"(?>\s*(?>[a-z0-9_+=-]+(?:[.']+[a-z0-9_+=-]+)*@[a-z0-9-]+(?:\.[a-z0-9-]+)*"
    r"|[a-z0-9_.'+=-]+)\s*(?:,|$))+\s*"
)  # bare normal addresses (and cut-off items without "@", which are dropped)
_CLEAN_ADDRESS_RE = re.compile(
    r"[A-Za-z0-9_+=-]+(?:\.+[A-Za-z0-9_+=-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)
_ITEM_RE = re.compile(
    r"\s*(?:(?>([A-Za-z0-9_+=-]+(?:[.']+[A-Za-z0-9_+=-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*))"
    r"\s*(?:,|$)|([^,]*)(?:,|$))"
)  # one list item: a normal address (group 1) or anything else (group 2)
_SLOW_CHARS_RE = re.compile(r'["()\\:;]')
_BAD_CHARS_RE = re.compile(r'[\s<>(),;:"\\\x00-\x1f\x7f]')
_AROUND_AT_RE = re.compile(r"\s*@\s*")
_NAME_LIKE_RE = re.compile(r"[^\W\d_][\w'\- ]*")
_ATOM_END = frozenset(' \t\r\n"(),:;<')
_CACHE_SIZE = 1 << 16


@dataclass(slots=True)
class _Segment:
    """One comma-separated item of an address list, before normalisation."""

    name: str
    addr: str
    angled: bool


@short_cache(maxsize=8192)
def parse_address_list(value: str) -> tuple[Mailbox, ...]:
    """Parse a To/Cc/From value into normalised ``(address, name)`` pairs.

    Invalid items are left out; an address seen twice is kept once.
    """
    clean = clean_address_list(value)
    if clean is not None:
        return tuple((address, "") for address in clean)
    value = _deobfuscate(value)
    if _SLOW_CHARS_RE.search(value) is None:
        found = _split_fast(value)
    else:
        found = _to_mailboxes(_tokenize(value))
    if len(found) < 2:
        return tuple(found)
    out: dict[str, Mailbox] = {}
    for mailbox in found:
        out.setdefault(mailbox[0], mailbox)
    return tuple(out.values())


def clean_address_list(value: str) -> list[str] | None:
    """The addresses of a list of bare, already-normal addresses (``a@b.com, c@d.org``).

    None when any item needs real parsing. This is the usual shape of
    recipient lists, and checking it with one regex is far cheaper than
    parsing item by item.
    """
    if "<" in value or '"' in value:
        return None
    lowered = value.lower()
    if _CLEAN_LIST_RE.fullmatch(lowered) is None or "imcea" in lowered:
        return None
    return [a for a in dict.fromkeys(map(str.strip, lowered.split(","))) if "@" in a]


def _split_fast(value: str) -> list[Mailbox]:
    """Split on commas when no quotes, comments or groups make that unsafe.

    One regex pass tells normal addresses (taken as they are) from items that
    need a closer look, so long lists with a few odd items stay cheap.
    """
    segments: list[_Segment | Mailbox] = []
    for clean, item in _ITEM_RE.findall(value):
        if clean and (clean[0] not in "iI" or clean[:5].lower() != "imcea"):
            segments.append((clean.lower(), ""))
            continue
        item = item.strip() or clean
        if not item:
            continue
        lt = item.find("<")
        if lt >= 0:
            rest = item[lt + 1 :]
            gt = rest.find(">")
            segments.append(_Segment(item[:lt].strip(), rest[:gt] if gt >= 0 else rest, True))
        elif "@" in item and " " not in item and "\t" not in item:
            segments.append(_Segment("", item, False))
        else:
            segments.append(_bare_segment(item.split(), []))
    return _to_mailboxes(segments)


def _bare_segment(words: list[str], comments: list[str]) -> _Segment:
    """An item without ``<...>``: the address is the last word with an ``@``."""
    if len(words) > 1:
        words = _AROUND_AT_RE.sub("@", " ".join(words)).split()
    for i in range(len(words) - 1, -1, -1):
        if "@" in words[i]:
            name = " ".join(comments) or " ".join(words[:i] + words[i + 1 :])
            return _Segment(name, words[i], False)
    return _Segment(" ".join(comments), " ".join(words), False)


def _tokenize(value: str) -> list[_Segment]:
    """Split an address list the careful way (RFC 5322 specials, leniently)."""
    segments: list[_Segment] = []
    words: list[str] = []
    comments: list[str] = []
    angle: str | None = None
    i, n = 0, len(value)
    while i < n:
        c = value[i]
        if c == '"':
            i, text = _scan_quoted(value, i)
            if angle is None:
                words.append(text)
        elif c == "(":
            i, text = _scan_comment(value, i)
            comments.append(text)
        elif c == "<":
            end = value.find(">", i + 1)
            end = n if end < 0 else end
            if angle is None:
                angle = value[i + 1 : end]
            i = end + 1
        elif c in ",;" or (c == ":" and angle is None and words and "@" not in words[-1]):
            if c == ":":  # group syntax: the group's name is not a mailbox
                words, comments = [], []
            else:
                segments.append(_segment(words, comments, angle))
                words, comments, angle = [], [], None
            i += 1
        elif c in _ATOM_END or c == ">":  # blanks and stray specials
            i += 1
        else:
            start = i
            while i < n and value[i] not in _ATOM_END:
                i += 1
            if angle is None:
                words.append(value[start:i])
    segments.append(_segment(words, comments, angle))
    return segments


def _segment(words: list[str], comments: list[str], angle: str | None) -> _Segment:
    if angle is None:
        return _bare_segment(words, comments)
    return _Segment(" ".join(words) or " ".join(comments), angle, True)


def _scan_quoted(value: str, i: int) -> tuple[int, str]:
    """Read a quoted string starting at ``value[i] == '"'``; unterminated runs to the end."""
    out: list[str] = []
    i += 1
    n = len(value)
    while i < n:
        c = value[i]
        if c == "\\" and i + 1 < n:
            out.append(value[i + 1])
            i += 2
            continue
        if c == '"':
            return i + 1, "".join(out)
        out.append(c)
        i += 1
    return n, "".join(out)


def _scan_comment(value: str, i: int) -> tuple[int, str]:
    """Read a (possibly nested) comment starting at ``value[i] == '('``."""
    depth, start, n = 0, i + 1, len(value)
    while i < n:
        c = value[i]
        if c == "\\":
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1, value[start:i]
        i += 1
    return n, value[start:]


def _to_mailboxes(segments: Sequence[_Segment | Mailbox]) -> list[Mailbox]:
    """Normalise segments; glue an unquoted ``Last, First <x@y>`` back together.

    Items already known to be normal arrive as ready ``(address, "")`` pairs.
    """
    out: list[Mailbox] = []
    carry = ""
    for seg in segments:
        if isinstance(seg, tuple):
            out.append(seg)
            carry = ""
            continue
        if not seg.angled and "@" not in seg.addr:
            bare = seg.addr.strip()
            carry = bare if _NAME_LIKE_RE.fullmatch(bare) else ""
            continue
        name = seg.name
        if carry and seg.angled:
            name = f"{carry}, {name}" if name else carry
        carry = ""
        mailbox = parse_mailbox(seg.addr, name) if name else _bare_mailbox(seg.addr)
        if mailbox is not None:
            out.append(mailbox)
    return out


def _is_clean(address: str) -> bool:
    """True for an address that normalisation would only lower-case."""
    return _CLEAN_ADDRESS_RE.fullmatch(address) is not None and address[:5].lower() != "imcea"


@short_cache(maxsize=_CACHE_SIZE)
def _bare_mailbox(item: str) -> Mailbox | None:
    return parse_mailbox(item)


def parse_mailbox(raw_address: str, raw_name: str = "") -> Mailbox | None:
    """Normalise one address with its display name (RFC 2047 words decoded)."""
    name = clean_name(raw_name)
    if raw_address.lstrip("<\"' ")[:5].lower() == "imcea":
        unwrapped = decode_encapsulated(raw_address)
        if unwrapped is not None:
            return unwrapped[0], name or unwrapped[1]
    address = normalize_address(raw_address)
    return None if address is None else (address, name)


@short_cache(maxsize=_CACHE_SIZE)
def normalize_address(raw: str) -> str | None:
    """Lower-case ``local@domain``, or None when ``raw`` holds no usable address.

    Strips surrounding quotes/brackets and leading/trailing dots of the local
    part (``<.jeff@enron.com>``), keeps inner ``..`` (Enron's ``k..allen``),
    and keeps the first dotted domain of ``a@b.com@SMTP@enronXgate``.
    """
    text = raw.strip().strip("<>\"'` \t").lower()
    if text.startswith("mailto:"):
        text = text[7:]
    if text.startswith("imcea"):
        unwrapped = decode_encapsulated(text)
        if unwrapped is not None:
            return unwrapped[0]
    parts = text.split("@")
    if len(parts) < 2:
        return None
    local = parts[0].strip(".'\"` ")
    domain = next((p for p in parts[1:] if "." in p), parts[1]).strip(".'\"`>]} ")
    if not local or not domain or _BAD_CHARS_RE.search(local) or _BAD_CHARS_RE.search(domain):
        return None
    return f"{local}@{domain}"


def domain_of(address: str) -> str:
    """The part after the last ``@`` ("" for opaque ids without one)."""
    return address.rpartition("@")[2]


# --- pipermail obfuscation -------------------------------------------------------------

_AT_WORD_RE = re.compile(r"(\S+) at (\S+)")
_MANGLED_AT_RE = re.compile(
    r"(\S+) (?:@end(?:ing from|\|ng \|rom)|m@[il|]{3}@g o[fil|]{2}) (\S+)", re.IGNORECASE
)
_MANGLED_CHARS = str.maketrans({"@": ".", "a": ".", "s": ".", "i": "|", "l": "|", "f": "|"})


def _deobfuscate(value: str) -> str:
    """Undo Mailman's address hiding (``edd at debian.org``).

    Newer archives also replace letters (``edd @end|ng |rom deb|@n@org``: ``@`` for
    a, s and the dot, ``|`` for i, l and f). Where the display name that follows
    (``(Duncan Murdoch)``) and a well-known mail domain settle every hidden letter,
    the address is restored (``murdoch@dunc@n @end|ng |rom gm@||@com (Duncan
    Murdoch)`` is ``murdoch.duncan@gmail.com``); otherwise it is mapped to one stable
    pseudo-address per person whichever variant of the hiding was used (``gm@il@com``
    and ``gm@||@com`` both give ``gm.||.com.invalid``), under the reserved top-level
    domain ``.invalid``: never taken for a real address, and of no organisation.
    """
    if "@end" in value:
        value = _NAMED_MANGLED_RE.sub(_restore_named, value)
    if "@end" in value or "@g o" in value:
        value = _MANGLED_AT_RE.sub(_unmangle, value)
    if " at " in value and "@" not in value:
        value = _AT_WORD_RE.sub(r"\1@\2", value, count=1)
    return value


HIDDEN_DOMAIN = "invalid"
"""Top-level domain of the pseudo-addresses of hidden addresses not restored: reserved
by RFC 2606 so that it can never be a real address, and of no organisation."""


def _unmangle(match: re.Match[str]) -> str:
    local, domain = (part.lower().translate(_MANGLED_CHARS) for part in match.groups())
    return f"{local}@{domain.strip('.')}.{HIDDEN_DOMAIN}"


_NAMED_MANGLED_RE = re.compile(
    r"(\S+) @end(?:ing from|\|ng \|rom) (\S+)(\s*\(([^()]*)\))", re.IGNORECASE
)
_HIDDEN = {"@": "as.", "|": "ilf"}
"""What each hiding character may stand for."""

MAIL_DOMAINS = (
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
    "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "web.de", "posteo.de",
    "protonmail.com", "mailbox.org", "yahoo.co.uk", "yahoo.fr", "free.fr", "orange.fr",
)  # fmt: skip
"""Mail providers a hidden domain is matched against; the one that fits is the domain."""


def _restore_named(match: re.Match[str]) -> str:
    local, domain, comment, name = match.groups()
    restored = _restore(local.lower(), domain.lower(), name)
    return match.group(0) if restored is None else f"{restored}{comment}"


def _restore(local: str, domain: str, name: str) -> str | None:
    """The address hidden as ``local`` at ``domain``, or None when it is not settled."""
    host = _restore_domain(domain)
    tokens = canonical_name(name).split() if name else []
    mailbox = _restore_local(local, tokens)
    return None if host is None or mailbox is None else f"{mailbox}@{host}"


def _fits(hidden: str, plain: str) -> bool:
    return len(hidden) == len(plain) and all(
        h == p or p in _HIDDEN.get(h, "") for h, p in zip(hidden, plain, strict=True)
    )


def _restore_domain(hidden: str) -> str | None:
    if not any(c in _HIDDEN for c in hidden):
        return hidden
    found = [d for d in MAIL_DOMAINS if _fits(hidden, d)]
    return found[0] if len(found) == 1 else None


def _restore_local(hidden: str, tokens: list[str]) -> str | None:
    """Read a hidden local part as pieces of the person's name (whole words, their
    first three letters or more, or an initial to open it), plain characters, and dots between
    two words of the name (or after an opening initial: ``r.turner``). The reading is
    kept only when every hidden character is settled and no other reading is possible:
    ``retep@me|@@ner`` may be ``retep.meissner`` or ``retepameissner``, and stays hidden.
    """
    words = {unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode() for t in tokens}
    # readings[i]: the ways to read hidden[:i], each with what its last step was
    readings: list[set[tuple[str, str]]] = [set() for _ in range(len(hidden) + 1)]
    readings[0].add(("", "start"))
    for i in range(len(hidden)):
        for done, last in readings[i]:
            for size, text, kind in _steps(hidden, i, words):
                if last == "dot" and kind != "word":
                    continue  # a dot is followed by a word of the name
                if kind == "dot" and not (last == "word" or (last == "initial" and i == 1)):
                    continue  # and follows one, or an initial that opens the local part
                readings[i + size].add((done + text, kind))
        if len(readings[i + 1]) > 8:
            return None
    found = {text for text, last in readings[-1] if last != "dot"}
    return found.pop() if len(found) == 1 else None


def _steps(hidden: str, i: int, words: set[str]) -> list[tuple[int, str, str]]:
    """The readings of ``hidden`` at ``i``: (characters read, text, kind)."""
    steps: list[tuple[int, str, str]] = []
    if hidden[i] not in _HIDDEN:
        steps.append((1, hidden[i], "char"))
    elif hidden[i] == "@":
        steps.append((1, ".", "dot"))
    sizes = (1, 3) if i == 0 else (3,)  # an initial only opens the local part
    steps.extend(
        (size, word[:size], "initial" if size == 1 else "word")
        for word in words
        for size in (s for s in range(1, len(word) + 1) if s >= sizes[-1] or s == sizes[0])
        if _fits(hidden[i : i + size], word[:size])
    )
    return steps


# --- Exchange and Lotus Notes ----------------------------------------------------------

_IMCEA_RE = re.compile(r"imcea(notes|ex)-(.*)@([^@]*)$", re.IGNORECASE)
_HEX_ESCAPE_RE = re.compile(r"\+([0-9A-Fa-f]{2})")
_DN_RE = re.compile(r"/o=[^<>]*", re.IGNORECASE)
_ALIAS_RE = re.compile(r"[a-z][a-z0-9._-]{0,63}")
_HEX_ID_RE = re.compile(r"[0-9a-f]{8}-")


@short_cache(maxsize=4096)
def decode_encapsulated(raw: str) -> Mailbox | None:
    """Unwrap ``IMCEANOTES-...@dom`` / ``IMCEAEX-...@dom`` to ``(address, name)``.

    A wrapped SMTP address is returned as such; a Notes name such as
    ``Mark Whitt/DEN/ECT@ENRON`` becomes the stable pseudo-address
    ``notes:mark.whitt/den/ect`` with the name ``Mark Whitt``.
    """
    match = _IMCEA_RE.match(raw.strip().strip("<>\"' "))
    if match is None:
        return None
    kind, payload, wrapper = match.groups()
    text = _HEX_ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), payload.replace("_", "/"))
    if kind.lower() == "ex":
        alias = exchange_alias(text, wrapper)
        return (alias, "") if alias else ("ex:" + text.strip().lower(), "")
    for address, name in parse_address_list(text):
        if "." in domain_of(address) and not address.startswith("notes:"):
            return address, name
    hierarchy = text.partition("@")[0].strip().strip("\"'")
    if not hierarchy:
        return None
    pseudo = "notes:" + ".".join(hierarchy.lower().split())
    return pseudo, clean_name(hierarchy.partition("/")[0])


def exchange_alias(value: str, domain: str) -> str | None:
    """``alias@domain`` from an Exchange DN such as ``/O=ENRON/.../CN=PALLEN``.

    None when there is no DN or its last CN is not a mailbox alias (e.g. a hex
    NOTESADDR id).
    """
    match = _DN_RE.search(value)
    domain = domain.strip().strip(".").lower()
    if match is None or not domain:
        return None
    parts = match.group(0).rstrip("> ").lower().split("/cn=")
    alias = parts[-1].strip()
    if len(parts) < 2 or parts[-2].strip() == "notesaddr":
        return None
    if _ALIAS_RE.fullmatch(alias) is None or _HEX_ID_RE.match(alias):
        return None
    return f"{alias}@{domain}"


# --- names -----------------------------------------------------------------------------

_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "rev"})
_SUFFIXES = frozenset(
    {"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "mba", "cpa", "cfa", "jd", "pe"}
)
_NAME_PUNCT_RE = re.compile(r"[^\w\s,]")
_PAREN_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def clean_name(name: str) -> str:
    """A display name as seen, minus encodings, quotes and an address posing as one."""
    if not name:
        return ""
    name = " ".join(decode_words(name).split()).strip("\"' ")
    name = name.replace('\\"', '"')
    if "@" in name and " " not in name:
        return ""
    return name


def canonical_name(name: str) -> str:
    """A matching key for a person's name: ``Allen, Phillip K.`` -> ``phillip k allen``.

    Turns ``Last, First`` around, drops titles, suffixes, accents and
    punctuation, and casefolds. "" when nothing name-like is left.
    """
    name = _PAREN_RE.sub(" ", clean_name(name))
    if "@" in name:
        return ""
    name = unicodedata.normalize("NFKD", name)
    name = "".join(c for c in name if not unicodedata.combining(c))
    name = _NAME_PUNCT_RE.sub(lambda m: " " if m.group(0) in "-./" else "", name).casefold()
    parts = [p.strip() for p in name.split(",")]
    while len(parts) > 1 and _only_affixes(parts[-1]):
        parts.pop()
    if len(parts) == 2:
        parts = [parts[1], parts[0]]
    words = [w for w in " ".join(parts).split() if w not in _TITLES and w not in _SUFFIXES]
    return " ".join(words)


def _only_affixes(part: str) -> bool:
    return all(w in _SUFFIXES or w in _TITLES for w in part.split())


# --- automated senders -----------------------------------------------------------------

_AUTOMATED_EXACT = frozenset(
    {
        "noreply", "donotreply", "dontreply", "mailerdaemon", "postmaster", "notifications",
        "notification", "notify", "alerts", "alert", "bounce", "bounces", "news",
        "newsletter", "newsletters", "autoreply", "autoresponder", "mailer",
    }
)  # fmt: skip
_AUTOMATED_WORDS = frozenset(
    {"noreply", "donotreply", "bounce", "bounces", "notifications", "notification",
     "alerts", "alert", "newsletter", "newsletters", "mailerdaemon", "autoreply"}
)  # fmt: skip
_AUTOMATED_PREFIXES = ("noreply", "donotreply", "bounce", "mailerdaemon", "autoreply")
_LOCAL_SPLIT_RE = re.compile(r"[-_.+=]")


def is_automated_local_part(address: str) -> bool:
    """True when the local part is a clear machine sender (``no-reply``, ``bounces+x``...).

    ``info``, ``sales``, ``contact`` and the like are deliberately *not*
    automated: small organisations route them to a person who answers.
    """
    local = address.partition("@")[0].lower()
    words = _LOCAL_SPLIT_RE.split(local)
    compact = "".join(words)
    if compact in _AUTOMATED_EXACT or compact.startswith(_AUTOMATED_PREFIXES):
        return True
    if "no" in words and "reply" in words:
        return True
    return any(w in _AUTOMATED_WORDS for w in words)
