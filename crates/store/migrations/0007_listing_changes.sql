-- Which listings each revision changed, so the listing index can replay the changes it
-- has not seen instead of rebuilding from scratch. The log keeps the last 100,000
-- changes (older ones are pruned by the same triggers); an index further behind than
-- the log reaches is rebuilt whole.

CREATE TABLE listing_changes (
    revision   INTEGER PRIMARY KEY,
    listing_id INTEGER NOT NULL
);

DROP TRIGGER listings_revision_insert;
DROP TRIGGER listings_revision_update;
DROP TRIGGER listings_revision_delete;

CREATE TRIGGER listings_revision_insert AFTER INSERT ON listings
BEGIN
    UPDATE listing_revision SET revision = revision + 1 WHERE id = 1;
    INSERT INTO listing_changes (revision, listing_id)
        SELECT revision, NEW.id FROM listing_revision WHERE id = 1;
    DELETE FROM listing_changes
        WHERE revision <= (SELECT revision FROM listing_revision WHERE id = 1) - 100000;
END;
CREATE TRIGGER listings_revision_update AFTER UPDATE ON listings
BEGIN
    UPDATE listing_revision SET revision = revision + 1 WHERE id = 1;
    INSERT INTO listing_changes (revision, listing_id)
        SELECT revision, NEW.id FROM listing_revision WHERE id = 1;
    DELETE FROM listing_changes
        WHERE revision <= (SELECT revision FROM listing_revision WHERE id = 1) - 100000;
END;
CREATE TRIGGER listings_revision_delete AFTER DELETE ON listings
BEGIN
    UPDATE listing_revision SET revision = revision + 1 WHERE id = 1;
    INSERT INTO listing_changes (revision, listing_id)
        SELECT revision, OLD.id FROM listing_revision WHERE id = 1;
    DELETE FROM listing_changes
        WHERE revision <= (SELECT revision FROM listing_revision WHERE id = 1) - 100000;
END;
