-- Weekly check-ins (DESIGN §4): one per person and ISO week ('2026-W48', which sorts as text).
-- What the check-in says (items, overall, goal confidences) is one JSON document: it is read and
-- written whole, and every change is also an event.
CREATE TABLE checkins (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    person_id    INTEGER NOT NULL REFERENCES people (id),
    week         TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    UNIQUE (workspace_id, person_id, week)
);
CREATE INDEX checkins_week ON checkins (workspace_id, week);

-- Events by time, for "what changed this week".
CREATE INDEX events_at ON events (workspace_id, at);

-- Where reminders go: the workspace's channels (person_id 0) and each person's own. Secrets
-- live here, never in the event log.
CREATE TABLE notify_settings (
    workspace_id   INTEGER NOT NULL REFERENCES workspaces (id),
    person_id      INTEGER NOT NULL,
    smtp_url       TEXT,
    mail_from      TEXT,
    webhook_url    TEXT,
    webhook_secret TEXT,
    checkin_day    TEXT,
    email_off      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, person_id)
);

-- The reminder outbox: one row per reminder and destination, unique by its key, so that
-- deciding twice records it once; a row is claimed before it is sent, so that two senders
-- never send it twice. state: pending | sending | sent | dead (the dead letters).
CREATE TABLE reminders (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    key          TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    target       TEXT    NOT NULL,
    person_id    INTEGER,
    subject      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TEXT    NOT NULL,
    lease_until  TEXT,
    claim        TEXT,
    last_error   TEXT,
    created_at   TEXT    NOT NULL,
    sent_at      TEXT,
    UNIQUE (workspace_id, key, channel, target)
);
CREATE INDEX reminders_due ON reminders (workspace_id, state, next_at);
