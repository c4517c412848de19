-- One counter per partnership, raised in the same transaction as every change to what its
-- report is built from (a wave's aggregates, KPI values). Pages cache what they derive from
-- the report under this number, so a cache entry is never served after the data changed.
-- Keep in step with migrations/postgres.
CREATE TABLE report_versions (
    partnership_id BIGINT PRIMARY KEY REFERENCES partnerships (id) ON DELETE CASCADE,
    version BIGINT NOT NULL
);
INSERT INTO report_versions (partnership_id, version) SELECT id, 0 FROM partnerships;
