"""Phone numbers become ``tel:+E.164`` identities whatever way people write them."""

from __future__ import annotations

import pytest

from weakties.text.phones import REGION_VARIABLE, is_phone_identity, normalise_phone


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+44 20 7946 0958", None, "tel:+442079460958"),
        ("tel:+34-600-000-001", None, "tel:+34600000001"),
        ("(415) 555-0132", "US", "tel:+14155550132"),
        ("020 7946 0958", "GB", "tel:+442079460958"),
        ("+1 415 555 0132 ext. 12", None, "tel:+14155550132"),
        ("(415) 555-0132", None, None),  # no region: a national number is ambiguous
        ("12", "US", None),
        ("not a number", "US", None),
        ("+1 123 456 789", None, None),  # too short for the North American plan
    ],
)
def test_numbers_as_written(text: str, region: str | None, expected: str | None) -> None:
    assert normalise_phone(text, region) == expected


def test_the_default_region_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REGION_VARIABLE, "gb")
    assert normalise_phone("020 7946 0958") == "tel:+442079460958"
    monkeypatch.setenv(REGION_VARIABLE, "nonsense")
    assert normalise_phone("020 7946 0958") is None


def test_identities_are_recognised() -> None:
    found = normalise_phone("+44 20 7946 0958")
    assert found is not None and is_phone_identity(found)
    assert not is_phone_identity("ana@acme.example")
