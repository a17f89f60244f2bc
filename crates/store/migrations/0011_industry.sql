-- An enterprise's national industry code (GB/T 4754-2017: 2 to 4 digits, '' when not
-- known), and the same for the copy of a merged enterprise a merge keeps for its undo.

ALTER TABLE enterprises ADD COLUMN industry_code TEXT NOT NULL DEFAULT '';
ALTER TABLE merges ADD COLUMN industry_code TEXT NOT NULL DEFAULT '';
