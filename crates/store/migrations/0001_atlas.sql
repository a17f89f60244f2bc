-- The atlas: regions, chains and nodes, enterprises, supply relations, listings.
-- Portable SQL: integer and text columns, no SQLite-only types, so that the planned
-- PostgreSQL backend can run the same statements with its own migration files.
-- Money columns end in _fen and hold integer fen (0.01 yuan).

CREATE TABLE regions (
    code        INTEGER PRIMARY KEY,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    parent_code INTEGER REFERENCES regions(code),
    level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'district'))
);
CREATE INDEX regions_parent ON regions(parent_code);

CREATE TABLE chains (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE chain_nodes (
    id       INTEGER PRIMARY KEY,
    chain_id INTEGER NOT NULL REFERENCES chains(id),
    code     TEXT NOT NULL UNIQUE,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    segment  TEXT NOT NULL CHECK (segment IN ('upstream', 'midstream', 'downstream'))
);
CREATE INDEX chain_nodes_chain ON chain_nodes(chain_id);

CREATE TABLE node_inputs (
    input_node_id  INTEGER NOT NULL REFERENCES chain_nodes(id),
    output_node_id INTEGER NOT NULL REFERENCES chain_nodes(id),
    PRIMARY KEY (input_node_id, output_node_id),
    CHECK (input_node_id <> output_node_id)
);
CREATE INDEX node_inputs_output ON node_inputs(output_node_id);

CREATE TABLE enterprises (
    id          INTEGER PRIMARY KEY,
    credit_code TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    region_code INTEGER NOT NULL REFERENCES regions(code),
    size        TEXT NOT NULL CHECK (size IN ('large', 'medium', 'small', 'micro')),
    tags        INTEGER NOT NULL DEFAULT 0,   -- bit set, bit i = Tag::ALL[i]
    revenue_fen INTEGER NOT NULL CHECK (revenue_fen >= 0),
    employees   INTEGER NOT NULL CHECK (employees >= 0),
    source      TEXT NOT NULL
);
CREATE INDEX enterprises_region ON enterprises(region_code);

CREATE TABLE enterprise_nodes (
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    node_id       INTEGER NOT NULL REFERENCES chain_nodes(id),
    output_fen    INTEGER NOT NULL CHECK (output_fen >= 0),
    capacity_fen  INTEGER NOT NULL CHECK (capacity_fen >= output_fen),
    PRIMARY KEY (enterprise_id, node_id)
);
CREATE INDEX enterprise_nodes_node ON enterprise_nodes(node_id);

CREATE TABLE supply_relations (
    id               INTEGER PRIMARY KEY,
    supplier_id      INTEGER NOT NULL REFERENCES enterprises(id),
    buyer_id         INTEGER NOT NULL REFERENCES enterprises(id),
    node_id          INTEGER NOT NULL REFERENCES chain_nodes(id),
    annual_value_fen INTEGER NOT NULL CHECK (annual_value_fen >= 0),
    CHECK (supplier_id <> buyer_id)
);
CREATE INDEX supply_relations_supplier ON supply_relations(supplier_id);
CREATE INDEX supply_relations_buyer ON supply_relations(buyer_id);
CREATE INDEX supply_relations_node ON supply_relations(node_id);

CREATE TABLE listings (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    side          TEXT NOT NULL CHECK (side IN ('demand', 'supply')),
    kind          TEXT NOT NULL CHECK (kind IN ('product', 'equipment', 'technology', 'capacity', 'service')),
    node_id       INTEGER REFERENCES chain_nodes(id),
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    quantity      INTEGER CHECK (quantity >= 0),
    unit          TEXT NOT NULL,
    price_fen     INTEGER CHECK (price_fen >= 0),
    region_code   INTEGER NOT NULL REFERENCES regions(code),
    valid_until   TEXT,                        -- ISO date YYYY-MM-DD
    status        TEXT NOT NULL CHECK (status IN ('open', 'closed'))
);
CREATE INDEX listings_enterprise ON listings(enterprise_id);
CREATE INDEX listings_node ON listings(node_id);
CREATE INDEX listings_side_status ON listings(side, status);
