//! The steps of a PostgreSQL write, inside its transaction: the workspace's write lock, ids and
//! numbers, rows, versioned updates and the events. The SQL is the SQLite store's (`sqlite.rs`)
//! wherever PostgreSQL runs it unchanged; where it differs, a comment says why.

use jiff::Timestamp;
use landed_core::event::{Entity, EntityKind};
use landed_core::model::Id;
use sqlx::{Postgres, QueryBuilder, Transaction};

use crate::codec::{self, ts};
use crate::{Meta, Result, StoreError, kind_runs, stamp_new};

pub(super) type Tx = Transaction<'static, Postgres>;

/// Rows per multi-row INSERT: keeps the bound parameters (18 per item) far under
/// PostgreSQL's limit of 65,535.
pub(super) const ROWS_PER_INSERT: usize = 1_000;

/// Take the workspace's write lock for the rest of `tx`.
///
/// SQLite lets one writer in at a time; PostgreSQL lets many, and several `landed serve`
/// processes may share one database (DESIGN §10). Every writing transaction takes this lock
/// first, so writes to one workspace still happen one after the other: the counters hand out
/// numbers without two transactions waiting on each other's counter rows (a deadlock when
/// one creates an item then a goal and the other a goal then an item), and events are
/// numbered in commit order with no gaps (see `append_events`), so whoever read up to `seq` has
/// seen everything before it. `FOR NO KEY UPDATE` leaves alone the key-share locks that foreign
/// key checks take, so settings and sign-ins that refer to the workspace do not wait. Reads
/// never wait for it.
pub(super) async fn lock_workspace(tx: &mut Tx, ws: Id) -> Result<()> {
    let found: Option<Id> =
        sqlx::query_scalar("SELECT id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE")
            .bind(ws)
            .fetch_optional(&mut **tx)
            .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::Corrupt(format!(
            "workspace {ws} is no longer in the database"
        ))),
    }
}

/// Reserve `n` consecutive values of a counter, returning the first. One statement where
/// SQLite needs two: the upsert also locks the counter row until the transaction ends.
async fn allocate(tx: &mut Tx, ws: Id, name: &str, n: usize) -> Result<i64> {
    let n = n as i64;
    let first: i64 = sqlx::query_scalar(
        "INSERT INTO counters (workspace_id, name, next) VALUES ($1, $2, 1 + $3) \
         ON CONFLICT (workspace_id, name) DO UPDATE SET next = counters.next + $3 \
         RETURNING next - $3",
    )
    .bind(ws)
    .bind(name)
    .bind(n)
    .fetch_one(&mut **tx)
    .await?;
    Ok(first)
}

pub(super) fn unique_to_duplicate(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate(what.into()),
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            StoreError::Missing(format!("something {what} refers to"))
        }
        _ => StoreError::Db(e),
    }
}

/// The table an entity kind lives in.
pub(super) fn table(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Workspace => "workspaces",
        EntityKind::Person => "people",
        EntityKind::Team => "teams",
        EntityKind::Milestone => "milestones",
        EntityKind::Goal => "goals",
        EntityKind::Item => "items",
        EntityKind::Dependency => "dependencies",
        EntityKind::Request => "requests",
        EntityKind::CheckIn => "checkins",
    }
}

/// Give new entities their ids and numbers, version 1.
pub(super) async fn assign_ids(
    tx: &mut Tx,
    ws: Id,
    at: Timestamp,
    entities: &mut [Entity],
) -> Result<()> {
    for run in kind_runs(entities) {
        let kind = entities[run.start].kind();
        let n = run.len();
        let id0 = allocate(tx, 0, &format!("id:{}", kind.as_str()), n).await?;
        let num0 = match kind {
            EntityKind::Goal | EntityKind::Item | EntityKind::Milestone | EntityKind::Request => {
                allocate(tx, ws, &format!("num:{}", kind.as_str()), n).await?
            }
            _ => 0,
        };
        let at = codec::round_ts(at);
        for (k, e) in entities[run].iter_mut().enumerate() {
            stamp_new(e, id0 + k as i64, num0 + k as i64, at);
        }
    }
    Ok(())
}

/// Insert rows of one kind with multi-row INSERTs.
pub(super) async fn insert_rows(tx: &mut Tx, ws: Id, rows: &[Entity]) -> Result<()> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let what = first.label();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(match first {
            Entity::Workspace(_) => {
                "INSERT INTO workspaces (id, name, step_limit_hours, default_person, tz, reactive_share, \
                 request_overdue_days, version) "
            }
            Entity::Person(_) => {
                "INSERT INTO people (id, workspace_id, handle, name, email, tz, capacity_hours, role, \
                 suspended, version) "
            }
            Entity::Team(_) => {
                "INSERT INTO teams (id, workspace_id, name, lead, protected_share, version) "
            }
            Entity::Milestone(_) => {
                "INSERT INTO milestones (id, workspace_id, num, name, date, version) "
            }
            Entity::Goal(_) => {
                "INSERT INTO goals (id, workspace_id, num, title, outcome, owner, target_date, \
                 milestone_id, team_id, closed, close_reason, created_at, updated_at, version) "
            }
            Entity::Item(_) => {
                "INSERT INTO items (id, workspace_id, num, title, outcome, owner, due_date, \
                 milestone_id, estimate_hours, status, status_reason, kind, goal_id, actual_hours, \
                 done_at, created_at, updated_at, version) "
            }
            Entity::Dependency(_) => {
                "INSERT INTO dependencies (id, workspace_id, from_kind, from_id, to_kind, to_id, \
                 needed_by, created_at, version) "
            }
            Entity::Request(_) => {
                "INSERT INTO requests (id, workspace_id, num, from_team, to_team, deliverable, \
                 needed_by, for_kind, for_id, asked_by, state, answered_by, note, item_id, \
                 created_at, answered_at, version) "
            }
            Entity::CheckIn(_) => {
                "INSERT INTO checkins (id, workspace_id, person_id, week, body, created_at, \
                 updated_at, version) "
            }
        });
        qb.push_values(chunk, |mut b, e| match e {
            Entity::Workspace(w) => {
                b.push_bind(w.id)
                    .push_bind(w.name.clone())
                    .push_bind(w.step_limit_hours)
                    .push_bind(w.default_person)
                    .push_bind(w.tz.clone())
                    .push_bind(w.reactive_share)
                    .push_bind(w.request_overdue_days)
                    .push_bind(w.version);
            }
            Entity::Person(p) => {
                b.push_bind(p.id)
                    .push_bind(ws)
                    .push_bind(p.handle.clone())
                    .push_bind(p.name.clone())
                    .push_bind(p.email.clone())
                    .push_bind(p.tz.clone())
                    .push_bind(p.capacity_hours)
                    .push_bind(p.role.as_str())
                    .push_bind(i64::from(p.suspended))
                    .push_bind(p.version);
            }
            Entity::Team(t) => {
                b.push_bind(t.id)
                    .push_bind(ws)
                    .push_bind(t.name.clone())
                    .push_bind(t.lead)
                    .push_bind(t.protected_share)
                    .push_bind(t.version);
            }
            Entity::Milestone(m) => {
                b.push_bind(m.id)
                    .push_bind(ws)
                    .push_bind(m.num)
                    .push_bind(m.name.clone())
                    .push_bind(m.date.to_string())
                    .push_bind(m.version);
            }
            Entity::Goal(g) => {
                b.push_bind(g.id)
                    .push_bind(ws)
                    .push_bind(g.num)
                    .push_bind(g.title.clone())
                    .push_bind(g.outcome.clone())
                    .push_bind(g.owner)
                    .push_bind(codec::own_date(&g.target))
                    .push_bind(g.target.milestone)
                    .push_bind(g.team)
                    .push_bind(codec::closure_str(g.closed))
                    .push_bind(g.close_reason.clone())
                    .push_bind(ts(g.created_at))
                    .push_bind(ts(g.updated_at))
                    .push_bind(g.version);
            }
            Entity::Item(i) => {
                b.push_bind(i.id)
                    .push_bind(ws)
                    .push_bind(i.num)
                    .push_bind(i.title.clone())
                    .push_bind(i.outcome.clone())
                    .push_bind(i.owner)
                    .push_bind(codec::own_date(&i.due))
                    .push_bind(i.due.milestone)
                    .push_bind(i.estimate_hours)
                    .push_bind(i.status.as_str())
                    .push_bind(i.status_reason.clone())
                    .push_bind(i.kind.as_str())
                    .push_bind(i.goal)
                    .push_bind(i.actual_hours)
                    .push_bind(i.done_at.map(ts))
                    .push_bind(ts(i.created_at))
                    .push_bind(ts(i.updated_at))
                    .push_bind(i.version);
            }
            Entity::Dependency(d) => {
                let (fk, fid) = codec::node_kind(d.from);
                let (tk, tid) = codec::node_kind(d.to);
                b.push_bind(d.id)
                    .push_bind(ws)
                    .push_bind(fk)
                    .push_bind(fid)
                    .push_bind(tk)
                    .push_bind(tid)
                    .push_bind(codec::date(d.needed_by))
                    .push_bind(ts(d.created_at))
                    .push_bind(d.version);
            }
            Entity::Request(r) => {
                let (fk, fid) = r.for_node.map(codec::node_kind).unzip();
                b.push_bind(r.id)
                    .push_bind(ws)
                    .push_bind(r.num)
                    .push_bind(r.from_team)
                    .push_bind(r.to_team)
                    .push_bind(r.deliverable.clone())
                    .push_bind(r.needed_by.to_string())
                    .push_bind(fk)
                    .push_bind(fid)
                    .push_bind(r.asked_by)
                    .push_bind(r.state.as_str())
                    .push_bind(r.answered_by)
                    .push_bind(r.note.clone())
                    .push_bind(r.item)
                    .push_bind(ts(r.created_at))
                    .push_bind(r.answered_at.map(ts))
                    .push_bind(r.version);
            }
            Entity::CheckIn(c) => {
                b.push_bind(c.id)
                    .push_bind(ws)
                    .push_bind(c.person)
                    .push_bind(c.week.to_string())
                    .push_bind(codec::checkin_body(c))
                    .push_bind(ts(c.created_at))
                    .push_bind(ts(c.updated_at))
                    .push_bind(c.version);
            }
        });
        qb.build()
            .execute(&mut **tx)
            .await
            .map_err(|e| unique_to_duplicate(e, &what))?;
    }
    let members: Vec<(Id, Id)> = rows
        .iter()
        .filter_map(|e| match e {
            Entity::Team(t) => Some(t.members.iter().map(move |m| (t.id, *m))),
            _ => None,
        })
        .flatten()
        .collect();
    insert_members(tx, ws, &members).await
}

async fn insert_members(tx: &mut Tx, ws: Id, members: &[(Id, Id)]) -> Result<()> {
    for chunk in members.chunks(ROWS_PER_INSERT) {
        let mut qb: QueryBuilder<Postgres> =
            QueryBuilder::new("INSERT INTO team_members (workspace_id, team_id, person_id) ");
        qb.push_values(chunk, |mut b, (team, person)| {
            b.push_bind(ws).push_bind(*team).push_bind(*person);
        });
        qb.build()
            .execute(&mut **tx)
            .await
            .map_err(|e| unique_to_duplicate(e, "team member"))?;
    }
    Ok(())
}

/// An event row to append.
pub(super) struct NewEvent<'a> {
    pub meta: &'a Meta,
    pub before: Option<&'a Entity>,
    pub after: Option<&'a Entity>,
}

fn json(e: Option<&Entity>) -> Result<Option<String>> {
    e.map(|e| serde_json::to_string(e).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// Append events, numbered after the newest one. The caller holds the workspace's write lock
/// (or, in `init`, the table lock), so nobody else numbers events meanwhile, and numbers
/// follow commit order: a reader that saw `seq` N will never later find an event below N
/// appear. A sequence would number them in start order instead (a slow transaction commits a
/// lower seq after a faster one's higher) and lose the numbers of rolled-back ones.
pub(super) async fn append_events(tx: &mut Tx, ws: Id, events: &[NewEvent<'_>]) -> Result<()> {
    // Under the workspace's write lock: no other write with the same key commits meanwhile.
    if let Some(key) = events.first().and_then(|e| e.meta.key.as_deref()) {
        let used: Option<i32> = sqlx::query_scalar(
            "SELECT 1 FROM events WHERE workspace_id = $1 AND request_key = $2 LIMIT 1",
        )
        .bind(ws)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
        if used.is_some() {
            return Err(StoreError::KeyInUse);
        }
    }
    // With the workspace named, the maximum is one step of the primary key's index
    // (workspace_id, seq); without it, a scan of every event while the write lock is held.
    let mut seq: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE workspace_id = $1")
            .bind(ws)
            .fetch_one(&mut **tx)
            .await?;
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let mut rows = Vec::with_capacity(chunk.len());
        for e in chunk {
            let Some(subject) = e.after.or(e.before) else {
                return Err(StoreError::Corrupt(
                    "an event about no entity (neither before nor after)".into(),
                ));
            };
            rows.push((
                seq,
                e,
                subject.kind(),
                subject.id(),
                json(e.before)?,
                json(e.after)?,
            ));
            seq += 1;
        }
        let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(
            "INSERT INTO events (seq, workspace_id, at, author, kind, entity_kind, entity_id, \
             before, after, reason, request_key) ",
        );
        qb.push_values(rows, |mut b, (seq, e, kind, id, before, after)| {
            b.push_bind(seq)
                .push_bind(ws)
                .push_bind(ts(e.meta.at))
                .push_bind(e.meta.author)
                .push_bind(e.meta.kind.as_str())
                .push_bind(kind.as_str())
                .push_bind(id)
                .push_bind(before)
                .push_bind(after)
                .push_bind(e.meta.reason.clone())
                .push_bind(e.meta.key.clone());
        });
        qb.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Overwrite one row with `after` if its version is still `expected`: how many rows changed.
pub(super) async fn update_row(tx: &mut Tx, ws: Id, expected: i64, after: &Entity) -> Result<u64> {
    let q = match after {
        Entity::Workspace(w) => sqlx::query(
            "UPDATE workspaces SET name = $3, step_limit_hours = $4, default_person = $5, tz = $6, \
             reactive_share = $7, request_overdue_days = $8, version = version + 1 \
             WHERE id = $1 AND version = $2",
        )
        .bind(w.id)
        .bind(expected)
        .bind(w.name.clone())
        .bind(w.step_limit_hours)
        .bind(w.default_person)
        .bind(w.tz.clone())
        .bind(w.reactive_share)
        .bind(w.request_overdue_days),
        Entity::Person(p) => sqlx::query(
            "UPDATE people SET handle = $4, name = $5, email = $6, tz = $7, capacity_hours = $8, \
             role = $9, suspended = $10, version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(p.id)
        .bind(expected)
        .bind(ws)
        .bind(p.handle.clone())
        .bind(p.name.clone())
        .bind(p.email.clone())
        .bind(p.tz.clone())
        .bind(p.capacity_hours)
        .bind(p.role.as_str())
        .bind(i64::from(p.suspended)),
        Entity::Team(t) => sqlx::query(
            "UPDATE teams SET name = $4, lead = $5, protected_share = $6, version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(t.id)
        .bind(expected)
        .bind(ws)
        .bind(t.name.clone())
        .bind(t.lead)
        .bind(t.protected_share),
        Entity::Milestone(m) => sqlx::query(
            "UPDATE milestones SET name = $4, date = $5, version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(m.id)
        .bind(expected)
        .bind(ws)
        .bind(m.name.clone())
        .bind(m.date.to_string()),
        Entity::Goal(g) => sqlx::query(
            "UPDATE goals SET title = $4, outcome = $5, owner = $6, target_date = $7, \
             milestone_id = $8, team_id = $9, closed = $10, close_reason = $11, updated_at = $12, \
             version = version + 1 WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(g.id)
        .bind(expected)
        .bind(ws)
        .bind(g.title.clone())
        .bind(g.outcome.clone())
        .bind(g.owner)
        .bind(codec::own_date(&g.target))
        .bind(g.target.milestone)
        .bind(g.team)
        .bind(codec::closure_str(g.closed))
        .bind(g.close_reason.clone())
        .bind(ts(g.updated_at)),
        Entity::Item(i) => sqlx::query(
            "UPDATE items SET title = $4, outcome = $5, owner = $6, due_date = $7, \
             milestone_id = $8, estimate_hours = $9, status = $10, status_reason = $11, kind = $12, \
             goal_id = $13, actual_hours = $14, done_at = $15, updated_at = $16, \
             version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(i.id)
        .bind(expected)
        .bind(ws)
        .bind(i.title.clone())
        .bind(i.outcome.clone())
        .bind(i.owner)
        .bind(codec::own_date(&i.due))
        .bind(i.due.milestone)
        .bind(i.estimate_hours)
        .bind(i.status.as_str())
        .bind(i.status_reason.clone())
        .bind(i.kind.as_str())
        .bind(i.goal)
        .bind(i.actual_hours)
        .bind(i.done_at.map(ts))
        .bind(ts(i.updated_at)),
        Entity::Request(r) => sqlx::query(
            "UPDATE requests SET deliverable = $4, needed_by = $5, state = $6, answered_by = $7, \
             note = $8, item_id = $9, answered_at = $10, version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(r.id)
        .bind(expected)
        .bind(ws)
        .bind(r.deliverable.clone())
        .bind(r.needed_by.to_string())
        .bind(r.state.as_str())
        .bind(r.answered_by)
        .bind(r.note.clone())
        .bind(r.item)
        .bind(r.answered_at.map(ts)),
        Entity::Dependency(d) => sqlx::query(
            "UPDATE dependencies SET needed_by = $4, version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(d.id)
        .bind(expected)
        .bind(ws)
        .bind(codec::date(d.needed_by)),
        Entity::CheckIn(c) => sqlx::query(
            "UPDATE checkins SET body = $4, updated_at = $5, version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(c.id)
        .bind(expected)
        .bind(ws)
        .bind(codec::checkin_body(c))
        .bind(ts(c.updated_at)),
    };
    let done = q
        .execute(&mut **tx)
        .await
        .map_err(|e| unique_to_duplicate(e, &after.label()))?;
    if done.rows_affected() == 1
        && let Entity::Team(t) = after
    {
        sqlx::query("DELETE FROM team_members WHERE workspace_id = $1 AND team_id = $2")
            .bind(ws)
            .bind(t.id)
            .execute(&mut **tx)
            .await?;
        let members: Vec<(Id, Id)> = t.members.iter().map(|m| (t.id, *m)).collect();
        insert_members(tx, ws, &members).await?;
    }
    Ok(done.rows_affected())
}

/// The entity as it will be after an update: next version, `updated_at` = the change time.
pub(super) fn bumped(mut after: Entity, version: i64, at: Timestamp) -> Entity {
    let at = codec::round_ts(at);
    match &mut after {
        Entity::Workspace(x) => x.version = version,
        Entity::Person(x) => x.version = version,
        Entity::Team(x) => {
            x.version = version;
            x.members.sort_unstable();
            x.members.dedup();
        }
        Entity::Milestone(x) => x.version = version,
        Entity::Goal(x) => (x.version, x.updated_at) = (version, at),
        Entity::Item(x) => (x.version, x.updated_at) = (version, at),
        Entity::Dependency(x) => x.version = version,
        Entity::Request(x) => x.version = version,
        Entity::CheckIn(x) => (x.version, x.updated_at) = (version, at),
    }
    after
}

/// The error for an update of `before` into a different entity, if it is one.
pub(super) fn same_entity(before: &Entity, after: &Entity) -> Result<()> {
    if before.kind() != after.kind() || before.id() != after.id() {
        return Err(StoreError::Corrupt(format!(
            "update of {} into a different entity",
            before.label()
        )));
    }
    Ok(())
}

/// Update `before` into `after` (bumped) inside `tx`, or the conflict error when someone
/// changed it since it was read.
pub(super) async fn update_checked(
    tx: &mut Tx,
    ws: Id,
    meta: &Meta,
    before: &Entity,
    after: Entity,
) -> Result<Entity> {
    same_entity(before, &after)?;
    let expected = before.version();
    let after = bumped(after, expected + 1, meta.at);
    if update_row(tx, ws, expected, &after).await? != 1 {
        return Err(StoreError::Conflict {
            entity: before.label(),
            expected,
        });
    }
    Ok(after)
}
