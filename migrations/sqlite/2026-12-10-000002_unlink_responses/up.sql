-- Answers are unlinked from people when a wave closes (src/db/responses.rs `unlink_wave`):
-- responses.invitation_id becomes nullable and is cleared at close; invitations keep only
-- `responded`. Closed waves already in the database are unlinked here. Keep in step with
-- migrations/postgres.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE responses_unlinkable (
    id INTEGER PRIMARY KEY,
    invitation_id BIGINT UNIQUE REFERENCES invitations (id),
    wave_id BIGINT NOT NULL REFERENCES waves (id),
    side TEXT NOT NULL CHECK (side IN ('customer', 'supplier')),
    level TEXT NOT NULL,
    function TEXT NOT NULL,
    region TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO responses_unlinkable
    (id, invitation_id, wave_id, side, level, function, region, submitted_at, updated_at)
    SELECT id, invitation_id, wave_id, side, level, function, region, submitted_at, updated_at
    FROM responses;
DROP TABLE responses;
ALTER TABLE responses_unlinkable RENAME TO responses;
CREATE INDEX responses_wave_side ON responses (wave_id, side);

ALTER TABLE invitations ADD COLUMN responded BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE invitations SET responded = TRUE
    WHERE id IN (SELECT r.invitation_id FROM responses r JOIN waves w ON w.id = r.wave_id
                 WHERE w.state = 'closed');
UPDATE responses SET invitation_id = NULL
    WHERE wave_id IN (SELECT id FROM waves WHERE state = 'closed');

COMMIT;
PRAGMA foreign_keys = ON;
