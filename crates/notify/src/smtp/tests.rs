use super::*;

const FROM: &str = "landed <landed@example.org>";

fn parse(url: &str) -> Result<SmtpConfig, ConfigError> {
    SmtpConfig::from_url(url, FROM)
}

#[test]
fn smtp_scheme_requires_starttls_on_the_submission_port() {
    let cfg = parse("smtp://ana:secret@mail.example.org").unwrap();
    assert_eq!(cfg.security, Security::StartTls);
    assert_eq!(cfg.host, "mail.example.org");
    assert_eq!(cfg.port, 587);
    assert_eq!(cfg.credentials, Some(("ana".into(), "secret".into())));
    assert_eq!(cfg.from, FROM);
}

#[test]
fn explicit_port_and_tls_required_are_accepted() {
    let cfg = parse("smtp://ana:secret@mail.example.org:2587?tls=required").unwrap();
    assert_eq!((cfg.security, cfg.port), (Security::StartTls, 2587));
}

#[test]
fn smtps_scheme_is_implicit_tls_on_port_465() {
    let cfg = parse("smtps://ana:secret@mail.example.org").unwrap();
    assert_eq!((cfg.security, cfg.port), (Security::Tls, 465));
    let cfg = parse("smtps://ana:secret@mail.example.org:10465").unwrap();
    assert_eq!(cfg.port, 10465);
}

#[test]
fn tls_none_is_plain_on_port_25_without_credentials() {
    let cfg = parse("smtp://localhost?tls=none").unwrap();
    assert_eq!(
        (cfg.security, cfg.port, cfg.credentials),
        (Security::Plain, 25, None)
    );
    let cfg = parse("smtp://127.0.0.1:2525?tls=none").unwrap();
    assert_eq!((cfg.host.as_str(), cfg.port), ("127.0.0.1", 2525));
}

#[test]
fn user_and_password_are_percent_decoded() {
    let cfg = parse("smtp://ana%40example.org:p%40ss%3Aw%2Fo%20rd%C3%A9@mail.example.org").unwrap();
    assert_eq!(
        cfg.credentials,
        Some(("ana@example.org".into(), "p@ss:w/o rdé".into()))
    );
}

#[test]
fn ipv6_host_is_kept_without_brackets() {
    let cfg = parse("smtp://[::1]:2525?tls=none").unwrap();
    assert_eq!((cfg.host.as_str(), cfg.port), ("::1", 2525));
    assert_eq!(cfg.to_string(), "smtp://[::1]:2525?tls=none");
}

#[test]
fn a_trailing_slash_and_spaces_around_are_tolerated() {
    let cfg = parse("  smtp://mail.example.org:587/ ").unwrap();
    assert_eq!(cfg.port, 587);
}

#[test]
fn unknown_scheme_is_named_with_the_schemes_that_work() {
    let err = parse("http://mail.example.org").unwrap_err();
    assert_eq!(
        err,
        ConfigError::UnknownScheme {
            scheme: "http".into()
        }
    );
    let msg = err.to_string();
    assert!(msg.contains("`http`") && msg.contains("smtps://"), "{msg}");
}

#[test]
fn missing_host_is_reported() {
    for url in [
        "smtp://",
        "smtp://:587",
        "smtp://ana:secret@",
        "smtp:mail.example.org",
    ] {
        assert_eq!(parse(url), Err(ConfigError::MissingHost), "{url}");
    }
    assert!(
        ConfigError::MissingHost
            .to_string()
            .contains("smtp://host:587")
    );
}

#[test]
fn bad_port_is_named() {
    assert_eq!(
        parse("smtp://mail.example.org:abc"),
        Err(ConfigError::BadPort { port: "abc".into() })
    );
    assert_eq!(
        parse("smtp://ana:secret@mail.example.org:70000"),
        Err(ConfigError::BadPort {
            port: "70000".into()
        })
    );
    assert_eq!(
        parse("smtp://mail.example.org:0"),
        Err(ConfigError::BadPort { port: "0".into() })
    );
    let msg = ConfigError::BadPort { port: "abc".into() }.to_string();
    assert!(msg.contains("`abc`") && msg.contains("1 to 65535"), "{msg}");
}

#[test]
fn bad_tls_value_is_named() {
    assert_eq!(
        parse("smtp://mail.example.org?tls=opportunistic"),
        Err(ConfigError::BadTls {
            value: "opportunistic".into()
        })
    );
    let err = parse("smtps://mail.example.org?tls=none").unwrap_err();
    assert!(
        matches!(&err, ConfigError::BadTls { value } if value.contains("smtps")),
        "{err:?}"
    );
    assert!(err.to_string().contains("tls=none with smtp://"), "{err}");
}

#[test]
fn unknown_parameter_and_path_are_refused() {
    assert_eq!(
        parse("smtp://mail.example.org?tsl=none"),
        Err(ConfigError::UnknownParameter { name: "tsl".into() })
    );
    assert_eq!(
        parse("smtp://mail.example.org/ehlo.example.org"),
        Err(ConfigError::UnexpectedPath {
            path: "/ehlo.example.org".into()
        })
    );
}

#[test]
fn user_without_password_is_refused() {
    assert_eq!(
        parse("smtp://ana@mail.example.org"),
        Err(ConfigError::MissingPassword { user: "ana".into() })
    );
}

#[test]
fn bad_from_address_is_named() {
    let err = SmtpConfig::from_url("smtp://mail.example.org", "landed").unwrap_err();
    assert!(
        matches!(&err, ConfigError::BadFrom { from, .. } if from == "landed"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("landed <landed@example.org>"),
        "{err}"
    );
    assert!(SmtpConfig::from_url("smtp://mail.example.org", "landed@example.org").is_ok());
}

#[test]
fn errors_never_repeat_the_password() {
    for url in [
        "smtp://ana:hunter2@mail.example.org:abc",
        "smtp://ana:hunter2@mail.example.org?tls=maybe",
        "smtp://ana:hunter2@mail.example.org?x=1",
        "ftp://ana:hunter2@mail.example.org",
        "smtp://ana:hunter2@mail example.org",
    ] {
        let err = parse(url).unwrap_err();
        assert!(
            !format!("{err} {err:?}").contains("hunter2"),
            "{url}: {err}"
        );
    }
}

#[test]
fn display_redacts_the_password() {
    let cfg = parse("smtp://ana:hunter2@mail.example.org:587").unwrap();
    assert_eq!(cfg.to_string(), "smtp://ana:***@mail.example.org:587");
    assert!(!format!("{cfg:?}").contains("hunter2"));
    let cfg = parse("smtps://ana%40example.org:hunter2@mail.example.org").unwrap();
    assert_eq!(
        cfg.to_string(),
        "smtps://ana%40example.org:***@mail.example.org:465"
    );
    let cfg = parse("smtp://relay?tls=none").unwrap();
    assert_eq!(cfg.to_string(), "smtp://relay:25?tls=none");
}

#[test]
fn display_reads_back_as_the_same_configuration_but_the_password() {
    let cfg = parse("smtp://ana:hunter2@mail.example.org").unwrap();
    let again = parse(&cfg.to_string()).unwrap();
    assert_eq!(again.credentials, Some(("ana".into(), "***".into())));
    assert_eq!(
        (again.host, again.port, again.security),
        (cfg.host, cfg.port, cfg.security)
    );
}

#[test]
fn bad_recipient_is_a_permanent_config_error() {
    let cfg = parse("smtp://relay?tls=none").unwrap();
    let mail = Mail {
        to: "ana".into(),
        to_name: None,
        subject: "s".into(),
        body: "b".into(),
    };
    let err = build_message(&cfg, &mail).unwrap_err();
    assert!(
        matches!(&err, ConfigError::BadRecipient { to, .. } if to == "ana"),
        "{err:?}"
    );
    assert!(DeliveryError::from(err).is_permanent());
}

#[test]
fn message_is_utf8_plain_text_with_an_encoded_subject() {
    let cfg = parse("smtp://relay?tls=none").unwrap();
    let mail = Mail {
        to: "ana@example.org".into(),
        to_name: Some("Ana Lima".into()),
        subject: "Check-in for 2026-W48 — Ana".into(),
        body: "Bonjour — à demain".into(),
    };
    let raw = String::from_utf8(build_message(&cfg, &mail).unwrap().formatted()).unwrap();
    assert!(
        raw.contains("Content-Type: text/plain; charset=utf-8"),
        "{raw}"
    );
    assert!(raw.contains("To: \"Ana Lima\" <ana@example.org>"), "{raw}");
    // Only the word that is not ASCII is encoded; the SMTP test decodes the header as a whole.
    assert!(
        raw.contains("Subject: Check-in for 2026-W48 =?utf-8?b?4oCU?= Ana"),
        "{raw}"
    );
    assert!(raw.contains("Message-ID: <"), "{raw}");
}
