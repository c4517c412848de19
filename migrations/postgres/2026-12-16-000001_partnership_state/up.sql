-- A partnership's life beyond its definition, one row per partnership that ever left the
-- default (no row: active, scheduled from its first wave date). `state`: active, paused (no
-- wave opens) or archived (read-only, out of the lists); `note`: why. `schedule_from`:
-- scheduled slots opening before it are not opened (set when the schedule is edited or the
-- partnership resumes, so a change applies from the next wave).
CREATE TABLE partnership_states (
    partnership_id BIGINT PRIMARY KEY NOT NULL REFERENCES partnerships (id),
    state TEXT NOT NULL CHECK (state IN ('active', 'paused', 'archived')),
    note TEXT NOT NULL,
    schedule_from TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
