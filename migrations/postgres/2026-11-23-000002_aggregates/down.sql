DROP TABLE agg_dimension_items;
DROP TABLE agg_dimensions;
DROP TABLE agg_items;
DROP TABLE agg_groups;
