"""Ingest speed of every captured format beside its library's bare parse, in one run.

Runs each format family's bench (``capture_contacts.py``: vCards against vobject;
``capture_chats.py``: Slack, WhatsApp and X against ``json.load`` and a bare line split;
``capture_calendar.py``: calendars against icalendar and recurring-ical-events;
``capture_imap.py``: an IMAP account on a Dovecot of its own against imapclient's bare
fetch of the same headers) one after
the other, each measuring its baseline and weakties' whole ingest side by side in fresh
child processes, and prints their figures as one JSON object keyed by family. Each
family's own options can be given to its script directly.

Usage: python bench/capture.py [--only contacts,chats,calendar,imap]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FAMILIES = ("contacts", "chats", "calendar", "imap")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(FAMILIES))
    args = parser.parse_args()
    out: dict[str, Any] = {}
    for family in args.only.split(","):
        script = HERE / f"capture_{family}.py"
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            out[family] = {"failed": done.stderr.strip().splitlines()[-1:]}
            continue
        out[family] = json.loads(done.stdout)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
