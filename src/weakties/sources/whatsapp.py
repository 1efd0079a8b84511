"""WhatsApp "Export chat" files: one chat's text file, a folder of them, or the ZIP
with media (read as its folder; the media are skipped).

Each message is a private chat (channel ``chat``) from its sender to everyone else
who wrote in the chat; WhatsApp's own lines (a member added or left, the encryption
notice) are stored flagged automated, without participants. How the lines are read
is :mod:`weakties.sources.whatsapp_lines`.

**Who.** A sender shown as a phone number (a contact not in the phone's address book)
is ``tel:+<E.164>`` (see :mod:`weakties.text.phones`; ``$WEAKTIES_PHONE_REGION`` reads
numbers without a country code). A sender shown by name is ``whatsapp:<scope>/<name>``
(``whatsapp:9f2c41d0/ana_lima``): the name is the phone owner's address-book entry, so
the same name in two chats of one owner is one person, while the same name in two
owners' exports is not. The scope stands for the phone: the folder that holds the exports
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
from datetime import UTC, date, datetime, time, timedelta
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
    clock_time,
    date_order,
    is_marked,
    is_notice,
    is_twelve_hour,
    split_messages,
)
from weakties.text.phones import normalise_phone

SNIFF_BYTES = 8192
MEDIA_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".mp4", ".3gp", ".mov", ".m4v",
     ".opus", ".ogg", ".m4a", ".aac", ".mp3", ".amr", ".wav", ".pdf", ".doc", ".docx",
     ".xls", ".xlsx", ".ppt", ".pptx"}
)  # fmt: skip
"""What WhatsApp attaches to an export (images, video, voice notes, documents) that no
other format reads: a folder of chats may hold these beside its chat texts. A shared
contact card (``.vcf``) or any other text file is not skipped: a folder holding one is
read file by file, each by its own format."""

_WA_MEDIA = re.compile(
    r"-WA\d{4}|^\d{8}-(?:PHOTO|VIDEO|AUDIO|GIF|STICKER|CONTACT|DOCUMENT)-", re.IGNORECASE
)
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-\u00a0\u2011]{5,40}$")
_FIELDS = re.compile(r"\d+")


def is_chat_text(head: bytes) -> bool:
    """The first line of a file that is not blank starts with a WhatsApp date and time,
    and the file's first lines hold a message (``Name: text``) or WhatsApp's notice: a
    log whose lines merely start with a date is not a chat."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff\r\n\t ")
    if HEADER.match(text.split("\n", 1)[0]) is None:
        return False
    lines, _ = split_messages(text)
    return any(line.sender or is_notice(line.text[0]) for line in lines)


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
    suffix = name[name.rfind(".") :].lower()
    return suffix in MEDIA_SUFFIXES or (bool(_WA_MEDIA.search(name)) and suffix != ".vcf")


def is_chat_folder(folder: Path) -> bool:
    """A folder of WhatsApp exports: chat texts and what WhatsApp attaches to them, no
    other file and no subfolder (a folder that also holds mail is read file by file)."""
    try:
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    except OSError:
        return False
    chats = 0
    for entry in entries:
        if entry.is_dir():
            return False
        if _is_chat_file(entry):
            chats += 1
        elif not _is_media(entry):
            return False
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
    """The records of one chat file.

    What repeats from message to message (a sender's key and recipients, a day's date)
    is worked out once per chat: reading is then about a regular expression, a hash
    and a record per message.
    """

    def __init__(self, where: str, scope: str) -> None:
        self.where = where
        self.scope = scope
        self.thread = ""
        self.seen: Counter[str] = Counter()
        self.keys: dict[str, str] = {}  # the name shown -> the sender's part of a key
        self.casts: dict[str, list[Participant]] = {}  # the name shown -> sender, recipients
        self.days: dict[str, date | None] = {}
        self.clocks: dict[str, time | None] = {}
        self.offsets: dict[date, timedelta | None] = {}

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
        if not lines:
            return
        self.thread = _thread(lines[0])
        order = date_order(
            list(dict.fromkeys(line.day for line in lines)),
            any(is_twelve_hour(line.clock) for line in lines[:50]),
        )
        self.days = {d: as_date(_fields(d), order) for d in dict.fromkeys(m.day for m in lines)}
        chat_name = next((m.sender for m in lines if m.sender and is_notice(m.text[0])), None)
        senders = [None if _own(line, chat_name) else line.sender for line in lines]
        self._cast(senders)
        for line, sender in zip(lines, senders, strict=True):
            yield self._record(line, sender)

    def _cast(self, senders: list[str | None]) -> None:
        """Everyone who wrote in the chat (by the name shown, in order of appearance), and
        for each the sender and recipients of their messages."""
        people: dict[str, Participant] = {}
        for shown in senders:
            if shown is not None and shown not in people:
                people[shown] = self._person(shown)
        for shown, person in people.items():
            others = {p.address: p for p in people.values() if p.address != person.address}
            author = Participant(Role.FROM, person.address, person.name)
            self.casts[shown] = [author, *others.values()]
            phone = person.address.startswith("tel:")
            self.keys[shown] = person.address if phone else person.address.rpartition("/")[2]

    def _person(self, shown: str) -> Participant:
        phone = normalise_phone(shown) if _PHONE_LIKE.match(shown) else None
        if phone:
            return Participant(Role.TO, phone)
        return Participant(Role.TO, f"whatsapp:{self.scope}/{name_key(shown)}", clean_name(shown))

    def _record(self, line: Line, sender: str | None) -> Record:
        location = f"{self.where}#{line.number}"
        day = self.days.get(line.day)
        if line.clock not in self.clocks:
            self.clocks[line.clock] = clock_time(line.clock)
        at = self.clocks[line.clock]
        wall = datetime.combine(day, at) if day and at else None
        stamp = self._utc(wall) if wall else None
        if wall is None or stamp is None:
            return Quarantined(location, "bad-date", f"{line.day} {line.clock}"[:80])
        return Interaction(
            location=location,
            channel="chat",
            timestamp=stamp,
            participants=list(self.casts[sender]) if sender is not None else [],
            thread_id=self.thread,
            automated=sender is None,
            date_flag=judge_date(stamp),
            external_id=self._key(self.keys[sender] if sender is not None else "", line, wall),
        )

    def _utc(self, wall: datetime) -> datetime | None:
        """A naive local time in UTC. The zone's offset is looked up once per day of the
        chat when it is the same at both ends of the day (``astimezone`` took a tenth
        of reading a message), else for each message of the day (a change of DST)."""
        day = wall.date()
        if day not in self.offsets:
            self.offsets[day] = _day_offset(day)
        offset = self.offsets[day]
        try:
            if offset is None:
                return wall.astimezone(UTC)
            return wall.replace(tzinfo=UTC) - offset
        except (OverflowError, OSError, ValueError):
            return None

    def _key(self, who: str, line: Line, wall: datetime) -> str:
        """Sender, minute as written, text, and how many identical messages came before."""
        body = "\n".join(part.rstrip() for part in line.text).strip()
        minute = f"{wall.date().isoformat()} {wall.hour:02d}:{wall.minute:02d}"
        content = f"{who}\x1f{minute}\x1f{body}"
        digest = hashlib.blake2b(content.encode("utf-8", "replace"), digest_size=16).hexdigest()
        self.seen[digest] += 1
        return f"whatsapp:{digest}:{self.seen[digest] - 1}"


def _day_offset(day: date) -> timedelta | None:
    """The local zone's offset from UTC all through ``day``, or None when it changes
    that day (or cannot be known)."""
    try:
        first, last = datetime.combine(day, time(0)), datetime.combine(day, time(23, 59, 59))
        offsets = {t.replace(tzinfo=UTC) - t.astimezone(UTC) for t in (first, last)}
    except (OverflowError, OSError, ValueError):
        return None
    return offsets.pop() if len(offsets) == 1 else None


def _fields(day: str) -> tuple[int, ...]:
    return tuple(int(x) for x in _FIELDS.findall(day))


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
