"""weakties: relationship intelligence from the mail and logs you already have.

The public Python API lives in :mod:`weakties.api`; the CLI and other adapters call it.
"""

from __future__ import annotations

from weakties import api
from weakties.config import Settings
from weakties.errors import InputError, NotFoundError, StoreError, WeaktiesError

__version__ = "0.1.0"

__all__ = [
    "InputError",
    "NotFoundError",
    "Settings",
    "StoreError",
    "WeaktiesError",
    "__version__",
    "api",
]
