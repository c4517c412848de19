ALTER TABLE users DROP COLUMN last_digest_at;
ALTER TABLE users DROP COLUMN digest_opt_out;
