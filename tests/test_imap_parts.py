"""The parts of IMAP reading that need no server: addresses, folders, labels, secrets, and
where the ledger says an account's folders stopped."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from weakties.errors import ServerError, UnknownFormatError
from weakties.records import Interaction, Participant, Role
from weakties.sources.imap import Folder, choose_folders, gmail_labels
from weakties.sources.imap_fetch import read_reply
from weakties.sources.registry import server_address
from weakties.sources.server import Secret, ServerOptions, is_url, password
from weakties.store import connect
from weakties.store.reads import last_positions
from weakties.store.writer import write_batch


def test_addresses_read_as_rfc_5092_says() -> None:
    a = server_address("imaps://me@example.com@IMAP.Example.com/")
    assert (a.user, a.host, a.port, a.folder) == ("me@example.com", "imap.example.com", 993, "")
    assert a.base() == "imaps://me%40example.com@imap.example.com/"
    assert a.account == "me@example.com@imap.example.com:993"
    b = server_address("imap://bob@[::1]:1143/Archive%2F2020")
    assert (b.host, b.port, b.folder, b.base()) == ("::1", 1143, "Archive/2020",
                                                    "imap://bob@[::1]:1143/")  # fmt: skip
    assert server_address("imaps://x@bücher.example/").host == "xn--bcher-kva.example"
    assert is_url("imaps://a@b/") and not is_url("/home/me/mail") and not is_url("C:\\mail")


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("imaps://me:hunter2secret@host/", "password in the address"),
        ("imaps://host/", "no user"),
        ("imaps://me@host:99999/", "not a server address"),
        ("imaps://me@host/?x=1", "no ?query"),
    ],
)
def test_bad_addresses_are_one_line_without_a_password(url: str, said: str) -> None:
    with pytest.raises(ServerError) as caught:
        server_address(url)
    assert said in str(caught.value) and "hunter2secret" not in str(caught.value)


def test_an_unknown_scheme_names_those_read() -> None:
    with pytest.raises(UnknownFormatError, match=r"imaps://, imap://"):
        server_address("pop3://me@host/")


def test_a_secret_never_prints_and_the_environment_is_asked_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = Secret("s3cr3t-value")
    assert "s3cr3t" not in repr(secret) + str(secret) + f"{secret}"
    address = server_address("imaps://me@host/")
    options = ServerOptions(passwords={address.account: secret})
    assert "s3cr3t" not in repr(options)
    monkeypatch.setenv("WEAKTIES_IMAP_PASSWORD", "from-env")
    assert password(address, options).reveal() == "s3cr3t-value"
    assert password(address, ServerOptions()).reveal() == "from-env"
    monkeypatch.delenv("WEAKTIES_IMAP_PASSWORD")
    with pytest.raises(ServerError, match=r"\$WEAKTIES_IMAP_PASSWORD is not set"):
        password(address, ServerOptions())


def _folder(name: str, *flags: str, delimiter: str = "/") -> Folder:
    return Folder(name, frozenset(f.lower() for f in flags), delimiter)


LISTED = [
    _folder("INBOX", "\\HasNoChildren"),
    _folder("Sent Items", "\\Sent"),
    _folder("Bin", "\\Trash"),  # by its flag
    _folder("Courrier indésirable", "\\Junk"),
    _folder("INBOX.Spam", delimiter="."),  # by its name
    _folder("Deleted Messages"),
    _folder("Archive", "\\Noselect", "\\HasChildren"),
    _folder("Archive/2020"),
    _folder("Work"),
]


def test_every_folder_but_trash_spam_and_the_unselectable() -> None:
    chosen = choose_folders(LISTED, (), gmail=False)
    assert [f.name for f in chosen] == ["Archive/2020", "INBOX", "Sent Items", "Work"]
    assert [f.name for f in chosen if f.sent] == ["Sent Items"]
    assert _folder("Gesendete Objekte").sent and not _folder("Work").sent


def test_folders_asked_for_are_read_even_trash_and_inbox_in_any_case() -> None:
    chosen = choose_folders(LISTED, ("Bin", "inbox", "Bin"), gmail=False)
    assert [f.name for f in chosen] == ["Bin", "INBOX"]
    with pytest.raises(ServerError, match=r"No folder 'Nope'.*Archive/2020"):
        choose_folders(LISTED, ("Nope",), gmail=False)


def test_gmail_reads_all_mail_once_with_its_labels() -> None:
    listed = [
        _folder("INBOX"),
        _folder("[Gmail]/All Mail", "\\All"),
        _folder("[Gmail]/Sent Mail", "\\Sent"),
        _folder("[Gmail]/Trash", "\\Trash"),
    ]
    assert [f.name for f in choose_folders(listed, (), gmail=True)] == ["[Gmail]/All Mail"]
    assert len(choose_folders(listed, (), gmail=False)) == 3  # no \All without Gmail's extension
    assert gmail_labels([b"\\Inbox", b"Work", b"&AMk-quipe"]) == ("Inbox, Work, Équipe", False)
    assert gmail_labels([b"\\Sent"]) == ("Sent", True)


def _mail(location: str) -> Interaction:
    return Interaction(
        location, "email", None, [Participant(Role.FROM, f"{len(location)}@x.example")]
    )


def test_the_ledger_says_the_highest_uid_per_folder_and_uidvalidity(tmp_path: Path) -> None:
    con: duckdb.DuckDBPyConnection = connect(tmp_path / "s.duckdb")
    base = "imaps://me@host/"
    locations = [
        f"{base}INBOX;UIDVALIDITY=7/;UID=3",
        f"{base}INBOX;UIDVALIDITY=7/;UID=12",
        f"{base}INBOX;UIDVALIDITY=7/;UID=9",
        f"{base}INBOX;UIDVALIDITY=8/;UID=1",
        f"{base}Archive/2020%3B;UIDVALIDITY=7/;UID=40",
        "imaps://other@host/INBOX;UIDVALIDITY=7/;UID=99",
        "/home/me/mail/cur/1",
    ]
    write_batch(con, 1, [_mail(x) for x in locations])
    assert last_positions(con, base, "/;UID=") == {
        f"{base}INBOX;UIDVALIDITY=7": 12,
        f"{base}INBOX;UIDVALIDITY=8": 1,
        f"{base}Archive/2020%3B;UIDVALIDITY=7": 40,
    }
    con.close()


SECTION = b"BODY[HEADER.FIELDS (FROM TO)]"


def test_a_fetch_reply_of_literals_is_read_with_its_uids_before_or_after() -> None:
    data = [
        (b"1 (UID 7 " + SECTION + b" {14}", b"From: a@b.c\r\n\r\n"),
        b")",
        (b"2 (" + SECTION + b" {14}", b"From: d@e.f\r\n\r\n"),
        b" UID 9)",
        b"3 (FLAGS (\\Seen) UID 4)",  # an unsolicited flag update: nothing to read
    ]
    assert read_reply(data) == {7: b"From: a@b.c\r\n\r\n", 9: b"From: d@e.f\r\n\r\n"}
    assert read_reply([None]) == {}


@pytest.mark.parametrize(
    "data",
    [
        [b"1 (UID 7 " + SECTION + b" NIL)"],  # no literal: imapclient reads it
        [b"1 (UID 7 " + SECTION + b' "From: a@b.c")'],
        [(b"1 (" + SECTION + b" {14}", b"From: a@b.c\r\n\r\n"), b")"],  # no UID anywhere
        [(b"1 (UID 7 X-GM-LABELS {3}", b"abc"), b")"],  # a literal of something else
    ],
)
def test_a_fetch_reply_of_another_shape_is_left_to_imapclient(data: list[object]) -> None:
    assert read_reply(data) is None


def test_a_terminal_is_asked_each_account_password_once_and_only_then(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import getpass
    import sys

    from weakties.cli.server import ask_passwords

    asked: list[str] = []

    def typed(prompt: str) -> str:
        asked.append(prompt)
        return "typed-secret"

    monkeypatch.setattr(getpass, "getpass", typed)
    monkeypatch.delenv("WEAKTIES_IMAP_PASSWORD", raising=False)
    targets = ["imaps://me@host/", "imaps://me@host/Sent", "/some/mbox", "imap://you@host/"]
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert ask_passwords(targets, ServerOptions()).passwords == {}  # no terminal: no prompt
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    options = ask_passwords(targets, ServerOptions())
    assert asked == ["Password for me@host:993: ", "Password for you@host:143: "]
    assert {k: v.reveal() for k, v in options.passwords.items()} == {
        "me@host:993": "typed-secret",
        "you@host:143": "typed-secret",
    }
    monkeypatch.setenv("WEAKTIES_IMAP_PASSWORD", "from-env")
    assert ask_passwords(targets, ServerOptions()).passwords == {}
    assert len(asked) == 2
