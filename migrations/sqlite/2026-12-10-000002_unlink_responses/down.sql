-- Unlinked responses cannot be linked again: going down refuses (NOT NULL fails) while any
-- closed wave has responses.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE responses_linked (
    id INTEGER PRIMARY KEY,
    invitation_id BIGINT NOT NULL UNIQUE REFERENCES invitations (id),
    wave_id BIGINT NOT NULL REFERENCES waves (id),
    side TEXT NOT NULL CHECK (side IN ('customer', 'supplier')),
    level TEXT NOT NULL,
    function TEXT NOT NULL,
    region TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO responses_linked SELECT * FROM responses;
DROP TABLE responses;
ALTER TABLE responses_linked RENAME TO responses;
CREATE INDEX responses_wave_side ON responses (wave_id, side);
ALTER TABLE invitations DROP COLUMN responded;
COMMIT;
PRAGMA foreign_keys = ON;
