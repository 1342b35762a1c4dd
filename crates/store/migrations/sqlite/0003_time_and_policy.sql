-- Time actually spent and when work was done (estimate accuracy, reactive load, protected time),
-- the workspace's settings for capacity and requests, and each team's protected share (DESIGN §5).
ALTER TABLE items ADD COLUMN actual_hours REAL;
ALTER TABLE items ADD COLUMN done_at TEXT;
-- Items done before this column existed count as done when they were last changed.
UPDATE items SET done_at = updated_at WHERE status = 'done';

ALTER TABLE workspaces ADD COLUMN reactive_share REAL NOT NULL DEFAULT 0.5;
ALTER TABLE workspaces ADD COLUMN request_overdue_days INTEGER NOT NULL DEFAULT 5;

ALTER TABLE teams ADD COLUMN protected_share REAL NOT NULL DEFAULT 0;
