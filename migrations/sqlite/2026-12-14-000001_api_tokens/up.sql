-- Personal API tokens (issue 17): a signed-in user's bearer tokens for the JSON API, acting
-- with the user's role and scope. Only the SHA-256 hash of the secret is kept; `prefix` is
-- its first characters, shown so people can tell their tokens apart. A revoked token's row
-- is deleted. Keep in step with migrations/postgres.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    last_used_at TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_user_name ON api_tokens (user_id, name);
