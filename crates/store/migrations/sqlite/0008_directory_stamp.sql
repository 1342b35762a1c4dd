-- The directory's stamp: a counter (`counters`, name 'directory') that every change to what
-- decides who a signed-in caller is and what they may do moves on: the workspace, people, teams
-- and their members, and a token's or session's revocation, expiry, owner or secret. A server
-- keeps the callers it has seen in memory for as long as the stamp is unchanged, so a request
-- reads one row instead of the token, the person, the workspace and their teams. The triggers
-- run in the writing transaction, so a change made by any process (another server, the CLI)
-- is seen by the next request everywhere. A token's last use is not part of it.

CREATE TRIGGER directory_workspaces_insert AFTER INSERT ON workspaces
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (NEW.id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_workspaces_update AFTER UPDATE ON workspaces
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (NEW.id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_people_insert AFTER INSERT ON people
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (NEW.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_people_update AFTER UPDATE ON people
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (NEW.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_people_delete AFTER DELETE ON people
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (OLD.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_teams_insert AFTER INSERT ON teams
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (NEW.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_teams_update AFTER UPDATE ON teams
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (NEW.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_teams_delete AFTER DELETE ON teams
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (OLD.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_team_members_insert AFTER INSERT ON team_members
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (NEW.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_team_members_update AFTER UPDATE ON team_members
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (NEW.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_team_members_delete AFTER DELETE ON team_members
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (OLD.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_api_tokens_update AFTER UPDATE OF person_id, hash, expires_at, revoked_at ON api_tokens
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (NEW.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_api_tokens_delete AFTER DELETE ON api_tokens
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (OLD.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_sessions_update AFTER UPDATE OF person_id, hash, csrf, expires_at, revoked_at ON sessions
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (NEW.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;

CREATE TRIGGER directory_sessions_delete AFTER DELETE ON sessions
BEGIN
    INSERT INTO counters (workspace_id, name, next) VALUES (OLD.workspace_id, 'directory', 1)
    ON CONFLICT (workspace_id, name) DO UPDATE SET next = next + 1;
END;
