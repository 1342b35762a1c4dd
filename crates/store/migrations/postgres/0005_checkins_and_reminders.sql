-- Weekly check-ins (DESIGN §4): one per person and ISO week ('2026-W48', which sorts as text).
-- What the check-in says (items, overall, goal confidences) is one JSON document: it is read and
-- written whole, and every change is also an event.
-- The PostgreSQL twin of migrations/sqlite/0005_checkins_and_reminders.sql (types: see 0001).
CREATE TABLE checkins (
    id           BIGINT           NOT NULL,
    workspace_id BIGINT           NOT NULL REFERENCES workspaces (id),
    person_id    BIGINT           NOT NULL,
    week         TEXT COLLATE "C" NOT NULL,
    body         TEXT COLLATE "C" NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    updated_at   TEXT COLLATE "C" NOT NULL,
    version      BIGINT           NOT NULL,
    UNIQUE (workspace_id, person_id, week),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id)
);
CREATE INDEX checkins_week ON checkins (workspace_id, week);

-- Events by time, for "what changed this week".
CREATE INDEX events_at ON events (workspace_id, at);

-- Where reminders go: the workspace's channels (person_id 0) and each person's own. Secrets
-- live here, never in the event log. `email_off` is 0 or 1, as on SQLite.
CREATE TABLE notify_settings (
    workspace_id   BIGINT           NOT NULL REFERENCES workspaces (id),
    person_id      BIGINT           NOT NULL,
    smtp_url       TEXT COLLATE "C",
    mail_from      TEXT COLLATE "C",
    webhook_url    TEXT COLLATE "C",
    webhook_secret TEXT COLLATE "C",
    checkin_day    TEXT COLLATE "C",
    email_off      BIGINT           NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, person_id)
);

-- The reminder outbox: one row per reminder and destination, unique by its key, so that
-- deciding twice records it once; a row is claimed before it is sent, so that two senders
-- never send it twice. state: pending | sending | sent | dead (the dead letters).
-- `id` is explicit like every other (the store numbers new rows max + 1 under the workspace's
-- write lock, as SQLite's rowid does), so a reminder skipped as already recorded uses no id.
CREATE TABLE reminders (
    id           BIGINT           NOT NULL,
    workspace_id BIGINT           NOT NULL REFERENCES workspaces (id),
    key          TEXT COLLATE "C" NOT NULL,
    channel      TEXT COLLATE "C" NOT NULL,
    target       TEXT COLLATE "C" NOT NULL,
    person_id    BIGINT,
    subject      TEXT COLLATE "C" NOT NULL,
    body         TEXT COLLATE "C" NOT NULL,
    state        TEXT COLLATE "C" NOT NULL,
    attempts     BIGINT           NOT NULL DEFAULT 0,
    next_at      TEXT COLLATE "C" NOT NULL,
    lease_until  TEXT COLLATE "C",
    claim        TEXT COLLATE "C",
    last_error   TEXT COLLATE "C",
    created_at   TEXT COLLATE "C" NOT NULL,
    sent_at      TEXT COLLATE "C",
    UNIQUE (workspace_id, key, channel, target),
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX reminders_due ON reminders (workspace_id, state, next_at);
