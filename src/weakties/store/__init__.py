"""The store: one DuckDB file of facts and the tables derived from them."""

from weakties.store.db import connect, migrate, schema_version

__all__ = ["connect", "migrate", "schema_version"]
