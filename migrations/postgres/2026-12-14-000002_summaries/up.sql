-- The wave summary mailed to a partnership's managers after each close: a per-user opt-out.
-- Keep in step with migrations/sqlite.
ALTER TABLE users ADD COLUMN summary_opt_out BOOLEAN NOT NULL DEFAULT FALSE;
