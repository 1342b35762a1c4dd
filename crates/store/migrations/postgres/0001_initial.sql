-- The first schema: current-state tables plus the append-only event log. The PostgreSQL twin
-- of migrations/sqlite/0001_initial.sql: same tables, columns, keys and indexes, so that one
-- store behaviour holds on both backends.
-- Every table carries workspace_id, the key a sharded PostgreSQL would distribute by.
--
-- Types follow what the SQLite store reads and writes, not PostgreSQL's richer ones:
--  * integers are BIGINT (SQLite's INTEGER is 64-bit; the store binds and reads i64);
--  * REAL is DOUBLE PRECISION;
--  * dates are ISO 'YYYY-MM-DD' TEXT and timestamps RFC 3339 UTC TEXT with exactly six
--    fractional digits (codec::ts), not DATE/TIMESTAMPTZ: both sort correctly as text, and
--    both backends then return byte-identical values (a TIMESTAMPTZ would come back in another
--    text form, and the JSON rows the store reads would differ);
--  * every TEXT column uses the "C" collation: comparisons and ORDER BY are then by bytes, as
--    in SQLite, whatever collation the database was created with.
-- Ids are explicit (BIGINT without a default): the store assigns them from `counters` in the
-- writing transaction, as on SQLite, so they have no gaps. They are unique across the
-- database, yet every primary key, unique constraint and foreign key leads with workspace_id:
-- a PostgreSQL sharded by workspace (Citus: distribute every table by workspace_id, and
-- `workspaces` by id) can then enforce each of them on one shard (docs/scaling.md).

CREATE TABLE workspaces (
    id               BIGINT           PRIMARY KEY,
    name             TEXT COLLATE "C" NOT NULL,
    step_limit_hours DOUBLE PRECISION NOT NULL,
    default_person   BIGINT,
    tz               TEXT COLLATE "C" NOT NULL,
    version          BIGINT           NOT NULL
);

-- Allocators for internal ids (workspace_id 0) and human numbers per workspace (G-12, I-345).
CREATE TABLE counters (
    workspace_id BIGINT           NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    next         BIGINT           NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

CREATE TABLE people (
    id             BIGINT           NOT NULL,
    workspace_id   BIGINT           NOT NULL REFERENCES workspaces (id),
    handle         TEXT COLLATE "C" NOT NULL,
    name           TEXT COLLATE "C" NOT NULL,
    email          TEXT COLLATE "C",
    tz             TEXT COLLATE "C" NOT NULL,
    capacity_hours DOUBLE PRECISION NOT NULL,
    version        BIGINT           NOT NULL,
    UNIQUE (workspace_id, handle),
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE teams (
    id           BIGINT           NOT NULL,
    workspace_id BIGINT           NOT NULL REFERENCES workspaces (id),
    name         TEXT COLLATE "C" NOT NULL,
    lead         BIGINT           NOT NULL,
    version      BIGINT           NOT NULL,
    UNIQUE (workspace_id, name),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, lead) REFERENCES people (workspace_id, id)
);

CREATE TABLE team_members (
    workspace_id BIGINT NOT NULL,
    team_id      BIGINT NOT NULL,
    person_id    BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, team_id, person_id),
    FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id),
    FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id)
);
CREATE INDEX team_members_person ON team_members (workspace_id, person_id);

CREATE TABLE milestones (
    id           BIGINT           NOT NULL,
    workspace_id BIGINT           NOT NULL REFERENCES workspaces (id),
    num          BIGINT           NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    date         TEXT COLLATE "C" NOT NULL,
    version      BIGINT           NOT NULL,
    UNIQUE (workspace_id, num),
    UNIQUE (workspace_id, name),
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE goals (
    id           BIGINT           NOT NULL,
    workspace_id BIGINT           NOT NULL REFERENCES workspaces (id),
    num          BIGINT           NOT NULL,
    title        TEXT COLLATE "C" NOT NULL,
    outcome      TEXT COLLATE "C",
    owner        BIGINT,
    target_date  TEXT COLLATE "C",
    milestone_id BIGINT,
    team_id      BIGINT,
    closed       TEXT COLLATE "C",
    close_reason TEXT COLLATE "C",
    created_at   TEXT COLLATE "C" NOT NULL,
    updated_at   TEXT COLLATE "C" NOT NULL,
    version      BIGINT           NOT NULL,
    UNIQUE (workspace_id, num),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, owner) REFERENCES people (workspace_id, id),
    FOREIGN KEY (workspace_id, milestone_id) REFERENCES milestones (workspace_id, id),
    FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id)
);
CREATE INDEX goals_team ON goals (workspace_id, team_id);
CREATE INDEX goals_owner ON goals (workspace_id, owner);

CREATE TABLE items (
    id             BIGINT           NOT NULL,
    workspace_id   BIGINT           NOT NULL REFERENCES workspaces (id),
    num            BIGINT           NOT NULL,
    title          TEXT COLLATE "C" NOT NULL,
    outcome        TEXT COLLATE "C",
    owner          BIGINT,
    due_date       TEXT COLLATE "C",
    milestone_id   BIGINT,
    estimate_hours DOUBLE PRECISION,
    status         TEXT COLLATE "C" NOT NULL,
    status_reason  TEXT COLLATE "C",
    kind           TEXT COLLATE "C" NOT NULL,
    goal_id        BIGINT,
    created_at     TEXT COLLATE "C" NOT NULL,
    updated_at     TEXT COLLATE "C" NOT NULL,
    version        BIGINT           NOT NULL,
    UNIQUE (workspace_id, num),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, owner) REFERENCES people (workspace_id, id),
    FOREIGN KEY (workspace_id, milestone_id) REFERENCES milestones (workspace_id, id),
    FOREIGN KEY (workspace_id, goal_id) REFERENCES goals (workspace_id, id)
);
CREATE INDEX items_owner ON items (workspace_id, owner, status);
CREATE INDEX items_goal ON items (workspace_id, goal_id);

CREATE TABLE dependencies (
    id           BIGINT           NOT NULL,
    workspace_id BIGINT           NOT NULL REFERENCES workspaces (id),
    from_kind    TEXT COLLATE "C" NOT NULL,
    from_id      BIGINT           NOT NULL,
    to_kind      TEXT COLLATE "C" NOT NULL,
    to_id        BIGINT           NOT NULL,
    needed_by    TEXT COLLATE "C",
    created_at   TEXT COLLATE "C" NOT NULL,
    version      BIGINT           NOT NULL,
    UNIQUE (workspace_id, from_kind, from_id, to_kind, to_id),
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX dependencies_to ON dependencies (workspace_id, to_kind, to_id);

-- `seq` has no default either: the store numbers events max + 1 while it holds the
-- workspace's write lock (see postgres.rs), which makes seq order commit order and leaves no
-- gaps, as SQLite's rowid does. A sequence would hand out numbers in start order and lose
-- those of rolled-back transactions. `before` and `after` hold the entities' JSON as text,
-- byte for byte what SQLite keeps.
CREATE TABLE events (
    seq          BIGINT           NOT NULL,
    workspace_id BIGINT           NOT NULL,
    at           TEXT COLLATE "C" NOT NULL,
    author       BIGINT,
    kind         TEXT COLLATE "C" NOT NULL,
    entity_kind  TEXT COLLATE "C" NOT NULL,
    entity_id    BIGINT           NOT NULL,
    before       TEXT COLLATE "C",
    after        TEXT COLLATE "C",
    reason       TEXT COLLATE "C",
    PRIMARY KEY (workspace_id, seq)
);
CREATE INDEX events_entity ON events (workspace_id, entity_kind, entity_id, seq);

-- History is append-only: no statement may rewrite or remove an event.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only';
END;
$$;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
-- TRUNCATE has no SQLite counterpart but would remove history all the same.
CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
