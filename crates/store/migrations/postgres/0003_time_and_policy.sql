-- Time actually spent and when work was done (estimate accuracy, reactive load, protected time),
-- the workspace's settings for capacity and requests, and each team's protected share (DESIGN §5).
-- The PostgreSQL twin of migrations/sqlite/0003_time_and_policy.sql (types: see 0001).
ALTER TABLE items ADD COLUMN actual_hours DOUBLE PRECISION;
ALTER TABLE items ADD COLUMN done_at TEXT COLLATE "C";
-- Items done before this column existed count as done when they were last changed.
UPDATE items SET done_at = updated_at WHERE status = 'done';

ALTER TABLE workspaces ADD COLUMN reactive_share DOUBLE PRECISION NOT NULL DEFAULT 0.5;
ALTER TABLE workspaces ADD COLUMN request_overdue_days BIGINT NOT NULL DEFAULT 5;

ALTER TABLE teams ADD COLUMN protected_share DOUBLE PRECISION NOT NULL DEFAULT 0;
