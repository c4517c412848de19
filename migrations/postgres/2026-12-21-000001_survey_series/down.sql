-- Going down refuses while any wave belongs to an extra series (its answers would otherwise
-- be mixed into the main series).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM waves WHERE series_id IS NOT NULL) THEN
        RAISE EXCEPTION 'waves of extra survey series exist: they cannot be kept without series';
    END IF;
END
$$;
DROP INDEX waves_series_slot;
DROP INDEX waves_main_slot;
ALTER TABLE waves ADD CONSTRAINT waves_partnership_id_slot_at_key UNIQUE (partnership_id, slot_at);
ALTER TABLE waves DROP COLUMN series_id;
DROP TABLE survey_series;
