-- The counts of each side's finest cells (level × function × region) for the linked-table
-- disclosure control, as JSON on the side's 'all' group ('' elsewhere), and the fewest
-- people any of those cells holds for any measure (NULL elsewhere), so a report decodes
-- the cells only when one is small. Derived data: `app::prepare` rebuilds every closed
-- wave's aggregates right after this migration. Keep in step with the other backend.
ALTER TABLE agg_groups ADD COLUMN cell_counts TEXT NOT NULL DEFAULT '';
ALTER TABLE agg_groups ADD COLUMN smallest_cell BIGINT;
