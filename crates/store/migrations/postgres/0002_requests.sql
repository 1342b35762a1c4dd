-- Commitment requests (DESIGN §3): team X asks team Y for a deliverable by a date.
-- The PostgreSQL twin of migrations/sqlite/0002_requests.sql (types: see 0001).
CREATE TABLE requests (
    id           BIGINT           NOT NULL,
    workspace_id BIGINT           NOT NULL REFERENCES workspaces (id),
    num          BIGINT           NOT NULL,
    from_team    BIGINT,
    to_team      BIGINT           NOT NULL,
    deliverable  TEXT COLLATE "C" NOT NULL,
    needed_by    TEXT COLLATE "C" NOT NULL,
    for_kind     TEXT COLLATE "C",
    for_id       BIGINT,
    asked_by     BIGINT,
    state        TEXT COLLATE "C" NOT NULL,
    answered_by  BIGINT,
    note         TEXT COLLATE "C",
    item_id      BIGINT,
    created_at   TEXT COLLATE "C" NOT NULL,
    answered_at  TEXT COLLATE "C",
    version      BIGINT           NOT NULL,
    UNIQUE (workspace_id, num),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, from_team) REFERENCES teams (workspace_id, id),
    FOREIGN KEY (workspace_id, to_team) REFERENCES teams (workspace_id, id),
    FOREIGN KEY (workspace_id, asked_by) REFERENCES people (workspace_id, id),
    FOREIGN KEY (workspace_id, answered_by) REFERENCES people (workspace_id, id),
    FOREIGN KEY (workspace_id, item_id) REFERENCES items (workspace_id, id)
);
CREATE INDEX requests_to_team ON requests (workspace_id, to_team, state);
