-- A counter bumped by every committed write. Whatever is derived from the atlas (caches,
-- search indexes, in-memory graphs) records the generation it was built from and is
-- stale as soon as the counter moves.
CREATE TABLE atlas_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO atlas_generation (id, generation) VALUES (1, 0);
