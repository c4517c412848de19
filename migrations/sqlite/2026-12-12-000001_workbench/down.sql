-- Going down drops manual flags (they have no wave), actions, outcomes and follow-ups.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
DROP TABLE flag_follow_ups;
DROP TABLE flag_actions;
DELETE FROM flag_events WHERE flag_id IN (SELECT id FROM flags WHERE wave_id IS NULL);
CREATE TABLE flags_before (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    wave_id BIGINT NOT NULL REFERENCES waves (id),
    rule TEXT NOT NULL,
    scope TEXT NOT NULL,
    measured DOUBLE PRECISION,
    threshold DOUBLE PRECISION,
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    details TEXT NOT NULL,
    assignee_user_id BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (wave_id, rule, scope)
);
INSERT INTO flags_before
    SELECT id, partnership_id, wave_id, rule, scope, measured, threshold, severity, state,
           details, assignee_user_id, created_at, updated_at
    FROM flags WHERE wave_id IS NOT NULL;
DROP TABLE flags;
ALTER TABLE flags_before RENAME TO flags;
CREATE INDEX flags_state ON flags (state, severity);
COMMIT;
PRAGMA foreign_keys = ON;
