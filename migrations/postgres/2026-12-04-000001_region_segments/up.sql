-- Region becomes a breakdown (segment_kind 'region'); `app::prepare` rebuilds every closed
-- wave's aggregates right after this migration so old waves get their region groups too.
-- Keep in step with migrations/sqlite.
ALTER TABLE agg_groups DROP CONSTRAINT agg_groups_segment_kind_check;
ALTER TABLE agg_groups ADD CONSTRAINT agg_groups_segment_kind_check
    CHECK (segment_kind IN ('all', 'level', 'function', 'level_function', 'region'));
