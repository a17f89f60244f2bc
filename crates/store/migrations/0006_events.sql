-- Docking events: the event and its slot grid, participants, meeting requests, placed
-- meetings, and the agreements ledger. Writes here are activity commits: they move the
-- generation but not the facts generation (see 0005).

CREATE TABLE events (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    venue          TEXT NOT NULL,
    starts_on      TEXT NOT NULL,                 -- ISO date
    days           INTEGER NOT NULL CHECK (days BETWEEN 1 AND 7),
    day_start      INTEGER NOT NULL CHECK (day_start BETWEEN 0 AND 1439),  -- minutes after midnight
    slot_minutes   INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
    slots_per_day  INTEGER NOT NULL CHECK (slots_per_day BETWEEN 1 AND 128),
    breaks         TEXT NOT NULL,                 -- positions within a day, from 0: '6,7'
    tables         INTEGER NOT NULL CHECK (tables >= 1),
    groups         TEXT NOT NULL,                 -- group names separated by ';'
    may_meet       TEXT NOT NULL,                 -- 'a:b;a:c'; empty: anyone may meet
    chains         TEXT NOT NULL,                 -- chain ids: '1,2'
    nodes          TEXT NOT NULL,                 -- node ids
    request_cap    INTEGER NOT NULL CHECK (request_cap >= 1),
    meeting_cap    INTEGER NOT NULL CHECK (meeting_cap >= 1),
    request_days   INTEGER NOT NULL CHECK (request_days >= 1)
);

CREATE TABLE event_participants (
    id             INTEGER PRIMARY KEY,
    event_id       INTEGER NOT NULL REFERENCES events(id),
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises(id),
    grp            TEXT NOT NULL,
    people         TEXT NOT NULL,
    available      TEXT,                          -- meeting slots from 0: '0,1,2'; NULL: all
    max_meetings   INTEGER CHECK (max_meetings >= 0),
    UNIQUE (event_id, enterprise_id)
);

CREATE TABLE event_participant_listings (
    participant_id INTEGER NOT NULL REFERENCES event_participants(id),
    listing_id     INTEGER NOT NULL REFERENCES listings(id),
    PRIMARY KEY (participant_id, listing_id)
);

CREATE TABLE meeting_requests (
    id             INTEGER PRIMARY KEY,
    event_id       INTEGER NOT NULL REFERENCES events(id),
    from_id        INTEGER NOT NULL REFERENCES event_participants(id),
    to_id          INTEGER NOT NULL REFERENCES event_participants(id),
    priority       INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
    origin         TEXT NOT NULL CHECK (origin IN ('manual', 'recommended')),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'not_interested', 'expired', 'cancelled')),
    message        TEXT NOT NULL,
    created_on     TEXT NOT NULL,
    expires_on     TEXT NOT NULL,
    answered_on    TEXT,
    CHECK (from_id <> to_id)
);
CREATE INDEX meeting_requests_event ON meeting_requests(event_id);

CREATE TABLE meetings (
    id             INTEGER PRIMARY KEY,
    event_id       INTEGER NOT NULL REFERENCES events(id),
    request_id     INTEGER REFERENCES meeting_requests(id),
    a_id           INTEGER NOT NULL REFERENCES event_participants(id),
    b_id           INTEGER NOT NULL REFERENCES event_participants(id),
    slot           INTEGER NOT NULL CHECK (slot >= 0),
    table_no       INTEGER NOT NULL CHECK (table_no >= 1),
    published      INTEGER NOT NULL CHECK (published IN (0, 1)),
    status         TEXT NOT NULL CHECK (status IN ('scheduled', 'held', 'no_show', 'cancelled')),
    CHECK (a_id <> b_id)
);
CREATE INDEX meetings_event ON meetings(event_id);

CREATE TABLE agreements (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    buyer_id       INTEGER NOT NULL REFERENCES enterprises(id),
    supplier_id    INTEGER NOT NULL REFERENCES enterprises(id),
    chain_id       INTEGER REFERENCES chains(id),
    node_id        INTEGER REFERENCES chain_nodes(id),
    value_fen      INTEGER NOT NULL CHECK (value_fen >= 0),
    status         TEXT NOT NULL CHECK (status IN ('intended', 'signed', 'started', 'completed')),
    intended_on    TEXT,
    signed_on      TEXT,
    started_on     TEXT,
    completed_on   TEXT,
    event_id       INTEGER REFERENCES events(id),
    meeting_id     INTEGER REFERENCES meetings(id)
);
CREATE INDEX agreements_event ON agreements(event_id);
