-- Commitment requests (DESIGN §3): team X asks team Y for a deliverable by a date.
CREATE TABLE requests (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    num          INTEGER NOT NULL,
    from_team    INTEGER REFERENCES teams (id),
    to_team      INTEGER NOT NULL REFERENCES teams (id),
    deliverable  TEXT    NOT NULL,
    needed_by    TEXT    NOT NULL,
    for_kind     TEXT,
    for_id       INTEGER,
    asked_by     INTEGER REFERENCES people (id),
    state        TEXT    NOT NULL,
    answered_by  INTEGER REFERENCES people (id),
    note         TEXT,
    item_id      INTEGER REFERENCES items (id),
    created_at   TEXT    NOT NULL,
    answered_at  TEXT,
    version      INTEGER NOT NULL,
    UNIQUE (workspace_id, num)
);
CREATE INDEX requests_to_team ON requests (workspace_id, to_team, state);
