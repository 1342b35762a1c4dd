-- The PostgreSQL twin of migrations/sqlite/0009_kept_goals.sql (types: see 0001): kept with
-- the forecast, what each open goal's items say of it as a supplier. `plan` is 0 or 1, as on
-- SQLite; `risk` is a JSON `GoalRisk`.
CREATE TABLE kept_goals (
    workspace_id BIGINT NOT NULL,
    goal_id      BIGINT NOT NULL,
    plan         BIGINT NOT NULL,
    risk         TEXT   NOT NULL,
    PRIMARY KEY (workspace_id, goal_id)
);

-- A forecast kept before this table existed has nothing kept of its goals: made stale, it is
-- computed again (with them) by the next read that needs it.
DELETE FROM forecast_runs;
