-- Forecasts are derived from everything else; computing them reads the whole workspace. The
-- last result is kept here with what it was computed from (the newest event and the day), so
-- that reads between two writes do not compute it again. Not part of the event log.
CREATE TABLE forecast_runs (
    workspace_id INTEGER PRIMARY KEY,
    event_seq    INTEGER NOT NULL,
    today        TEXT    NOT NULL
);

-- One row per open item (`finish` null: it cannot be forecast) and per open goal (`finish`
-- null with `incomplete` 0: nothing left to do).
CREATE TABLE forecasts (
    workspace_id INTEGER NOT NULL,
    node_kind    TEXT    NOT NULL,
    node_id      INTEGER NOT NULL,
    finish       TEXT,
    incomplete   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, node_kind, node_id)
);
