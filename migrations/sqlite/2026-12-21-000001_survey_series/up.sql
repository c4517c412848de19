-- Several survey series per partnership. The partnership's own template and schedule stay
-- its main series: every existing wave belongs to it (series_id NULL), nothing is rewritten.
-- Extra series live in `survey_series`, each with its template, cadence and schedule, and
-- its state (a paused series holds only itself; `schedule_from` as in partnership_states).
-- Wave numbers stay unique per partnership across series (`?wave=N` keeps naming one wave);
-- the scheduled slot becomes unique per series (two series may open on the same day): the
-- table constraint UNIQUE (partnership_id, slot_at) is replaced by two partial unique
-- indexes, which on SQLite needs the table rebuilt (the documented twelve steps).
-- Keep in step with migrations/postgres.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE survey_series (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    key TEXT NOT NULL CHECK (key <> 'main'),
    name TEXT NOT NULL,
    template_id TEXT NOT NULL,
    cadence TEXT NOT NULL,
    first_wave_on DATE,
    send_time TEXT NOT NULL,
    timezone TEXT NOT NULL,
    response_window_days BIGINT NOT NULL,
    reminder_days TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'paused')),
    note TEXT NOT NULL,
    schedule_from TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (partnership_id, key)
);

CREATE TABLE waves_by_series (
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
    -- NULL: the partnership's main series
    series_id BIGINT REFERENCES survey_series (id),
    UNIQUE (partnership_id, seq)
);
INSERT INTO waves_by_series
    (id, partnership_id, seq, template_version_id, state, opens_at, closes_at, reminder_days,
     opened_at, closed_at, imported, slot_at, created_at, series_id)
    SELECT id, partnership_id, seq, template_version_id, state, opens_at, closes_at,
           reminder_days, opened_at, closed_at, imported, slot_at, created_at, NULL
    FROM waves;
DROP TABLE waves;
ALTER TABLE waves_by_series RENAME TO waves;
CREATE INDEX waves_state_closes ON waves (state, closes_at);
-- a scheduled slot opens once per series, whatever the number of scheduler instances
CREATE UNIQUE INDEX waves_main_slot ON waves (partnership_id, slot_at) WHERE series_id IS NULL;
CREATE UNIQUE INDEX waves_series_slot ON waves (series_id, slot_at) WHERE series_id IS NOT NULL;

COMMIT;
PRAGMA foreign_keys = ON;
