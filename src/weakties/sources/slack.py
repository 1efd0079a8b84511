"""Slack workspace exports (the ZIP an admin downloads, or its folder).

Layout: ``users.json`` (every member: id, names, profile with e-mail and phone, bots),
``channels.json`` (public channels), ``groups.json`` (private channels), ``mpims.json``
(group direct messages) and ``dms.json`` (direct messages), each a list of
conversations with their ``members``; then one folder per conversation (named after
the channel, or the DM's id) holding one JSON file per day, a list of messages.

What each record becomes:

* a member of ``users.json``: a :class:`~weakties.records.Contact` of kind ``member``
  whose identities (the Slack id, the profile's e-mail address and phone number) are
  one person: the evidence that joins a Slack id to an e-mail address. A bot user is
  set aside (``bot``): it is not a person;
* a message in a channel: a post (channel ``post``) by its author, seen by the
  channel's members (role ``member``, not counted as contact); public in a public
  channel, private in a private one. A thread reply is also addressed (role ``to``)
  to the thread's author and a mention ``<@U...>`` to the one mentioned;
* a direct or group direct message: a private chat (channel ``chat``) to the other
  members of the conversation;
* a bot's message, and what Slack writes itself (joins, leaves, topic changes, an
  integration added): stored, flagged automated.

Identities are ``slack:<workspace>/<user id>``, lower-cased (ids are unique only
within one workspace): the workspace is the team id the users carry.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    unix_time,
)
from weakties.sources.headers import judge_date
from weakties.text.phones import normalise_phone

USERS = "users.json"
LISTS = (  # file, channel, public: in the order they are read
    ("channels.json", "post", True),
    ("groups.json", "post", False),
    ("mpims.json", "chat", False),
    ("dms.json", "chat", False),
)

MAX_MEMBERS = 150
"""Channel members are stored with each post (role ``member``) up to this many: about
the largest group whose members can all know one another (Dunbar 1992, "Neocortex
size as a constraint on group size in primates"). Beyond it presence says nothing of
a tie and would cost a row per member per message."""

HUMAN_SUBTYPES = frozenset(
    {"", "me_message", "thread_broadcast", "reply_broadcast", "file_share", "file_comment",
     "file_mention"}
)  # fmt: skip
"""Message subtypes a person writes; every other subtype (``bot_message``,
``channel_join``, ``channel_leave``, ``channel_topic``, ``bot_add``, ``pinned_item``,
...) is written by Slack or an integration and flagged automated."""

SLACKBOT = "USLACKBOT"
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>")
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,190}\.[^@\s<>\"']{2,63}$")
_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
_FOLDER = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def slack_id(value: object) -> str:
    """A Slack id (user, bot, team, channel) from a JSON value, or "" when it is not one."""
    text = text_field(value)
    return text if _ID.match(text) else ""


def is_slack_export(folder: Path) -> bool:
    """A folder with ``users.json`` beside at least one list of conversations."""
    try:
        return (folder / USERS).is_file() and any((folder / n).is_file() for n, _, _ in LISTS)
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class Conversation:
    """A channel, private channel, group DM or DM, and where its days are."""

    id: str
    folder: str
    channel: str  # post or chat
    public: bool
    members: tuple[str, ...]


@dataclass(slots=True)
class Workspace:
    """What the users list says: the workspace's id, names and bots."""

    scope: str
    names: dict[str, str] = field(default_factory=dict)
    bots: set[str] = field(default_factory=set)

    def identity(self, user: str) -> str:
        return handle("slack", self.scope, user)

    def person(self, role: Role, user: str) -> Participant:
        return Participant(role, self.identity(user), self.names.get(user, ""))


class SlackSource(Source):
    """One Slack export; its owner is unknown (an admin exports the whole workspace)."""

    kind = "slack"
    owner_rule = "none"

    def __init__(self, path: Path, label: str | None = None) -> None:
        super().__init__(path, label)
        self._root = location_root(path)

    def records(self) -> Iterator[Record]:
        users = self._list(USERS)
        conversations: list[Conversation] = []
        problems: list[Quarantined] = []
        for name, channel, public in LISTS:
            entries = self._list(name)
            if isinstance(entries, Quarantined):
                problems.append(entries)
                continue
            conversations.extend(_conversations(entries, channel, public))
        workspace = _workspace(users if isinstance(users, list) else [], conversations)
        if isinstance(users, Quarantined):
            yield users
        else:
            yield from self._users(users, workspace)
        yield from problems
        for conversation in [*_unique(conversations), *self._unlisted(conversations)]:
            yield from self._conversation(conversation, workspace)

    def _list(self, name: str) -> list[Any] | Quarantined:
        """A top-level list file: its entries; [] when absent; quarantined when broken."""
        path = self.path / name
        if not path.is_file():
            return []
        try:
            value = load_json(path)
        except ExportError as exc:
            return Quarantined(f"{self._root}/{name}", exc.reason, exc.detail)
        if not isinstance(value, list):
            return Quarantined(f"{self._root}/{name}", "bad-json", f"{name}: not a list")
        return value

    def _users(self, users: list[Any], workspace: Workspace) -> Iterator[Record]:
        for index, entry in enumerate(users):
            yield _user(entry, f"{self._root}/{USERS}#{index}", workspace)

    def _unlisted(self, listed: list[Conversation]) -> list[Conversation]:
        """Folders of days that no list names: read as private channels (nothing says
        they were public), without members."""
        known = {c.folder for c in listed}
        found = [
            p.name
            for p in _entries(self.path)
            if p.is_dir() and not p.name.startswith(".") and p.name not in known
            and any(_DAY_FILE.match(d.name) for d in _entries(p))
        ]  # fmt: skip
        return [Conversation(name, name, "post", False, ()) for name in sorted(found)]

    def _conversation(self, conversation: Conversation, workspace: Workspace) -> Iterator[Record]:
        folder = self.path / conversation.folder
        if not folder.is_dir():
            return
        days = sorted((p for p in _entries(folder) if _DAY_FILE.match(p.name)), key=_name)
        thread = _Thread(conversation, workspace)
        for day in days:
            where = f"{self._root}/{conversation.folder}/{day.name}"
            try:
                messages = load_json(day)
            except ExportError as exc:
                yield Quarantined(where, exc.reason, exc.detail)
                continue
            if not isinstance(messages, list):
                yield Quarantined(where, "bad-json", f"{day.name}: not a list of messages")
                continue
            for index, message in enumerate(messages):
                yield thread.record(message, f"{where}#{index}")


def _name(path: Path) -> str:
    return path.name


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _unique(conversations: list[Conversation]) -> list[Conversation]:
    """Each folder read once, under the first list that names it."""
    seen: set[str] = set()
    kept = []
    for conversation in conversations:
        if conversation.folder not in seen:
            seen.add(conversation.folder)
            kept.append(conversation)
    return kept


def _conversations(entries: list[Any], channel: str, public: bool) -> Iterator[Conversation]:
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        ident = slack_id(entry.get("id"))
        folder = text_field(entry.get("name")) or ident
        if not ident or not _FOLDER.match(folder) or folder in (".", ".."):
            continue
        raw = entry.get("members")
        members = tuple(m for m in map(slack_id, raw) if m) if isinstance(raw, list) else ()
        yield Conversation(ident, folder, channel, public, members)


def _workspace(users: list[Any], conversations: list[Conversation]) -> Workspace:
    """The workspace's id (the team most users belong to; else the oldest channel's id),
    and each user's display name; bot users are remembered."""
    teams = Counter(
        team
        for u in users
        if isinstance(u, dict) and (team := slack_id(u.get("team_id") or u.get("team")))
    )
    fallback = min((c.id for c in conversations if c.channel == "post"), default="export")
    workspace = Workspace(teams.most_common(1)[0][0] if teams else f"~{fallback}")
    for user in users:
        if isinstance(user, dict) and (ident := slack_id(user.get("id"))):
            workspace.names[ident] = _display_name(user)
            if user.get("is_bot") is True or ident == SLACKBOT:
                workspace.bots.add(ident)
    return workspace


def _profile(user: dict[str, Any]) -> dict[str, Any]:
    profile = user.get("profile")
    return profile if isinstance(profile, dict) else {}


def _display_name(user: dict[str, Any]) -> str:
    profile = _profile(user)
    for value in (profile.get("real_name"), user.get("real_name"),
                  profile.get("display_name"), user.get("name")):  # fmt: skip
        name = clean_name(text_field(value))
        if name:
            return name
    return ""


def _user(entry: object, location: str, workspace: Workspace) -> Record:
    """A member as a contact: the Slack id, e-mail and phone of one person."""
    if not isinstance(entry, dict) or not (ident := slack_id(entry.get("id"))):
        return Quarantined(location, "not-a-person", "a users.json entry without an id")
    if ident in workspace.bots:
        return Quarantined(location, "bot", f"{ident} is a bot user, not a person")
    profile = _profile(entry)
    identities = [workspace.identity(ident)]
    email = text_field(profile.get("email")).lower()
    if _EMAIL.match(email):
        identities.append(email)
    phone = normalise_phone(text_field(profile.get("phone")))
    if phone:
        identities.append(phone)
    return Contact(
        location=location,
        kind=ContactKind.MEMBER,
        name=workspace.names.get(ident, ""),
        identities=tuple(identities),
        title=clean_name(text_field(profile.get("title"))),
    )


class _Thread:
    """Reads the messages of one conversation in order, remembering who wrote each
    (by its ``ts``) so that a reply finds its thread's author."""

    def __init__(self, conversation: Conversation, workspace: Workspace) -> None:
        self.conversation = conversation
        self.workspace = workspace
        self.authors: dict[str, str] = {}
        self.prefix = f"slack:{workspace.scope}/{conversation.id}/".lower()

    def record(self, message: object, location: str) -> Record:
        if not isinstance(message, dict):
            return Quarantined(location, "not-a-message", "not a JSON object")
        ts = text_field(message.get("ts"))
        stamp = unix_time(ts)
        if stamp is None:
            return Quarantined(location, "bad-date", f"ts {ts[:40]!r} is not Unix seconds")
        author, bot_name, by_bot = _author(message)
        if not author:
            return Quarantined(location, "no-sender", "no user, comment author or bot id")
        self.authors.setdefault(ts, author)
        parent = self._parent(message, ts)
        writer = self._writer(message, author, by_bot)
        return Interaction(
            location=location,
            channel=self.conversation.channel,
            timestamp=stamp,
            participants=self._people(writer, message, author, bot_name, parent),
            message_id=self.prefix + ts,
            in_reply_to=self.prefix + parent[0] if parent else None,
            thread_id=self.prefix + (parent[0] if parent else ts),
            automated=writer != "person",
            date_flag=judge_date(stamp),
            external_id=self.prefix + ts,
            public=self.conversation.public,
        )

    def _parent(self, message: dict[str, Any], ts: str) -> tuple[str, str] | None:
        """The ``ts`` and author of the message this one replies to in a thread."""
        thread_ts = text_field(message.get("thread_ts"))
        if not thread_ts or thread_ts == ts or unix_time(thread_ts) is None:
            return None
        author = slack_id(message.get("parent_user_id")) or self.authors.get(thread_ts, "")
        return thread_ts, author

    def _writer(self, message: dict[str, Any], author: str, by_bot: bool) -> str:
        """``person``; ``bot`` (an integration or bot user); or ``slack`` (a line Slack
        writes about a user: a join, a leave, a topic set, an integration added)."""
        if by_bot or author in self.workspace.bots:
            return "bot"
        subtype = message.get("subtype") or ""
        if message.get("bot_id") or not isinstance(subtype, str) or subtype not in HUMAN_SUBTYPES:
            return "slack"
        return "person"

    def _people(
        self, writer: str, message: dict[str, Any], author: str, bot_name: str,
        parent: tuple[str, str] | None,
    ) -> list[Participant]:  # fmt: skip
        """A person's message reaches others; a bot writes as itself; Slack's own lines
        are about their user (role ``member``), not written by them."""
        if writer == "person":
            return self._participants(message, author, parent)
        role = Role.FROM if writer == "bot" else Role.MEMBER
        name = bot_name or self.workspace.names.get(author, "")
        return [Participant(role, self.workspace.identity(author), name)]

    def _participants(
        self, message: dict[str, Any], author: str, parent: tuple[str, str] | None
    ) -> list[Participant]:
        ws = self.workspace
        people = [ws.person(Role.FROM, author)]
        addressed: list[str] = []
        if self.conversation.channel == "chat":
            addressed.extend(self.conversation.members)
        if parent and parent[1]:
            addressed.append(parent[1])
        text = message.get("text")
        if isinstance(text, str):
            addressed.extend(_MENTION.findall(text[:100_000]))
        seen = {author}
        for user in addressed:
            if user not in seen:
                seen.add(user)
                people.append(ws.person(Role.TO, user))
        members = self.conversation.members
        if self.conversation.channel == "post" and len(members) <= MAX_MEMBERS:
            people.extend(ws.person(Role.MEMBER, m) for m in members if m not in seen)
        return people


def _author(message: dict[str, Any]) -> tuple[str, str, bool]:
    """Who wrote a message (a user id, or a bot id), a bot's name, and whether the
    author is a bot id."""
    user = slack_id(message.get("user"))
    if not user and isinstance(message.get("comment"), dict):
        user = slack_id(message["comment"].get("user"))
    bot = message.get("bot_profile")
    name = text_field(message.get("username")) or (
        text_field(bot.get("name")) if isinstance(bot, dict) else ""
    )
    if user:
        return user, clean_name(name), False
    return slack_id(message.get("bot_id")), clean_name(name), True
