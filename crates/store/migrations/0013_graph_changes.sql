-- Which enterprises each write changed in the tables the supply graph is made of, so a
-- server's graph in memory is patched instead of loaded again (`Store::graph_changes`).
-- A row without an enterprise means "load everything again": a chain node's chain or
-- segment, or a node input, changed, or a bulk load wrote the tables (it sets these
-- triggers aside and writes that one row instead). Every committing write keeps the
-- last 100,000 rows.
-- Which database this is: derived data kept in files (the graph's snapshot) names the
-- database it came from. Not moved by `chainatlas migrate`: each database has its own.
CREATE TABLE database_identity (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT NOT NULL
);
INSERT INTO database_identity (id, token) VALUES (1, lower(hex(randomblob(16))));

CREATE TABLE graph_changes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    enterprise_id INTEGER
);

CREATE TRIGGER graph_enterprise_insert AFTER INSERT ON enterprises
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (NEW.id);
END;
CREATE TRIGGER graph_enterprise_update AFTER UPDATE ON enterprises
WHEN OLD.id IS NOT NEW.id OR OLD.region_code IS NOT NEW.region_code
    OR OLD.size IS NOT NEW.size OR OLD.tags IS NOT NEW.tags
    OR OLD.employees IS NOT NEW.employees OR OLD.industry_code IS NOT NEW.industry_code
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (OLD.id), (NEW.id);
END;
CREATE TRIGGER graph_enterprise_delete AFTER DELETE ON enterprises
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (OLD.id);
END;

CREATE TRIGGER graph_unit_insert AFTER INSERT ON enterprise_nodes
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (NEW.enterprise_id);
END;
CREATE TRIGGER graph_unit_update AFTER UPDATE ON enterprise_nodes
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (OLD.enterprise_id), (NEW.enterprise_id);
END;
CREATE TRIGGER graph_unit_delete AFTER DELETE ON enterprise_nodes
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (OLD.enterprise_id);
END;

CREATE TRIGGER graph_relation_insert AFTER INSERT ON supply_relations
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (NEW.buyer_id), (NEW.supplier_id);
END;
CREATE TRIGGER graph_relation_update AFTER UPDATE ON supply_relations
BEGIN
    INSERT INTO graph_changes (enterprise_id)
        VALUES (OLD.buyer_id), (OLD.supplier_id), (NEW.buyer_id), (NEW.supplier_id);
END;
CREATE TRIGGER graph_relation_delete AFTER DELETE ON supply_relations
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (OLD.buyer_id), (OLD.supplier_id);
END;

CREATE TRIGGER graph_node_insert AFTER INSERT ON chain_nodes
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (NULL);
END;
CREATE TRIGGER graph_node_update AFTER UPDATE ON chain_nodes
WHEN OLD.id IS NOT NEW.id OR OLD.chain_id IS NOT NEW.chain_id OR OLD.segment IS NOT NEW.segment
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (NULL);
END;
CREATE TRIGGER graph_node_delete AFTER DELETE ON chain_nodes
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (NULL);
END;
CREATE TRIGGER graph_input_insert AFTER INSERT ON node_inputs
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (NULL);
END;
CREATE TRIGGER graph_input_update AFTER UPDATE ON node_inputs
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (NULL);
END;
CREATE TRIGGER graph_input_delete AFTER DELETE ON node_inputs
BEGIN
    INSERT INTO graph_changes (enterprise_id) VALUES (NULL);
END;
