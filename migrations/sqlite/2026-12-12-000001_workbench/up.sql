-- The ombudsman's workbench (issue 17): flags raised by hand (`rule = 'manual'`, a title, no
-- wave), actions on a flag, the outcome recorded when a flag is resolved with the value it
-- measured then, and one follow-up line per later closed wave. SQLite cannot drop NOT NULL
-- on flags.wave_id in place: the table is rebuilt (the documented twelve steps, foreign keys
-- off, flag_events keeps pointing at `flags` by name). Keep in step with migrations/postgres.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE flags_workbench (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    wave_id BIGINT REFERENCES waves (id),
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
    title TEXT NOT NULL DEFAULT '',
    outcome TEXT CHECK (outcome IN ('settled', 'no_action_needed', 'escalated')),
    resolved_measured DOUBLE PRECISION,
    UNIQUE (wave_id, rule, scope),
    CHECK (wave_id IS NOT NULL OR rule = 'manual')
);
INSERT INTO flags_workbench
    (id, partnership_id, wave_id, rule, scope, measured, threshold, severity, state, details,
     assignee_user_id, created_at, updated_at)
    SELECT id, partnership_id, wave_id, rule, scope, measured, threshold, severity, state,
           details, assignee_user_id, created_at, updated_at
    FROM flags;
DROP TABLE flags;
ALTER TABLE flags_workbench RENAME TO flags;
CREATE INDEX flags_state ON flags (state, severity);
CREATE INDEX flags_partnership ON flags (partnership_id);

CREATE TABLE flag_actions (
    id INTEGER PRIMARY KEY,
    flag_id BIGINT NOT NULL REFERENCES flags (id) ON DELETE CASCADE,
    what TEXT NOT NULL,
    owner_person_id BIGINT REFERENCES people (id),
    owner_user_id BIGINT REFERENCES users (id),
    due_on DATE NOT NULL,
    done_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((owner_person_id IS NULL) <> (owner_user_id IS NULL))
);
CREATE INDEX flag_actions_flag ON flag_actions (flag_id);

CREATE TABLE flag_follow_ups (
    id INTEGER PRIMARY KEY,
    flag_id BIGINT NOT NULL REFERENCES flags (id) ON DELETE CASCADE,
    wave_id BIGINT NOT NULL REFERENCES waves (id),
    measured_before DOUBLE PRECISION,
    measured DOUBLE PRECISION,
    fired BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (flag_id, wave_id)
);

COMMIT;
PRAGMA foreign_keys = ON;
