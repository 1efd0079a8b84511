"""Identities that contacts bring: LinkedIn handles, phone numbers in logs, organisations
named by cards, and identities shared between people."""

from __future__ import annotations

import pytest

from weakties.identity.orgs import named_org_key
from weakties.identity.resolve import Link, Observation, resolve
from weakties.sources.csvlog import normalise_id
from weakties.text.handles import normalise_linkedin
from weakties.text.phones import check_region


@pytest.mark.parametrize(
    ("url", "handle"),
    [
        ("https://www.linkedin.com/in/Jane-Doe-42/", "linkedin:in/jane-doe-42"),
        ("linkedin.com/in/jane-doe-42?trk=profile", "linkedin:in/jane-doe-42"),
        ("http://uk.linkedin.com/pub/jane-doe/1/2/3", "linkedin:pub/jane-doe/1/2/3"),
        ("https://www.linkedin.com/in/%E9%99%88-ivy", "linkedin:in/陈-ivy"),
        ("https://www.linkedin.com/company/acme", None),  # a company, not a person
        ("https://notlinkedin.com/in/jane", None),
        ("https://www.linkedin.com/in/", None),
        ("", None),
        ("https://www.linkedin.com/in/a b", None),
    ],
)
def test_linkedin_profiles(url: str, handle: str | None) -> None:
    assert normalise_linkedin(url) == handle


@pytest.mark.parametrize(
    ("given", "region", "identity"),
    [
        ("+44 7700 900123", None, "tel:+447700900123"),
        ("tel:+1-202-555-0147", None, "tel:+12025550147"),
        ("07700 900123", "GB", "tel:+447700900123"),
        ("07700 900123", None, "07700 900123"),  # which country? an opaque id
        ("(202) 555-0147", "US", "tel:+12025550147"),
        ("5551234567", "US", "5551234567"),  # bare digits: a database key as often
        ("42", "GB", "42"),
        ("snap:42", "GB", "snap:42"),
        ("Ana@Acme.Example", "GB", "ana@acme.example"),
    ],
)
def test_log_ids_that_are_phone_numbers(given: str, region: str | None, identity: str) -> None:
    assert normalise_id(given, region) == identity


def test_region_codes() -> None:
    assert check_region(" gb ") == "GB"
    with pytest.raises(ValueError, match="not a region code"):
        check_region("UK")  # ISO 3166 says GB


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ACME Corp.", "org:acme"),
        ("Acme Corporation", "org:acme"),
        ("The Walt Disney Company", "org:walt disney"),
        ("Company, The", "org:company"),
        ("Ernst & Young LLP", "org:ernst and young"),
        ("Self-employed", None),
        ("Freelance", None),
        ("  ", None),
        ("2024", None),
    ],
)
def test_named_organisations(name: str, key: str | None) -> None:
    assert named_org_key(name) == key


def _org_of(resolution: object, address: str) -> str | None:
    people = resolution.people  # type: ignore[attr-defined]
    return next(p.org_domain for p in people if address in p.addresses)


def test_a_card_names_the_organisation_when_the_domain_does_not() -> None:
    observations = [
        Observation("jo@gmail.com", "Jo Bell", 0, organisation="ACME Corp."),
        Observation("jo@gmail.com", "Jo Bell", 12),
        Observation("tel:+447700900123", "Al Ng", 0, organisation="Acme Corporation"),
        Observation("kim@globex.example", "Kim Lee", 0, organisation="Initech"),
        Observation("lu@gmail.com", "Lu Wren", 0, organisation="Globex"),
        Observation("mo@globex.example", "Mo Park", 0, organisation="Globex"),
    ]
    resolution = resolve(observations)
    assert _org_of(resolution, "jo@gmail.com") == "org:acme"  # free-mail: the card's
    assert _org_of(resolution, "tel:+447700900123") == "org:acme"
    assert _org_of(resolution, "kim@globex.example") == "globex.example"  # the domain wins
    assert _org_of(resolution, "lu@gmail.com") == "globex.example"  # "Globex" is globex.example
    names = {o.org_domain: (o.name, o.n_people) for o in resolution.organisations}
    assert names["org:acme"] == ("ACME Corp.", 2)  # its forms tie: the first in order
    assert names["globex.example"] == ("Globex", 3)


def test_identities_shared_by_unrelated_cards_link_nobody() -> None:
    switchboard = "tel:+442079460000"
    observations = [
        Observation("kai@acme.example", "Kai Moss", 0),
        Observation(switchboard, "Kai Moss", 0),
        Observation("lu@acme.example", "Lu Wren", 0),
        Observation(switchboard, "Lu Wren", 0),
        Observation("kai.moss@gmail.com", "Kai B. Moss", 0),
        Observation("kai@acme.example", "Kai B. Moss", 0),
    ]
    links = [
        Link("kai@acme.example", switchboard, "contact-card"),
        Link("lu@acme.example", switchboard, "contact-card"),
        Link("kai.moss@gmail.com", "kai@acme.example", "contact-card"),
    ]
    resolution = resolve(observations, links)
    person = {a: p.person_id for p in resolution.people for a in p.addresses}
    assert person["kai@acme.example"] != person["lu@acme.example"]
    assert person["kai@acme.example"] == person["kai.moss@gmail.com"]  # names that agree
    refused = [r for r in resolution.refusals if r.rule == "contact"]
    assert {r.key for r in refused} == {switchboard} and len(refused) == 2
    owners = resolve(observations, [Link("lu@acme.example", switchboard, "exchange-alias")])
    merged = {a: p.person_id for p in owners.people for a in p.addresses}
    assert merged["lu@acme.example"] == merged[switchboard]  # other evidence still holds
