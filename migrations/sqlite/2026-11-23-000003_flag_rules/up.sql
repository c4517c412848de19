-- Per-partnership thresholds of the flag rules (`flags::RuleConfig` as JSON). A partnership
-- without a row uses the defaults. Keep in step with migrations/postgres.
CREATE TABLE flag_rule_configs (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL UNIQUE REFERENCES partnerships (id) ON DELETE CASCADE,
    config TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
