-- Weekly flag digests (issue 17): a per-user opt-out and when the last digest was queued.
-- Keep in step with migrations/postgres.
ALTER TABLE users ADD COLUMN digest_opt_out BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_digest_at TIMESTAMP;
