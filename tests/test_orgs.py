"""Organisations from domains: registrable domains, free-mail, readable names."""

from __future__ import annotations

import pytest

from weakties.identity.orgs import is_free_mail, org_domain, org_name, registrable_domain


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("enron.com", "enron.com"),
        ("ect.enron.com", "enron.com"),
        ("ENRON.COM.", "enron.com"),
        ("mail.example.co.uk", "example.co.uk"),
        ("example.co.uk", "example.co.uk"),
        ("cs.ox.ac.uk", "ox.ac.uk"),
        ("unsw.edu.au", "unsw.edu.au"),
        ("mail.sony.co.jp", "sony.co.jp"),
        ("vger.kernel.org", "kernel.org"),
        ("stat.ethz.ch", "ethz.ch"),
    ],
)
def test_org_domain_is_the_registrable_domain(domain: str, expected: str) -> None:
    assert org_domain(domain) == expected


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "mail.yahoo.fr",
        "hotmail.com",
        "hotmail.de",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "gmx.net",
        "gmx.de",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "163.com",
        "comcast.net",
        "houston.rr.com",
        "btinternet.com",
    ],
)
def test_free_mail_is_no_organisation(domain: str) -> None:
    assert is_free_mail(domain)
    assert org_domain(domain) is None


@pytest.mark.parametrize(
    "domain",
    ["", "localhost", "snap", "slack.invalid", "host.local", "[10.0.0.1]", "10.0.0.1", "a..b.com"],
)
def test_pseudo_domains_are_no_organisation(domain: str) -> None:
    assert org_domain(domain) is None


def test_a_bare_public_suffix_is_no_organisation() -> None:
    assert registrable_domain("co.uk") is None


def test_companies_are_not_free_mail() -> None:
    assert not is_free_mail("enron.com")
    assert not is_free_mail("orange.com")
    assert org_domain("orange.com") == "orange.com"


@pytest.mark.parametrize(
    ("domain", "name"),
    [
        ("enron.com", "Enron"),
        ("ect.enron.com", "Enron"),
        ("example.co.uk", "Example"),
        ("ibm.com", "IBM"),
        ("hewlett-packard.com", "Hewlett Packard"),
    ],
)
def test_org_name_is_readable(domain: str, name: str) -> None:
    assert org_name(domain) == name
