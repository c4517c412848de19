ALTER TABLE agg_groups DROP COLUMN smallest_cell;
ALTER TABLE agg_groups DROP COLUMN cell_counts;
