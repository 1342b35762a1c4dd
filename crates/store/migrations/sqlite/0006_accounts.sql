-- Sign-in and roles (DESIGN §9). A person's role and suspension are part of the person (their
-- changes are events); secrets are not: password hashes, API tokens and web sessions live in
-- tables of their own that the event log never copies.
ALTER TABLE people ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
ALTER TABLE people ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;

-- One password per person: an argon2id PHC string.
CREATE TABLE credentials (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    person_id     INTEGER NOT NULL REFERENCES people (id),
    password_hash TEXT    NOT NULL,
    changed_at    TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, person_id)
);

-- API tokens: only the SHA-256 of the token is kept; the token itself is shown once.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    person_id    INTEGER NOT NULL REFERENCES people (id),
    name         TEXT    NOT NULL,
    hash         TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT,
    last_used_at TEXT,
    UNIQUE (workspace_id, hash)
);
CREATE INDEX api_tokens_person ON api_tokens (workspace_id, person_id);

-- Web sessions: the cookie holds a random secret; the table its SHA-256, so a stolen database
-- does not yield live sessions. Sign-out and revocation set revoked_at.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    person_id    INTEGER NOT NULL REFERENCES people (id),
    hash         TEXT    NOT NULL,
    csrf         TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    revoked_at   TEXT,
    UNIQUE (workspace_id, hash)
);

-- Failed sign-ins, by account and by address, for rate limiting across servers.
CREATE TABLE login_failures (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    key          TEXT    NOT NULL,
    at           TEXT    NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (workspace_id, key, at);
