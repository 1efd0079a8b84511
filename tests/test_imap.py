"""IMAP accounts against a real Dovecot on localhost (tests/imap_server.py): the command
line end to end, then the stored rows.

Skipped, with the reason, where Dovecot 2.3 or openssl is not installed (`.ci/run`
installs them on Debian).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from imap_server import Dovecot, mailbox, message, missing
from weakties.cli import run

pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))

SRC = Path(__file__).resolve().parents[1] / "src"
PASSWORDS = {
    "alice": "Al1ce-imap-pw-3f9c",
    "bob": "B0b-imap-pw-77d1",
    "carol": "Car0l-imap-pw-51e8",
    "dave": "Dav3-imap-pw-c02a",
}
BIG = 10_000
ALICE = "Alice Example <alice@example.org>"
WHEN = datetime(2024, 3, 4, 10, tzinfo=UTC)
LOCATION = re.compile(r"^imaps://alice@localhost:\d+/([^;]+);UIDVALIDITY=\d+/;UID=\d+$")


def _alice_mail() -> dict[str, list[bytes]]:
    """A few real-looking messages in every kind of folder."""
    m = message
    boss, friend = "Bea Boss <bea@example.com>", "Fred Friend <fred@friends.example>"
    return {
        "INBOX": [
            m(boss, [ALICE], WHEN, "Quarterly plan", "plan@example.com", cc=[friend]),
            m(friend, [ALICE], WHEN.replace(hour=11), "Lunch?", "lunch@friends.example"),
            m(
                "News <news@lists.example>",
                [ALICE],
                WHEN.replace(hour=12),
                "Digest",
                "digest@lists.example",
                extra="List-Id: <news.lists.example>",
            ),
            m(
                "No Reply <no-reply@shop.example>",
                [ALICE],
                WHEN.replace(hour=13),
                "Receipt",
                "receipt@shop.example",
            ),
            b"To: alice@example.org\r\nSubject: who sent this?\r\n\r\nno sender\r\n",
        ],
        "Sent": [
            m(ALICE, [boss], WHEN.replace(hour=14), "Re: Quarterly plan", "re-plan@example.org"),
            m(ALICE, [friend], WHEN.replace(hour=15), "Re: Lunch?", "re-lunch@example.org"),
            m(ALICE, [boss, friend], WHEN.replace(hour=16), "Intro", "intro@example.org"),
        ],
        "Archive/2020": [
            m(boss, [ALICE], WHEN.replace(year=2020), "Old plan", "old@example.com"),
            m(boss, [ALICE], WHEN, "Quarterly plan", "plan@example.com", cc=[friend]),  # a copy
        ],
        "Trash": [
            m("Tom Trash <tom@trash.example>", [ALICE], WHEN, "Deleted", "del1@trash.example"),
            m("Tom Trash <tom@trash.example>", [ALICE], WHEN, "Deleted 2", "del2@trash.example"),
        ],
        "Junk": [m("Spammer <win@junk.example>", [ALICE], WHEN, "You won", "won@junk.example")],
        "Spam": [m("Spammer <sell@spam.example>", [ALICE], WHEN, "Cheap", "cheap@spam.example")],
    }


@pytest.fixture(scope="module")
def server() -> Iterator[Dovecot]:
    dovecot = Dovecot(dict(PASSWORDS)).start()
    try:
        for name, messages in _alice_mail().items():
            dovecot.put("alice", name, messages)
        for user, seed, n in (("bob", 1, BIG), ("carol", 2, 3000), ("dave", 3, BIG)):
            for name, messages in mailbox(f"{user} <{user}@example.org>", n, seed).items():
                dovecot.put(user, name, messages)
        yield dovecot
    finally:
        dovecot.stop()


def _ingest(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: Path,
    *args: str,
    password: str | None,
) -> tuple[int, str]:
    """The command line in this process; its exit code and what it printed."""
    if password is None:
        monkeypatch.delenv("WEAKTIES_IMAP_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("WEAKTIES_IMAP_PASSWORD", password)
    code = run(["--db", str(db), "ingest", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _count(db: Path, sql: str) -> int:
    return int(_rows(db, sql)[0][0])  # type: ignore[call-overload]


def test_an_account_reads_its_folders_but_trash_and_spam(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "a.duckdb"
    url = server.url("alice")
    code, out = _ingest(
        capsys, monkeypatch, db, url, "--cafile", str(server.cafile), password=PASSWORDS["alice"]
    )
    assert code == 0, out
    items = _rows(db, "SELECT location, outcome, is_sent FROM items ORDER BY location")
    folders = sorted({LOCATION.match(str(loc)).group(1) for loc, _, _ in items})  # type: ignore[union-attr]
    assert folders == ["Archive/2020", "INBOX", "Sent"]
    assert len(items) == 10
    outcomes = [o for _, o, _ in items]
    assert outcomes.count("quarantined") == 1 and outcomes.count("duplicate") == 1
    assert sum(bool(s) for _, _, s in items) == 3
    addresses = {a for (a,) in _rows(db, "SELECT DISTINCT address FROM participants")}
    assert "bea@example.com" in addresses
    assert not addresses & {"tom@trash.example", "win@junk.example", "sell@spam.example"}
    ((kind, path, label, how),) = _rows(db, "SELECT kind, path, label, owner_how FROM sources")
    assert (kind, path, label, how) == ("imap", url, url, "inferred")
    assert _rows(db, "SELECT address FROM source_owners") == [("alice@example.org",)]
    assert _count(db, "SELECT count(*) FROM interactions WHERE bulk") == 1


def test_an_account_given_twice_is_read_once(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "twice.duckdb"
    url, ca = server.url("alice"), str(server.cafile)
    code, out = _ingest(
        capsys, monkeypatch, db, url, url, "--cafile", ca, password=PASSWORDS["alice"]
    )
    assert code == 0, out
    assert _rows(db, "SELECT n_read, n_known FROM runs") == [(10, 0)]


def test_folder_names_a_folder_even_trash(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "t.duckdb"
    code, out = _ingest(
        capsys,
        monkeypatch,
        db,
        server.url("alice"),
        "--folder",
        "Trash",
        "--cafile",
        str(server.cafile),
        password=PASSWORDS["alice"],
    )
    assert code == 0, out
    assert _count(db, "SELECT count(*) FROM items WHERE location LIKE '%/Trash;%'") == 2
    assert _count(db, "SELECT count(*) FROM items") == 2
    by_path = tmp_path / "p.duckdb"  # the URL's path names a folder too
    code, out = _ingest(
        capsys,
        monkeypatch,
        by_path,
        server.url("alice") + "Archive%2F2020",
        "--cafile",
        str(server.cafile),
        password=PASSWORDS["alice"],
    )
    assert code == 0, out
    assert _rows(by_path, "SELECT count(*), min(location) LIKE '%/Archive/2020;%' FROM items") == [
        (2, True)
    ]


def test_an_imap_message_is_the_record_its_file_is(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The INBOX read through IMAP and its Maildir files read directly store the same
    interactions and participants."""
    by_imap, by_file = tmp_path / "imap.duckdb", tmp_path / "file.duckdb"
    code, out = _ingest(
        capsys,
        monkeypatch,
        by_imap,
        server.url("alice"),
        "--folder",
        "INBOX",
        "--cafile",
        str(server.cafile),
        password=PASSWORDS["alice"],
    )
    assert code == 0, out
    files = server.folder("alice", "INBOX") / "cur"
    code, out = _ingest(capsys, monkeypatch, by_file, str(files), password=None)
    assert code == 0, out
    facts = "SELECT * EXCLUDE (source_id) FROM interactions ORDER BY ALL"
    assert _rows(by_imap, facts) == _rows(by_file, facts)
    assert len(_rows(by_imap, facts)) == 4
    people = "SELECT * FROM participants ORDER BY ALL"
    assert _rows(by_imap, people) == _rows(by_file, people)
    reasons = "SELECT reason FROM quarantine"
    assert _rows(by_imap, reasons) == _rows(by_file, reasons) == [("no-sender",)]


def test_replies_left_to_imapclient_store_the_same(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """weakties reads Dovecot's literal replies itself; imapclient's parser, which reads
    every other form, gives the same store."""
    import weakties.sources.imap as imap

    dumps = []
    for n, direct in enumerate((True, False)):
        if not direct:
            monkeypatch.setattr(imap, "fetch_headers", lambda *args: None)
        db = tmp_path / f"{n}.duckdb"
        code, out = _ingest(
            capsys,
            monkeypatch,
            db,
            server.url("alice"),
            "--cafile",
            str(server.cafile),
            password=PASSWORDS["alice"],
        )
        assert code == 0, out
        dumps.append(
            _rows(db, "SELECT * FROM items JOIN interactions USING (interaction_id) ORDER BY ALL")
        )
    assert dumps[0] == dumps[1] and len(dumps[0]) == 9


def test_starttls_on_imap_reads_the_same(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "s.duckdb"
    code, out = _ingest(
        capsys,
        monkeypatch,
        db,
        server.url("alice", "imap"),
        "--cafile",
        str(server.cafile),
        password=PASSWORDS["alice"],
    )
    assert code == 0, out
    assert _count(db, "SELECT count(*) FROM items") == 10
    assert _count(db, "SELECT count(*) FROM items WHERE location LIKE 'imap://alice@%'") == 10


def _sessions(server: Dovecot, user: str) -> list[int]:
    """Headers Dovecot served in each of ``user``'s sessions, from its log."""
    return [
        int(n) for n in re.findall(rf"imap\({user}\).*Logged out.* hdr_count=(\d+)", server.log())
    ]


def test_a_second_run_fetches_nothing_and_a_new_message_alone(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "big.duckdb"
    args = (server.url("bob"), "--cafile", str(server.cafile))
    code, out = _ingest(capsys, monkeypatch, db, *args, password=PASSWORDS["bob"])
    assert code == 0, out
    assert _count(db, "SELECT count(*) FROM items") == BIG
    assert _count(db, "SELECT count(*) FROM interactions") == BIG
    assert _rows(db, "SELECT address FROM source_owners") == [("bob@example.org",)]

    code, out = _ingest(capsys, monkeypatch, db, *args, password=PASSWORDS["bob"])
    assert code == 0, out
    assert _rows(db, "SELECT n_read FROM runs ORDER BY run_id DESC LIMIT 1") == [(0,)]
    assert _count(db, "SELECT count(*) FROM items") == BIG

    new = message("Newcomer <new@example.net>", ["bob@example.org"], WHEN, "Hello", "new@x")
    server.append("bob", "INBOX", new)
    code, out = _ingest(capsys, monkeypatch, db, *args, password=PASSWORDS["bob"])
    assert code == 0, out
    assert _rows(db, "SELECT n_read, n_stored FROM runs ORDER BY run_id DESC LIMIT 1") == [(1, 1)]
    assert _count(db, "SELECT count(*) FROM items") == BIG + 1
    assert _count(db, "SELECT count(*) FROM interactions WHERE message_id = 'new@x'") == 1
    # headers the server sent in each session: the runs', and none for the APPEND
    assert _sessions(server, "bob") == [BIG, 0, 0, 1]


def test_a_renumbered_folder_is_read_again_as_duplicates(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "v.duckdb"
    mail = [message("Pat <pat@example.com>", [ALICE], WHEN, f"p{i}", f"p{i}@x") for i in range(3)]
    args = (server.url("alice"), "--folder", "Projects", "--cafile", str(server.cafile))
    for _ in range(2):  # the second time, the folder is new: a new UIDVALIDITY
        server.admin("alice", "create_folder", "Projects")
        for raw in mail:
            server.append("alice", "Projects", raw)
        code, out = _ingest(capsys, monkeypatch, db, *args, password=PASSWORDS["alice"])
        assert code == 0, out
        server.admin("alice", "delete_folder", "Projects")
    runs = _rows(db, "SELECT n_read, n_stored, n_duplicates FROM runs ORDER BY run_id")
    assert runs == [(3, 3, 0), (3, 0, 3)]
    validities = {
        re.search(r"UIDVALIDITY=(\d+)", str(loc)).group(1)  # type: ignore[union-attr]
        for (loc,) in _rows(db, "SELECT location FROM items")
    }
    assert len(validities) == 2


# -- errors ------------------------------------------------------------------------------


def _fails(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    *args: str,
    password: str | None,
) -> str:
    db = tmp_path / "e.duckdb"
    code, out = _ingest(capsys, monkeypatch, db, *args, password=password)
    assert code == 2, out
    assert out.count("\n") == 1 and out.startswith("weakties: "), out
    assert "Traceback" not in out
    for secret in PASSWORDS.values():
        assert secret not in out
    return out


def test_a_wrong_password_is_one_line_without_it(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = "Wr0ng-pw-" + PASSWORDS["alice"]
    out = _fails(
        capsys,
        monkeypatch,
        tmp_path,
        server.url("alice"),
        "--cafile",
        str(server.cafile),
        password=wrong,
    )
    assert "login refused for alice" in out and wrong not in out
    assert not (tmp_path / "e.duckdb").exists()  # said before the store is touched


def test_an_untrusted_certificate_is_refused(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _fails(capsys, monkeypatch, tmp_path, server.url("alice"), password=PASSWORDS["alice"])
    assert "certificate is not trusted" in out and "--cafile" in out


def test_an_unreachable_server_and_an_unknown_folder(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    out = _fails(
        capsys,
        monkeypatch,
        tmp_path,
        f"imaps://alice@127.0.0.1:{closed}/",
        password=PASSWORDS["alice"],
    )
    assert "cannot reach the server" in out
    out = _fails(
        capsys,
        monkeypatch,
        tmp_path,
        server.url("alice"),
        "--folder",
        "Nope",
        "--cafile",
        str(server.cafile),
        password=PASSWORDS["alice"],
    )
    assert "No folder 'Nope'" in out and "INBOX" in out


def test_a_password_is_never_taken_from_the_address(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = PASSWORDS["alice"]
    port = server.imaps_port
    out = _fails(
        capsys, monkeypatch, tmp_path, f"imaps://alice:{secret}@localhost:{port}/", password=None
    )
    assert "password in the address" in out and "alice:***@" in out


def test_without_a_password_the_variable_is_named(
    server: Dovecot,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _fails(
        capsys,
        monkeypatch,
        tmp_path,
        server.url("alice"),
        "--password-env",
        "MY_IMAP_SECRET",
        "--cafile",
        str(server.cafile),
        password=None,
    )
    assert "$MY_IMAP_SECRET is not set" in out
    monkeypatch.setenv("MY_IMAP_SECRET", PASSWORDS["alice"])
    db = tmp_path / "env.duckdb"
    code = run(
        [
            "--db",
            str(db),
            "ingest",
            server.url("alice"),
            "--password-env",
            "MY_IMAP_SECRET",
            "--cafile",
            str(server.cafile),
        ]
    )
    assert code == 0
    assert _count(db, "SELECT count(*) FROM items") == 10


def test_server_options_need_a_server_and_schemes_are_known(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mbox = tmp_path / "one.mbox"
    mbox.write_bytes(
        b"From a@b Mon Jan  1 00:00:00 2024\n" + message("a@b.c", ["d@e.f"], WHEN, "s", "1@b")
    )
    out = _fails(capsys, monkeypatch, tmp_path, str(mbox), "--folder", "INBOX", password=None)
    assert "--folder" in out
    out = _fails(capsys, monkeypatch, tmp_path, "pop3://me@localhost/", password=None)
    assert "pop3://" in out and "imaps://" in out


class _PlainServer:
    """An IMAP server that offers no STARTTLS, and notes whether a LOGIN ever came."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = int(self.sock.getsockname()[1])
        self.heard: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        with self.sock:
            conn, _ = self.sock.accept()
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"* OK IMAP4rev1 ready\r\n")
            for line in lines:
                self.heard.append(line)
                tag, _, command = line.strip().partition(b" ")
                if command.upper().startswith(b"CAPABILITY"):
                    conn.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
                else:
                    conn.sendall(b"* BYE\r\n" + tag + b" OK bye\r\n")
                    return


def test_imap_without_starttls_never_sends_the_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _PlainServer()
    out = _fails(
        capsys,
        monkeypatch,
        tmp_path,
        f"imap://alice@127.0.0.1:{plain.port}/",
        password=PASSWORDS["alice"],
    )
    assert "does not offer STARTTLS" in out
    plain.thread.join(5)
    said = b"".join(plain.heard)
    assert b"LOGIN" not in said.upper() and PASSWORDS["alice"].encode() not in said


# -- credentials, and a killed ingest --------------------------------------------------------


def _cli(db: Path, url: str, cafile: Path, password: str, *extra: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(SRC), WEAKTIES_IMAP_PASSWORD=password)
    cmd = [
        sys.executable,
        "-m",
        "weakties",
        "--db",
        str(db),
        "ingest",
        url,
        "--cafile",
        str(cafile),
        *extra,
    ]
    return subprocess.Popen(
        cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_no_credential_in_the_store_the_output_or_the_process_list(
    server: Dovecot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "c.duckdb"
    secret = PASSWORDS["carol"]
    proc = _cli(db, server.url("carol"), server.cafile, secret)
    seen: list[bytes] = []
    while proc.poll() is None:
        try:
            seen.append(Path(f"/proc/{proc.pid}/cmdline").read_bytes())
        except OSError:
            break
        time.sleep(0.05)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert any(b"ingest" in line for line in seen)
    assert not any(secret.encode() in line for line in seen)
    assert secret.encode() not in out + err
    for stored in tmp_path.iterdir():  # the store and any write-ahead log beside it
        assert secret.encode() not in stored.read_bytes(), stored
    assert _count(db, "SELECT count(*) FROM items") == 3000

    # imapclient logs every command at DEBUG: its LOGIN is redacted
    import logging

    from weakties.sources.imap import open_imap
    from weakties.sources.registry import server_address
    from weakties.sources.server import Secret, ServerOptions

    caplog.set_level(logging.DEBUG)
    address = server_address(server.url("alice"))
    options = ServerOptions(
        ("INBOX",), server.cafile, passwords={address.account: Secret(PASSWORDS["alice"])}
    )
    assert len(list(open_imap(address, options).records())) == 5
    assert "LOGIN" in caplog.text and PASSWORDS["alice"] not in caplog.text
    assert PASSWORDS["alice"] not in repr(options)


TABLES = {
    "interactions": "*",
    "interaction_keys": "*",
    "participants": "*",
    "identity_links": "*",
    "items": "*",
    "quarantine": "*",
    "source_owners": "*",
    "sources": "source_id, kind, path, label, owner_how",
    "identities": "*",
    "people": "*",
    "organisations": "*",
}


def _dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    return {t: _rows(db, f"SELECT {cols} FROM {t} ORDER BY ALL") for t, cols in TABLES.items()}


def _items(db: Path) -> int:
    try:
        return _count(db, "SELECT count(*) FROM items")
    except duckdb.Error:  # killed before the store had its tables
        return 0


def test_a_killed_ingest_rerun_ends_as_an_uninterrupted_one(
    server: Dovecot, tmp_path: Path
) -> None:
    url, ca, secret = server.url("dave"), server.cafile, PASSWORDS["dave"]
    reference = tmp_path / "reference.duckdb"
    started = time.monotonic()
    proc = _cli(reference, url, ca, secret, "--batch-size", "97")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    duration = time.monotonic() - started
    expected = _dump(reference)
    assert len(expected["items"]) == BIG

    halfway = 0  # kills that left some batches stored and some not
    for n, fractions in enumerate(((0.5,), (0.7,), (0.4, 0.5))):
        crashed = tmp_path / f"crashed-{n}.duckdb"
        for fraction in fractions:
            proc = _cli(crashed, url, ca, secret, "--batch-size", "97")
            time.sleep(duration * fraction)
            proc.kill()
            proc.communicate(timeout=60)
            halfway += 0 < _items(crashed) < BIG
        proc = _cli(crashed, url, ca, secret, "--batch-size", "97")
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        assert _dump(crashed) == expected, f"scenario {fractions} differs"
    assert halfway >= 2, f"only {halfway} of 4 kills landed halfway through the ingest"


def test_a_lost_connection_is_one_line_and_the_rerun_goes_on(
    server: Dovecot, tmp_path: Path
) -> None:
    db = tmp_path / "lost.duckdb"
    url, ca, secret = server.url("dave"), server.cafile, PASSWORDS["dave"]
    logins = server.log().count("user=<dave>, method")
    proc = _cli(db, url, ca, secret, "--batch-size", "97")
    deadline = time.monotonic() + 60
    while server.log().count("user=<dave>, method") == logins and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # a few batches in: fetching 10,000 takes seconds
    server.kick("dave")
    _, err = proc.communicate(timeout=300)
    said = err.decode()
    assert proc.returncode == 2, said
    assert said.count("\n") == 1 and "connection to the server was lost" in said, said
    assert _items(db) < BIG  # (usually some batches: the rerun reads only the rest)
    proc = _cli(db, url, ca, secret, "--batch-size", "97")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert _count(db, "SELECT count(*) FROM items") == BIG
    assert _count(db, "SELECT count(*) FROM interactions") == BIG
