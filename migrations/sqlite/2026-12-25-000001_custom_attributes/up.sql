-- Custom attributes a partnership declares for its roster (site, programme…): a roster
-- column each, a value per person, a snapshot per response (as given when first answering),
-- and a breakdown in the reports under the same confidentiality rules as region. Side tables
-- because `people` and `partnerships` are at diesel's column limit. Keep in step with
-- migrations/postgres.
CREATE TABLE partnership_attributes (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (partnership_id, key)
);

-- '' is never stored: a person without a value has no row ("not given").
CREATE TABLE person_attributes (
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    attribute_id BIGINT NOT NULL REFERENCES partnership_attributes (id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    PRIMARY KEY (person_id, attribute_id)
);

CREATE TABLE response_attributes (
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    attribute_id BIGINT NOT NULL REFERENCES partnership_attributes (id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    PRIMARY KEY (response_id, attribute_id)
);

-- A custom attribute's breakdown is stored as segment_kind 'attribute:<key>'. SQLite cannot
-- change a CHECK in place, and dropping the table would cascade to its histograms, so the
-- four aggregate tables are copied aside, recreated with the wider CHECK and copied back
-- unchanged (as in 2026-12-22-000001_segments).
CREATE TABLE agg_groups_copy AS SELECT * FROM agg_groups;
CREATE TABLE agg_items_copy AS SELECT * FROM agg_items;
CREATE TABLE agg_dimensions_copy AS SELECT * FROM agg_dimensions;
CREATE TABLE agg_dimension_items_copy AS SELECT * FROM agg_dimension_items;
DROP TABLE agg_dimension_items;
DROP TABLE agg_dimensions;
DROP TABLE agg_items;
DROP TABLE agg_groups;

CREATE TABLE agg_groups (
    id INTEGER PRIMARY KEY,
    wave_id BIGINT NOT NULL REFERENCES waves (id) ON DELETE CASCADE,
    side TEXT NOT NULL CHECK (side IN ('customer', 'supplier')),
    segment_kind TEXT NOT NULL CHECK (segment_kind IN ('all', 'level', 'function', 'level_function', 'region', 'business_unit', 'language') OR segment_kind LIKE 'attribute:%'),
    segment_key TEXT NOT NULL,
    segment_label TEXT NOT NULL,
    invited BIGINT NOT NULL,
    responded BIGINT NOT NULL,
    cell_counts TEXT NOT NULL DEFAULT '',
    smallest_cell BIGINT,
    UNIQUE (wave_id, side, segment_kind, segment_key)
);

CREATE TABLE agg_items (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES agg_groups (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    n1 BIGINT NOT NULL,
    n2 BIGINT NOT NULL,
    n3 BIGINT NOT NULL,
    n4 BIGINT NOT NULL,
    n5 BIGINT NOT NULL,
    dont_know BIGINT NOT NULL,
    points BIGINT NOT NULL DEFAULT 5,
    n6 BIGINT NOT NULL DEFAULT 0,
    n7 BIGINT NOT NULL DEFAULT 0,
    n8 BIGINT NOT NULL DEFAULT 0,
    n9 BIGINT NOT NULL DEFAULT 0,
    n10 BIGINT NOT NULL DEFAULT 0,
    n11 BIGINT NOT NULL DEFAULT 0,
    UNIQUE (group_id, item_id)
);

CREATE TABLE agg_dimensions (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES agg_groups (id) ON DELETE CASCADE,
    dimension_id TEXT NOT NULL,
    n_items BIGINT NOT NULL,
    n_respondents BIGINT NOT NULL,
    n_complete BIGINT NOT NULL,
    sum_counts TEXT NOT NULL,
    UNIQUE (group_id, dimension_id)
);

CREATE TABLE agg_dimension_items (
    id INTEGER PRIMARY KEY,
    dimension_agg_id BIGINT NOT NULL REFERENCES agg_dimensions (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    n1 BIGINT NOT NULL,
    n2 BIGINT NOT NULL,
    n3 BIGINT NOT NULL,
    n4 BIGINT NOT NULL,
    n5 BIGINT NOT NULL,
    points BIGINT NOT NULL DEFAULT 5,
    n6 BIGINT NOT NULL DEFAULT 0,
    n7 BIGINT NOT NULL DEFAULT 0,
    n8 BIGINT NOT NULL DEFAULT 0,
    n9 BIGINT NOT NULL DEFAULT 0,
    n10 BIGINT NOT NULL DEFAULT 0,
    n11 BIGINT NOT NULL DEFAULT 0,
    UNIQUE (dimension_agg_id, item_id)
);

INSERT INTO agg_groups (id, wave_id, side, segment_kind, segment_key, segment_label, invited,
    responded, cell_counts, smallest_cell)
SELECT id, wave_id, side, segment_kind, segment_key, segment_label, invited, responded,
    cell_counts, smallest_cell FROM agg_groups_copy;
INSERT INTO agg_items (id, group_id, item_id, n1, n2, n3, n4, n5, dont_know, points, n6, n7,
    n8, n9, n10, n11)
SELECT id, group_id, item_id, n1, n2, n3, n4, n5, dont_know, points, n6, n7, n8, n9, n10, n11
FROM agg_items_copy;
INSERT INTO agg_dimensions (id, group_id, dimension_id, n_items, n_respondents, n_complete,
    sum_counts)
SELECT id, group_id, dimension_id, n_items, n_respondents, n_complete, sum_counts
FROM agg_dimensions_copy;
INSERT INTO agg_dimension_items (id, dimension_agg_id, item_id, n1, n2, n3, n4, n5, points, n6,
    n7, n8, n9, n10, n11)
SELECT id, dimension_agg_id, item_id, n1, n2, n3, n4, n5, points, n6, n7, n8, n9, n10, n11
FROM agg_dimension_items_copy;
DROP TABLE agg_dimension_items_copy;
DROP TABLE agg_dimensions_copy;
DROP TABLE agg_items_copy;
DROP TABLE agg_groups_copy;
