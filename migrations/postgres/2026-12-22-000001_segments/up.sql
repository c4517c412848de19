-- Business unit: a roster attribute like region ('' = not given), kept on the person and in
-- each response's segment snapshot.
ALTER TABLE people ADD COLUMN business_unit TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN business_unit TEXT NOT NULL DEFAULT '';

-- The language a response was given in (the person's, else the partnership's default), a
-- report segment. '' for responses stored before it was kept: those of closed waves stay
-- "not given" (their aggregates are not rebuilt); those of open waves take the language
-- their person reads now, as a response given today would.
ALTER TABLE responses ADD COLUMN language TEXT NOT NULL DEFAULT '';
UPDATE responses SET language = COALESCE(
    (SELECT p.language FROM invitations i JOIN people p ON p.id = i.person_id
     WHERE i.id = responses.invitation_id),
    (SELECT l.language FROM waves w JOIN partnership_languages l
       ON l.partnership_id = w.partnership_id
     WHERE w.id = responses.wave_id),
    'en')
WHERE invitation_id IS NOT NULL;

-- Business unit and language become breakdowns (segment_kind 'business_unit', 'language').
-- Stored aggregates stay as they are: closed waves keep every figure. Keep in step with
-- migrations/sqlite.
ALTER TABLE agg_groups DROP CONSTRAINT agg_groups_segment_kind_check;
ALTER TABLE agg_groups ADD CONSTRAINT agg_groups_segment_kind_check
    CHECK (segment_kind IN ('all', 'level', 'function', 'level_function', 'region',
                            'business_unit', 'language'));
