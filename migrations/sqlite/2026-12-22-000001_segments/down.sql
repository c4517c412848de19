ALTER TABLE responses DROP COLUMN language;
ALTER TABLE responses DROP COLUMN business_unit;
ALTER TABLE people DROP COLUMN business_unit;
