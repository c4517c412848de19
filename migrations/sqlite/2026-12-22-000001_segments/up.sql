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
