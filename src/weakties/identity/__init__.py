"""Identities: addresses, people and organisations behind the records."""
