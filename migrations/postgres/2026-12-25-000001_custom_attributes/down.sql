DELETE FROM agg_groups WHERE segment_kind LIKE 'attribute:%';
ALTER TABLE agg_groups DROP CONSTRAINT agg_groups_segment_kind_check;
ALTER TABLE agg_groups ADD CONSTRAINT agg_groups_segment_kind_check
    CHECK (segment_kind IN ('all', 'level', 'function', 'level_function', 'region',
                            'business_unit', 'language'));
DROP TABLE response_attributes;
DROP TABLE person_attributes;
DROP TABLE partnership_attributes;
