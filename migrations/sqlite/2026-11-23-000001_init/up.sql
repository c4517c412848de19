-- Tandem schema, SQLite flavour. Keep in step with migrations/postgres (same version names,
-- same tables and columns); only id columns and a few types are spelled differently.
-- Timestamps are naive UTC written by the application (microsecond precision).

CREATE TABLE firms (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE template_versions (
    id INTEGER PRIMARY KEY,
    template_id TEXT NOT NULL,
    version TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX template_versions_template ON template_versions (template_id);

CREATE TABLE partnerships (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    customer_firm_id BIGINT NOT NULL REFERENCES firms (id),
    supplier_firm_id BIGINT NOT NULL REFERENCES firms (id),
    template_id TEXT NOT NULL,
    cadence TEXT NOT NULL,
    first_wave_on DATE,
    send_time TEXT NOT NULL,
    timezone TEXT NOT NULL,
    response_window_days BIGINT NOT NULL CHECK (response_window_days BETWEEN 1 AND 365),
    reminder_days TEXT NOT NULL,
    min_reporting_size BIGINT NOT NULL CHECK (min_reporting_size >= 3),
    min_comment_size BIGINT NOT NULL CHECK (min_comment_size >= min_reporting_size),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (customer_firm_id <> supplier_firm_id)
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    side TEXT NOT NULL CHECK (side IN ('customer', 'supplier')),
    email TEXT,
    external_ref TEXT,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    function TEXT NOT NULL,
    region TEXT NOT NULL,
    roles TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    opted_out_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (email IS NOT NULL OR external_ref IS NOT NULL),
    UNIQUE (partnership_id, email),
    UNIQUE (partnership_id, external_ref)
);
CREATE INDEX people_partnership_active ON people (partnership_id, active);

CREATE TABLE waves (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    seq BIGINT NOT NULL CHECK (seq >= 1),
    template_version_id BIGINT NOT NULL REFERENCES template_versions (id),
    state TEXT NOT NULL CHECK (state IN ('scheduled', 'open', 'closed')),
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    reminder_days TEXT NOT NULL,
    opened_at TIMESTAMP,
    closed_at TIMESTAMP,
    imported BOOLEAN NOT NULL,
    -- the scheduled slot this wave fills (NULL when opened by hand or imported): a slot can
    -- open once, whatever the number of scheduler instances or missed ticks
    slot_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (partnership_id, seq),
    UNIQUE (partnership_id, slot_at)
);
CREATE INDEX waves_state_closes ON waves (state, closes_at);

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    wave_id BIGINT NOT NULL REFERENCES waves (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    sent_at TIMESTAMP,
    reminders_sent BIGINT NOT NULL,
    last_reminded_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (wave_id, person_id)
);

-- Personal link secrets, stored only as SHA-256 hashes. The invitation mail carries one and
-- each reminder a fresh one (the plain token cannot be recovered to send again); every token
-- of an invitation stays valid until the wave closes.
CREATE TABLE invitation_tokens (
    id INTEGER PRIMARY KEY,
    invitation_id BIGINT NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invitation_tokens_invitation ON invitation_tokens (invitation_id);

CREATE TABLE responses (
    id INTEGER PRIMARY KEY,
    invitation_id BIGINT NOT NULL UNIQUE REFERENCES invitations (id),
    wave_id BIGINT NOT NULL REFERENCES waves (id),
    side TEXT NOT NULL CHECK (side IN ('customer', 'supplier')),
    level TEXT NOT NULL,
    function TEXT NOT NULL,
    region TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX responses_wave_side ON responses (wave_id, side);

-- value NULL means "don't know": stored and counted, never averaged.
CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    value BIGINT CHECK (value BETWEEN 1 AND 5),
    UNIQUE (response_id, item_id)
);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (response_id, question_id)
);

CREATE TABLE kpis (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    better TEXT NOT NULL CHECK (better IN ('higher', 'lower')),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (partnership_id, name)
);

CREATE TABLE kpi_values (
    id INTEGER PRIMARY KEY,
    kpi_id BIGINT NOT NULL REFERENCES kpis (id) ON DELETE CASCADE,
    wave_seq BIGINT,
    observed_on DATE,
    value DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (wave_seq IS NOT NULL OR observed_on IS NOT NULL),
    UNIQUE (kpi_id, wave_seq),
    UNIQUE (kpi_id, observed_on)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'ombudsman')),
    all_partnerships BOOLEAN NOT NULL,
    disabled BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE user_scopes (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    side TEXT CHECK (side IN ('customer', 'supplier')),
    UNIQUE (user_id, partnership_id)
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE password_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

CREATE TABLE goals (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    metric TEXT NOT NULL,
    target_scope TEXT NOT NULL,
    target DOUBLE PRECISION NOT NULL,
    due_on DATE NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE flags (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    wave_id BIGINT NOT NULL REFERENCES waves (id),
    rule TEXT NOT NULL,
    scope TEXT NOT NULL,
    measured DOUBLE PRECISION,
    threshold DOUBLE PRECISION,
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    details TEXT NOT NULL,
    assignee_user_id BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (wave_id, rule, scope)
);
CREATE INDEX flags_state ON flags (state, severity);

CREATE TABLE flag_events (
    id INTEGER PRIMARY KEY,
    flag_id BIGINT NOT NULL REFERENCES flags (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id),
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Every mail is a row before it is a message (transactional outbox).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    headers TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    last_error TEXT,
    sent_at TIMESTAMP,
    invitation_id BIGINT REFERENCES invitations (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
