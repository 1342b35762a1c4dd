-- Idempotency keys (RELIABILITY T1, T17): a write made with a client's key records it on its
-- events, in the same transaction, so a retry after a lost answer finds the write instead of
-- making it twice. Keys are scoped to their author by the caller ("<person id>:<key>").
ALTER TABLE events ADD COLUMN request_key TEXT COLLATE "C";
CREATE INDEX events_request_key ON events (workspace_id, request_key);
