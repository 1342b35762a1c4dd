-- Commitment requests (DESIGN §3): team X asks team Y for a deliverable by a date.
-- The PostgreSQL twin of migrations/sqlite/0002_requests.sql (types: see 0001).
CREATE TABLE requests (
    id           BIGINT           PRIMARY KEY,
    workspace_id BIGINT           NOT NULL REFERENCES workspaces (id),
    num          BIGINT           NOT NULL,
    from_team    BIGINT           REFERENCES teams (id),
    to_team      BIGINT           NOT NULL REFERENCES teams (id),
    deliverable  TEXT COLLATE "C" NOT NULL,
    needed_by    TEXT COLLATE "C" NOT NULL,
    for_kind     TEXT COLLATE "C",
    for_id       BIGINT,
    asked_by     BIGINT           REFERENCES people (id),
    state        TEXT COLLATE "C" NOT NULL,
    answered_by  BIGINT           REFERENCES people (id),
    note         TEXT COLLATE "C",
    item_id      BIGINT           REFERENCES items (id),
    created_at   TEXT COLLATE "C" NOT NULL,
    answered_at  TEXT COLLATE "C",
    version      BIGINT           NOT NULL,
    UNIQUE (workspace_id, num)
);
CREATE INDEX requests_to_team ON requests (workspace_id, to_team, state);
