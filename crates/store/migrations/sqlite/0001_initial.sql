-- The first schema: current-state tables plus the append-only event log.
-- Every table carries workspace_id, the key a sharded PostgreSQL would distribute by.
-- Dates are ISO 'YYYY-MM-DD' text, timestamps RFC 3339 UTC text with microseconds: both sort
-- correctly as text and round-trip identically on SQLite and PostgreSQL.

CREATE TABLE workspaces (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL,
    step_limit_hours REAL    NOT NULL,
    default_person   INTEGER,
    tz               TEXT    NOT NULL,
    version          INTEGER NOT NULL
);

-- Allocators for internal ids (workspace_id 0) and human numbers per workspace (G-12, I-345).
CREATE TABLE counters (
    workspace_id INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    next         INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

CREATE TABLE people (
    id             INTEGER PRIMARY KEY,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces (id),
    handle         TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    email          TEXT,
    tz             TEXT    NOT NULL,
    capacity_hours REAL    NOT NULL,
    version        INTEGER NOT NULL,
    UNIQUE (workspace_id, handle)
);

CREATE TABLE teams (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    name         TEXT    NOT NULL,
    lead         INTEGER NOT NULL REFERENCES people (id),
    version      INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE team_members (
    workspace_id INTEGER NOT NULL,
    team_id      INTEGER NOT NULL REFERENCES teams (id),
    person_id    INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (workspace_id, team_id, person_id)
);
CREATE INDEX team_members_person ON team_members (workspace_id, person_id);

CREATE TABLE milestones (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    num          INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    date         TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    UNIQUE (workspace_id, num),
    UNIQUE (workspace_id, name)
);

CREATE TABLE goals (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    num          INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    outcome      TEXT,
    owner        INTEGER REFERENCES people (id),
    target_date  TEXT,
    milestone_id INTEGER REFERENCES milestones (id),
    team_id      INTEGER REFERENCES teams (id),
    closed       TEXT,
    close_reason TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    UNIQUE (workspace_id, num)
);
CREATE INDEX goals_team ON goals (workspace_id, team_id);
CREATE INDEX goals_owner ON goals (workspace_id, owner);

CREATE TABLE items (
    id             INTEGER PRIMARY KEY,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces (id),
    num            INTEGER NOT NULL,
    title          TEXT    NOT NULL,
    outcome        TEXT,
    owner          INTEGER REFERENCES people (id),
    due_date       TEXT,
    milestone_id   INTEGER REFERENCES milestones (id),
    estimate_hours REAL,
    status         TEXT    NOT NULL,
    status_reason  TEXT,
    kind           TEXT    NOT NULL,
    goal_id        INTEGER REFERENCES goals (id),
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    UNIQUE (workspace_id, num)
);
CREATE INDEX items_owner ON items (workspace_id, owner, status);
CREATE INDEX items_goal ON items (workspace_id, goal_id);

CREATE TABLE dependencies (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    from_kind    TEXT    NOT NULL,
    from_id      INTEGER NOT NULL,
    to_kind      TEXT    NOT NULL,
    to_id        INTEGER NOT NULL,
    needed_by    TEXT,
    created_at   TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    UNIQUE (workspace_id, from_kind, from_id, to_kind, to_id)
);
CREATE INDEX dependencies_to ON dependencies (workspace_id, to_kind, to_id);

CREATE TABLE events (
    seq          INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    at           TEXT    NOT NULL,
    author       INTEGER,
    kind         TEXT    NOT NULL,
    entity_kind  TEXT    NOT NULL,
    entity_id    INTEGER NOT NULL,
    before       TEXT,
    after        TEXT,
    reason       TEXT
);
CREATE INDEX events_entity ON events (workspace_id, entity_kind, entity_id, seq);

-- History is append-only: no statement may rewrite or remove an event.
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
