DROP TABLE partnership_languages;
ALTER TABLE people DROP COLUMN language;
