//! The account page: name, e-mail and time zone; check-in day and reminder channels; API
//! tokens (made, shown once, revoked).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use landed_app::remind::{self, SetupInput};
use landed_app::{AppError, Ctx, Surface, accounts, org};
use landed_core::event::EntityKind;
use landed_store::{Store as _, StoreError};
use serde::Deserialize;

use super::{FormError, Me, Web, WebForm, error_page, see_other};
use crate::problem::ApiError;
use crate::{AppState, Db};

/// One token of the person's.
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub state: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    me: Me,
    name: String,
    email: String,
    tz: String,
    version: i64,
    checkin_day: String,
    email_on: bool,
    webhook_url: String,
    tokens: Vec<TokenRow>,
    new_token: String,
    error: FormError,
    notice: String,
}

const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

impl AccountPage {
    /// The weekdays, for the check-in day's choices.
    fn days(&self) -> &'static [(&'static str, &'static str)] {
        &DAYS
    }
}

/// What the page shows; `profile` overrides the stored name, e-mail and time zone (a refused
/// form shows what was typed).
async fn account_page(
    ctx: &Ctx<'_, Db>,
    me: Me,
    profile: Option<&ProfileForm>,
    new_token: String,
    error: FormError,
    notice: String,
) -> Result<AccountPage, AppError> {
    let person = ctx.require_actor()?.clone();
    let fresh = ctx
        .store
        .person(person.id)
        .await?
        .unwrap_or_else(|| person.clone());
    let settings = ctx
        .store
        .notify_settings()
        .await?
        .into_iter()
        .find(|s| s.person == Some(person.id));
    let tokens = accounts::tokens(ctx, None, false)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created: t.created_at.strftime("%Y-%m-%d").to_string(),
            expires: t
                .expires_at
                .map_or("never".into(), |e| e.strftime("%Y-%m-%d").to_string()),
            last_used: t.last_used_at.map_or("never".into(), |e| {
                e.strftime("%Y-%m-%d %H:%M UTC").to_string()
            }),
            state: if t.revoked_at.is_some() {
                "revoked"
            } else if t.active {
                "active"
            } else {
                "expired"
            },
            active: t.active,
        })
        .collect();
    Ok(AccountPage {
        me,
        name: profile.map_or(fresh.name.clone(), |p| p.name.clone()),
        email: profile.map_or(fresh.email.clone().unwrap_or_default(), |p| p.email.clone()),
        tz: profile.map_or(fresh.tz.clone(), |p| p.tz.clone()),
        version: fresh.version,
        checkin_day: settings
            .as_ref()
            .and_then(|s| s.checkin_day.clone())
            .unwrap_or_default(),
        email_on: settings.as_ref().is_none_or(|s| !s.email_off),
        webhook_url: settings
            .as_ref()
            .and_then(|s| s.webhook_url.clone())
            .unwrap_or_default(),
        tokens,
        new_token,
        error,
        notice,
    })
}

pub async fn page(State(state): State<AppState>, web: Web) -> Response {
    let ctx = web.ctx(&state);
    let page = account_page(
        &ctx,
        web.me(),
        None,
        String::new(),
        FormError::default(),
        String::new(),
    )
    .await;
    super::page(StatusCode::OK, page)
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    tz: String,
    version: i64,
    csrf: String,
}

/// Change one's name, e-mail and time zone. A profile changed elsewhere since the page was
/// loaded is not overwritten: the page shows what it is now.
pub async fn profile(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    WebForm(f): WebForm<ProfileForm>,
) -> Response {
    let mut ctx = match web.form_ctx(&headers, &state, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    ctx.expect = Some((EntityKind::Person, web.signed.person.id, f.version));
    let email = f.email.trim();
    let patch = org::PersonPatch {
        name: Some(f.name.clone()),
        email: Some((!email.is_empty()).then(|| email.to_string())),
        tz: Some(f.tz.trim().to_string()),
        ..org::PersonPatch::default()
    };
    match org::edit_person(&ctx, &web.signed.person.handle, patch).await {
        Ok(_) => see_other("/account"),
        Err(AppError::Store(StoreError::Conflict { .. })) => {
            // Show the profile as it is now, not what was typed over it.
            let error = FormError {
                field: None,
                message: "your profile was changed elsewhere since you loaded this page: \
                          here it is as it is now; make your change again"
                    .into(),
            };
            let page =
                account_page(&ctx, web.me(), None, String::new(), error, String::new()).await;
            super::page(StatusCode::PRECONDITION_FAILED, page)
        }
        Err(e) => {
            let error = FormError::of(&e, "tz");
            let status = ApiError::from(e).kind.status();
            let page = account_page(
                &ctx,
                web.me(),
                Some(&f),
                String::new(),
                error,
                String::new(),
            )
            .await;
            super::page(status, page)
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RemindersForm {
    #[serde(default)]
    checkin_day: String,
    /// Present (`on`) when the box is ticked.
    email: Option<String>,
    #[serde(default)]
    webhook_url: String,
    csrf: String,
}

/// One's check-in day and reminder channels.
pub async fn reminders(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    WebForm(f): WebForm<RemindersForm>,
) -> Response {
    let ctx = match web.form_ctx(&headers, &state, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let or_none = |t: &str| {
        let t = t.trim();
        Some(if t.is_empty() {
            "none".to_string()
        } else {
            t.to_string()
        })
    };
    let input = SetupInput {
        person: Some(web.signed.person.handle.clone()),
        checkin_day: or_none(&f.checkin_day),
        webhook_url: or_none(&f.webhook_url),
        email: Some(f.email.is_some()),
        ..SetupInput::default()
    };
    match remind::setup(&ctx, &input).await {
        Ok(_) => see_other("/account#reminders"),
        Err(e) => {
            let message = e.message(Surface::Web);
            let status = ApiError::from(e).kind.status();
            let error = FormError {
                field: Some(if message.contains("webhook") {
                    "webhook_url"
                } else {
                    "checkin_day"
                }),
                message,
            };
            let page =
                account_page(&ctx, web.me(), None, String::new(), error, String::new()).await;
            super::page(status, page)
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    days: String,
    csrf: String,
}

/// Make an API token; it is shown on the page this once.
pub async fn new_token(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    WebForm(f): WebForm<TokenForm>,
) -> Response {
    let ctx = match web.form_ctx(&headers, &state, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let days = match f.days.trim() {
        "" => Ok(None),
        d => d.parse::<i64>().map(Some).map_err(|_| {
            AppError::Invalid(landed_core::validate::Invalid {
                field: "days",
                problem: format!("`{d}` is not a number of days; leave it empty for no expiry"),
            })
        }),
    };
    let made = match days {
        Ok(days) => accounts::create_token(&ctx, None, &f.name, days).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(t) => {
            let notice = format!(
                "Token “{}” made. Copy it now: it is not shown again.",
                t.view.name
            );
            let page =
                account_page(&ctx, web.me(), None, t.token, FormError::default(), notice).await;
            super::page(StatusCode::OK, page)
        }
        Err(e) => {
            let error = FormError::of(&e, "days");
            let status = ApiError::from(e).kind.status();
            let page =
                account_page(&ctx, web.me(), None, String::new(), error, String::new()).await;
            super::page(status, page)
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    csrf: String,
}

pub async fn revoke_token(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    Path(id): Path<i64>,
    WebForm(f): WebForm<RevokeForm>,
) -> Response {
    let ctx = match web.form_ctx(&headers, &state, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match accounts::revoke_token(&ctx, id).await {
        Ok(()) => see_other("/account#tokens"),
        Err(e) => error_page(&ApiError::from(e)),
    }
}
