//! Signed-in callers, kept in memory between requests while the directory is unchanged.
//!
//! Every request needs to know who its caller is (their token or session, and their person)
//! and what they may do (their role and teams, and the workspace). That changes rarely, but
//! read each time it was four statements of a single-item GET's seven. A server keeps the
//! callers it has seen together with the directory's stamp ([`Store::directory_stamp`])
//! they were read under, and a request reads only the stamp. A trigger in the database
//! moves the stamp on with every change to the directory, whichever process makes it
//! (another server, the CLI): a revoked token, a suspended person or a new team lead is seen
//! by the next request, which reads its caller afresh. Expiry needs no stamp: it is checked on
//! every request against the kept token or session.

use std::sync::{Arc, Mutex, PoisonError};

use jiff::Timestamp;
use landed_core::authz::Actor;
use landed_core::hash::HashMap;
use landed_core::model::{Person, Workspace};
use landed_store::{ApiToken, Session, Store};

use crate::accounts::{self, Refused};
use crate::{Result, access};

/// At most this many tokens, and as many sessions, are kept; past it the kept ones are
/// dropped and read again as they come back.
const MAX_KEPT: usize = 10_000;

/// Who a signed-in caller is and what they may do: what their requests' contexts need.
#[derive(Debug, Clone)]
pub struct Signed {
    pub person: Person,
    pub actor: Actor,
    pub workspace: Workspace,
}

/// The callers a server has seen (see the module's documentation).
#[derive(Debug, Default)]
pub struct Callers {
    kept: Mutex<Kept>,
}

/// What is kept, all read under one stamp.
#[derive(Debug, Default)]
struct Kept {
    stamp: i64,
    workspace: Option<Workspace>,
    /// By the SHA-256 of the token.
    tokens: HashMap<String, (ApiToken, Arc<Signed>)>,
    /// By the SHA-256 of the cookie.
    sessions: HashMap<String, (Session, Arc<Signed>)>,
}

impl Callers {
    pub fn new() -> Callers {
        Callers::default()
    }

    /// Who an API token stands for, if it may be used now and they are not suspended. The
    /// token's last use is recorded at most once a minute.
    pub async fn by_token<S: Store>(
        &self,
        store: &S,
        token: &str,
        now: Timestamp,
    ) -> Result<std::result::Result<Arc<Signed>, Refused>> {
        if !accounts::token_shaped(token) {
            return Ok(Err(Refused::BadToken));
        }
        let hash = accounts::digest(token);
        let stamp = store.directory_stamp().await?;
        let found = self
            .under(stamp, |k| k.tokens.get(&hash).cloned())
            .flatten();
        let (mut token, signed, fresh) = match found {
            Some((t, s)) => (t, s, false),
            None => match accounts::token_holder(store, &hash, now).await? {
                Ok((t, person)) => (t, self.sign(store, stamp, person).await?, true),
                Err(refused) => return Ok(Err(refused)),
            },
        };
        if !accounts::token_usable(&token, now) {
            return Ok(Err(Refused::BadToken));
        }
        let touch = accounts::touch_due(&token, now);
        if touch {
            store.touch_token(token.id, now).await?;
            token.last_used_at = Some(now);
        }
        if fresh || touch {
            self.under(stamp, |k| {
                keep(&mut k.tokens, hash, (token, signed.clone()))
            });
        }
        Ok(Ok(signed))
    }

    /// The session a cookie holds and who it stands for, if it is open and they are not
    /// suspended.
    pub async fn by_session<S: Store>(
        &self,
        store: &S,
        cookie: &str,
        now: Timestamp,
    ) -> Result<std::result::Result<(Session, Arc<Signed>), Refused>> {
        if !accounts::cookie_shaped(cookie) {
            return Ok(Err(Refused::BadSession));
        }
        let hash = accounts::digest(cookie);
        let stamp = store.directory_stamp().await?;
        let found = self
            .under(stamp, |k| k.sessions.get(&hash).cloned())
            .flatten();
        let (session, signed) = match found {
            Some(kept) => kept,
            None => match accounts::session_holder(store, &hash, now).await? {
                Ok((session, person)) => {
                    let signed = self.sign(store, stamp, person).await?;
                    let kept = (session, signed);
                    self.under(stamp, |k| keep(&mut k.sessions, hash, kept.clone()));
                    kept
                }
                Err(refused) => return Ok(Err(refused)),
            },
        };
        if !accounts::session_usable(&session, now) {
            return Ok(Err(Refused::BadSession));
        }
        Ok(Ok((session, signed)))
    }

    /// What `person` may do, and the workspace, read under `stamp`.
    async fn sign<S: Store>(&self, store: &S, stamp: i64, person: Person) -> Result<Arc<Signed>> {
        let workspace = match self.under(stamp, |k| k.workspace.clone()).flatten() {
            Some(w) => w,
            None => {
                let w = store.workspace().await?;
                self.under(stamp, |k| k.workspace = Some(w.clone()));
                w
            }
        };
        let actor = access::actor(store, &person).await?;
        Ok(Arc::new(Signed {
            person,
            actor,
            workspace,
        }))
    }

    /// Run `f` on what is kept under `stamp`: what was kept under an older stamp is dropped
    /// first. `None`, without running `f`, when a newer stamp has been seen already (this
    /// request read the stamp before another change).
    fn under<T>(&self, stamp: i64, f: impl FnOnce(&mut Kept) -> T) -> Option<T> {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.stamp > stamp {
            return None;
        }
        if kept.stamp < stamp {
            *kept = Kept {
                stamp,
                ..Kept::default()
            };
        }
        Some(f(&mut kept))
    }
}

fn keep<V>(map: &mut HashMap<String, V>, hash: String, value: V) {
    if map.len() >= MAX_KEPT && !map.contains_key(&hash) {
        map.clear();
    }
    map.insert(hash, value);
}
