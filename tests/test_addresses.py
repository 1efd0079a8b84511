"""Address lists, normalisation, Exchange/Notes forms, names and automated senders."""

from __future__ import annotations

import pytest

from weakties.identity.orgs import org_domain
from weakties.text.addresses import (
    canonical_name,
    clean_address_list,
    clean_name,
    decode_encapsulated,
    exchange_alias,
    is_automated_local_part,
    normalize_address,
    parse_address_list,
    parse_mailbox,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jeff.Dasovich@Enron.com", "jeff.dasovich@enron.com"),
        ("'jeff.dasovich@enron.com'", "jeff.dasovich@enron.com"),
        ("<.jeff@enron.com>", "jeff@enron.com"),
        ("jeff.@enron.com.", "jeff@enron.com"),
        ("k..allen@enron.com", "k..allen@enron.com"),  # a real, distinct Enron form
        ("a@b.com@SMTP@enronXgate", "a@b.com"),
        ("soblander@carrfut.com@ENRON", "soblander@carrfut.com"),
        ("mailto:Bob@Example.org", "bob@example.org"),
        ("ryan.o'rourke@enron.com", "ryan.o'rourke@enron.com"),
        ("james.n", None),
        ("", None),
        ("@example.com", None),
        ("bob@", None),
        ("two words@example.com", None),
    ],
)
def test_normalize_address(raw: str, expected: str | None) -> None:
    assert normalize_address(raw) == expected


def test_common_list_fast_path() -> None:
    value = "a@b.com, C@D.org, \n\tk..allen@enron.com, "
    assert parse_address_list(value) == (
        ("a@b.com", ""),
        ("c@d.org", ""),
        ("k..allen@enron.com", ""),
    )
    assert clean_address_list(value) == ["a@b.com", "c@d.org", "k..allen@enron.com"]
    assert clean_address_list('"Bob" <b@c.com>') is None


def test_names_quotes_and_commas() -> None:
    found = parse_address_list('"Allen, Phillip K." <pallen@enron.com>, Bob <BOB@x.org>')
    assert found == (("pallen@enron.com", "Allen, Phillip K."), ("bob@x.org", "Bob"))


def test_unquoted_last_first_is_glued_back() -> None:
    found = parse_address_list("Allen, Phillip <pallen@enron.com>, c@d.com")
    assert found == (("pallen@enron.com", "Allen, Phillip"), ("c@d.com", ""))


def test_comments_groups_and_empty_groups() -> None:
    value = 'jdoe@example.com (John Doe), Team: a@b.com, "Smith, Bob" <bob@c.com>;, x:;'
    assert parse_address_list(value) == (
        ("jdoe@example.com", "John Doe"),
        ("a@b.com", ""),
        ("bob@c.com", "Smith, Bob"),
    )
    assert parse_address_list("undisclosed-recipients:;") == ()


def test_duplicates_and_junk_are_dropped() -> None:
    value = "a@b.com, A@B.com, james.n, , houston <.ward@enron.com>, <a@b.com>@ENRON"
    assert parse_address_list(value) == (("a@b.com", ""), ("ward@enron.com", "houston"))


def test_unterminated_syntax_does_not_raise() -> None:
    assert parse_address_list('"Unclosed <a@b.com') == ()
    assert parse_address_list("Name <a@b.com") == (("a@b.com", "Name"),)
    assert parse_address_list("(nested (comment) a@b.com") == ()


def test_encoded_words_in_names() -> None:
    value = '=?iso-8859-1?Q?Fran=E7ois?= <f@x.fr>, "=?UTF-8?Q?Doe=2C_Jane?=" <j@x.com>'
    assert parse_address_list(value) == (("f@x.fr", "François"), ("j@x.com", "Doe, Jane"))


def test_address_only_phrase_without_brackets() -> None:
    assert parse_address_list("Phillip Allen pallen@enron.com") == (
        ("pallen@enron.com", "Phillip Allen"),
    )


def test_pipermail_at_obfuscation() -> None:
    found = parse_address_list("edd at debian.org (Dirk Eddelbuettel)")
    assert found == (("edd@debian.org", "Dirk Eddelbuettel"),)
    assert parse_address_list("Meet at noon <a@b.com>") == (("a@b.com", "Meet at noon"),)


def test_mangled_pipermail_addresses_are_restored_from_the_name() -> None:
    old = parse_address_list("murdoch@dunc@n @ending from gm@il@com (Duncan Murdoch)")
    new = parse_address_list("murdoch@dunc@n @end|ng |rom gm@||@com (Duncan Murdoch)")
    assert old == new == (("murdoch.duncan@gmail.com", "Duncan Murdoch"),)
    assert parse_address_list("r@turner @end|ng |rom gm@||@com (Rolf Turner)") == (
        ("r.turner@gmail.com", "Rolf Turner"),
    )
    assert parse_address_list("tom@@@k@||ber@ @end|ng |rom gm@||@com (Tomas Kalibera)") == (
        ("tomas.kalibera@gmail.com", "Tomas Kalibera"),
    )


def test_mangled_pipermail_forms_not_settled_map_to_one_invalid_pseudo_address() -> None:
    # "@" may be a, s or a dot, "|" i, l or f: neither the name nor the domain settles these
    old = parse_address_list("edd @ending from debi@n@org (Dirk Eddelbuettel)")
    new = parse_address_list("edd @end|ng |rom deb|@n@org (Dirk Eddelbuettel)")
    assert old == new == (("edd@deb|.n.org.invalid", "Dirk Eddelbuettel"),)
    guess = parse_address_list("retep@me|@@ner @end|ng |rom gm@||@com (Peter Meissner)")
    assert guess[0][0].endswith(".invalid")  # retep.meissner or retepameissner
    third = parse_address_list("biii m@iii@g oii de@@ey@ws (biii m@iii@g oii de@@ey@ws)")
    assert third == (("b|||@de..ey.w.invalid", ""),)  # lossy, but the same for every variant
    assert org_domain(old[0][0].rpartition("@")[2]) is None  # no organisation is made of it


def test_imceanotes_with_smtp_address() -> None:
    raw = (
        "IMCEANOTES-+22Simpkins+2C+20Michelle+22+20+3CMSimpkins+40winstead+2Ecom+3E+40ENRON"
        "@ENRON.com"
    )
    assert decode_encapsulated(raw) == ("msimpkins@winstead.com", "Simpkins, Michelle")
    assert normalize_address(raw) == "msimpkins@winstead.com"
    plain = "IMCEANOTES-mery+2El+2Ebrown+40accenture+2Ecom+40ENRON@ENRON.com"
    assert normalize_address(plain) == "mery.l.brown@accenture.com"


def test_imceanotes_with_notes_name() -> None:
    mailbox = parse_mailbox("IMCEANOTES-Mark+20Whitt_DEN_ECT+40ENRON@ENRON.com")
    assert mailbox == ("notes:mark.whitt/den/ect", "Mark Whitt")
    other = decode_encapsulated("IMCEANOTES-Naomi+20Connell_LON_ECT+40ECT+40ENRON@ENRON.com")
    assert other == ("notes:naomi.connell/lon/ect", "Naomi Connell")


def test_imceanotes_comment_name() -> None:
    raw = "IMCEANOTES-hargr+40webtv+2Enet+20+28Neal+20Hargrove+29+40ENRON@ENRON.com"
    assert decode_encapsulated(raw) == ("hargr@webtv.net", "Neal Hargrove")


def test_imceaex_dn() -> None:
    raw = "IMCEAEX-_O=ENRON_OU=NA_CN=RECIPIENTS_CN=PALLEN@ENRON.com"
    assert normalize_address(raw) == "pallen@enron.com"
    hexid = "IMCEAEX-_O=ENRON_OU=NA_CN=RECIPIENTS_CN=NOTESADDR_CN=A478079F-55E1F3B0@ENRON.com"
    assert (
        normalize_address(hexid)
        == "ex:/o=enron/ou=na/cn=recipients/cn=notesaddr/cn=a478079f-55e1f3b0"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Allen, Phillip K. </O=ENRON/OU=NA/CN=RECIPIENTS/CN=PALLEN>", "pallen@enron.com"),
        ("/O=ENRON/OU=NA/CN=RECIPIENTS/CN=MBX_ANNCENRON", "mbx_anncenron@enron.com"),
        ("x </O=ENRON/OU=NA/CN=RECIPIENTS/CN=NOTESADDR/CN=A478079F-55E1F3B0-862566FA>", None),
        ("x </O=ENRON/OU=NA/CN=RECIPIENTS/CN=a478079f-55e1f3b0>", None),
        ("Phillip K Allen", None),
    ],
)
def test_exchange_alias(value: str, expected: str | None) -> None:
    assert exchange_alias(value, "Enron.com") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Allen, Phillip K.", "phillip k allen"),
        ("Phillip K Allen", "phillip k allen"),
        ('"Dr. John Smith, Jr."', "john smith"),
        ("Smith, John, Jr.", "john smith"),
        ("Jörg Müller", "jorg muller"),
        ("O'Rourke, Tim", "tim orourke"),
        ("Botero-Lowry, Alexander", "alexander botero lowry"),
        ("pallen@enron.com", ""),
        ("", ""),
    ],
)
def test_canonical_name(name: str, expected: str) -> None:
    assert canonical_name(name) == expected


def test_clean_name_keeps_the_name_as_seen() -> None:
    assert clean_name('  "Allen, Phillip K."  ') == "Allen, Phillip K."
    assert clean_name("SOblander@carrfut.com") == ""
    assert clean_name("=?UTF-8?B?SsO2cmc=?=") == "Jörg"


@pytest.mark.parametrize(
    "address",
    [
        "noreply@x.com",
        "no-reply@x.com",
        "do-not-reply@x.com",
        "DoNotReply@x.com",
        "mailer-daemon@x.com",
        "postmaster@x.com",
        "notifications@github.com",
        "alerts-breakingnews@yahoo-inc.com",
        "bounces+12345@lists.x.org",
        "bounce-otcjournal-3119263@lyris.otcjournal.com",
        "newsletter@rigzone.com",
        "news@real-net.net",
    ],
)
def test_automated_local_parts(address: str) -> None:
    assert is_automated_local_part(address)


@pytest.mark.parametrize(
    "address",
    ["info@smallshop.com", "sales@x.com", "jeff.dasovich@enron.com", "newsom@x.com", "n@x.com"],
)
def test_people_are_not_automated(address: str) -> None:
    assert not is_automated_local_part(address)
