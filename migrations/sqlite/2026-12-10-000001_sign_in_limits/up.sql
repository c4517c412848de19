-- The sign-in rate limit (src/auth/throttle.rs): attempts per key in a fixed 15-minute
-- window, counted by one atomic upsert BEFORE the password is checked, so concurrent
-- attempts cannot all slip under the limit. Keys: 'email <address typed> | ip <peer>' and
-- 'ip <peer>' (password spraying). A successful sign-in gives its attempt back.
-- Keep in step with the other backend's folder.
CREATE TABLE sign_in_limits (
    key TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    attempts BIGINT NOT NULL
);
