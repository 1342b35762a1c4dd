-- Forecasts are derived from everything else; computing them reads the whole workspace. The
-- last result is kept here with what it was computed from (the newest event and the day), so
-- that reads between two writes do not compute it again. Not part of the event log.
-- The PostgreSQL twin of migrations/sqlite/0004_forecast_cache.sql (types: see 0001).
CREATE TABLE forecast_runs (
    workspace_id BIGINT           PRIMARY KEY,
    event_seq    BIGINT           NOT NULL,
    today        TEXT COLLATE "C" NOT NULL
);

-- One row per open item (`finish` null: it cannot be forecast) and per open goal (`finish`
-- null with `incomplete` 0: nothing left to do). `incomplete` is 0 or 1, as on SQLite.
CREATE TABLE forecasts (
    workspace_id BIGINT           NOT NULL,
    node_kind    TEXT COLLATE "C" NOT NULL,
    node_id      BIGINT           NOT NULL,
    finish       TEXT COLLATE "C",
    incomplete   BIGINT           NOT NULL,
    PRIMARY KEY (workspace_id, node_kind, node_id)
);
