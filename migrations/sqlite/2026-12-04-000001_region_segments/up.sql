-- Region becomes a breakdown (segment_kind 'region'). SQLite cannot change a CHECK in
-- place, and the aggregate tables hold only derived data: they are recreated empty here and
-- `app::prepare` rebuilds every closed wave's aggregates from its answers right after this
-- migration (`services::waves::rebuild_all`). Keep in step with migrations/postgres.
DROP TABLE agg_dimension_items;
DROP TABLE agg_dimensions;
DROP TABLE agg_items;
DROP TABLE agg_groups;

CREATE TABLE agg_groups (
    id INTEGER PRIMARY KEY,
    wave_id BIGINT NOT NULL REFERENCES waves (id) ON DELETE CASCADE,
    side TEXT NOT NULL CHECK (side IN ('customer', 'supplier')),
    segment_kind TEXT NOT NULL CHECK (segment_kind IN ('all', 'level', 'function', 'level_function', 'region')),
    segment_key TEXT NOT NULL,
    segment_label TEXT NOT NULL,
    invited BIGINT NOT NULL,
    responded BIGINT NOT NULL,
    UNIQUE (wave_id, side, segment_kind, segment_key)
);

-- Answer histogram of one item in one group: counts of 1..5 and of don't know.
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
    UNIQUE (group_id, item_id)
);

-- One dimension in one group: everyone in the group, the listwise-complete respondents
-- (answered every item of the dimension) and the histogram of their sums over the items,
-- stored as ascending "sum:respondents" pairs separated by spaces.
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

-- Answer histogram of one item of a dimension over that dimension's listwise-complete
-- respondents (no don't know by construction).
CREATE TABLE agg_dimension_items (
    id INTEGER PRIMARY KEY,
    dimension_agg_id BIGINT NOT NULL REFERENCES agg_dimensions (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    n1 BIGINT NOT NULL,
    n2 BIGINT NOT NULL,
    n3 BIGINT NOT NULL,
    n4 BIGINT NOT NULL,
    n5 BIGINT NOT NULL,
    UNIQUE (dimension_agg_id, item_id)
);
