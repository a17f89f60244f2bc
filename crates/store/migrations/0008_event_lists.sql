-- An event's groups, the pairs of groups that may meet, the chains and nodes in focus,
-- and the slots a participant can attend become child rows with foreign keys, instead of
-- lists in one text column that nothing could check.

CREATE TABLE event_groups (
    event_id   INTEGER NOT NULL REFERENCES events(id),
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (event_id, name),
    UNIQUE (event_id, position)
);

CREATE TABLE event_may_meet (
    event_id   INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    group_a    TEXT NOT NULL,
    group_b    TEXT NOT NULL,
    PRIMARY KEY (event_id, position),
    FOREIGN KEY (event_id, group_a) REFERENCES event_groups(event_id, name),
    FOREIGN KEY (event_id, group_b) REFERENCES event_groups(event_id, name)
);

CREATE TABLE event_chains (
    event_id   INTEGER NOT NULL REFERENCES events(id),
    position   INTEGER NOT NULL,
    chain_id   INTEGER NOT NULL REFERENCES chains(id),
    PRIMARY KEY (event_id, chain_id)
);
CREATE INDEX event_chains_chain ON event_chains(chain_id);

CREATE TABLE event_nodes (
    event_id   INTEGER NOT NULL REFERENCES events(id),
    position   INTEGER NOT NULL,
    node_id    INTEGER NOT NULL REFERENCES chain_nodes(id),
    PRIMARY KEY (event_id, node_id)
);
CREATE INDEX event_nodes_node ON event_nodes(node_id);

-- `slots_limited` 0: the participant can attend every slot (no rows); 1: only the slots
-- listed (possibly none).
ALTER TABLE event_participants ADD COLUMN slots_limited INTEGER NOT NULL DEFAULT 0
    CHECK (slots_limited IN (0, 1));
CREATE TABLE event_participant_slots (
    participant_id INTEGER NOT NULL REFERENCES event_participants(id),
    slot           INTEGER NOT NULL CHECK (slot >= 0),
    PRIMARY KEY (participant_id, slot)
);

-- Move the lists, keeping their order. A list 'a;b;c' is split by a recursive query over
-- what is left of it after each separator.
WITH RECURSIVE split(event_id, position, item, rest) AS (
    SELECT id, -1, '', groups || ';' FROM events
    UNION ALL
    SELECT event_id, position + 1, substr(rest, 1, instr(rest, ';') - 1), substr(rest, instr(rest, ';') + 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO event_groups (event_id, position, name)
SELECT event_id, position, item FROM split WHERE position >= 0 AND item <> '';

WITH RECURSIVE split(event_id, position, item, rest) AS (
    SELECT id, -1, '', may_meet || ';' FROM events
    UNION ALL
    SELECT event_id, position + 1, substr(rest, 1, instr(rest, ';') - 1), substr(rest, instr(rest, ';') + 1)
    FROM split WHERE rest <> ''
)
INSERT INTO event_may_meet (event_id, position, group_a, group_b)
SELECT event_id, position, substr(item, 1, instr(item, ':') - 1), substr(item, instr(item, ':') + 1)
FROM split WHERE position >= 0 AND instr(item, ':') > 0;

WITH RECURSIVE split(event_id, position, item, rest) AS (
    SELECT id, -1, '', chains || ',' FROM events
    UNION ALL
    SELECT event_id, position + 1, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO event_chains (event_id, position, chain_id)
SELECT event_id, position, CAST(item AS INTEGER) FROM split WHERE position >= 0 AND item <> '';

WITH RECURSIVE split(event_id, position, item, rest) AS (
    SELECT id, -1, '', nodes || ',' FROM events
    UNION ALL
    SELECT event_id, position + 1, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO event_nodes (event_id, position, node_id)
SELECT event_id, position, CAST(item AS INTEGER) FROM split WHERE position >= 0 AND item <> '';

UPDATE event_participants SET slots_limited = 1 WHERE available IS NOT NULL;
WITH RECURSIVE split(participant_id, item, rest) AS (
    SELECT id, '', available || ',' FROM event_participants WHERE available IS NOT NULL
    UNION ALL
    SELECT participant_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO event_participant_slots (participant_id, slot)
SELECT participant_id, CAST(item AS INTEGER) FROM split WHERE item <> '';

ALTER TABLE events DROP COLUMN groups;
ALTER TABLE events DROP COLUMN may_meet;
ALTER TABLE events DROP COLUMN chains;
ALTER TABLE events DROP COLUMN nodes;
ALTER TABLE event_participants DROP COLUMN available;
