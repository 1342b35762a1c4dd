//! Accounts (DESIGN §9): passwords (argon2id), API tokens (shown once, kept as a SHA-256),
//! web sessions (a random cookie secret, kept as a SHA-256, with a CSRF token) and rate-limited
//! sign-in. Roles live on the person (`Person::role`), so changing one is an event.

use base64::Engine as _;
use jiff::{SignedDuration, Timestamp};
use landed_core::authz::{Action, Role};
use landed_core::model::Person;
use landed_core::validate;
use landed_store::{ApiToken, Session, Store};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{AppError, Ctx, Result, Surface, org, resolve};

/// Every API token starts with this, so leaked tokens are easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "ldt_";
/// Passwords shorter than this are refused.
pub const MIN_PASSWORD: usize = 12;
/// Longer ones too: hashing a megabyte on every sign-in attempt would be a denial of service.
pub const MAX_PASSWORD: usize = 1024;
/// How long a web session lasts.
pub const SESSION_DAYS: i64 = 14;
/// Failed sign-ins allowed per account, and per address, in [`LOCKOUT_WINDOW`].
pub const MAX_FAILURES: i64 = 5;
pub const LOCKOUT_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// How stale a token's "last used" may get before a request records it again.
const TOUCH_EVERY: SignedDuration = SignedDuration::from_mins(1);

/// The SHA-256 of a secret, in hex: what the store keeps of tokens and session cookies.
pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// 32 random bytes, URL-safe.
fn secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A strong password for a new account (24 URL-safe characters, 144 random bits), for the
/// person to change.
pub fn generate_password() -> String {
    let mut bytes = [0u8; 18];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An argon2id PHC string for `password` (checked for length first).
pub fn hash_password(password: &str) -> Result<String> {
    use argon2::password_hash::PasswordHasher as _;
    let n = password.chars().count();
    if n < MIN_PASSWORD || password.len() > MAX_PASSWORD {
        return Err(AppError::Invalid(validate::Invalid {
            field: "password",
            problem: format!(
                "must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long (it has {n}); \
                 a few words in a row make a good one"
            ),
        }));
    }
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::NotAllowed(format!("cannot hash the password: {e}")))
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::PasswordVerifier as _;
    if password.len() > MAX_PASSWORD {
        return false;
    }
    match argon2::password_hash::phc::PasswordHash::new(hash) {
        Ok(parsed) => argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// What `landed admin create` made.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AdminMade {
    pub handle: String,
    /// The person existed and was made an admin.
    pub promoted: bool,
}

/// Make `handle` a workspace admin with this password: a new person, or an existing one
/// promoted. This is how a new install gets its first account (from the machine itself).
pub async fn create_admin<S: Store>(
    ctx: &Ctx<'_, S>,
    handle: &str,
    name: Option<&str>,
    password: &str,
) -> Result<AdminMade> {
    let hash = hash_password(password)?;
    let handle = handle.trim_start_matches('@');
    let (person, promoted) = match ctx.store.person_by_handle(handle).await? {
        Some(p) if p.role == Role::Admin && !p.suspended => (p, false),
        Some(p) => {
            let mut after = p.clone();
            after.role = Role::Admin;
            after.suspended = false;
            let meta = ctx.meta(landed_core::event::EventKind::Updated);
            (ctx.update(&meta, p, after).await?, true)
        }
        None => {
            let name = name.ok_or_else(|| {
                AppError::Invalid(validate::Invalid {
                    field: "name",
                    problem: format!("@{handle} is new: give their name with --name \"Full Name\""),
                })
            })?;
            let p = org::add_person(
                ctx,
                org::NewPerson {
                    handle: handle.to_string(),
                    name: name.to_string(),
                    role: Some(Role::Admin),
                    ..org::NewPerson::default()
                },
            )
            .await?;
            (p, false)
        }
    };
    ctx.store.set_password(person.id, &hash, ctx.now).await?;
    Ok(AdminMade {
        handle: person.handle,
        promoted,
    })
}

/// Set a person's password (themself, or an admin for anyone); their sessions end.
pub async fn set_password<S: Store>(ctx: &Ctx<'_, S>, handle: &str, password: &str) -> Result<()> {
    let person = resolve::person(ctx.store, handle).await?;
    ctx.allow(Action::Tokens { person: person.id })?;
    let hash = hash_password(password)?;
    ctx.store.set_password(person.id, &hash, ctx.now).await?;
    ctx.store.revoke_sessions(person.id, ctx.now).await?;
    Ok(())
}

/// A token as listed: never the token itself.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct TokenView {
    pub id: i64,
    pub person: String,
    pub name: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    /// Usable now: neither revoked nor expired.
    pub active: bool,
}

/// A token just created: `token` is shown this once and cannot be read again.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NewToken {
    pub token: String,
    #[serde(flatten)]
    pub view: TokenView,
}

fn token_view(t: &ApiToken, handle: &str, now: Timestamp) -> TokenView {
    TokenView {
        id: t.id,
        person: handle.to_string(),
        name: t.name.clone(),
        created_at: t.created_at,
        expires_at: t.expires_at,
        revoked_at: t.revoked_at,
        last_used_at: t.last_used_at,
        active: token_usable(t, now),
    }
}

/// Create an API token for `handle` (default: the actor), valid for `days` (default: until
/// revoked).
pub async fn create_token<S: Store>(
    ctx: &Ctx<'_, S>,
    handle: Option<&str>,
    name: &str,
    days: Option<i64>,
) -> Result<NewToken> {
    let person = match handle {
        Some(h) => resolve::person(ctx.store, h).await?,
        None => ctx.require_actor()?.clone(),
    };
    ctx.allow(Action::Tokens { person: person.id })?;
    let name = validate::required("name", name, validate::MAX_NAME)?;
    let expires = match days {
        Some(d) if !(1..=3660).contains(&d) => {
            return Err(AppError::Invalid(validate::Invalid {
                field: "days",
                problem: format!("{d} is not between 1 and 3660"),
            }));
        }
        Some(d) => Some(ctx.now + SignedDuration::from_hours(24 * d)),
        None => None,
    };
    let token = format!("{TOKEN_PREFIX}{}", secret());
    let kept = ctx
        .store
        .create_token(person.id, &name, &digest(&token), ctx.now, expires)
        .await?;
    Ok(NewToken {
        token,
        view: token_view(&kept, &person.handle, ctx.now),
    })
}

/// The tokens of `handle` (default: the actor); an admin may list everyone's with `all`.
pub async fn tokens<S: Store>(
    ctx: &Ctx<'_, S>,
    handle: Option<&str>,
    all: bool,
) -> Result<Vec<TokenView>> {
    let people = ctx.store.people().await?;
    let person = if all {
        ctx.allow(Action::Administer)?;
        None
    } else {
        let p = match handle {
            Some(h) => resolve::person(ctx.store, h).await?,
            None => ctx.require_actor()?.clone(),
        };
        ctx.allow(Action::Tokens { person: p.id })?;
        Some(p.id)
    };
    let handle_of = |id| {
        people
            .iter()
            .find(|p: &&Person| p.id == id)
            .map_or_else(|| "?".to_string(), |p| p.handle.clone())
    };
    Ok(ctx
        .store
        .tokens(person)
        .await?
        .iter()
        .map(|t| token_view(t, &handle_of(t.person), ctx.now))
        .collect())
}

/// Revoke a token by its id (one's own, or anyone's for an admin).
pub async fn revoke_token<S: Store>(ctx: &Ctx<'_, S>, id: i64) -> Result<()> {
    let token = ctx
        .store
        .tokens(None)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| {
            AppError::NotAllowed(format!(
                "there is no token {id}; list yours with `landed token list`"
            ))
        })?;
    ctx.allow(Action::Tokens {
        person: token.person,
    })?;
    if !ctx.store.revoke_token(id, ctx.now).await? {
        return Err(AppError::NotAllowed(format!(
            "token {id} is revoked already"
        )));
    }
    Ok(())
}

/// Why a credential was not accepted. Deliberately vague towards the caller: it does not say
/// whether the account exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error(
        "the token is unknown, revoked or expired; create a new one with `landed token create`"
    )]
    BadToken,
    #[error("wrong handle or password")]
    BadPassword,
    #[error("too many failed sign-ins; wait 15 minutes and try again")]
    TooMany,
    #[error("the session has ended; sign in again")]
    BadSession,
}

impl Refused {
    /// The refusal, with its fix in the terms of the surface showing it: an API client is
    /// named the endpoint that makes a token, the CLI (and a page) the command.
    pub fn message(self, surface: Surface) -> String {
        match (self, surface) {
            (Refused::BadToken, Surface::Api) => "the token is unknown, revoked or expired; \
                 sign in (`POST /api/v1/session`) and create a new one with `POST /api/v1/tokens`"
                .to_string(),
            _ => self.to_string(),
        }
    }
}

/// Whether `token` looks like one of ours, before any lookup.
pub(crate) fn token_shaped(token: &str) -> bool {
    token.starts_with(TOKEN_PREFIX) && token.len() <= 200
}

/// Whether a token may be used at `now`: neither revoked nor expired.
pub(crate) fn token_usable(t: &ApiToken, now: Timestamp) -> bool {
    t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now)
}

/// Whether a token's last use should be recorded again. At most once a minute: a write on
/// every request would cost every GET a commit.
pub(crate) fn touch_due(t: &ApiToken, now: Timestamp) -> bool {
    t.last_used_at.is_none_or(|u| now - TOUCH_EVERY > u)
}

/// The token with the SHA-256 `hash` and the person it stands for, if the token may be used
/// now and they are not suspended.
pub(crate) async fn token_holder<S: Store>(
    store: &S,
    hash: &str,
    now: Timestamp,
) -> Result<std::result::Result<(ApiToken, Person), Refused>> {
    let Some(t) = store.token_by_hash(hash).await? else {
        return Ok(Err(Refused::BadToken));
    };
    if !token_usable(&t, now) {
        return Ok(Err(Refused::BadToken));
    }
    match store.person(t.person).await? {
        Some(p) if !p.suspended => Ok(Ok((t, p))),
        _ => Ok(Err(Refused::BadToken)),
    }
}

/// A session just opened: `cookie` goes to the browser, once.
#[derive(Debug, Clone)]
pub struct Opened {
    pub cookie: String,
    pub session: Session,
    pub person: Person,
}

/// Sign in with a handle and password from `address`: at most [`MAX_FAILURES`] failures per
/// account and per address in [`LOCKOUT_WINDOW`]; a success opens a session.
pub async fn sign_in<S: Store>(
    store: &S,
    handle: &str,
    password: &str,
    address: &str,
    now: Timestamp,
) -> Result<std::result::Result<Opened, Refused>> {
    let handle = handle.trim().trim_start_matches('@').to_lowercase();
    let keys = [format!("account:{handle}"), format!("address:{address}")];
    let since = now - LOCKOUT_WINDOW;
    for k in &keys {
        if store.login_failures_since(k, since).await? >= MAX_FAILURES {
            return Ok(Err(Refused::TooMany));
        }
    }
    let person = store.person_by_handle(&handle).await?;
    let hash = match &person {
        Some(p) => store.password_hash(p.id).await?,
        None => None,
    };
    let ok = match (&person, &hash) {
        (Some(p), Some(h)) => !p.suspended && verify_password(password, h),
        // Spend the same time when there is no such account, so timing does not tell.
        _ => {
            let _ = verify_password(password, DUMMY_HASH);
            false
        }
    };
    let Some(person) = person.filter(|_| ok) else {
        for k in &keys {
            store.login_failure(k, now).await?;
        }
        return Ok(Err(Refused::BadPassword));
    };
    store.clear_login_failures(&keys[0]).await?;
    let cookie = secret();
    let session = store
        .create_session(
            person.id,
            &digest(&cookie),
            &secret(),
            now,
            now + SignedDuration::from_hours(24 * SESSION_DAYS),
        )
        .await?;
    Ok(Ok(Opened {
        cookie,
        session,
        person,
    }))
}

/// Whether a cookie may hold one of our sessions, before any lookup.
pub(crate) fn cookie_shaped(cookie: &str) -> bool {
    cookie.len() <= 200
}

/// Whether a session may be used at `now`: neither ended nor expired.
pub(crate) fn session_usable(s: &Session, now: Timestamp) -> bool {
    s.revoked_at.is_none() && s.expires_at > now
}

/// The session with the SHA-256 `hash` and its person, if the session may be used now and
/// they are not suspended.
pub(crate) async fn session_holder<S: Store>(
    store: &S,
    hash: &str,
    now: Timestamp,
) -> Result<std::result::Result<(Session, Person), Refused>> {
    let Some(s) = store.session_by_hash(hash).await? else {
        return Ok(Err(Refused::BadSession));
    };
    if !session_usable(&s, now) {
        return Ok(Err(Refused::BadSession));
    }
    match store.person(s.person).await? {
        Some(p) if !p.suspended => Ok(Ok((s, p))),
        _ => Ok(Err(Refused::BadSession)),
    }
}

/// A valid argon2id hash of a password nobody has, verified against when the account is
/// unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Vx0m9YsOqHuvFrDyPTfxXvGRT5mJ3Wl6hGdPq8Ev1nA";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn short_and_huge_passwords_are_refused() {
        assert!(hash_password("short").is_err());
        assert!(hash_password(&"a".repeat(MAX_PASSWORD + 1)).is_err());
    }

    #[test]
    fn the_dummy_hash_parses() {
        assert!(argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn digests_are_hex_sha256() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
