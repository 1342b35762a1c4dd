//! Signing in and out of the web UI.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use landed_app::accounts::{self, Refused};
use serde::Deserialize;

use super::{Web, WebForm, error_page, html, see_other};
use crate::{AppState, auth};

#[derive(Template)]
#[template(path = "login.html")]
struct SignInPage {
    next: String,
    handle: String,
    error: String,
}

#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Where to go after signing in: a path of this site only, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.into(),
        _ => "/".into(),
    }
}

pub async fn page(Query(q): Query<Next>) -> Response {
    html(
        StatusCode::OK,
        &SignInPage {
            next: safe_next(q.next.as_deref()),
            handle: String::new(),
            error: String::new(),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    handle: String,
    password: String,
    next: Option<String>,
}

/// Check the password (with the same limits as the API: 5 failures per account or address in
/// 15 minutes), open a session and go where the person was going.
pub async fn submit(
    State(state): State<AppState>,
    crate::client::ClientIp(client): crate::client::ClientIp,
    headers: HeaderMap,
    WebForm(f): WebForm<SignInForm>,
) -> Response {
    // Nobody may be signed in from another site's form (login CSRF).
    if let Err(e) = auth::check_origin(&headers, &state) {
        return error_page(&e);
    }
    let next = safe_next(f.next.as_deref());
    let refused = |status: StatusCode, error: String| {
        html(
            status,
            &SignInPage {
                next: next.clone(),
                handle: f.handle.clone(),
                error,
            },
        )
    };
    let opened = match accounts::sign_in(
        &state.store,
        &f.handle,
        &f.password,
        &client.to_string(),
        state.now(),
    )
    .await
    {
        Ok(Ok(o)) => o,
        Ok(Err(Refused::TooMany)) => {
            return refused(StatusCode::TOO_MANY_REQUESTS, Refused::TooMany.to_string());
        }
        Ok(Err(_)) => {
            return refused(
                StatusCode::UNAUTHORIZED,
                "that handle and password do not match; check both and try again".into(),
            );
        }
        Err(e) => return error_page(&e.into()),
    };
    let mut response = see_other(&next);
    if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(&state, &opened.cookie)) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    csrf: String,
}

/// End the session and forget the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    WebForm(f): WebForm<SignOutForm>,
) -> Response {
    if let Some(r) = web.refuse_form(&headers, &state, &f.csrf) {
        return r;
    }
    if let Err(e) =
        landed_store::Store::revoke_session(&state.store, web.session.id, state.now()).await
    {
        return error_page(&e.into());
    }
    let mut response = see_other("/login");
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(auth::CLEARED_COOKIE),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        assert_eq!(safe_next(Some("/goals/G-1")), "/goals/G-1");
        for away in [
            "//evil.example",
            "https://evil.example/",
            "/\\evil",
            "goals",
        ] {
            assert_eq!(safe_next(Some(away)), "/", "{away}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
