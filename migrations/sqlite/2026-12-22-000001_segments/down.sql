-- The wider CHECK on agg_groups.segment_kind stays (SQLite cannot narrow it in place);
-- the groups it admits are removed.
DELETE FROM agg_groups WHERE segment_kind IN ('business_unit', 'language');
ALTER TABLE responses DROP COLUMN language;
ALTER TABLE responses DROP COLUMN business_unit;
ALTER TABLE people DROP COLUMN business_unit;
