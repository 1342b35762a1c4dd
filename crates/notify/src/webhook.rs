//! Webhooks: a Slack-compatible JSON `POST`, signed the Standard Webhooks way.
//!
//! Standard Webhooks (<https://www.standardwebhooks.com/>, "Signature scheme"): the headers
//! `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, the latter
//! `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`; a `whsec_` secret is base64 after the
//! prefix. Receivers verify the signature, reject stale timestamps and deduplicate by id.

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit as _, Mac as _};
use reqwest::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use sha2::Sha256;

use crate::{ConfigError, DeliveryError};

/// Where to post, and the secret to sign with.
///
/// `Debug` shows the secret as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    /// The receiver's `http://` or `https://` URL. Redirects are not followed: a 3xx reply is a
    /// permanent failure that names the new location.
    pub url: String,
    /// The signing secret: `whsec_` + base64 (as made by [`new_secret`]), or any other non-empty
    /// string used as raw key bytes. Without one, no `webhook-signature` header is sent.
    pub secret: Option<String>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL itself may be a credential (Slack incoming webhooks): show its origin only.
        let origin = url::Url::parse(&self.url).map_or_else(
            |_| "<unparsable>".into(),
            |u| u.origin().ascii_serialization(),
        );
        f.debug_struct("Webhook")
            .field("url", &format_args!("{origin}/…"))
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .finish()
    }
}

/// One reminder as a webhook message.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookMessage {
    /// Stable per reminder (e.g. `rem_42`) so the receiver can drop a retried duplicate; sent as
    /// `webhook-id` and part of the signature.
    pub id: String,
    /// The human-readable text, sent as `"text"`, which is what Slack, Mattermost and Rocket.Chat
    /// incoming webhooks display.
    pub text: String,
    /// More fields merged into the JSON body next to `"text"` (which wins on a clash).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Posts `msg` to `hook` as JSON, signed if the hook has a secret: one attempt, finished or
/// abandoned within `timeout`. `at` is the signing time sent as `webhook-timestamp`.
///
/// Any 2xx reply is success. Other replies are [`DeliveryError::Rejected`] with the status and up
/// to 200 characters of the body: permanent for 3xx and 4xx, transient for 408, 429 and 5xx.
pub async fn post_webhook(
    hook: &Webhook,
    msg: &WebhookMessage,
    at: jiff::Timestamp,
    timeout: Duration,
) -> Result<(), DeliveryError> {
    let url = webhook_url(&hook.url)?;
    // Named in errors instead of the URL, whose path may be a credential.
    let origin = url.origin().ascii_serialization();
    if msg.id.is_empty() || !msg.id.bytes().all(|b| b.is_ascii_graphic()) {
        let id = msg.id.escape_debug().to_string();
        return Err(ConfigError::BadWebhookId { id }.into());
    }
    let mut body = msg.extra.clone();
    body.insert("text".into(), msg.text.clone().into());
    // Serialising a map of JSON values cannot fail (keys are strings); proven invariant.
    let body = serde_json::to_vec(&body).expect("a JSON map serialises");
    let timestamp = at.as_second();

    let mut request = client()?
        .post(url)
        .timeout(timeout)
        .header(CONTENT_TYPE, "application/json")
        .header("webhook-id", msg.id.as_str())
        .header("webhook-timestamp", timestamp);
    if let Some(secret) = &hook.secret {
        request = request.header(
            "webhook-signature",
            sign(secret, &msg.id, timestamp, &body)?,
        );
    }

    let response = request
        .body(body)
        .send()
        .await
        .map_err(|e| transport_error(e, &origin, timeout))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let location = header_text(&response, LOCATION);
    let retry_after = header_text(&response, RETRY_AFTER);
    let text = crate::truncate_chars(&read_start(response).await, 200);

    let code = status.as_u16();
    let permanent = match code {
        408 | 429 => false,
        300..=499 => true,
        _ => false,
    };
    let mut detail = format!("webhook at {origin} replied HTTP {status}");
    if let Some(location) = location.filter(|_| status.is_redirection()) {
        detail.push_str(&format!(
            " (redirects are not followed; point the webhook at {location})"
        ));
    }
    if let Some(after) = retry_after {
        detail.push_str(&format!(" (retry-after: {after})"));
    }
    if !text.is_empty() {
        detail.push_str(": ");
        detail.push_str(&text);
    }
    Err(DeliveryError::Rejected { permanent, detail })
}

/// The Standard Webhooks signature of one message: `v1,` + base64 of
/// HMAC-SHA256(key, `"{id}.{unix_ts}.{body}"`).
///
/// The key is the base64-decoded part after `whsec_` when the secret starts with it, else the
/// secret's bytes. Fails on an empty key or a `whsec_` secret that is not base64.
pub fn sign(secret: &str, id: &str, unix_ts: i64, body: &[u8]) -> Result<String, ConfigError> {
    let key = match secret.strip_prefix("whsec_") {
        Some(encoded) => BASE64.decode(encoded).map_err(|e| ConfigError::BadSecret {
            reason: format!("the part after `whsec_` is not base64 ({e})"),
        })?,
        None => secret.as_bytes().to_vec(),
    };
    if key.is_empty() {
        return Err(ConfigError::BadSecret {
            reason: "the key is empty".into(),
        });
    }
    // HMAC takes keys of any length; the error cannot happen for Hmac<Sha256>.
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC accepts any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(unix_ts.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
}

/// A fresh signing secret: `whsec_` + base64 of 32 random bytes from the operating system's
/// generator (through `rand`'s thread-local CSPRNG), to share with the receiver.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::fill(&mut key);
    format!("whsec_{}", BASE64.encode(key))
}

fn webhook_url(raw: &str) -> Result<url::Url, ConfigError> {
    let url = url::Url::parse(raw.trim()).map_err(|e| ConfigError::BadWebhookUrl {
        reason: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::BadWebhookUrl {
            reason: format!("unsupported scheme `{}`", url.scheme()),
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigError::BadWebhookUrl {
            reason: "no host".into(),
        });
    }
    Ok(url)
}

/// One client for the process: it holds the TLS configuration and the system's root
/// certificates, which are worth loading once. Idle connections are not kept, so the client can be
/// used from any tokio runtime (each test has its own) and every attempt opens a fresh connection.
fn client() -> Result<reqwest::Client, ConfigError> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            crate::install_ring_provider();
            reqwest::Client::builder()
                .user_agent(crate::USER_AGENT)
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .build()
                .map_err(|e| crate::error_chain(&e))
        })
        .clone()
        .map_err(|reason| ConfigError::BadWebhookUrl {
            reason: format!("the HTTP client cannot be built: {reason}"),
        })
}

fn transport_error(err: reqwest::Error, origin: &str, timeout: Duration) -> DeliveryError {
    // Without the URL: it may be a credential.
    let err = err.without_url();
    if err.is_builder() {
        return DeliveryError::Config(ConfigError::BadWebhookUrl {
            reason: crate::error_chain(&err),
        });
    }
    let detail = if err.is_timeout() {
        format!(
            "webhook at {origin} did not answer within {} ms",
            timeout.as_millis()
        )
    } else {
        format!("webhook at {origin}: {}", crate::error_chain(&err))
    };
    DeliveryError::Unreachable { detail }
}

fn header_text(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    let value = response.headers().get(name)?.to_str().ok()?;
    Some(crate::truncate_chars(value, 200))
}

/// The beginning of a reply body, for the error message; reading stops after a few hundred bytes
/// or at the first error (the request's timeout still applies).
async fn read_start(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < 1024 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests;
