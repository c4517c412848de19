-- Going down refuses while any wave belongs to an extra series: such a wave's partnership_id
-- is copied as NULL, which the NOT NULL column refuses (its answers would otherwise be
-- mixed into the main series).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE waves_single (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    seq BIGINT NOT NULL CHECK (seq >= 1),
    template_version_id BIGINT NOT NULL REFERENCES template_versions (id),
    state TEXT NOT NULL CHECK (state IN ('scheduled', 'open', 'closed')),
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    reminder_days TEXT NOT NULL,
    opened_at TIMESTAMP,
    closed_at TIMESTAMP,
    imported BOOLEAN NOT NULL,
    slot_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (partnership_id, seq),
    UNIQUE (partnership_id, slot_at)
);
INSERT INTO waves_single
    (id, partnership_id, seq, template_version_id, state, opens_at, closes_at, reminder_days,
     opened_at, closed_at, imported, slot_at, created_at)
    SELECT id, CASE WHEN series_id IS NULL THEN partnership_id END, seq, template_version_id,
           state, opens_at, closes_at, reminder_days, opened_at, closed_at, imported, slot_at,
           created_at
    FROM waves;
DROP TABLE waves;
ALTER TABLE waves_single RENAME TO waves;
CREATE INDEX waves_state_closes ON waves (state, closes_at);
DROP TABLE survey_series;
COMMIT;
PRAGMA foreign_keys = ON;
