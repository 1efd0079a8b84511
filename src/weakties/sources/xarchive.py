"""X (Twitter) archives ("Download an archive of your data"), as a ZIP or its folder.

The archive's ``data/`` folder holds one JavaScript file per kind of data, each a JSON
array after ``window.YTD.<kind>.part<n> = `` (large kinds are split into
``<kind>-part1.js``, ...); ``manifest.js`` names the account (``userInfo``), and the
archive's own ``README.txt`` documents every field. What is read:

* direct messages (``direct-messages.js`` or, without their text,
  ``direct-message-headers.js``): private chats, sender to recipient;
* group direct messages (``direct-messages-group.js``, ``...-group-headers.js``):
  private chats to everyone in the conversation when it was sent, as the
  ``joinConversation`` (the account was added, with a snapshot of the members),
  ``participantsJoin`` and ``participantsLeave`` events say; those events, and renames,
  are stored flagged automated;
* the account's posts (``tweets.js``, ``deleted-tweets.js``, and their ``*-headers.js``
  without text): public posts, addressed to the account replied to and to each account
  mentioned (a retweet mentions its author);
* ``follower.js`` and ``following.js``: contacts of kind ``follower`` and ``following``.

Identities are ``x:<account id>``. The archive's owner is its account (and the e-mail
address in ``account.js``, when there is one). A message or post is keyed by its id,
so the full files and their headers, or two archives of one account, store it once;
full files are read first, so a post keeps its mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from weakties.records import (
    Contact,
    ContactKind,
    Interaction,
    Participant,
    Quarantined,
    Record,
    Role,
)
from weakties.sources.base import Source
from weakties.sources.exports import (
    ExportError,
    clean_name,
    handle,
    load_json,
    location_root,
    text_field,
)
from weakties.sources.headers import judge_date

YTD = b"window.YTD."
MANIFEST = "manifest.js"
_PART = re.compile(r"-part\d+$")
_ID = re.compile(r"^\d{1,25}$")
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,190}\.[^@\s<>\"']{2,63}$")
TWEET_TIME = "%a %b %d %H:%M:%S %z %Y"  # Wed Aug 09 16:19:22 +0000 2023

# The kinds read, in the order they are read (a kind's name is its file's, without
# ``.js`` and ``-part<n>``); full files before their headers.
KINDS = (
    "tweets", "tweet", "deleted-tweets", "tweet-headers", "deleted-tweet-headers",
    "direct-messages", "direct-message", "direct-message-headers",
    "direct-messages-group", "direct-message-group", "direct-message-group-headers",
    "follower", "following",
)  # fmt: skip


def is_x_archive(folder: Path) -> bool:
    """An archive folder (``data/manifest.js``) or its ``data`` folder (``manifest.js``
    or a ``window.YTD.`` file)."""
    try:
        if (folder / "data" / MANIFEST).is_file() or (folder / MANIFEST).is_file():
            return True
        return any(p.name.endswith(".js") and is_ytd_file(p) for p in folder.iterdir())
    except OSError:
        return False


def is_ytd_file(path: Path) -> bool:
    """A file whose content starts ``window.YTD.``."""
    try:
        with path.open("rb") as fh:
            return fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(YTD)
    except OSError:
        return False


def x_id(value: object) -> str:
    """An account, message or post id (digits), or "" for anything else."""
    if type(value) is str and value.isascii() and value.isdigit() and len(value) <= 25:
        return value  # the usual case, decided without a pattern
    text = text_field(value)
    return text if _ID.match(text) else ""


def _kind(name: str) -> str:
    return _PART.sub("", name.removesuffix(".js"))


class XArchiveSource(Source):
    """An X archive folder, its ``data`` folder, or one of its ``.js`` files."""

    kind = "x"
    owner_rule = "declared"

    def __init__(self, path: Path, label: str | None = None) -> None:
        super().__init__(path, label)
        self._root = location_root(path)
        self._data = path / "data" if (path / "data" / MANIFEST).is_file() else path
        self._prefix = f"{self._root}/data" if self._data is not path else self._root

    def declared_owner(self) -> list[str]:
        """The account (``manifest.js``, else ``account.js``) and its e-mail address."""
        account, _, email = self._account()
        return [handle("x", account)] + ([email] if email else []) if account else []

    def _account(self) -> tuple[str, str, str]:
        """The account's id, display name and e-mail address, as far as known."""
        ident = name = email = ""
        if self.path.is_dir():
            manifest = _read(self._data / MANIFEST, b"window.")
            info = manifest.get("userInfo") if isinstance(manifest, dict) else None
            if isinstance(info, dict):
                ident = x_id(info.get("accountId"))
                name = clean_name(text_field(info.get("displayName") or info.get("userName")))
            entries = _read(self._data / "account.js", YTD)
            entry = entries[0] if isinstance(entries, list) and entries else None
            found = entry.get("account") if isinstance(entry, dict) else None
            if isinstance(found, dict):
                ident = ident or x_id(found.get("accountId"))
                name = name or clean_name(text_field(found.get("accountDisplayName")))
                email = text_field(found.get("email")).lower()
        return ident, name, email if _EMAIL.match(email) else ""

    def records(self) -> Iterator[Record]:
        account, name, _ = self._account()
        owner = Participant(Role.FROM, handle("x", account), name) if account else None
        for kind, path in self._files():
            where = f"{self._prefix}/{path.name}"
            try:
                entries = load_json(path, YTD)
            except ExportError as exc:
                yield Quarantined(where, exc.reason, exc.detail)
                continue
            if not isinstance(entries, list):
                yield Quarantined(where, "bad-json", f"{path.name}: not a list")
                continue
            yield from READERS[kind](entries, where, owner)

    def _files(self) -> list[tuple[str, Path]]:
        if self.path.is_file():
            kind = _kind(self.path.name)
            return [(kind, self.path)] if kind in READERS else []
        try:
            found = [(_kind(p.name), p) for p in self._data.iterdir() if p.name.endswith(".js")]
        except OSError:
            return []
        order = {k: i for i, k in enumerate(KINDS)}
        found = [(k, p) for k, p in found if k in READERS and p.is_file()]
        return sorted(found, key=lambda kp: (order[kp[0]], kp[1].name))


def _read(path: Path, prefix: bytes) -> Any:
    """A small file's JSON value, or None when it is absent or broken."""
    try:
        return load_json(path, prefix) if path.is_file() else None
    except ExportError:
        return None


def _item(entry: object, key: str) -> dict[str, Any] | None:
    """``entry[key]`` when it is an object (each array element wraps one)."""
    inner = entry.get(key) if isinstance(entry, dict) else None
    return inner if isinstance(inner, dict) else None


def _iso(value: object) -> datetime | None:
    text = text_field(value)
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def _tweet_time(value: object) -> datetime | None:
    """``Wed Aug 09 16:19:22 +0000 2023`` (:data:`TWEET_TIME`) in UTC, read by position:
    ``strptime`` took 100 us a post, more than all the rest of reading one."""
    if not isinstance(value, str) or len(value) != 30 or value[19:21] not in (" +", " -"):
        return None
    month = _MONTHS.get(value[4:7])
    digits = (value[8:10], value[11:13], value[14:16], value[17:19], value[21:25], value[26:30])
    if month is None or not all(d.isascii() and d.isdigit() for d in digits):
        return None
    day, hour, minute, second, zone, year = digits
    offset = (int(zone[:2]) * 60 + int(zone[2:])) * (-1 if value[20] == "-" else 1)
    try:
        stamp = datetime(int(year), month, int(day), int(hour), int(minute), int(second),
                         tzinfo=UTC)  # fmt: skip
    except ValueError:
        return None
    return stamp - timedelta(minutes=offset)


def _person(role: Role, account: str, name: str = "") -> Participant:
    return Participant(role, f"x:{account}", name)  # digits: as handle() would write them


Reader = Callable[[list[Any], str, Participant | None], Iterator[Record]]


# -- posts ------------------------------------------------------------------------------


def _tweets(entries: list[Any], where: str, owner: Participant | None) -> Iterator[Record]:
    for index, entry in enumerate(entries):
        location = f"{where}#{index}"
        tweet = _item(entry, "tweet")
        if tweet is None and isinstance(entry, dict) and "id_str" in entry:
            tweet = entry  # the oldest archives list the objects themselves
        if tweet is None:
            yield Quarantined(location, "not-a-message", "no tweet object")
        elif owner is None:
            yield Quarantined(location, "no-sender", "the archive does not name its account")
        else:
            yield _tweet(tweet, location, owner)


def _tweet(tweet: dict[str, Any], location: str, owner: Participant) -> Record:
    """A post by the account, to whom it replies and whom it mentions."""
    ident = x_id(tweet.get("id_str") or tweet.get("id"))
    stamp = _tweet_time(tweet.get("created_at"))
    if not ident:
        return Quarantined(location, "no-id", "a tweet without id_str")
    if stamp is None:
        when = text_field(tweet.get("created_at"))
        return Quarantined(location, "bad-date", f"created_at {when!r}")
    addressed: list[Participant] = []  # the mentioned first: they come with a name
    entities = tweet.get("entities")
    mentions = entities.get("user_mentions") if isinstance(entities, dict) else None
    for mention in mentions if isinstance(mentions, list) else ():
        if isinstance(mention, dict) and (who := x_id(mention.get("id_str") or mention.get("id"))):
            name = clean_name(text_field(mention.get("name") or mention.get("screen_name")))
            addressed.append(_person(Role.TO, who, name))
    reply_to = x_id(tweet.get("in_reply_to_user_id_str") or tweet.get("in_reply_to_user_id"))
    if reply_to:
        name = clean_name(text_field(tweet.get("in_reply_to_screen_name")))
        addressed.append(_person(Role.TO, reply_to, name))
    people, seen = [owner], {owner.address}
    for person in addressed:
        if person.address not in seen:
            seen.add(person.address)
            people.append(person)
    parent = x_id(tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"))
    return _post(location, ident, stamp, people, parent)


def _post(
    location: str, ident: str, stamp: datetime, people: list[Participant], parent: str = ""
) -> Interaction:
    return Interaction(
        location=location,
        channel="post",
        timestamp=stamp,
        participants=people,
        message_id=f"x:tweet:{ident}",
        in_reply_to=f"x:tweet:{parent}" if parent else None,
        date_flag=judge_date(stamp),
        external_id=f"x-tweet:{ident}",
        public=True,
    )


def _tweet_headers(entries: list[Any], where: str, owner: Participant | None) -> Iterator[Record]:
    for index, entry in enumerate(entries):
        yield _tweet_header(_item(entry, "tweet") or {}, f"{where}#{index}", owner)


def _tweet_header(tweet: dict[str, Any], location: str, owner: Participant | None) -> Record:
    """A post known by its id, author and time only: no one it is addressed to."""
    ident, stamp = x_id(tweet.get("tweet_id")), _tweet_time(tweet.get("created_at"))
    if not ident or stamp is None:
        return Quarantined(location, "not-a-message", "no tweet id or date")
    author = x_id(tweet.get("user_id"))
    sender = owner if owner and (not author or owner.address == handle("x", author)) else None
    if sender is None and not author:
        return Quarantined(location, "no-sender", "no user id")
    return _post(location, ident, stamp, [sender or _person(Role.FROM, author)])


# -- direct messages ------------------------------------------------------------------


def _conversations(entries: list[Any], where: str) -> Iterator[tuple[str, str, list[Any]]]:
    """Each conversation's location, id and events (``None`` events for broken ones)."""
    for index, entry in enumerate(entries):
        conversation = _item(entry, "dmConversation")
        if conversation is None:
            yield f"{where}#{index}", "", []
            continue
        events = conversation.get("messages")
        ident = text_field(conversation.get("conversationId"))
        yield f"{where}#{index}", ident, events if isinstance(events, list) else []


def _direct(entries: list[Any], where: str, owner: Participant | None) -> Iterator[Record]:
    for base, conversation, events in _conversations(entries, where):
        if not conversation:
            yield Quarantined(base, "not-a-message", "no dmConversation object")
        for index, event in enumerate(events):
            yield _direct_message(event, f"{base}.{index}", conversation)


def _direct_message(event: object, location: str, conversation: str) -> Record:
    message = _item(event, "messageCreate")
    if message is None:
        return Quarantined(location, "not-a-message", "not a messageCreate event")
    ident, stamp = x_id(message.get("id")), _iso(message.get("createdAt"))
    sender = x_id(message.get("senderId"))
    recipient = x_id(message.get("recipientId")) or _other(conversation, sender)
    if not ident or stamp is None:
        return Quarantined(location, "bad-date" if ident else "no-id", "no usable id or date")
    if not sender or not recipient or recipient == sender:
        return Quarantined(location, "no-sender", "no sender and recipient")
    people = [_person(Role.FROM, sender), _person(Role.TO, recipient)]
    return _chat(location, ident, stamp, people, conversation)


def _other(conversation: str, sender: str) -> str:
    """The other account of a one-to-one conversation id ``<idA>-<idB>``."""
    ids = [x for x in conversation.split("-") if _ID.match(x)]
    others = [x for x in ids if x != sender]
    return others[0] if len(ids) == 2 and len(others) == 1 else ""


def _chat(
    location: str, key: str, stamp: datetime, people: list[Participant], conversation: str,
    automated: bool = False,
) -> Interaction:  # fmt: skip
    return Interaction(
        location=location,
        channel="chat",
        timestamp=stamp,
        participants=people,
        message_id=f"x:dm:{key}",
        thread_id=f"x:conversation:{conversation}" if conversation else None,
        automated=automated,
        date_flag=judge_date(stamp),
        external_id=f"x-dm:{key}",
    )


def _group(entries: list[Any], where: str, owner: Participant | None) -> Iterator[Record]:
    for base, conversation, events in _conversations(entries, where):
        if not conversation:
            yield Quarantined(base, "not-a-message", "no dmConversation object")
        yield from _Group(conversation, owner).read(events, base)


_GROUP_EVENTS = ("messageCreate", "joinConversation", "participantsJoin", "participantsLeave",
                 "conversationNameUpdate")  # fmt: skip


class _Group:
    """One group conversation, its members followed through time."""

    def __init__(self, conversation: str, owner: Participant | None) -> None:
        self.conversation = conversation
        self.owner = owner.address.removeprefix("x:") if owner else ""
        self.members: set[str] = set()
        self.everyone: set[str] = set()

    def read(self, events: list[Any], base: str) -> Iterator[Record]:
        """The events in time order (the archive lists them latest first)."""
        found = [(i, *_group_event(e)) for i, e in enumerate(events)]
        for _, _, body, _ in found:
            self.everyone.update(_ids(body.get("participantsSnapshot")), _ids(body.get("userIds")))
            self.everyone.add(x_id(body.get("senderId")))
        self.everyone.discard("")
        timed = sorted(found, key=lambda f: (f[3].timestamp() if f[3] else float("inf"), -f[0]))
        records: dict[int, Record] = {}
        for index, name, body, stamp in timed:
            records[index] = self._record(name, body, stamp, f"{base}.{index}")
        for index in range(len(events)):
            yield records[index]

    def _record(self, name: str, body: dict[str, Any], stamp: datetime | None, at: str) -> Record:
        if not name:
            return Quarantined(at, "not-a-message", "not a group conversation event")
        if stamp is None:
            return Quarantined(at, "bad-date", f"{name} without a usable createdAt")
        if name == "messageCreate":
            return self._message(body, stamp, at)
        return self._event(name, body, stamp, at)

    def _message(self, body: dict[str, Any], stamp: datetime, at: str) -> Record:
        ident, sender = x_id(body.get("id")), x_id(body.get("senderId"))
        if not ident or not sender:
            return Quarantined(at, "no-sender", "a group message without id or sender")
        members = self.members or (self.everyone | {self.owner})
        people = [_person(Role.FROM, sender)]
        people += [_person(Role.TO, m) for m in sorted(members) if m and m != sender]
        return _chat(at, ident, stamp, people, self.conversation)

    def _event(self, name: str, body: dict[str, Any], stamp: datetime, at: str) -> Record:
        """A join, leave or rename: membership changes; stored, flagged automated, its
        people as members (X wrote it about them; they did not write it)."""
        users = _ids(body.get("userIds"))
        if name == "joinConversation":
            self.members = set(_ids(body.get("participantsSnapshot"))) | {self.owner}
            users = [self.owner] if self.owner else []
        elif name == "participantsJoin":
            self.members.update(users)
        elif name == "participantsLeave":
            self.members.difference_update(users)
        self.members.discard("")
        actor = x_id(body.get("initiatingUserId")) or (users[0] if users else "")
        if not actor:
            return Quarantined(at, "no-sender", f"{name} names nobody")
        # written by X about its people, not by them: every one of them a member
        people = [_person(Role.MEMBER, u) for u in dict.fromkeys([actor, *users])]
        key = f"{self.conversation}:{name}:{stamp.isoformat()}:{actor}:{','.join(sorted(users))}"
        return _chat(at, key, stamp, people, self.conversation, automated=True)


def _group_event(event: object) -> tuple[str, dict[str, Any], datetime | None]:
    for name in _GROUP_EVENTS:
        body = _item(event, name)
        if body is not None:
            return name, body, _iso(body.get("createdAt"))
    return "", {}, None


def _ids(value: object) -> list[str]:
    return [i for i in map(x_id, value) if i] if isinstance(value, list) else []


# -- followers ------------------------------------------------------------------------


def _links(kind: ContactKind, key: str) -> Reader:
    def read(entries: list[Any], where: str, owner: Participant | None) -> Iterator[Record]:
        for index, entry in enumerate(entries):
            location = f"{where}#{index}"
            account = _item(entry, key)
            ident = x_id(account.get("accountId")) if account else ""
            if not ident:
                yield Quarantined(location, "not-a-person", f"a {key} entry without accountId")
            else:
                yield Contact(location=location, kind=kind, identities=(handle("x", ident),))

    return read


READERS: dict[str, Reader] = {
    "tweets": _tweets,
    "tweet": _tweets,
    "deleted-tweets": _tweets,
    "tweet-headers": _tweet_headers,
    "deleted-tweet-headers": _tweet_headers,
    "direct-messages": _direct,
    "direct-message": _direct,
    "direct-message-headers": _direct,
    "direct-messages-group": _group,
    "direct-message-group": _group,
    "direct-message-group-headers": _group,
    "follower": _links(ContactKind.FOLLOWER, "follower"),
    "following": _links(ContactKind.FOLLOWING, "following"),
}
"""What reads each kind of file (see :data:`KINDS` for the order)."""
