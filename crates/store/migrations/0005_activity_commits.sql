-- Commits that change no atlas fact (listings now; events and agreements later) are
-- counted apart, so caches of atlas facts (chains, nodes, regions, enterprise tags) can
-- key on `generation - activity_commits` and survive a listing being saved.

ALTER TABLE atlas_generation ADD COLUMN activity_commits INTEGER NOT NULL DEFAULT 0;
