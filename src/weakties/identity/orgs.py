"""Organisations from e-mail domains, offline.

An address's organisation is its *registrable* domain (``ect.enron.com`` ->
``enron.com``), found with a small built-in list of multi-label public
suffixes instead of the full Public Suffix List (no network, no data file).
Free-mail and consumer ISP domains are no organisation: two people at
``gmail.com`` share a provider, not an employer.

An address book or a connection list may also *name* a person's organisation (a
card's ORG, a LinkedIn connection's Company). A named organisation without a domain
is keyed ``org:<normalised name>`` (:func:`named_org_key`): case, punctuation, a
leading or trailing "the" and trailing legal forms do not count, so "ACME Corp." and
"Acme Corporation" are ``org:acme``. Names that are no employer ("Self-employed",
"Freelance", "Retired") are no organisation, as free-mail domains are not.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Second-level suffixes under which organisations register (``example.co.uk``).
# Not exhaustive: a domain under a suffix missing here resolves one label too
# high (``example.xx.yy`` -> ``xx.yy``), which only merges organisations, never people.
_MULTI_LABEL_SUFFIXES = frozenset(
    f"{second}.{tld}"
    for tld, seconds in {
        "uk": "co ac gov org ltd plc me net sch nhs police mod",
        "au": "com net org edu gov asn id csiro",
        "nz": "co org net ac govt school geek gen kiwi maori",
        "jp": "co ne or ac go gr ad ed lg",
        "br": "com net org gov edu mil art",
        "in": "co net org firm gen ind ac edu gov res nic",
        "za": "co org ac gov net edu web",
        "cn": "com net org edu gov ac",
        "hk": "com org edu gov net idv",
        "tw": "com org edu gov net idv",
        "sg": "com org edu gov net per",
        "my": "com org edu gov net",
        "kr": "co or ac go ne re",
        "il": "co org ac gov net muni",
        "id": "co or ac go net web sch",
        "th": "co or ac go in net",
        "ph": "com org edu gov net",
        "vn": "com org edu gov net",
        "pk": "com org edu gov net",
        "mx": "com org edu gob net",
        "ar": "com org edu gob net",
        "co": "com org edu gov net",
        "pe": "com org edu gob net",
        "tr": "com org edu gov net gen av bel k12",
        "ua": "com org edu gov net in",
        "ru": "com org net",
        "pl": "com org net edu gov",
        "es": "com org edu gob nom",
        "pt": "com org edu gov",
        "gr": "com org edu gov net",
        "at": "co or ac gv",
        "be": "ac",
        "fr": "gouv asso",
        "ng": "com org edu gov net",
        "ke": "co or ac go ne",
        "eg": "com org edu gov net eun",
        "sa": "com org edu gov net med",
        "ae": "co org ac gov net",
        "qa": "com org edu gov net",
        "ve": "com org edu gob net co",
        "uy": "com org edu gub net",
        "cl": "gob gov mil",
        "ec": "com org edu gob net",
        "tz": "co or ac go ne",
        "ug": "co or ac go ne",
        "zw": "co org ac gov",
        "cy": "com org ac gov net",
        "mt": "com org edu gov net",
        "us": "k12 lib",
    }.items()
    for second in seconds.split()
)

# Providers whose brand label is free-mail under any suffix (yahoo.fr, gmx.at ...).
_FREE_MAIL_BRANDS = _words(
    "yahoo hotmail outlook live windowslive gmx yandex ymail rocketmail"
    " rediffmail libero tiscali wanadoo"
)

_FREE_MAIL_DOMAINS = _words(
    """
    gmail.com googlemail.com msn.com passport.com aol.com aim.com
    icloud.com me.com mac.com proton.me pm.me protonmail.com protonmail.ch tutanota.com
    tutanota.de tuta.io tuta.com fastmail.com fastmail.fm hushmail.com mail.com email.com
    usa.net lycos.com excite.com netscape.net compuserve.com hey.com zohomail.com
    inbox.com gawab.com mailinator.com guerrillamail.com yopmail.com 10minutemail.com
    web.de t-online.de freenet.de arcor.de posteo.de posteo.net mailbox.org
    free.fr orange.fr laposte.net sfr.fr neuf.fr bbox.fr alice.it virgilio.it tin.it email.it
    seznam.cz centrum.cz atlas.cz wp.pl o2.pl onet.pl interia.pl op.pl
    mail.ru bk.ru inbox.ru list.ru rambler.ru ya.ru ukr.net i.ua meta.ua
    qq.com foxmail.com 163.com 126.com yeah.net sina.com sina.cn sohu.com aliyun.com
    naver.com daum.net hanmail.net nate.com
    comcast.net verizon.net att.net sbcglobal.net bellsouth.net pacbell.net swbell.net
    ameritech.net flash.net prodigy.net cox.net charter.net earthlink.net mindspring.com
    optonline.net juno.com netzero.net netzero.com rr.com roadrunner.com frontier.com
    frontiernet.net centurylink.net embarqmail.com windstream.net q.com qwest.net
    mediacombb.net suddenlink.net ev1.net pdq.net hal-pc.org peoplepc.com
    btinternet.com btopenworld.com sky.com virginmedia.com ntlworld.com blueyonder.co.uk
    talktalk.net tiscali.co.uk
    shaw.ca rogers.com sympatico.ca telus.net videotron.ca cogeco.ca
    bigpond.com bigpond.net.au optusnet.com.au iinet.net.au xtra.co.nz
    googlegroups.com yahoogroups.com groups.io
    """
)

# Top-level labels that never name a real organisation's mail domain. ``.example``
# and ``.test`` stay allowed: they are what documentation, demos and tests use.
_PSEUDO_TLDS = _words("invalid local localhost localdomain internal lan home arpa onion")

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_SHORT_WORD = 3  # labels this short read as acronyms: ibm -> IBM


def registrable_domain(domain: str) -> str | None:
    """The registrable part of ``domain``, or None when it is no public domain.

    ``ect.enron.com`` -> ``enron.com``; ``mail.example.co.uk`` -> ``example.co.uk``.
    Opaque-id pseudo domains (no dot, ``.invalid``, ``.local``, IP literals) are None.
    """
    labels = _labels(domain)
    if labels is None:
        return None
    keep = 3 if ".".join(labels[-2:]) in _MULTI_LABEL_SUFFIXES else 2
    if len(labels) < keep:
        return None
    return ".".join(labels[-keep:])


def is_free_mail(domain: str) -> bool:
    """True for free-mail and consumer ISP domains (and their subdomains)."""
    reg = registrable_domain(domain)
    if reg is None:
        return False
    return reg in _FREE_MAIL_DOMAINS or reg.split(".")[0] in _FREE_MAIL_BRANDS


@lru_cache(maxsize=1 << 14)
def org_domain(domain: str | None) -> str | None:
    """The organisation behind a mail domain, or None (free-mail, pseudo, empty)."""
    if not domain:
        return None
    reg = registrable_domain(domain)
    if reg is None or is_free_mail(reg):
        return None
    return reg


def org_name(domain: str) -> str:
    """A readable name for an organisation domain: ``enron.com`` -> ``Enron``."""
    reg = registrable_domain(domain) or domain.strip().lower()
    brand = reg.split(".")[0]
    words = [w for w in re.split(r"[-_]+", brand) if w]
    return " ".join(_word(w) for w in words) or reg


def _word(word: str) -> str:
    return word.upper() if len(word) <= _SHORT_WORD else word.capitalize()


def _labels(domain: str) -> list[str] | None:
    """The lower-case labels of a public DNS name, or None for anything else."""
    name = domain.strip().lower().rstrip(".")
    if not name or name.startswith("["):
        return None
    labels = name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    tld = labels[-1]
    if tld in _PSEUDO_TLDS or tld.isdigit():
        return None
    return labels


NAMED_PREFIX = "org:"
_LEGAL_FORMS = _words(
    "inc incorporated corp corporation co company ltd limited llc llp lp plc gmbh ag kg"
    " sa sas sarl srl spa bv nv oy ab as asa kk pty pvt"
)  # company-law suffixes of the English-speaking and European registers
_NO_EMPLOYER = frozenset(
    {"self employed", "self", "freelance", "freelancer", "independent", "independent consultant",
     "retired", "student", "unemployed", "none", "n a", "na", "confidential", "private",
     "stealth", "stealth startup", "various", "home", "me", "unknown", "not applicable"}
)  # fmt: skip
_NAME_WORD = re.compile(r"\w+")
MAX_ORG_KEY = 100


def named_org_key(name: str) -> str | None:
    """``org:<normalised name>`` for an organisation's name as people write it, or None
    when it names no employer."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    words = _NAME_WORD.findall(text.replace("_", " "))
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    if len(words) > 1 and words[-1] == "the":
        words = words[:-1]
    key = " ".join(words)[:MAX_ORG_KEY]
    if not key or key in _NO_EMPLOYER or key.isdigit():
        return None
    return NAMED_PREFIX + key


def is_named_org(org: str) -> bool:
    """True for keys made by :func:`named_org_key` (as opposed to domains)."""
    return org.startswith(NAMED_PREFIX)
