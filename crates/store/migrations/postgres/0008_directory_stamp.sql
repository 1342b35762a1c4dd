-- The directory's stamp: a counter (`counters`, name 'directory') that every change to what
-- decides who a signed-in caller is and what they may do moves on: the workspace, people, teams
-- and their members, and a token's or session's revocation, expiry, owner or secret. A server
-- keeps the callers it has seen in memory for as long as the stamp is unchanged, so a request
-- reads one row instead of the token, the person, the workspace and their teams. The triggers
-- run in the writing transaction, so a change made by any process (another server, the CLI)
-- is seen by the next request everywhere. A token's last use is not part of it.

-- The PostgreSQL twin of migrations/sqlite/0008_directory_stamp.sql.

CREATE FUNCTION directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ws BIGINT;
BEGIN
    IF TG_TABLE_NAME = 'workspaces' THEN
        ws := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        ws := OLD.workspace_id;
    ELSE
        ws := NEW.workspace_id;
    END IF;
    INSERT INTO counters (workspace_id, name, next) VALUES (ws, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = counters.next + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER directory_workspaces AFTER INSERT OR UPDATE ON workspaces
    FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE TRIGGER directory_people AFTER INSERT OR UPDATE OR DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE TRIGGER directory_teams AFTER INSERT OR UPDATE OR DELETE ON teams
    FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE TRIGGER directory_team_members AFTER INSERT OR UPDATE OR DELETE ON team_members
    FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE TRIGGER directory_api_tokens AFTER UPDATE OF person_id, hash, expires_at, revoked_at OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE TRIGGER directory_sessions AFTER UPDATE OF person_id, hash, csrf, expires_at, revoked_at OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION directory_changed();
