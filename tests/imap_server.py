"""A Dovecot IMAP server of the tests' own, on a free localhost port.

Everything it needs is written to one temporary folder: its configuration, a
self-signed certificate (made with ``openssl``), a password file of its users and their
Maildirs. It runs as the user running the tests; as root, its login processes run as
Debian's ``dovenull`` and its mail as ``dovecot``, since Dovecot refuses root for both.
Used by tests/test_imap.py and bench/capture_imap.py.

Mail is put straight into the Maildirs as files (10,000 messages in a second), and
Dovecot numbers them when a client first selects the folder; :meth:`Dovecot.append`
delivers one message the way a mail client would, through IMAP.
"""

from __future__ import annotations

import grp
import os
import pwd
import random
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
HOST = "localhost"  # the certificate's name; Dovecot listens on 127.0.0.1


def missing() -> str | None:
    """Why the server cannot run here (no Dovecot 2.3, no openssl), or None."""
    if not Path(DOVECOT).exists() or not Path("/usr/lib/dovecot/imap").exists():
        return "dovecot is not installed (Debian: apt-get install dovecot-imapd)"
    if shutil.which("openssl") is None:
        return "openssl is not installed (Debian: apt-get install openssl)"
    version = subprocess.run([DOVECOT, "--version"], capture_output=True, text=True).stdout
    if not version.startswith("2.3."):
        return f"the test configuration is written for Dovecot 2.3, not {version.strip()}"
    return None


@dataclass
class Dovecot:
    """A running Dovecot with users (name -> password) and their Maildirs."""

    users: dict[str, str]
    root: Path = field(default_factory=lambda: _scratch())
    imaps_port: int = 0
    imap_port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def cafile(self) -> Path:
        return self.root / "cert.pem"

    def url(self, user: str, scheme: str = "imaps") -> str:
        port = self.imaps_port if scheme == "imaps" else self.imap_port
        return f"{scheme}://{user}@{HOST}:{port}/"

    def start(self) -> Dovecot:
        """Write the configuration and certificate, start the server, wait for it."""
        self.root.chmod(0o755)  # its mail user must reach the Maildirs
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir()
        self.imaps_port, self.imap_port = _free_port(), _free_port()
        _certificate(self.root)
        (self.root / "passwd").write_text(
            "".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self.users.items())
        )
        self.config().write_text(self._config())
        for user in self.users:
            self.folder(user, "INBOX")
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.config())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # in the foreground: ours to stop, and gone with the test run
        try:
            _wait_for(self.imaps_port, self.process)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (its master stops the processes it started) and remove its
        folder."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        """What the server logged (its own file; empty once stopped)."""
        try:
            return (self.root / "dovecot.log").read_text(errors="replace")
        except OSError:
            return ""

    def config(self) -> Path:
        return self.root / "dovecot.conf"

    def folder(self, user: str, name: str) -> Path:
        """The Maildir folder of ``user``'s ``name`` (``INBOX``, ``Sent``, ``Archive/2020``),
        made when missing (Maildir++: ``.Sent``, ``.Archive.2020``)."""
        home = self.root / "mail" / user
        path = home if name == "INBOX" else home / ("." + name.replace("/", "."))
        for part in ("cur", "new", "tmp"):
            (path / part).mkdir(parents=True, exist_ok=True)
        if name != "INBOX":
            (path / "maildirfolder").touch()
        for made in (home, path, *(path / part for part in ("cur", "new", "tmp"))):
            self._own(made, walk=False)
        return path

    def put(self, user: str, name: str, messages: list[bytes]) -> None:
        """Put messages into a folder as files, the way a delivery agent does."""
        cur = self.folder(user, name) / "cur"
        stamp = int(time.time())
        for i, raw in enumerate(messages):
            (cur / f"{stamp}.M{i}P{os.getpid()}.{HOST}:2,S").write_bytes(raw)
        self._own(cur)

    def append(self, user: str, name: str, raw: bytes) -> None:
        """Deliver one message through IMAP (APPEND), as a mail client would."""
        from imapclient import IMAPClient

        context = ssl.create_default_context(cafile=str(self.cafile))
        with IMAPClient(HOST, self.imaps_port, ssl_context=context, timeout=30) as client:
            client.login(user, self.users[user])
            client.append(name, raw)

    def admin(self, user: str, *args: str) -> None:
        """Run a client command as ``user`` (create, delete or select a folder...)."""
        from imapclient import IMAPClient

        context = ssl.create_default_context(cafile=str(self.cafile))
        with IMAPClient(HOST, self.imaps_port, ssl_context=context, timeout=30) as client:
            client.login(user, self.users[user])
            getattr(client, args[0])(*args[1:])

    def kick(self, user: str) -> None:
        """Drop every connection of ``user``, as a server restarting would."""
        doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
        subprocess.run(
            [doveadm, "-c", str(self.config()), "kick", user], check=True, capture_output=True
        )

    def _own(self, top: Path, *, walk: bool = True) -> None:
        """As root, hand the mail (``top``, and all below it when ``walk``) to the mail
        user, as Dovecot's mail processes are it."""
        if os.getuid() != 0:
            return
        mail = pwd.getpwnam("dovecot")
        os.chown(top, mail.pw_uid, mail.pw_gid)
        if not walk:
            return
        for folder, dirs, files in os.walk(top):
            os.chown(folder, mail.pw_uid, mail.pw_gid)
            for name in (*dirs, *files):
                os.chown(os.path.join(folder, name), mail.pw_uid, mail.pw_gid)

    def _config(self) -> str:
        me = pwd.getpwuid(os.getuid()).pw_name
        root = os.getuid() == 0
        login, internal, mail = ("dovenull", "dovecot", "dovecot") if root else (me, me, me)
        r = self.root
        return f"""
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
instance_name = weakties-test-{self.imaps_port}
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{r}/cert.pem
ssl_key = <{r}/key.pem
default_internal_user = {internal}
default_internal_group = {internal if root else grp.getgrgid(os.getgid()).gr_name}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{r}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {r}/passwd
}}
userdb {{
  driver = static
  args = uid={mail} gid={mail} home={r}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
  }}
  mailbox Trash {{
    special_use = \\Trash
  }}
  mailbox Junk {{
    special_use = \\Junk
  }}
}}
"""


def _scratch() -> Path:
    """A new folder for the server, in memory where the system has a tmpfs: tens of
    thousands of small files are made and removed in a second there, where a disk
    mounted with ``discard`` took a minute to remove 40,000 of them."""
    shm = Path("/dev/shm")
    memory = shm.is_dir() and os.access(shm, os.W_OK | os.X_OK)
    return Path(tempfile.mkdtemp(prefix="weakties-imap-", dir=shm if memory else None))


def _certificate(root: Path) -> None:
    """A self-signed certificate for ``localhost`` and 127.0.0.1, valid two days."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"),
         "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"dovecot exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# -- mail to fill it with ----------------------------------------------------------------


def message(
    sender: str,
    to: list[str],
    when: datetime,
    subject: str,
    msgid: str,
    *,
    cc: Sequence[str] = (),
    extra: str = "",
) -> bytes:
    """One message as a mail server stores it (CRLF lines, a relay's Received)."""
    lines = [
        f"Received: from mx.example.org by imap.example.org; {format_datetime(when)}",
        f"From: {sender}",
        f"To: {', '.join(to)}",
        *([f"Cc: {', '.join(cc)}"] if cc else []),
        f"Date: {format_datetime(when)}",
        f"Subject: {subject}",
        f"Message-ID: <{msgid}>",
        *([extra] if extra else []),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        f"Body of {subject}, never read by weakties.",
        "",
    ]
    return "\r\n".join(lines).encode()


def mailbox(owner: str, n: int, seed: int, *, sent_share: float = 0.15) -> dict[str, list[bytes]]:
    """``n`` messages of an organisation of 200 people, as an owner's INBOX and Sent."""
    rng = random.Random(seed)
    people = [f"Person {i} <p{i}@{rng.choice(['example.org', 'example.com'])}>" for i in range(200)]
    start = datetime(2023, 1, 2, 9, tzinfo=UTC)
    boxes: dict[str, list[bytes]] = {"INBOX": [], "Sent": []}
    for i in range(n):
        when = start + timedelta(minutes=37 * i)
        other = rng.sample(people, rng.randint(1, 3))
        msgid = f"{seed}.{i}@example.org"
        if rng.random() < sent_share:
            raw = message(owner, other, when, f"Re: topic {i % 97}", msgid)
            boxes["Sent"].append(raw)
        else:
            raw = message(other[0], [owner], when, f"topic {i % 97}", msgid, cc=other[1:])
            boxes["INBOX"].append(raw)
    return boxes
