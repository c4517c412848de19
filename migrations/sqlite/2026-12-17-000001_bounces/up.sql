-- Outbox rows to an undeliverable address end as 'undeliverable' (with the reason in
-- last_error) rather than being dropped. SQLite cannot alter a CHECK constraint: the table
-- is rebuilt with the same columns (nothing references outbox yet;
-- mail_bounces below is created after).
CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    headers TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'undeliverable')),
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    last_error TEXT,
    sent_at TIMESTAMP,
    invitation_id BIGINT REFERENCES invitations (id),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO outbox_new SELECT id, kind, recipient, subject, body_text, body_html, headers,
    message_id, status, attempts, next_attempt_at, locked_until, last_error, sent_at,
    invitation_id, created_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Bounces (delivery status notifications) and the addresses they made undeliverable.
--
-- mail_bounces: one row per DSN event (one recipient of one report). `fingerprint` makes
-- ingesting the same report twice record it once. `kind`: hard (5.x.x, or soft bounces
-- of one address spread over more than the configured days) or soft (4.x.x, delayed).
-- `outbox_id` is the mail the report is about (from its VERP address or Message-ID).
CREATE TABLE mail_bounces (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    outbox_id BIGINT REFERENCES outbox (id),
    kind TEXT NOT NULL CHECK (kind IN ('hard', 'soft')),
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    diagnostic TEXT,
    source TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX mail_bounces_email ON mail_bounces (email, received_at);

-- An address Tandem no longer mails (a hard bounce), for every partnership: the key is the
-- address lower-cased and trimmed. Queueing and the outbox worker record mail to it as
-- 'undeliverable' with `reason` instead of sending.
CREATE TABLE undeliverable_addresses (
    email TEXT PRIMARY KEY NOT NULL,
    reason TEXT NOT NULL,
    bounce_id BIGINT REFERENCES mail_bounces (id),
    since TIMESTAMP NOT NULL
);
