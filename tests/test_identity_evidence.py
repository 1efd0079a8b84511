"""Identity resolution from addresses (one local part across an organisation's domains,
an owner's own free-mail address) and from the user's merges and splits."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.identity.clusters import Clusters
from weakties.identity.facts import Sent
from weakties.identity.resolve import Link, Observation, Override, Resolution, resolve


def obs(address: str, name: str = "", n: int = 1) -> Observation:
    return Observation(address, name, n, 0)


def person(result: Resolution, address: str) -> int:
    return next(i.person_id for i in result.identities if i.address == address)


def together(result: Resolution, *addresses: str) -> bool:
    return len({person(result, a) for a in addresses}) == 1


def apart(result: Resolution, *addresses: str) -> bool:
    return len({person(result, a) for a in addresses}) == len(addresses)


def reasons(result: Resolution, rule: str) -> list[str]:
    return [r.reason for r in result.refusals if r.rule == rule]


# -- rule 5: the same local part at two mail domains of one organisation ------------------


def test_parent_and_subdomain_with_one_local_part_merge() -> None:
    result = resolve([obs("pallen@ect.enron.com"), obs("pallen@enron.com")])
    assert together(result, "pallen@ect.enron.com", "pallen@enron.com")


def test_an_unnamed_subdomain_address_joins_the_named_person() -> None:
    result = resolve(
        [obs("pallen@enron.com"), obs("phillip.allen@enron.com", "Phillip K Allen", 9),
         obs("pallen@ect.enron.com")],
        links=[Link("pallen@enron.com", "phillip.allen@enron.com", "exchange-dn")],
    )  # fmt: skip
    assert together(result, "pallen@ect.enron.com", "pallen@enron.com", "phillip.allen@enron.com")


def test_generic_local_parts_never_merge_across_domains() -> None:
    result = resolve(
        [obs("info@acme.com"), obs("info@eu.acme.com"), obs("admin@acme.com"),
         obs("admin@it.acme.com"), obs("jo@acme.com"), obs("jo@uk.acme.com"),
         obs("no-reply@acme.com"), obs("no-reply@mail.acme.com")]
    )  # fmt: skip
    for local in ("info", "admin", "jo", "no-reply"):
        assert not together(result, *(a for a in _all(result) if a.startswith(f"{local}@")))
    assert reasons(result, "same-local-part") == ["generic-local-part"] * 4


def test_two_subsidiaries_share_a_local_part_but_not_a_person() -> None:
    result = resolve([obs("jsmith@ect.enron.com"), obs("jsmith@ees.enron.com")])
    assert apart(result, "jsmith@ect.enron.com", "jsmith@ees.enron.com")
    assert reasons(result, "same-local-part") == ["sibling-subdomains"]


def test_two_unnamed_children_of_a_parent_stay_apart() -> None:
    result = resolve(
        [obs("jsmith@enron.com"), obs("jsmith@ect.enron.com"), obs("jsmith@ees.enron.com")]
    )
    assert apart(result, "jsmith@enron.com", "jsmith@ect.enron.com", "jsmith@ees.enron.com")
    assert reasons(result, "same-local-part") == ["several-unnamed"]


def test_one_local_part_under_two_names_merges_nobody() -> None:
    result = resolve(
        [obs("jsmith@acme.com", "John Smith", 4), obs("jsmith@eu.acme.com", "Jane Smith", 4),
         obs("jsmith@us.acme.com")]
    )  # fmt: skip
    assert apart(result, "jsmith@acme.com", "jsmith@eu.acme.com", "jsmith@us.acme.com")
    assert reasons(result, "same-local-part") == ["names-disagree"]


def test_names_that_agree_let_subsidiaries_merge() -> None:
    result = resolve(
        [obs("jsmith@ect.enron.com", "John Smith", 2), obs("jsmith@ees.enron.com", "J Smith")]
    )
    assert apart(result, "jsmith@ect.enron.com", "jsmith@ees.enron.com")  # "j smith": no full name
    result = resolve(
        [obs("jsmith@ect.enron.com", "John Smith"), obs("jsmith@ees.enron.com", "John A. Smith")]
    )
    assert together(result, "jsmith@ect.enron.com", "jsmith@ees.enron.com")


def test_free_mail_and_other_organisations_are_no_subdomains() -> None:
    result = resolve(
        [obs("pallen@hotmail.com"), obs("pallen@gmail.com"), obs("pallen@enron.net"),
         obs("pallen@enron.com")]
    )  # fmt: skip
    assert apart(result, "pallen@hotmail.com", "pallen@gmail.com", "pallen@enron.net")


def _all(result: Resolution) -> list[str]:
    return [i.address for i in result.identities]


# -- rule 6: an owner's own free-mail address ---------------------------------------------

OWNER = [["phillip.allen@enron.com"]]
OWNER_SEEN = obs("phillip.allen@enron.com", "Phillip K Allen", 20)


def test_owner_writing_to_a_free_mail_address_under_their_name_is_one_person() -> None:
    result = resolve(
        [OWNER_SEEN, obs("pallen70@hotmail.com", "phillip allen", 3)],
        owners=OWNER,
        sent=[Sent("phillip.allen@enron.com", "pallen70@hotmail.com", "", 34)],
    )
    assert together(result, "phillip.allen@enron.com", "pallen70@hotmail.com")
    owner = next(p for p in result.people if p.is_owner)
    assert "pallen70@hotmail.com" in owner.addresses


def test_the_name_may_be_the_one_the_owner_gave_it() -> None:
    result = resolve(
        [OWNER_SEEN, obs("home@gmail.com")],
        owners=OWNER,
        sent=[Sent("phillip.allen@enron.com", "home@gmail.com", "Phillip Allen", 1)],
    )
    assert together(result, "phillip.allen@enron.com", "home@gmail.com")


def test_a_namesake_or_a_stranger_is_not_the_owner() -> None:
    seen = [OWNER_SEEN, obs("pa@yahoo.com", "phillip allen", 2), obs("bob@gmail.com", "Bob Stone")]
    sent = [Sent("phillip.allen@enron.com", "bob@gmail.com", "", 5)]
    result = resolve(seen, owners=OWNER, sent=sent)  # the owner never wrote to pa@yahoo.com
    assert apart(result, "phillip.allen@enron.com", "pa@yahoo.com", "bob@gmail.com")
    by_someone_else = [Sent("bob@gmail.com", "pa@yahoo.com", "Phillip Allen", 5)]
    result = resolve(seen, owners=OWNER, sent=by_someone_else)
    assert apart(result, "phillip.allen@enron.com", "pa@yahoo.com")


def test_an_address_known_by_another_name_stays_apart() -> None:
    result = resolve(
        [OWNER_SEEN, obs("kids@gmail.com", "Sam Allen", 5)],
        owners=OWNER,
        sent=[Sent("phillip.allen@enron.com", "kids@gmail.com", "Phillip Allen", 1)],
    )
    assert apart(result, "phillip.allen@enron.com", "kids@gmail.com")
    assert reasons(result, "own-free-mail") == ["names-disagree"]


def test_an_address_two_owners_could_claim_stays_apart() -> None:
    result = resolve(
        [OWNER_SEEN, obs("p.allen@acme.com", "Phillip Allen", 5), obs("pa@gmail.com")],
        owners=[*OWNER, ["p.allen@acme.com"]],
        sent=[
            Sent("phillip.allen@enron.com", "pa@gmail.com", "Phillip Allen", 1),
            Sent("p.allen@acme.com", "pa@gmail.com", "Phillip Allen", 1),
        ],
    )
    assert apart(result, "phillip.allen@enron.com", "p.allen@acme.com", "pa@gmail.com")
    assert reasons(result, "own-free-mail") == ["several-owners"]


def test_corporate_addresses_are_not_taken_for_the_owners_own() -> None:
    result = resolve(
        [OWNER_SEEN, obs("phillip.allen@other.com", "Phillip Allen", 2)],
        owners=OWNER,
        sent=[Sent("phillip.allen@enron.com", "phillip.allen@other.com", "", 3)],
    )
    assert apart(result, "phillip.allen@enron.com", "phillip.allen@other.com")


# -- the user's merges and splits ----------------------------------------------------------


def test_a_split_beats_every_kind_of_evidence() -> None:
    seen = [
        obs("me@acme.com", "Ann Lee", 5),
        obs("ann@gmail.com", "Ann Lee"),
        obs("ann.lee@acme.com", "Ann Lee"),
        obs("alee@eu.acme.com"),
        obs("alee@acme.com"),
    ]
    owners = [["me@acme.com", "ann@gmail.com"]]
    links = [Link("me@acme.com", "alee@acme.com", "x")]
    merged = resolve(seen, links, owners)
    assert together(merged, "me@acme.com", "ann@gmail.com", "ann.lee@acme.com", "alee@eu.acme.com")
    verdicts = [
        Override(a, b, same=False)
        for a, b in [("ann@gmail.com", "me@acme.com"), ("ann.lee@acme.com", "me@acme.com"),
                     ("alee@eu.acme.com", "me@acme.com"), ("alee@acme.com", "me@acme.com")]
    ]  # fmt: skip
    split = resolve(seen, links, owners, overrides=verdicts)
    for address in ("ann@gmail.com", "ann.lee@acme.com", "alee@eu.acme.com", "alee@acme.com"):
        assert apart(split, "me@acme.com", address), address
    assert set(r.rule for r in split.refusals) >= {"owner", "link", "name"}


def test_a_merge_beats_the_guards() -> None:
    seen = [obs("jsmith@gmail.com", "John Smith"), obs("john.smith@yahoo.com", "John Smith"),
            obs("ann.lee@acme.com", "Bob Stone"), obs("alee@acme.com", "Ann Lee")]  # fmt: skip
    verdicts = [
        Override("john.smith@yahoo.com", "jsmith@gmail.com", same=True),
        Override("alee@acme.com", "ann.lee@acme.com", same=True),
    ]
    result = resolve(seen, overrides=verdicts)
    assert together(result, "jsmith@gmail.com", "john.smith@yahoo.com")
    assert together(result, "ann.lee@acme.com", "alee@acme.com")


def test_verdicts_on_unknown_addresses_are_ignored() -> None:
    result = resolve([obs("a@acme.com")], overrides=[Override("a@acme.com", "z@x.org", True)])
    assert [i.address for i in result.identities] == ["a@acme.com"]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=20),
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=6),
    st.randoms(use_true_random=False),
)
def test_no_union_order_joins_what_a_split_keeps_apart(
    unions: list[tuple[int, int]], splits: list[tuple[int, int]], rng: random.Random
) -> None:
    names = [f"a{i}" for i in range(8)]
    pairs = [(names[a], names[b]) for a, b in splits if a != b]
    clusters = Clusters(names, pairs)
    rng.shuffle(unions)
    for a, b in unions:
        clusters.union([names[a], names[b]])
    for a, b in pairs:
        assert clusters.find(a) != clusters.find(b)
    assert sorted(m for r in clusters.roots() for m in clusters.members(r)) == names
