-- Kept with the forecast (same run, same transaction): what each open goal's items say of it
-- as a supplier — whether it is a plan, and `risk`, a JSON `GoalRisk` (whether an item is
-- blocked; due date and forecast finish of each open item that has a forecast). A review
-- judges the delivering goals its team's week did not touch from this row instead of reading
-- all their items. Not part of the event log.
CREATE TABLE kept_goals (
    workspace_id INTEGER NOT NULL,
    goal_id      INTEGER NOT NULL,
    plan         INTEGER NOT NULL,
    risk         TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, goal_id)
) WITHOUT ROWID;

-- The kept forecasts, made again without a rowid: a review looks up thousands of them by key,
-- and each lookup then reads the key's own row instead of an index entry and then the row.
-- They are derived data; the next read that needs them computes them again.
DROP TABLE forecasts;
CREATE TABLE forecasts (
    workspace_id INTEGER NOT NULL,
    node_kind    TEXT    NOT NULL,
    node_id      INTEGER NOT NULL,
    finish       TEXT,
    incomplete   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, node_kind, node_id)
) WITHOUT ROWID;

-- A forecast kept before this table existed has nothing kept of its goals: made stale, it is
-- computed again (with them) by the next read that needs it.
DELETE FROM forecast_runs;
