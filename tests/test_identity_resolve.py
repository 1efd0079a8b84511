"""Identity resolution: each merge rule, each refusal, automated senders, invariants."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.identity.automated import Activity
from weakties.identity.orgs import org_domain
from weakties.identity.resolve import (
    MAX_NAME_CLUSTER,
    Identity,
    Link,
    Observation,
    Person,
    Resolution,
    resolve,
)


def obs(address: str, name: str = "", n: int = 1, sent: int = 0) -> Observation:
    return Observation(address, name, n, sent)


def together(result: Resolution, *addresses: str) -> bool:
    """True when all the addresses belong to one person."""
    ids = {i.address: i.person_id for i in result.identities}
    return len({ids[a] for a in addresses}) == 1


def apart(result: Resolution, *addresses: str) -> bool:
    """True when every address is its own person."""
    ids = {i.address: i.person_id for i in result.identities}
    return len({ids[a] for a in addresses}) == len(addresses)


def identity(result: Resolution, address: str) -> Identity:
    return next(i for i in result.identities if i.address == address)


def person_of(result: Resolution, address: str) -> Person:
    pid = identity(result, address).person_id
    return next(p for p in result.people if p.person_id == pid)


# -- rule 3: one dominant full name in one organisation ------------------------------------


def test_same_dominant_name_in_same_org_merges() -> None:
    result = resolve(
        [
            obs("pallen@enron.com", "Allen, Phillip K.", 5),
            obs("k..allen@enron.com", "Phillip K Allen", 3),
            obs("k..allen@enron.com", "pallen", 1),
        ]
    )
    assert together(result, "pallen@enron.com", "k..allen@enron.com")
    assert person_of(result, "pallen@enron.com").display_name == "Phillip K. Allen"
    assert result.n_merged == 1


def test_subdomains_of_one_organisation_merge() -> None:
    result = resolve(
        [obs("pallen@ect.enron.com", "Phillip Allen"), obs("pa@enron.com", "Allen, Phillip")]
    )
    assert together(result, "pallen@ect.enron.com", "pa@enron.com")


def test_shared_first_name_does_not_merge() -> None:
    result = resolve([obs("john@acme.com", "John Smith", 4), obs("jd@acme.com", "John Doe", 4)])
    assert apart(result, "john@acme.com", "jd@acme.com")


def test_shared_last_name_does_not_merge() -> None:
    result = resolve([obs("a@acme.com", "Ann Smith", 4), obs("b@acme.com", "Bob Smith", 4)])
    assert apart(result, "a@acme.com", "b@acme.com")


def test_same_name_at_free_mail_providers_does_not_merge() -> None:
    result = resolve(
        [
            obs("jsmith@gmail.com", "John Smith", 9),
            obs("john.smith@yahoo.com", "John Smith", 9),
            obs("smithy@gmail.com", "John Smith", 9),
        ]
    )
    assert apart(result, "jsmith@gmail.com", "john.smith@yahoo.com", "smithy@gmail.com")


def test_same_name_in_different_organisations_does_not_merge() -> None:
    result = resolve([obs("js@acme.com", "John Smith"), obs("js@globex.com", "John Smith")])
    assert apart(result, "js@acme.com", "js@globex.com")


def test_a_name_seen_once_beside_another_dominant_name_does_not_merge() -> None:
    result = resolve(
        [
            obs("assistant@acme.com", "Ann Lee", 7),
            obs("assistant@acme.com", "Bob Stone", 1),
            obs("bob@acme.com", "Bob Stone", 3),
        ]
    )
    assert apart(result, "assistant@acme.com", "bob@acme.com")


def test_tied_names_give_no_dominant_name() -> None:
    result = resolve(
        [
            obs("shared@acme.com", "Ann Lee", 2),
            obs("shared@acme.com", "Bob Stone", 2),
            obs("bob@acme.com", "Bob Stone", 3),
        ]
    )
    assert apart(result, "shared@acme.com", "bob@acme.com")


def test_role_single_word_and_address_names_do_not_merge() -> None:
    result = resolve(
        [
            obs("news@enron.com", "Enron Announcements", 5),
            obs("announce@enron.com", "Enron Announcements", 5),
            obs("s1@acme.com", "Sales Team"),
            obs("s2@acme.com", "Sales Team"),
            obs("p1@acme.com", "Phillip"),
            obs("p2@acme.com", "Phillip"),
            obs("x1@acme.com", "pallen@enron.com"),
            obs("x2@acme.com", "pallen@enron.com"),
        ]
    )
    for a, b in [("s1", "s2"), ("p1", "p2"), ("x1", "x2")]:
        assert apart(result, f"{a}@acme.com", f"{b}@acme.com")
    assert apart(result, "news@enron.com", "announce@enron.com")


def test_one_address_under_many_names_stays_one_identity() -> None:
    result = resolve(
        [
            obs("pallen@enron.com", "Phillip Allen", 2),
            obs("pallen@enron.com", "Allen, Phillip K.", 5),
            obs("pallen@enron.com", "pallen", 1),
        ]
    )
    assert len(result.identities) == 1 and len(result.people) == 1
    assert identity(result, "pallen@enron.com").names == (
        "Allen, Phillip K.",
        "Phillip Allen",
        "pallen",
    )


# -- rule 4: a local part that spells a full name ------------------------------------------


def test_local_part_spelling_the_dominant_name_merges() -> None:
    result = resolve(
        [obs("Phillip.K.Allen@enron.com", "", 2), obs("pallen@enron.com", "Phillip K Allen", 6)]
    )
    assert together(result, "Phillip.K.Allen@enron.com", "pallen@enron.com")


def test_local_part_with_underscores_merges() -> None:
    result = resolve([obs("anne_m_lee@acme.com"), obs("alee@acme.com", "Lee, Anne M.", 3)])
    assert together(result, "anne_m_lee@acme.com", "alee@acme.com")


def test_local_part_without_separators_is_too_weak() -> None:
    result = resolve([obs("phillipallen@enron.com"), obs("pallen@enron.com", "Phillip Allen", 6)])
    assert apart(result, "phillipallen@enron.com", "pallen@enron.com")


def test_local_part_at_free_mail_does_not_merge() -> None:
    result = resolve([obs("john.smith@gmail.com"), obs("js@gmail.com", "John Smith", 3)])
    assert apart(result, "john.smith@gmail.com", "js@gmail.com")


# -- rules 1 and 2: evidence ----------------------------------------------------------------


def test_alias_link_merges_even_across_domains() -> None:
    result = resolve(
        [obs("pallen@enron.com", "Phillip Allen"), obs("phil@gmail.com", "Phil")],
        links=[Link("pallen@enron.com", "phil@gmail.com", "exchange-dn")],
    )
    assert together(result, "pallen@enron.com", "phil@gmail.com")


def test_owner_group_merges_and_marks_the_owner() -> None:
    result = resolve(
        [obs("me@acme.com", "Ann Lee", 9), obs("ann@gmail.com", "Annie", 2), obs("x@acme.com")],
        owners=[["me@acme.com", "ann@gmail.com"]],
    )
    assert together(result, "me@acme.com", "ann@gmail.com")
    owner = person_of(result, "ann@gmail.com")
    assert owner.is_owner and owner.primary_address == "me@acme.com"
    assert not person_of(result, "x@acme.com").is_owner


def test_evidence_merges_are_kept_when_name_merges_are_refused() -> None:
    group = [f"a{i}@acme.com" for i in range(MAX_NAME_CLUSTER + 2)]
    result = resolve([obs(a, "Ann Lee") for a in group], owners=[group[:3]])
    assert together(result, *group[:3])
    assert not together(result, *group)
    assert result.refusals[0].reason == "too-many-addresses"


# -- guards against over-merging ------------------------------------------------------------


def test_name_merge_up_to_the_cluster_limit() -> None:
    group = [f"a{i}@acme.com" for i in range(MAX_NAME_CLUSTER)]
    assert together(resolve([obs(a, "Ann Lee") for a in group]), *group)


def test_name_merge_beyond_the_cluster_limit_is_refused() -> None:
    group = [f"a{i}@acme.com" for i in range(MAX_NAME_CLUSTER + 1)]
    result = resolve([obs(a, "Ann Lee") for a in group])
    assert apart(result, *group)
    assert [r.reason for r in result.refusals] == ["too-many-addresses"]


def test_merge_that_mixes_last_names_is_refused() -> None:
    result = resolve([obs("ann.lee@acme.com", "Bob Stone", 4), obs("al@acme.com", "Ann Lee", 4)])
    assert apart(result, "ann.lee@acme.com", "al@acme.com")
    refusal = result.refusals[0]
    assert (refusal.rule, refusal.key, refusal.reason) == (
        "local-part",
        "ann lee",
        "last-names-disagree",
    )


def test_name_merge_into_an_evidence_cluster_checks_all_its_names() -> None:
    result = resolve(
        [
            obs("al@acme.com", "Ann Lee", 3),
            obs("ann@gmail.com", "Ann Stone", 3),
            obs("anne@acme.com", "Ann Stone", 3),
            obs("lee2@acme.com", "Ann Lee", 3),
        ],
        links=[Link("al@acme.com", "ann@gmail.com", "test")],
    )
    # {lee, stone} already in the linked cluster: another "Ann Lee" adds nothing new.
    assert together(result, "al@acme.com", "ann@gmail.com", "lee2@acme.com")


# -- automated senders ----------------------------------------------------------------------


def test_no_reply_local_part_is_automated() -> None:
    result = resolve([obs("no-reply@acme.com", "Acme"), obs("jobs-request@lists.acme.com")])
    assert identity(result, "no-reply@acme.com").automated_why == "local-part"
    assert identity(result, "jobs-request@lists.acme.com").automated
    assert person_of(result, "no-reply@acme.com").automated


def test_one_way_blast_is_automated() -> None:
    blast = Activity("ceo@acme.com", 40, 40, 0, 30.0, 120, 1)
    result = resolve([obs("ceo@acme.com", "Carla Diaz")], activity=[blast])
    assert identity(result, "ceo@acme.com").automated_why == "blast"
    wide = Activity("hr-updates@acme.com", 6, 6, 0, 1.0, 60, 0)
    assert resolve([], activity=[wide]).identities[0].automated_why == "blast"


def test_wide_sender_who_hears_back_is_a_person() -> None:
    talked_to = Activity("ceo@acme.com", 40, 40, 0, 30.0, 120, 30)
    result = resolve([obs("ceo@acme.com", "Carla Diaz")], activity=[talked_to])
    assert not identity(result, "ceo@acme.com").automated


def test_few_or_narrow_messages_are_no_blast() -> None:
    rare = Activity("a@acme.com", 3, 3, 0, 40.0, 120, 0)
    narrow = Activity("b@acme.com", 91, 90, 0, 2.0, 12, 0, n_received=1)
    result = resolve([], activity=[rare, narrow])
    assert not any(i.automated for i in result.identities)
    unheard = Activity("b@acme.com", 90, 90, 0, 2.0, 12, 0)  # never written to at all
    assert resolve([], activity=[unheard]).identities[0].automated_why == "one-way"


def test_sending_into_silence_is_one_way_until_someone_answers() -> None:
    silent = Activity("updates@shop.example", 25, 25, 0, 1.0, 1, 0)
    assert resolve([], activity=[silent]).identities[0].automated_why in ("one-way", "role")
    quiet = Activity("kim.lee@acme.example", 25, 25, 0, 1.0, 1, 0)
    assert resolve([], activity=[quiet]).identities[0].automated_why == "one-way"
    fewer = Activity("kim.lee@acme.example", 19, 19, 0, 1.0, 1, 0)
    answered = Activity("kim.lee@acme.example", 25, 25, 0, 1.0, 1, 0, n_answered=1)
    for act in (fewer, answered):
        assert not resolve([], activity=[act]).identities[0].automated


def test_words_of_role_flag_only_senders_who_never_exchanged() -> None:
    names = [
        Observation("enron.announcements@enron.example", "Enron Announcements", 9, 9),
        Observation("deals@fares.example", "Bestfares.com Hot Deals", 3, 3),
        Observation("houston.report@enron.example", "", 26, 0),  # only ever written to
        Observation("kim.news@acme.example", "Kim News", 4, 2),
        Observation("ann.lee@acme.example", "Ann Lee", 4, 2),
    ]
    activity = [
        Activity("enron.announcements@enron.example", 9, 9, 0, 1.0, 14, 0),
        Activity("deals@fares.example", 3, 3, 0, 1.0, 1, 0),
        Activity("houston.report@enron.example", 26, 0, n_received=26),
        Activity("kim.news@acme.example", 4, 2, 0, 1.0, 2, 1, n_received=2),  # heard back
        Activity("ann.lee@acme.example", 4, 2, 0, 1.0, 2, 0, n_received=2),
    ]
    why = {i.address: i.automated_why for i in resolve(names, activity=activity).identities}
    assert why == {
        "enron.announcements@enron.example": "role",
        "deals@fares.example": "role",
        "houston.report@enron.example": "role",
        "kim.news@acme.example": "",
        "ann.lee@acme.example": "",
    }


def test_a_role_mailbox_is_never_a_person_and_the_user_has_the_last_word() -> None:
    info = Activity("info@evans.example", 4, 2, 0, 1.0, 1, 1, n_received=2, n_answered=1)
    assert resolve([], activity=[info]).identities[0].automated_why == "role"
    kept = Activity("info@evans.example", 4, 2, 0, 1.0, 1, 1, n_received=2, user_flag=False)
    assert not resolve([], activity=[kept]).identities[0].automated
    person = Activity("ann.lee@acme.example", 40, 20, 0, 1.0, 5, 5, n_received=20)
    flagged = Activity("ann.lee@acme.example", 40, 20, 0, 1.0, 5, 5, 20, user_flag=True)
    assert not resolve([], activity=[person]).identities[0].automated
    assert resolve([], activity=[flagged]).identities[0].automated_why == "user"


def test_broadcaster_who_receives_mail_is_a_person() -> None:
    memo_writer = Activity("coo@acme.com", 206, 6, 0, 12.0, 290, 11, n_received=200)
    result = resolve([obs("coo@acme.com", "Sally Beck")], activity=[memo_writer])
    assert not identity(result, "coo@acme.com").automated


def test_list_regular_without_a_personal_name_is_the_list() -> None:
    gmane = Activity("linux-cifs-u79@public.gmane.org", 24, list_regular=True)
    maintainer = Activity("sf@samba.org", 24, list_regular=True)
    result = resolve([obs("sf@samba.org", "Steve French", 24)], activity=[gmane, maintainer])
    assert identity(result, "linux-cifs-u79@public.gmane.org").automated_why == "list"
    assert not identity(result, "sf@samba.org").automated


def test_tracking_id_local_parts_are_automated() -> None:
    result = resolve(
        [
            obs("faretracker_018751@expedia.customer-email.com", "Fare Tracker"),
            obs("402612.61860093.2@1.americanexpress.com", "American Express"),
            obs("8774820206@pagenetmessage.net"),
            obs("rho8455623@aol.com"),
            obs("jsmith2@acme.com", "John Smith"),
        ]
    )
    flagged = {i.address for i in result.identities if i.automated}
    assert flagged == {
        "faretracker_018751@expedia.customer-email.com",
        "402612.61860093.2@1.americanexpress.com",
    }


def test_staff_ids_are_people_and_date_stamps_are_not() -> None:
    result = resolve(
        [
            obs("p100000@corp.example", "Ann Lee"),
            obs("p000123@corp.example"),
            obs("u0007701@honmfg.com"),
            obs("emp0012345@corp.example"),
            obs("rcac20011112@ombramarketing.com"),
            obs("bounce-news-932653@lists.autoweb.com"),
            obs("4dde116dbca1d3118b130080c840baad02cd53@ppims.services.mcmaster.ca"),
        ]
    )
    flagged = {i.address for i in result.identities if i.automated}
    assert flagged == {
        "rcac20011112@ombramarketing.com",
        "bounce-news-932653@lists.autoweb.com",
        "4dde116dbca1d3118b130080c840baad02cd53@ppims.services.mcmaster.ca",
    }


def test_mostly_flagged_and_list_addresses_are_automated() -> None:
    flagged = Activity("offers@shop.com", 10, 10, 9)
    listed = Activity("r-devel@r-project.org", 300, 0, is_list=True)
    result = resolve([], activity=[flagged, listed])
    assert identity(result, "offers@shop.com").automated_why == "flagged"
    assert identity(result, "r-devel@r-project.org").automated_why == "list"


def test_owner_is_never_automated() -> None:
    blast = Activity("noreply@acme.com", 40, 40, 40, 30.0, 120, 0)
    result = resolve(
        [obs("noreply@acme.com", "Ann Lee")], owners=[["noreply@acme.com"]], activity=[blast]
    )
    assert not identity(result, "noreply@acme.com").automated
    person = person_of(result, "noreply@acme.com")
    assert person.is_owner and not person.automated


def test_automated_addresses_take_no_part_in_name_merges() -> None:
    result = resolve(
        [obs("noreply@acme.com", "John Smith", 5), obs("john@acme.com", "John Smith", 5)]
    )
    assert apart(result, "noreply@acme.com", "john@acme.com")


def test_person_with_one_human_address_is_not_automated() -> None:
    result = resolve(
        [obs("ann@acme.com", "Ann Lee", 5), obs("ann-notifications@acme.com")],
        links=[Link("ann@acme.com", "ann-notifications@acme.com", "test")],
    )
    person = person_of(result, "ann@acme.com")
    assert not person.automated and person.primary_address == "ann@acme.com"


# -- people, organisations, ids -----------------------------------------------------------


def test_people_and_organisations() -> None:
    result = resolve(
        [
            obs("pallen@enron.com", "Phillip Allen", 9),
            obs("phil@gmail.com", "", 2),
            obs("mary.jones@enron.com", "", 1),
            obs("snap:42", "", 3),
            obs("noreply@enron.com", "Enron IT", 4),
        ],
        links=[Link("pallen@enron.com", "phil@gmail.com", "test")],
    )
    allen = person_of(result, "phil@gmail.com")
    assert (allen.display_name, allen.primary_address, allen.org_domain) == (
        "Phillip Allen",
        "pallen@enron.com",
        "enron.com",
    )
    assert person_of(result, "mary.jones@enron.com").display_name == "Mary Jones"
    assert person_of(result, "snap:42").display_name == "snap:42"
    assert identity(result, "snap:42").kind == "id" and identity(result, "snap:42").domain is None
    assert [(o.org_domain, o.name, o.n_people) for o in result.organisations] == [
        ("enron.com", "Enron", 2)
    ]


def test_output_is_independent_of_input_order_and_ids_are_int64() -> None:
    rows = [
        obs("pallen@enron.com", "Allen, Phillip K.", 5),
        obs("phillip.k.allen@enron.com"),
        obs("k..allen@enron.com", "Phillip K Allen", 3),
        obs("js@gmail.com", "John Smith", 2),
    ]
    first = resolve(rows, links=[Link("js@gmail.com", "j@acme.com", "x")])
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    again = resolve(reversed(shuffled), links=[Link("js@gmail.com", "j@acme.com", "x")])
    assert first == again
    assert all(0 <= p.person_id < 2**63 for p in first.people)


# -- invariant: no merge without evidence ---------------------------------------------------

_FIRST = ["ann", "bob", "carla", "dan"]
_LAST = ["lee", "stone", "diaz"]
_DOMAINS = ["acme.com", "mail.acme.com", "globex.co.uk", "gmail.com", "yahoo.fr"]


@st.composite
def observation_sets(draw: st.DrawFn) -> list[Observation]:
    names = [f"{f} {la}" for f in _FIRST for la in _LAST] + ["ann", "sales team", ""]
    locals_ = [f"{f}.{la}" for f in _FIRST for la in _LAST] + ["x1", "x2", "x3", "info"]
    addresses = draw(
        st.lists(
            st.builds(
                lambda lp, d: f"{lp}@{d}", st.sampled_from(locals_), st.sampled_from(_DOMAINS)
            ),
            min_size=1,
            max_size=12,
            unique=True,
        )
    )
    rows = []
    for address in addresses:
        names_seen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
        rows.extend(Observation(address, n, draw(st.integers(1, 5))) for n in names_seen)
    return rows


def _evidence(rows: list[Observation], a: str, b: str) -> bool:
    """A deliberately generous notion of evidence: same organisation and some shared name."""
    org = org_domain(a.rpartition("@")[2])
    if org is None or org != org_domain(b.rpartition("@")[2]):
        return False

    def spelled(address: str) -> set[str]:
        seen = {r.name for r in rows if r.address == address and " " in r.name}
        local = address.rpartition("@")[0]
        return seen | ({local.replace(".", " ")} if "." in local else set())

    return bool(spelled(a) & spelled(b))


@settings(max_examples=200, deadline=None)
@given(observation_sets())
def test_no_merge_without_evidence(rows: list[Observation]) -> None:
    result = resolve(rows)
    for person in result.people:
        members = list(person.addresses)
        # Every cluster is connected through pairwise evidence.
        reached = {members[0]}
        frontier = [members[0]]
        while frontier:
            current = frontier.pop()
            for other in members:
                if other not in reached and _evidence(rows, current, other):
                    reached.add(other)
                    frontier.append(other)
        assert reached == set(members)
        assert len(members) <= MAX_NAME_CLUSTER
    assert resolve(list(reversed(rows))) == result


def test_a_sender_signing_as_many_people_is_automated() -> None:
    names = ["Casino Extreme", "Credit Factory", "Cash Back", "Free Phone", "Grand Banks"]
    observations = [Observation("deals@reply.example", n, 3, 3) for n in names]
    observations.append(Observation("ann.lee@acme.example", "Ann Lee", 9, 9))
    activity = [
        Activity("deals@reply.example", n_interactions=15, n_sent=15, n_recipients=1),
        Activity("ann.lee@acme.example", n_interactions=9, n_sent=9, n_recipients=1),
    ]
    result = resolve(observations, [], [], activity)
    flags = {i.address: i.automated for i in result.identities}
    assert flags == {"deals@reply.example": True, "ann.lee@acme.example": False}
