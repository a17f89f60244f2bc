-- Entity resolution: what an enterprise is also called and where it is, the enterprise
-- lists uploaded for resolution with every row's decision and outcome (so a commit can be
-- undone), and merges of duplicate enterprises with what each moved (so it can be undone).

ALTER TABLE enterprises ADD COLUMN other_names TEXT NOT NULL DEFAULT '';  -- ';'-separated
ALTER TABLE enterprises ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN legal_representative TEXT NOT NULL DEFAULT '';

CREATE TABLE resolutions (
    id           INTEGER PRIMARY KEY,
    file_name    TEXT NOT NULL,
    created_at   INTEGER NOT NULL,               -- unix seconds
    created_by   TEXT NOT NULL,
    header       TEXT NOT NULL,                  -- the file's header cells, separated by U+001F
    mapping      TEXT NOT NULL DEFAULT '',       -- 'field=column' pairs separated by U+001F; '': not mapped yet
    status       TEXT NOT NULL CHECK (status IN ('uploaded', 'review', 'committed', 'undone')),
    committed_at INTEGER,
    undone_at    INTEGER
);

CREATE TABLE resolution_rows (
    resolution_id INTEGER NOT NULL REFERENCES resolutions(id),
    row           INTEGER NOT NULL,              -- the row number in the file (header = 1)
    cells         TEXT NOT NULL,                 -- separated by U+001F
    decision      TEXT CHECK (decision IN ('match', 'review', 'new')),
    candidate_id  INTEGER,                       -- the proposed enterprise
    confidence    REAL,
    candidates    TEXT NOT NULL DEFAULT '',      -- JSON written by the application
    choice        TEXT NOT NULL DEFAULT 'proposed'
                  CHECK (choice IN ('proposed', 'confirm', 'reject', 'choose', 'skip')),
    chosen_id     INTEGER,                       -- choice 'choose'
    outcome       TEXT CHECK (outcome IN ('enriched', 'added', 'unchanged', 'skipped')),
    enterprise_id INTEGER,                       -- enriched or added
    before        TEXT,                          -- enriched: the fields before, U+001F-separated
    after         TEXT,                          -- enriched: the fields written
    PRIMARY KEY (resolution_id, row)
);

CREATE TABLE merges (
    id           INTEGER PRIMARY KEY,
    survivor_id  INTEGER NOT NULL,
    merged_id    INTEGER NOT NULL,
    at           INTEGER NOT NULL,               -- unix seconds
    actor        TEXT NOT NULL,
    survivor_before TEXT NOT NULL,               -- the survivor's enriched fields before, U+001F-separated
    survivor_after  TEXT NOT NULL,               -- and after
    undone_at    INTEGER,
    -- the merged enterprise as it was, to put back
    credit_code TEXT NOT NULL,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    region_code INTEGER NOT NULL,
    size        TEXT NOT NULL,
    tags        INTEGER NOT NULL,
    revenue_fen INTEGER NOT NULL,
    employees   INTEGER NOT NULL,
    source      TEXT NOT NULL,
    other_names TEXT NOT NULL,
    address     TEXT NOT NULL,
    phone       TEXT NOT NULL,
    legal_representative TEXT NOT NULL
);

-- A row whose enterprise column was set from the merged enterprise to the survivor.
CREATE TABLE merge_moves (
    merge_id   INTEGER NOT NULL REFERENCES merges(id),
    tbl        TEXT NOT NULL,
    col        TEXT NOT NULL,
    row_id     INTEGER NOT NULL,                 -- the row's id (enterprise_nodes: its node_id)
    PRIMARY KEY (merge_id, tbl, col, row_id)
);

-- A row the merge removed because the survivor already had its like (an enterprise node)
-- or it would join the survivor to itself (a supply relation): kept whole to put back.
CREATE TABLE merge_removed_nodes (
    merge_id     INTEGER NOT NULL REFERENCES merges(id),
    node_id      INTEGER NOT NULL,
    output_fen   INTEGER NOT NULL,
    capacity_fen INTEGER NOT NULL,
    PRIMARY KEY (merge_id, node_id)
);
CREATE TABLE merge_removed_relations (
    merge_id         INTEGER NOT NULL REFERENCES merges(id),
    id               INTEGER NOT NULL,
    supplier_id      INTEGER NOT NULL,
    buyer_id         INTEGER NOT NULL,
    node_id          INTEGER NOT NULL,
    annual_value_fen INTEGER NOT NULL,
    PRIMARY KEY (merge_id, id)
);
