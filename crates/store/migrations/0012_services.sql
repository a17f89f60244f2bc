-- Enterprise services: responsible officials (包联), visits, appeals and their steps,
-- supervisors, in-app notifications, working-day calendar files loaded by admins, and
-- transformation self-assessments. Times are Unix seconds (UTC); days are ISO dates in
-- China Standard Time. Writes here are activity commits: they move the generation but
-- not the facts generation (see 0005).

-- Who is responsible for an enterprise, as a history: the row with the largest id is
-- the current assignment (user_id NULL: nobody any more).
CREATE TABLE official_assignments (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    user_id       INTEGER REFERENCES users(id),
    since_at      INTEGER NOT NULL
);
CREATE INDEX official_assignments_enterprise ON official_assignments(enterprise_id, id);
CREATE INDEX official_assignments_user ON official_assignments(user_id);

CREATE TABLE visits (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    planned_on    TEXT NOT NULL,
    visited_on    TEXT,
    purpose       TEXT NOT NULL,
    findings      TEXT NOT NULL,
    finding       TEXT,                          -- an appeal category, or NULL
    created_at    INTEGER NOT NULL
);
CREATE INDEX visits_enterprise ON visits(enterprise_id);
CREATE INDEX visits_planned ON visits(planned_on);
CREATE INDEX visits_visited ON visits(visited_on);

CREATE TABLE visit_officials (
    visit_id      INTEGER NOT NULL REFERENCES visits(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (visit_id, user_id)
);

CREATE TABLE appeals (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    category      TEXT NOT NULL,
    channel       TEXT NOT NULL,
    chain_id      INTEGER REFERENCES chains(id),
    node_id       INTEGER REFERENCES chain_nodes(id),
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    visit_id      INTEGER REFERENCES visits(id),
    state         TEXT NOT NULL,
    submitted_at  INTEGER NOT NULL,
    accepted_on   TEXT,
    reply_due     TEXT,
    resolve_due   TEXT,
    department    TEXT NOT NULL DEFAULT '',
    handler_id    INTEGER REFERENCES users(id),
    reply         TEXT NOT NULL DEFAULT '',
    replied_on    TEXT,
    closed_on     TEXT,
    satisfaction  INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    escalation    INTEGER NOT NULL DEFAULT 0 CHECK (escalation BETWEEN 0 AND 2),
    reopened      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX appeals_enterprise ON appeals(enterprise_id);
CREATE INDEX appeals_state ON appeals(state);
CREATE INDEX appeals_node ON appeals(node_id);

CREATE TABLE appeal_attachments (
    appeal_id     INTEGER NOT NULL REFERENCES appeals(id),
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    bytes         INTEGER NOT NULL CHECK (bytes >= 0),
    media_type    TEXT NOT NULL,
    PRIMARY KEY (appeal_id, position)
);

-- Every step of every appeal, with who made it and when: the appeal's own audit trail.
CREATE TABLE appeal_steps (
    id            INTEGER PRIMARY KEY,
    appeal_id     INTEGER NOT NULL REFERENCES appeals(id),
    at            INTEGER NOT NULL,
    user_id       INTEGER,
    actor         TEXT NOT NULL,
    step          TEXT NOT NULL,                 -- 'submit', a move, 'remind' or 'escalate'
    from_state    TEXT,
    to_state      TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX appeal_steps_appeal ON appeal_steps(appeal_id, id);

-- The supervisor list escalations go to (督办); empty: every admin.
CREATE TABLE supervisors (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id)
);

CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    at            INTEGER NOT NULL,
    appeal_id     INTEGER REFERENCES appeals(id),
    zh            TEXT NOT NULL,
    en            TEXT NOT NULL,
    read_at       INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);

-- Calendar files an admin loaded (the format of data/china-calendar.csv), applied in
-- order over the built-in calendar.
CREATE TABLE calendar_files (
    id            INTEGER PRIMARY KEY,
    loaded_at     INTEGER NOT NULL,
    text          TEXT NOT NULL
);

CREATE TABLE assessments (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    questionnaire TEXT NOT NULL,                 -- 'digital-1', …
    taken_at      INTEGER NOT NULL,
    answers       TEXT NOT NULL                  -- question=choice pairs: 'b1=2,b2=0'
);
CREATE INDEX assessments_enterprise ON assessments(enterprise_id, id);
