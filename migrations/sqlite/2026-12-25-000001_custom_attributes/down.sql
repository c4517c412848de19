DROP TABLE response_attributes;
DROP TABLE person_attributes;
DROP TABLE partnership_attributes;
