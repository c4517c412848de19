-- Going down drops manual flags (they have no wave), actions, outcomes and follow-ups.
DROP TABLE flag_follow_ups;
DROP TABLE flag_actions;
DELETE FROM flags WHERE wave_id IS NULL;
DROP INDEX flags_partnership;
ALTER TABLE flags DROP CONSTRAINT flags_wave_or_manual;
ALTER TABLE flags DROP COLUMN resolved_measured;
ALTER TABLE flags DROP COLUMN outcome;
ALTER TABLE flags DROP COLUMN title;
ALTER TABLE flags ALTER COLUMN wave_id SET NOT NULL;
