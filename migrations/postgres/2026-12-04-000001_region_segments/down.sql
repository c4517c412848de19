DELETE FROM agg_groups WHERE segment_kind = 'region';
ALTER TABLE agg_groups DROP CONSTRAINT agg_groups_segment_kind_check;
ALTER TABLE agg_groups ADD CONSTRAINT agg_groups_segment_kind_check
    CHECK (segment_kind IN ('all', 'level', 'function', 'level_function'));
