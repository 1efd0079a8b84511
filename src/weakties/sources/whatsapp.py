"""WhatsApp "Export chat" files: one chat's text file, a folder of them, or the ZIP
with media (read as its folder; the media are skipped).

Each message is a private chat (channel ``chat``) from its sender to everyone else
who wrote in the chat; WhatsApp's own lines (a member added or left, the encryption
notice) are stored flagged automated, without participants. How the lines are read
is :mod:`weakties.sources.whatsapp_lines`.

**Who.** A sender shown as a phone number (a contact not in the phone's address book)
is ``tel:+<E.164>`` (see :mod:`weakties.text.phones`; ``$WEAKTIES_PHONE_REGION`` reads
numbers without a country code). A sender shown by name is
``whatsapp:<scope>/<name>`` (``whatsapp:9f2c41d0/ana_lima``): the name is the phone owner's address-book entry, so the
same name in two chats of one owner is one person, while the same name in two owners'
exports is not. The scope stands for the phone: the folder that holds the exports
(for a folder of one chat, such as an unpacked ZIP, the folder around it).

**When.** Exports write the phone's local time without a zone; it is read in this
machine's zone (``TZ``), the usual case being one's own phone and computer.

**Once.** A message's key is its sender, its minute (local, as written: exports with
and without seconds agree), a hash of its text and how many identical messages
(same sender, minute, text) came before it in the file. Two exports of one chat that
overlap store each message once, while two identical messages in one minute stay two.
The text itself is never stored.

**Whose.** In a folder of several chats, the phone's owner is the one person who
wrote in every chat; a single chat does not say.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from weakties.records import Interaction, Participant, Quarantined, Record, Role
from weakties.sources.base import Source
from weakties.sources.compressed import open_stream
from weakties.sources.exports import clean_name, location_root, name_key
from weakties.sources.headers import judge_date
from weakties.sources.whatsapp_lines import (
    HEADER,
    Line,
    as_date,
    date_order,
    is_marked,
    is_notice,
    is_twelve_hour,
    split_messages,
    wall_clock,
)
from weakties.text.phones import normalise_phone

SNIFF_BYTES = 8192
MEDIA_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".mp4", ".3gp", ".mov", ".m4v",
     ".opus", ".ogg", ".m4a", ".aac", ".mp3", ".amr", ".wav", ".pdf", ".vcf", ".doc",
     ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt"}
)  # fmt: skip
"""What WhatsApp attaches to an export (images, video, voice notes, documents, shared
contact cards): a folder of chats may hold these beside its chat texts."""

_WA_MEDIA = re.compile(
    r"-WA\d{4}|^\d{8}-(?:PHOTO|VIDEO|AUDIO|GIF|STICKER|CONTACT|DOCUMENT)-", re.IGNORECASE
)
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-\u00a0\u2011]{5,40}$")
_FIELDS = re.compile(r"\d+")


def is_chat_text(head: bytes) -> bool:
    """The first line of a file that is not blank starts with a WhatsApp date and time."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff\r\n\t ")
    return HEADER.match(text.split("\n", 1)[0]) is not None


def _is_chat_file(path: Path) -> bool:
    if not path.name.lower().endswith(".txt"):
        return False
    try:
        with path.open("rb") as fh:
            return is_chat_text(fh.read(SNIFF_BYTES))
    except OSError:
        return False


def _is_media(path: Path) -> bool:
    name = path.name
    return bool(_WA_MEDIA.search(name)) or name[name.rfind(".") :].lower() in MEDIA_SUFFIXES


def is_chat_folder(folder: Path) -> bool:
    """A folder of WhatsApp exports: chat texts and what WhatsApp attaches to them, no
    other file and no subfolder (a folder that also holds mail is read file by file)."""
    try:
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    except OSError:
        return False
    chats = 0
    for entry in entries:
        if entry.is_dir() or not _is_media(entry):
            return False
        chats += _is_chat_file(entry)
    return chats > 0


class WhatsAppSource(Source):
    """One chat export, or a folder of them (one phone's)."""

    kind = "whatsapp"
    owner_rule = "every-chat"

    def __init__(self, path: Path, label: str | None = None) -> None:
        super().__init__(path, label)
        self._root = location_root(path)
        self._chats = _chat_files(path)
        phone = path if path.is_dir() and len(self._chats) > 1 else _parent(path)
        self._scope = hashlib.blake2b(location_root(phone).encode(), digest_size=4).hexdigest()

    def records(self) -> Iterator[Record]:
        for chat in self._chats:
            where = self._root if chat is self.path else f"{self._root}/{chat.name}"
            yield from _Chat(where, self._scope).read(chat)


def _chat_files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    try:
        return sorted((p for p in path.iterdir() if _is_chat_file(p)), key=lambda p: p.name)
    except OSError:
        return []


def _parent(path: Path) -> Path:
    """The folder around ``path`` (an archive's root may have none: then itself)."""
    return path.parent


class _Chat:
    """The records of one chat file."""

    def __init__(self, where: str, scope: str) -> None:
        self.where = where
        self.scope = scope
        self.thread = ""
        self.seen: Counter[str] = Counter()

    def read(self, path: Path) -> Iterator[Record]:
        try:
            with open_stream(path) as fh:
                text = fh.read().decode("utf-8", "replace")
        except (OSError, EOFError, ValueError) as exc:
            yield Quarantined(self.where, "unreadable", str(exc))
            return
        lines, orphans = split_messages(text.removeprefix("\ufeff"))
        if orphans:
            detail = f"{len(orphans)} line(s) before the first dated line"
            yield Quarantined(f"{self.where}#{orphans[0]}", "not-a-message", detail)
        self.thread = _thread(lines[0]) if lines else ""
        days = list(dict.fromkeys(line.day for line in lines))
        order = date_order(days, any(is_twelve_hour(line.clock) for line in lines[:50]))
        chat_name = next((m.sender for m in lines if m.sender and is_notice(m.text[0])), None)
        people = self._people(lines, chat_name)
        for line in lines:
            yield self._record(line, order, chat_name, people)

    def _people(self, lines: list[Line], chat_name: str | None) -> dict[str, Participant]:
        """Everyone who wrote in the chat, by the name shown, in order of appearance."""
        people: dict[str, Participant] = {}
        for line in lines:
            if line.sender and line.sender not in people and not _own(line, chat_name):
                people[line.sender] = self._person(line.sender)
        return people

    def _person(self, shown: str) -> Participant:
        phone = normalise_phone(shown) if _PHONE_LIKE.match(shown) else None
        if phone:
            return Participant(Role.TO, phone)
        return Participant(Role.TO, f"whatsapp:{self.scope}/{name_key(shown)}", clean_name(shown))

    def _record(
        self, line: Line, order: str, chat_name: str | None, people: dict[str, Participant]
    ) -> Record:
        location = f"{self.where}#{line.number}"
        day = as_date(tuple(int(x) for x in _FIELDS.findall(line.day)), order)
        wall = wall_clock(day, line.clock) if day else None
        try:
            stamp = wall.astimezone(UTC) if wall else None  # a naive time is local
        except (OverflowError, OSError, ValueError):
            stamp = None
        if wall is None or stamp is None:
            return Quarantined(location, "bad-date", f"{line.day} {line.clock}"[:80])
        own = _own(line, chat_name)
        sender = None if own or line.sender is None else people[line.sender]
        return Interaction(
            location=location,
            channel="chat",
            timestamp=stamp,
            participants=_addressed(sender, people) if sender else [],
            thread_id=self.thread,
            automated=sender is None,
            date_flag=judge_date(stamp),
            external_id=self._key(sender, line, wall),
        )

    def _key(self, sender: Participant | None, line: Line, wall: datetime) -> str:
        who = ""
        if sender is not None and line.sender is not None:
            who = sender.address if sender.address.startswith("tel:") else name_key(line.sender)
        body = "\n".join(part.rstrip() for part in line.text).strip()
        content = f"{who}\x1f{wall:%Y-%m-%d %H:%M}\x1f{body}"
        digest = hashlib.blake2b(content.encode("utf-8", "replace"), digest_size=16).hexdigest()
        self.seen[digest] += 1
        return f"whatsapp:{digest}:{self.seen[digest] - 1}"


def _thread(first: Line) -> str:
    """A chat's thread id: its first line, as written. Exports hold a chat from its start
    (up to WhatsApp's length limit), so two exports of one chat share it, whatever
    their file names."""
    text = f"{first.day}\x1f{first.clock}\x1f{first.sender}\x1f{first.text[0]}"
    return "whatsapp:" + hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).hexdigest()


def _own(line: Line, chat_name: str | None) -> bool:
    """WhatsApp's own line: no sender, the encryption notice, or (iOS) a marked line
    under the chat's name."""
    if line.sender is None or is_notice(line.text[0]):
        return True
    return line.sender == chat_name and is_marked(line.text[0])


def _addressed(sender: Participant, people: dict[str, Participant]) -> list[Participant]:
    """The sender, and everyone else in the chat as recipients."""
    author = Participant(Role.FROM, sender.address, sender.name)
    others = {p.address: p for p in people.values() if p.address != sender.address}
    return [author, *others.values()]
