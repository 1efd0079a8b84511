"""The store's tables, and migrations between schema versions.

Facts (``interactions``, ``participants``, ``identity_links``, ``items``,
``quarantine``, ``sources``, ``source_owners``, ``contacts``) are append-only and
written by ingest; the user's own facts (``me``, ``tie_pins``, ``identity_verdicts``,
``sender_flags``, and for keeping in touch ``cadences``, ``followups``, ``nudges_shown``)
by their commands.
Derived tables (``identities``, ``people``, ``organisations``, and the analysis:
``ties``, ``person_metrics``, ``communities``) are rebuilt from facts and stamped
with the model version that made them. The analysis tables are declared in
:data:`DERIVED` and versioned apart, by :data:`DERIVED_VERSION`: they hold nothing a
rebuild cannot make again, so a change of their shape drops them (the next
``weakties analyze`` fills them) instead of needing a data migration.

Version 2 drops the primary keys of the three fact tables that grow with every
message read (``items``, ``interactions``, ``interaction_keys``). The writer keys
them itself (it looks every location and key up before it writes, one writer at a
time), and DuckDB keeps a primary key's index wholly in memory and checks it on
every insert: on Enron at 4x that was 18 MB of resident index, growing with the
store, and inserting and committing a batch took 21 us a message instead of 9.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

SCHEMA_VERSION = 6

_V1 = """
CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- One row per ingested source unit (a mailbox, an mbox file, a log file).
CREATE TABLE IF NOT EXISTS sources (
    source_id INTEGER PRIMARY KEY,
    kind VARCHAR NOT NULL,            -- maildir, mbox, eml, csv, parquet, demo ...
    path VARCHAR NOT NULL UNIQUE,     -- absolute path of the mailbox root or file
    label VARCHAR NOT NULL,
    first_ingested_at TIMESTAMPTZ NOT NULL,
    last_ingested_at TIMESTAMPTZ NOT NULL,
    ingested_by VARCHAR NOT NULL,
    owner_how VARCHAR                 -- 'init', 'inferred', or NULL when unknown
);

-- The addresses of each source's owner (the person whose mailbox it is).
CREATE TABLE IF NOT EXISTS source_owners (
    source_id INTEGER NOT NULL,
    address VARCHAR NOT NULL,
    PRIMARY KEY (source_id, address)
);

-- The ledger: every record ever read, with what became of it.
CREATE TABLE IF NOT EXISTS items (
    location VARCHAR PRIMARY KEY,
    source_id INTEGER NOT NULL,
    outcome VARCHAR NOT NULL,         -- stored, duplicate, quarantined
    interaction_id BIGINT,            -- the stored interaction (itself, or the one it duplicates)
    is_sent BOOLEAN NOT NULL          -- found in a sent folder / labelled Sent
);

CREATE TABLE IF NOT EXISTS interactions (
    interaction_id BIGINT PRIMARY KEY, -- derived from the natural key: stable across runs
    natural_key VARCHAR NOT NULL,      -- Message-ID, external id, else the content key
    content_key VARCHAR NOT NULL,      -- hash of sender, time, recipients, subject hash
    source_id INTEGER NOT NULL,        -- where it was first stored from
    channel VARCHAR NOT NULL,
    ts TIMESTAMPTZ,
    date_flag VARCHAR,
    message_id VARCHAR,
    in_reply_to VARCHAR,
    thread_id VARCHAR,
    subject_hash VARCHAR,
    list_id VARCHAR,
    automated BOOLEAN NOT NULL,
    bulk BOOLEAN NOT NULL,
    duration_s DOUBLE,
    n_participants INTEGER NOT NULL
);

-- Every key an interaction is known by (Message-ID, content key, external id).
CREATE TABLE IF NOT EXISTS interaction_keys (
    key VARCHAR PRIMARY KEY,
    interaction_id BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS participants (
    interaction_id BIGINT NOT NULL,
    address VARCHAR NOT NULL,          -- normalised identity (e-mail or opaque id)
    role VARCHAR NOT NULL,             -- from, to, cc, bcc, organizer, attendee, member
    name VARCHAR NOT NULL              -- display name as seen, or ''
);

CREATE TABLE IF NOT EXISTS identity_links (
    address VARCHAR NOT NULL,
    other VARCHAR NOT NULL,
    evidence VARCHAR NOT NULL,
    PRIMARY KEY (address, other, evidence)
);

CREATE TABLE IF NOT EXISTS quarantine (
    location VARCHAR PRIMARY KEY,
    source_id INTEGER NOT NULL,
    reason VARCHAR NOT NULL,
    detail VARCHAR NOT NULL
);

-- One row per ingest run: what it read and what became of it.
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    ingested_by VARCHAR NOT NULL,
    paths VARCHAR NOT NULL,
    n_read BIGINT NOT NULL DEFAULT 0,
    n_stored BIGINT NOT NULL DEFAULT 0,
    n_duplicates BIGINT NOT NULL DEFAULT 0,
    n_quarantined BIGINT NOT NULL DEFAULT 0,
    n_known BIGINT NOT NULL DEFAULT 0   -- already in the ledger from an earlier run
);

-- Addresses the user named as their own with `weakties init --me`.
CREATE TABLE IF NOT EXISTS me (
    address VARCHAR PRIMARY KEY
);

-- Derived: rebuilt from facts by identity resolution.
CREATE TABLE IF NOT EXISTS identities (
    address VARCHAR PRIMARY KEY,
    person_id BIGINT NOT NULL,
    kind VARCHAR NOT NULL,             -- email, handle, id
    domain VARCHAR,
    names VARCHAR[] NOT NULL,          -- display names seen, most frequent first
    automated BOOLEAN NOT NULL,
    n_interactions BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS people (
    person_id BIGINT PRIMARY KEY,
    display_name VARCHAR NOT NULL,
    primary_address VARCHAR NOT NULL,
    org_domain VARCHAR,
    automated BOOLEAN NOT NULL,
    is_owner BOOLEAN NOT NULL,
    model_version VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS organisations (
    org_domain VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    n_people BIGINT NOT NULL
);

-- A user's verdict on a tie's band, kept across re-analysis. Keyed by addresses
-- (address_a < address_b, any identity of each person), not person ids, because
-- person ids change when identities are resolved again.
CREATE TABLE IF NOT EXISTS tie_pins (
    address_a VARCHAR NOT NULL,
    address_b VARCHAR NOT NULL,
    band VARCHAR NOT NULL,             -- strong, weak, dormant, one-way
    pinned_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (address_a, address_b)
);
"""

Migration = Callable[[duckdb.DuckDBPyConnection], None]


_V2_FACTS = """
CREATE TABLE items (
    location VARCHAR NOT NULL,        -- unique: the writer skips locations already here
    source_id INTEGER NOT NULL,
    outcome VARCHAR NOT NULL,         -- stored, duplicate, quarantined
    interaction_id BIGINT,            -- the stored interaction (itself, or the one it duplicates)
    is_sent BOOLEAN NOT NULL          -- found in a sent folder / labelled Sent
);

CREATE TABLE interactions (
    interaction_id BIGINT NOT NULL,    -- unique; derived from the natural key: stable across runs
    natural_key VARCHAR NOT NULL,      -- Message-ID, external id, else the content key
    content_key VARCHAR NOT NULL,      -- hash of sender, time, recipients, subject hash
    source_id INTEGER NOT NULL,        -- where it was first stored from
    channel VARCHAR NOT NULL,
    ts TIMESTAMPTZ,
    date_flag VARCHAR,
    message_id VARCHAR,
    in_reply_to VARCHAR,
    thread_id VARCHAR,
    subject_hash VARCHAR,
    list_id VARCHAR,
    automated BOOLEAN NOT NULL,
    bulk BOOLEAN NOT NULL,
    duration_s DOUBLE,
    n_participants INTEGER NOT NULL
);

-- Every key an interaction is known by (Message-ID, content key, external id); unique.
CREATE TABLE interaction_keys (
    key VARCHAR NOT NULL,
    interaction_id BIGINT NOT NULL
);
"""

_V2_TABLES = ("items", "interactions", "interaction_keys")


def _to_v1(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_V1)


def _to_v2(con: duckdb.DuckDBPyConnection) -> None:
    """Re-create the bulk fact tables without primary keys, keeping their rows.

    DuckDB cannot drop a constraint, so each table is renamed, declared anew and
    copied (in the caller's transaction).
    """
    for table in _V2_TABLES:
        con.execute(f"ALTER TABLE {table} RENAME TO {table}_v1")
    con.execute(_V2_FACTS)
    for table in _V2_TABLES:
        con.execute(f"INSERT INTO {table} SELECT * FROM {table}_v1")
        con.execute(f"DROP TABLE {table}_v1")


_V3 = """
ALTER TABLE interactions ADD COLUMN public BOOLEAN DEFAULT false;

-- People the sources' owners know, with or without interactions: address books,
-- connection lists, workspace members. Deduplicated on their content.
CREATE TABLE IF NOT EXISTS contacts (
    contact_id BIGINT NOT NULL,        -- unique; derived from the content key
    natural_key VARCHAR NOT NULL,      -- the content key: kind, name, identities, ...
    source_id INTEGER NOT NULL,        -- where it was first stored from
    kind VARCHAR NOT NULL,             -- card, connection, follower, following, member
    name VARCHAR NOT NULL,
    organisation VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    since TIMESTAMPTZ                  -- when the link was made, where the source says
);

-- Each identity (address, tel:+E.164, handle) a contact names.
CREATE TABLE IF NOT EXISTS contact_identities (
    contact_id BIGINT NOT NULL,
    address VARCHAR NOT NULL
);
"""


def _to_v3(con: duckdb.DuckDBPyConnection) -> None:
    """Interactions learn whether they were public; contacts arrive; the analysis
    tables, made ad hoc by earlier versions, are declared (see :data:`DERIVED`)."""
    con.execute(_V3)
    recreate_derived(con)


_V4_IDENTITY_VERDICTS = """
-- A user's verdict on two addresses, kept across ingest and rebuilds: one person
-- ('same', `weakties merge`) or never one person ('apart', `weakties split`). Keyed
-- by addresses (address < other), as pins are, because person ids change when
-- identities are resolved again.
CREATE TABLE IF NOT EXISTS identity_verdicts (
    address VARCHAR NOT NULL,
    other VARCHAR NOT NULL,
    verdict VARCHAR NOT NULL,          -- same, apart
    made_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (address, other)
);
"""


_V5_SENDER_FLAGS = """
-- The user's verdict on a sender: an automated sender (flag) or a person (unflag),
-- whatever the rules of identity resolution say. Keyed by address, lower-cased.
CREATE TABLE IF NOT EXISTS sender_flags (
    address VARCHAR PRIMARY KEY,
    automated BOOLEAN NOT NULL,        -- true: flagged; false: unflagged
    flagged_at TIMESTAMPTZ NOT NULL
);

-- Why identity resolution set an address aside ('' when it did not).
ALTER TABLE identities ADD COLUMN IF NOT EXISTS automated_why VARCHAR DEFAULT '';
"""


def _to_v4(con: duckdb.DuckDBPyConnection) -> None:
    """The user's merges and splits of people (``identity_verdicts``)."""
    con.execute(_V4_IDENTITY_VERDICTS)


def _to_v5(con: duckdb.DuckDBPyConnection) -> None:
    """The user's verdicts on senders arrive, and identities say why they are automated."""
    con.execute(_V5_SENDER_FLAGS)


_V6_KEEPING = """
-- Keep-in-touch cadences the user set: be in touch with the target at least every
-- `days` days. Keyed by addresses, not person ids (resolution may renumber people):
-- `owner` is an address of the owner whose view it is, `target` an address of the
-- person, an organisation's domain, or an address of a member of the community.
CREATE TABLE IF NOT EXISTS cadences (
    owner VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,             -- person, organisation, community
    target VARCHAR NOT NULL,
    days INTEGER NOT NULL,
    set_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (owner, kind, target)
);

-- What the user did about a nudge: reached out (done) or put it off (snooze).
CREATE TABLE IF NOT EXISTS followups (
    owner VARCHAR NOT NULL,            -- an address of the owner
    address VARCHAR NOT NULL,          -- an address of the person
    action VARCHAR NOT NULL,           -- done, snooze
    noted_at TIMESTAMPTZ NOT NULL,     -- when the user said so
    until DATE                         -- snooze: not nudged before this day
);

-- The nudges shown on each day, so that no day shows more than its limit.
CREATE TABLE IF NOT EXISTS nudges_shown (
    owner VARCHAR NOT NULL,
    day DATE NOT NULL,
    address VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    PRIMARY KEY (owner, day, address)
);
"""


def _to_v6(con: duckdb.DuckDBPyConnection) -> None:
    """The user's keep-in-touch facts arrive: cadences, follow-ups, nudges shown."""
    con.execute(_V6_KEEPING)


DERIVED_VERSION = 5
"""Bumped whenever a table of :data:`DERIVED` changes shape (2: ``ties`` gains
``active_periods`` and ``period_days``, temporal stability at the corpus's own grain,
and ``watched_contacts``, the contacts on channels whose dates say the store looked;
3: ``person_metrics`` says who is ``placed`` in a community by one-way mail alone;
4: ``relationships``, every reciprocated tie from each end, for the questions that act;
5: ``owner_contacts``, the owners' contacts in the two coverage windows, for accounts)."""

DERIVED: dict[str, str] = {
    "ties": """(
        person_a BIGINT NOT NULL, person_b BIGINT NOT NULL,
        messages_ab BIGINT, messages_ba BIGINT, messages BIGINT,
        weighted_ab DOUBLE, weighted_ba DOUBLE, weighted_minutes DOUBLE,
        one_to_one_share DOUBLE, group_share DOUBLE,
        active_days BIGINT, active_weeks BIGINT, active_periods BIGINT, period_days DOUBLE,
        first_contact TIMESTAMPTZ, last_contact TIMESTAMPTZ,
        duration_days DOUBLE, recency_days DOUBLE, as_of TIMESTAMPTZ, observed_days DOUBLE,
        balance DOUBLE, two_way BOOLEAN,
        meetings BIGINT, meeting_minutes DOUBLE, calls BIGINT, call_minutes DOUBLE,
        channels BIGINT, synchronous BIGINT, watched_contacts BIGINT,
        replies_ab BIGINT, replies_ba BIGINT, reply_latency_h DOUBLE,
        mutual_contacts BIGINT, overlap DOUBLE,
        name_a VARCHAR, name_b VARCHAR, owner_a BOOLEAN, owner_b BOOLEAN,
        time_score DOUBLE, intensity_score DOUBLE, intimacy_score DOUBLE,
        reciprocity_score DOUBLE, decay DOUBLE, base_strength DOUBLE, strength DOUBLE,
        model_band VARCHAR, band VARCHAR, pinned BOOLEAN, explanation VARCHAR,
        model_version VARCHAR,
        bridge_score DOUBLE, is_bridge BOOLEAN, cross_community BOOLEAN
    )""",
    "person_metrics": """(
        person_id BIGINT NOT NULL, community_id BIGINT,
        placed BOOLEAN,                -- in a community by one-way ties only: no measures
        degree BIGINT,
        constraint_ DOUBLE, effective_size DOUBLE, communities_spanned BIGINT,
        betweenness DOUBLE, connector_score DOUBLE, model_version VARCHAR
    )""",
    "communities": """(
        community_id BIGINT NOT NULL, size BIGINT,
        placed BIGINT,                 -- members placed by one-way ties (counted in size)
        label VARCHAR, model_version VARCHAR
    )""",
    # The ties that are relationships, once from each end, ordered by person: the
    # questions users act on (introductions, suggestions, back channels) look up a few
    # people's relationships, which this order keeps to a few row groups.
    "relationships": """(
        person_id BIGINT NOT NULL, other BIGINT NOT NULL, strength DOUBLE,
        base_strength DOUBLE, band VARCHAR, recency_days DOUBLE, last_contact TIMESTAMPTZ,
        messages BIGINT, one_to_one_share DOUBLE, active_weeks BIGINT, duration_days DOUBLE,
        replies BIGINT, reply_latency_h DOUBLE, mutual_contacts BIGINT
    )""",
    # Per owner and person, their contacts in the two coverage windows before the
    # analysis's instant (``later``: the last 90 days, else the 90 before): what account
    # coverage reads, counted once per analysis instead of scanning every participant
    # row of the store at each question.
    "owner_contacts": """(
        owner BIGINT NOT NULL, person BIGINT NOT NULL, later BOOLEAN,
        sent BIGINT, received BIGINT, mutual BIGINT
    )""",
}
"""The analysis tables, each ``name -> (columns)``; written by :mod:`weakties.store.derived`
only, all of them in one transaction per analysis."""


def recreate_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the analysis tables and declare them anew, empty (in the caller's
    transaction); the store is then not analysed until ``weakties analyze`` runs."""
    for name, columns in DERIVED.items():
        con.execute(f"DROP TABLE IF EXISTS {name}")
        con.execute(f"CREATE TABLE {name} {columns}")
    con.execute("DELETE FROM meta WHERE key LIKE 'analysis_%'")
    con.execute("INSERT OR REPLACE INTO meta VALUES ('derived_version', ?)", [str(DERIVED_VERSION)])


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Make an empty database a store of :data:`SCHEMA_VERSION` in one step.

    The v2 fact tables come first; the v1 script then skips them (``IF NOT
    EXISTS``) and makes the rest. Replaying every migration instead doubled the
    cost of opening a new store (~30 ms of ~60 ms).
    """
    con.execute(_V2_FACTS)
    con.execute(_V1)
    con.execute(_V3)
    _to_v4(con)
    _to_v5(con)
    _to_v6(con)
    recreate_derived(con)


# MIGRATIONS[n] brings a store from version n to n + 1.
MIGRATIONS: dict[int, Migration] = {
    0: _to_v1,
    1: _to_v2,
    2: _to_v3,
    3: _to_v4,
    4: _to_v5,
    5: _to_v6,
}
