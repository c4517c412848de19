DELETE FROM agg_groups WHERE segment_kind IN ('business_unit', 'language');
ALTER TABLE agg_groups DROP CONSTRAINT agg_groups_segment_kind_check;
ALTER TABLE agg_groups ADD CONSTRAINT agg_groups_segment_kind_check
    CHECK (segment_kind IN ('all', 'level', 'function', 'level_function', 'region'));
ALTER TABLE responses DROP COLUMN language;
ALTER TABLE responses DROP COLUMN business_unit;
ALTER TABLE people DROP COLUMN business_unit;
