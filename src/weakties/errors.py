"""One exception hierarchy for everything weakties raises on purpose.

Adapters (CLI, REST) map :class:`WeaktiesError` to a one-line message; the CLI
exits with code 2 for :class:`InputError` and its children.
"""

from __future__ import annotations


class WeaktiesError(Exception):
    """Base of every error weakties raises deliberately.

    ``hint`` says what the user can do about it.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class InputError(WeaktiesError):
    """The user gave us something we cannot use (a path, an option, a file)."""

    exit_code = 2


class UnknownFormatError(InputError):
    """A path holds nothing weakties knows how to read."""


class EmptyInputError(InputError):
    """A path exists but holds no records at all."""


class StoreError(WeaktiesError):
    """The store cannot be opened, is from a newer version, or is corrupt."""

    exit_code = 2


class OutOfMemoryError(WeaktiesError):
    """A step needed more memory than it may use: the store is too big for the memory
    given, not broken."""

    exit_code = 2


class NotFoundError(InputError):
    """A person, tie or other named thing is not in the store."""


class ServerError(InputError):
    """A mail server cannot be read: unreachable, untrusted, a login refused, a folder
    it does not have. Its message never holds a password."""
