use super::*;

// Vectors computed with the reference implementation, Python `standardwebhooks` 1.1.0
// (`Webhook(secret).sign(msg_id, datetime.fromtimestamp(ts, timezone.utc), body)`), except the
// raw-secret one, which the library cannot express (it requires `whsec_`): that one comes from
// Python's `hmac` module, `hmac.new(key, f"{id}.{ts}.{body}".encode(), hashlib.sha256)`.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[test]
fn signature_matches_the_standard_webhooks_specification_example() {
    let sig = sign(
        SECRET,
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        br#"{"test": 2432232314}"#,
    );
    assert_eq!(
        sig.unwrap(),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
}

#[test]
fn signature_covers_utf8_bodies_like_the_reference_library() {
    let body = r#"{"text":"Check-in for 2026-W48 — Ana","week":"2026-W48"}"#;
    let sig = sign(SECRET, "rem_42", 1764000000, body.as_bytes());
    assert_eq!(
        sig.unwrap(),
        "v1,dChl/ekhKe39oHVlNk8SMQPfnaNd4qT2OmJrjEXQNEk="
    );
}

#[test]
fn a_secret_without_the_whsec_prefix_is_used_as_raw_bytes() {
    let body = r#"{"text":"Check-in for 2026-W48 — Ana","week":"2026-W48"}"#;
    let sig = sign("not-a-whsec-secret", "rem_42", 1764000000, body.as_bytes());
    assert_eq!(
        sig.unwrap(),
        "v1,cij8qc5jDr0fSm7z57AjI/T2aqL6e5qqPo6BOpYbZsk="
    );
}

#[test]
fn any_change_of_id_timestamp_or_body_changes_the_signature() {
    let base = sign(SECRET, "rem_42", 1764000000, b"{}").unwrap();
    assert_ne!(base, sign(SECRET, "rem_43", 1764000000, b"{}").unwrap());
    assert_ne!(base, sign(SECRET, "rem_42", 1764000001, b"{}").unwrap());
    assert_ne!(base, sign(SECRET, "rem_42", 1764000000, b"{ }").unwrap());
}

#[test]
fn a_whsec_secret_that_is_not_base64_is_refused_without_echoing_it() {
    let err = sign("whsec_not*base64!", "rem_42", 0, b"{}").unwrap_err();
    assert!(matches!(err, ConfigError::BadSecret { .. }), "{err:?}");
    assert!(!err.to_string().contains("not*base64"), "{err}");
}

#[test]
fn an_empty_key_is_refused() {
    for secret in ["", "whsec_"] {
        assert!(
            matches!(
                sign(secret, "rem_42", 0, b"{}"),
                Err(ConfigError::BadSecret { .. })
            ),
            "{secret:?}"
        );
    }
}

#[test]
fn new_secrets_are_32_random_bytes_after_whsec() {
    let a = new_secret();
    let key = BASE64
        .decode(a.strip_prefix("whsec_").expect("prefix"))
        .unwrap();
    assert_eq!(key.len(), 32);
    assert_ne!(a, new_secret());
    assert!(sign(&a, "rem_42", 0, b"{}").is_ok());
}

#[test]
fn webhook_urls_must_be_http_or_https_with_a_host() {
    assert!(webhook_url("https://hooks.example.org/services/T0/B0/x").is_ok());
    assert!(webhook_url("http://127.0.0.1:8080/hook").is_ok());
    for bad in [
        "hooks.example.org/x",
        "ftp://hooks.example.org/x",
        "file:///etc/passwd",
        "https://",
    ] {
        assert!(
            matches!(webhook_url(bad), Err(ConfigError::BadWebhookUrl { .. })),
            "{bad}"
        );
    }
}

#[test]
fn debug_hides_the_secret_and_the_url_path() {
    let hook = Webhook {
        url: "https://hooks.slack.com/services/T0/B0/tokentoken".into(),
        secret: Some(SECRET.into()),
    };
    let shown = format!("{hook:?}");
    assert!(shown.contains("https://hooks.slack.com"), "{shown}");
    assert!(
        !shown.contains("tokentoken") && !shown.contains("MfKQ"),
        "{shown}"
    );
}

#[tokio::test]
async fn an_id_that_cannot_be_a_header_is_refused_before_sending() {
    let hook = Webhook {
        url: "http://127.0.0.1:9/hook".into(),
        secret: None,
    };
    for id in ["", "rem 42", "rem_42\r\nx-evil: 1", "rém_42"] {
        let msg = WebhookMessage {
            id: id.into(),
            text: "t".into(),
            extra: Default::default(),
        };
        let err = post_webhook(
            &hook,
            &msg,
            jiff::Timestamp::UNIX_EPOCH,
            Duration::from_secs(1),
        )
        .await;
        assert!(
            matches!(
                err,
                Err(DeliveryError::Config(ConfigError::BadWebhookId { .. }))
            ),
            "{id:?}: {err:?}"
        );
    }
}
