"""Reading mail from a server: the account's address, the options, the password, and
the network's failures as one-line errors.

A server is named by a URL (``imaps://me@example.com@imap.example.com/``), never by
a password: one written into the address is refused, since it would show in the
process list and the shell's history. The password comes from an environment
variable, or from the adapter that asked for it at a terminal (:attr:`ServerOptions.
passwords`); it is held in memory as a :class:`Secret`, which never prints, and it
is never stored. Every connection is encrypted and its certificate verified, against
the system's authorities or the one ``--cafile`` names.
"""

from __future__ import annotations

import os
import re
import socket
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from weakties.errors import ServerError

DEFAULT_PASSWORD_ENV = "WEAKTIES_IMAP_PASSWORD"
DEFAULT_TIMEOUT = 60.0  # seconds a connection or a reply may take before we give up
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(text: str) -> bool:
    """Whether ``text`` names a server (``scheme://...``) rather than a path."""
    return bool(_URL_RE.match(text))


def url_scheme(text: str) -> str:
    """The scheme of a URL, lower-case (``imaps``)."""
    return text.split(":", 1)[0].lower()


class Secret:
    """A password held in memory: ``str`` and ``repr`` never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The password itself, for the one call that sends it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """How to read the servers given: which folders, which authority to trust, where
    the password is.

    ``passwords`` holds passwords already asked for (by account, ``user@host:port``),
    for instance at a terminal; otherwise the password is read from the environment
    variable ``password_env`` when the connection is made.
    """

    folders: tuple[str, ...] = ()
    cafile: Path | None = None
    password_env: str = DEFAULT_PASSWORD_ENV
    passwords: Mapping[str, Secret] = field(default_factory=dict, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    def given(self) -> bool:
        """Whether any option was set (they only make sense with a server address)."""
        return bool(self.folders or self.cafile or self.password_env != DEFAULT_PASSWORD_ENV)


@dataclass(frozen=True, slots=True)
class ServerAddress:
    """A server account as a URL names it (RFC 5092 for IMAP): never with a password.

    ``folder`` is the mailbox the URL's path names ("" for the whole account).
    """

    scheme: str
    user: str
    host: str
    port: int
    default_port: int
    folder: str = ""

    @property
    def account(self) -> str:
        """``user@host:port``: whose password this is."""
        return f"{self.user}@{self.host}:{self.port}"

    def base(self) -> str:
        """The account's URL, ASCII only (the user percent-encoded, the host in IDNA):
        ``imaps://me%40example.com@imap.example.com/``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if self.port == self.default_port else f":{self.port}"
        return f"{self.scheme}://{quote(self.user, safe='')}@{host}{port}/"


def parse_address(text: str, default_ports: Mapping[str, int]) -> ServerAddress:
    """Read a server URL ``scheme://user@host[:port][/folder]``.

    Raises :class:`ServerError` for a URL without a user or host, with a bad port,
    with a query or fragment, or with a password (whose text is never repeated).
    """
    shown = _shown(text)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ServerError(f"{shown}: not a server address ({exc}).", _FORM) from exc
    scheme = parts.scheme.lower()
    if parts.password is not None:
        raise ServerError(
            f"{shown}: a password in the address would show in the process list.",
            "Remove it, and set $WEAKTIES_IMAP_PASSWORD or let weakties ask for it.",
        )
    if not parts.username or not parts.hostname:
        raise ServerError(f"{shown}: the address names no user or no server.", _FORM)
    if parts.query or parts.fragment:
        raise ServerError(f"{shown}: a server address has no ?query or #fragment.", _FORM)
    return ServerAddress(
        scheme=scheme,
        user=unquote(parts.username),
        host=_ascii_host(parts.hostname, shown),
        port=port or default_ports[scheme],
        default_port=default_ports[scheme],
        folder=unquote(parts.path.strip("/")),
    )


_FORM = "Write it as imaps://USER@HOST[:PORT]/ (a USER with @ may stay as it is)."


def _shown(text: str) -> str:
    """A URL as it may be printed: any password in it replaced by ``***``."""
    head, sep, rest = text.partition("://")
    if not sep:
        return text
    authority, slash, path = rest.partition("/")
    user, at, host = authority.rpartition("@")
    if at and ":" in user:
        user = user.split(":", 1)[0] + ":***"
    return f"{head}{sep}{user}{at}{host}{slash}{path}"


def _ascii_host(host: str, shown: str) -> str:
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise ServerError(f"{shown}: not a valid host name.", _FORM) from exc


def password(address: ServerAddress, options: ServerOptions) -> Secret:
    """The account's password: one asked for already, else ``$password_env``."""
    asked = options.passwords.get(address.account)
    if asked is not None:
        return asked
    value = os.environ.get(options.password_env)
    if not value:
        raise ServerError(
            f"{address.base()}: no password (${options.password_env} is not set).",
            f"Set ${options.password_env}, or run weakties at a terminal to be asked.",
        )
    return Secret(value)


def tls_context(options: ServerOptions) -> ssl.SSLContext:
    """A client context that verifies the server's certificate and name: against the
    system's authorities, or only against ``options.cafile`` when one is given."""
    cafile = options.cafile
    if cafile is not None and not cafile.is_file():
        raise ServerError(f"--cafile {cafile}: no such file.", "Give the CA's PEM file.")
    try:
        return ssl.create_default_context(cafile=str(cafile) if cafile else None)
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise ServerError(
            f"--cafile {cafile}: not a certificate file ({exc.__class__.__name__}).",
            "Give the server's CA certificate in PEM form.",
        ) from exc


@contextmanager
def network_errors(address: ServerAddress, secret: Secret | None = None) -> Iterator[None]:
    """Turn the network's failures into one-line :class:`ServerError`\\ s.

    The message names the account's URL and what failed, and says what to do. A
    ``secret`` given is scrubbed from any text that came from elsewhere.
    """
    where = address.base()
    try:
        yield
    except ssl.SSLCertVerificationError as exc:
        raise ServerError(
            f"{where}: the server's certificate is not trusted "
            f"({scrub(exc.verify_message or str(exc), secret)}).",
            "If the server's certificate is self-signed, give its CA with --cafile PEM.",
        ) from None
    except ssl.SSLError as exc:
        raise ServerError(
            f"{where}: the encrypted connection failed ({scrub(exc.reason or str(exc), secret)}).",
            "Check that the port speaks TLS (imaps:// is 993; imap:// is 143 with STARTTLS).",
        ) from None
    except socket.gaierror as exc:
        raise ServerError(
            f"{where}: unknown host {address.host} ({exc.strerror}).", "Check the host name."
        ) from None
    except TimeoutError:
        raise ServerError(
            f"{where}: the server did not answer in time.", "Check the host, port and network."
        ) from None
    except OSError as exc:
        raise ServerError(
            f"{where}: cannot reach the server ({scrub(exc.strerror or str(exc), secret)}).",
            "Check the host, the port and that the server is running.",
        ) from None


def scrub(text: str, secret: Secret | None) -> str:
    """``text`` with the secret (if any) replaced by ``***``: for messages whose text
    comes from a server or a library."""
    if secret is not None and secret.reveal():
        text = text.replace(secret.reveal(), "***")
    return " ".join(text.split())
