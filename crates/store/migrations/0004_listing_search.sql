-- Matchmaking: listings carry qualifications, and every change to a listing moves a
-- revision counter, so the derived full-text index can tell whether it is stale no matter
-- which program wrote the listing.

ALTER TABLE listings ADD COLUMN tags TEXT NOT NULL DEFAULT '';

CREATE TABLE listing_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO listing_revision (id, revision) VALUES (1, 0);

CREATE TRIGGER listings_revision_insert AFTER INSERT ON listings
BEGIN UPDATE listing_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER listings_revision_update AFTER UPDATE ON listings
BEGIN UPDATE listing_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER listings_revision_delete AFTER DELETE ON listings
BEGIN UPDATE listing_revision SET revision = revision + 1 WHERE id = 1; END;

