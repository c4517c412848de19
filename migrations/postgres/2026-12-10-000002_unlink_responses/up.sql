-- Answers are unlinked from people when a wave closes (src/db/responses.rs `unlink_wave`):
-- responses.invitation_id becomes nullable and is cleared at close; invitations keep only
-- `responded`. Closed waves already in the database are unlinked here. Keep in step with
-- migrations/sqlite.
ALTER TABLE responses ALTER COLUMN invitation_id DROP NOT NULL;
ALTER TABLE invitations ADD COLUMN responded BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE invitations SET responded = TRUE
    WHERE id IN (SELECT r.invitation_id FROM responses r JOIN waves w ON w.id = r.wave_id
                 WHERE w.state = 'closed');
UPDATE responses SET invitation_id = NULL
    WHERE wave_id IN (SELECT id FROM waves WHERE state = 'closed');
