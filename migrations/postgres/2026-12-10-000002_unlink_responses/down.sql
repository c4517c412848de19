-- Unlinked responses cannot be linked again: going down refuses (NOT NULL fails) while any
-- closed wave has responses.
ALTER TABLE responses ALTER COLUMN invitation_id SET NOT NULL;
ALTER TABLE invitations DROP COLUMN responded;
