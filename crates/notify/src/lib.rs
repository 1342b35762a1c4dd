//! Delivery of landed's reminders: one attempt, one precise outcome.
//!
//! Two channels:
//! - e-mail over SMTP ([`SmtpConfig`], [`Mail`], [`send_mail`]), configured by one URL such as
//!   `smtp://user:password@mail.example.org:587`;
//! - a JSON `POST` to a webhook ([`Webhook`], [`WebhookMessage`], [`post_webhook`]), Slack-compatible
//!   (`{"text": …}`) and signed the Standard Webhooks way ([`sign`]) when a secret is set.
//!
//! This crate performs a single delivery attempt and says what happened; whether and when to retry,
//! and making sure a reminder goes out once, is the caller's outbox. [`DeliveryError::is_permanent`]
//! is the one question the caller needs answered: retrying a permanent failure cannot succeed until
//! someone changes the configuration or the receiver.
//!
//! TLS goes through rustls with the *ring* provider only (see STACK.md, "Pitfalls already met" 1).

mod error;
mod smtp;
mod webhook;

pub use error::{ConfigError, DeliveryError};
pub use smtp::{Mail, Security, SmtpConfig, send_mail};
pub use webhook::{Webhook, WebhookMessage, new_secret, post_webhook, sign};

/// The `user-agent` this crate sends: `landed/<version>`.
pub const USER_AGENT: &str = concat!("landed/", env!("CARGO_PKG_VERSION"));

/// Installs rustls' *ring* provider as the process default, once.
///
/// reqwest is built with `rustls-no-provider` and panics without a process default. Losing the race
/// to another caller who installed *ring* first is fine, so the result is ignored; if someone
/// installed a different provider, that one stays and is used.
fn install_ring_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Cuts `text` to at most `max` characters for an error message, marking the cut with `…`, and
/// replaces control characters (newlines of a multi-line reply) by spaces.
fn truncate_chars(text: &str, max: usize) -> String {
    let clean = |c: char| if c.is_control() { ' ' } else { c };
    let text = text.trim();
    if text.chars().count() <= max {
        return text.chars().map(clean).collect();
    }
    let mut out: String = text
        .chars()
        .take(max.saturating_sub(1))
        .map(clean)
        .collect();
    out.push('…');
    out
}

/// Joins an error with its chain of sources (`a: b: c`), skipping repeats, because the outermost
/// message of network errors ("error sending request") rarely says what went wrong.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let msg = s.to_string();
        if !out.contains(&msg) {
            out.push_str(": ");
            out.push_str(&msg);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_with_control_characters_replaced() {
        assert_eq!(truncate_chars("  bad\nrequest ", 200), "bad request");
    }

    #[test]
    fn long_text_is_cut_to_the_limit_including_the_mark() {
        let cut = truncate_chars(&"é".repeat(300), 200);
        assert_eq!(cut.chars().count(), 200);
        assert!(cut.ends_with('…'));
    }
}
