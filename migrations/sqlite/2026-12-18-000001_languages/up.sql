-- The language a person reads their invitations, reminders and survey pages in (en, fr, de, es);
-- NULL: the partnership's default language.
ALTER TABLE people ADD COLUMN language TEXT CHECK (language IN ('en', 'fr', 'de', 'es'));

-- A partnership's default language, for people whose roster row names none. No row: English.
-- A side table because `partnerships` is at diesel's column limit.
CREATE TABLE partnership_languages (
    partnership_id INTEGER PRIMARY KEY NOT NULL REFERENCES partnerships (id),
    language TEXT NOT NULL CHECK (language IN ('en', 'fr', 'de', 'es'))
);
