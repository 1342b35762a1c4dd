//! E-mail: the SMTP URL, the message, and one delivery attempt through lettre.

use std::fmt;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::{ConfigError, DeliveryError};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which the server must offer, or nothing is sent
    /// (`smtp://`, port 587 by default).
    StartTls,
    /// TLS from the first byte, "implicit TLS" (`smtps://`, port 465 by default).
    Tls,
    /// No encryption at all, credentials included: only for a relay on the same machine or in tests
    /// (`smtp://…?tls=none`, port 25 by default).
    Plain,
}

impl Security {
    /// The port used when the URL names none: 587 (submission), 465 (submissions) or 25.
    pub fn default_port(self) -> u16 {
        match self {
            Security::StartTls => 587,
            Security::Tls => 465,
            Security::Plain => 25,
        }
    }
}

/// Where and how to send e-mail, usually read from `LANDED_SMTP_URL` by [`SmtpConfig::from_url`].
///
/// `Display` and `Debug` show the password as `***`, so the value can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// Host name or IP address of the SMTP server.
    pub host: String,
    /// TCP port of the SMTP server.
    pub port: u16,
    /// How the connection is protected.
    pub security: Security,
    /// User and password for SMTP AUTH (PLAIN or LOGIN), if the server wants a login.
    pub credentials: Option<(String, String)>,
    /// The sender mailbox, e.g. `landed <landed@example.org>`.
    pub from: String,
}

/// Characters left as they are when a user name is written back into a URL.
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl SmtpConfig {
    /// Reads an SMTP URL and a sender mailbox.
    ///
    /// - `smtp://user:password@host:587`: STARTTLS required (the default for `smtp://`);
    /// - `smtps://user:password@host:465`: implicit TLS;
    /// - `smtp://host:25?tls=none`: no encryption, for a local relay or tests.
    ///
    /// User and password are percent-decoded (`p%40ss` is `p@ss`); the port defaults to 587, 465 or
    /// 25 (with `tls=none`). `from` must be a mailbox like `landed <landed@example.org>`.
    pub fn from_url(url: &str, from: &str) -> Result<SmtpConfig, ConfigError> {
        let url = url.trim();
        let parsed = url::Url::parse(url).map_err(|e| match e {
            url::ParseError::InvalidPort => ConfigError::BadPort {
                port: port_text(url),
            },
            url::ParseError::EmptyHost => ConfigError::MissingHost,
            e => ConfigError::BadUrl {
                reason: e.to_string(),
            },
        })?;

        let mut tls = None;
        for (name, value) in parsed.query_pairs() {
            match name.as_ref() {
                "tls" => tls = Some(value.into_owned()),
                _ => {
                    return Err(ConfigError::UnknownParameter {
                        name: name.into_owned(),
                    });
                }
            }
        }
        let security = match (parsed.scheme(), tls.as_deref()) {
            ("smtp", None | Some("required")) => Security::StartTls,
            ("smtp", Some("none")) => Security::Plain,
            ("smtps", None | Some("required")) => Security::Tls,
            ("smtps", Some("none")) => {
                return Err(ConfigError::BadTls {
                    value: "none with smtps://".into(),
                });
            }
            ("smtp" | "smtps", Some(other)) => {
                return Err(ConfigError::BadTls {
                    value: other.into(),
                });
            }
            (scheme, _) => {
                return Err(ConfigError::UnknownScheme {
                    scheme: scheme.into(),
                });
            }
        };

        let host = match parsed.host() {
            None => return Err(ConfigError::MissingHost),
            Some(url::Host::Domain("")) => return Err(ConfigError::MissingHost),
            Some(url::Host::Domain(d)) => decode(d)?,
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
        };
        let port = match parsed.port() {
            Some(0) => return Err(ConfigError::BadPort { port: "0".into() }),
            Some(port) => port,
            None => security.default_port(),
        };
        if !matches!(parsed.path(), "" | "/") {
            return Err(ConfigError::UnexpectedPath {
                path: parsed.path().into(),
            });
        }

        let user = decode(parsed.username())?;
        let credentials = match (user.is_empty(), parsed.password()) {
            (true, None) => None,
            (false, None) => return Err(ConfigError::MissingPassword { user }),
            (true, Some(_)) => {
                return Err(ConfigError::BadUrl {
                    reason: "a password without a user".into(),
                });
            }
            (false, Some(password)) => Some((user, decode(password)?)),
        };

        let from = from.trim();
        from.parse::<Mailbox>().map_err(|e| ConfigError::BadFrom {
            from: from.into(),
            reason: e.to_string(),
        })?;

        Ok(SmtpConfig {
            host,
            port,
            security,
            credentials,
            from: from.into(),
        })
    }
}

/// Percent-decodes one part of the URL; the result must be UTF-8.
fn decode(part: &str) -> Result<String, ConfigError> {
    percent_decode_str(part)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ConfigError::BadUrl {
            reason: "a percent-encoded user, password or host is not UTF-8".into(),
        })
}

/// The port as written in `url`, for the error message: after the last `:` of the host part.
fn port_text(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    match host_port.rsplit_once(':') {
        Some((host, port)) if !host.ends_with('[') && !port.contains(']') => port.into(),
        _ => host_port.into(),
    }
}

impl fmt::Display for SmtpConfig {
    /// The URL the configuration was read from, with the password as `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.security == Security::Tls {
            "smtps"
        } else {
            "smtp"
        };
        write!(f, "{scheme}://")?;
        if let Some((user, _)) = &self.credentials {
            write!(f, "{}:***@", utf8_percent_encode(user, USERINFO))?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)?;
        } else {
            write!(f, "{}:{}", self.host, self.port)?;
        }
        if self.security == Security::Plain {
            f.write_str("?tls=none")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|(user, _)| (user, "***")),
            )
            .field("from", &self.from)
            .finish()
    }
}

/// One plain-text e-mail to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The recipient's address, e.g. `ana@example.org`.
    pub to: String,
    /// The recipient's display name, e.g. `Ana Lima`.
    pub to_name: Option<String>,
    /// The subject line; any Unicode (it is MIME-encoded when needed).
    pub subject: String,
    /// The body, sent as `text/plain; charset=utf-8`.
    pub body: String,
}

/// Sends `mail` through the server of `cfg`: one attempt, finished or abandoned within `timeout`.
///
/// Errors say whether to retry: [`DeliveryError::Unreachable`] for connection problems and timeouts,
/// [`DeliveryError::Rejected`] with `permanent` for a 5xx reply or a server that cannot meet the
/// configured security, [`DeliveryError::Config`] for a bad sender or recipient.
pub async fn send_mail(
    cfg: &SmtpConfig,
    mail: &Mail,
    timeout: Duration,
) -> Result<(), DeliveryError> {
    let message = build_message(cfg, mail)?;
    let transport = transport(cfg, timeout)?;
    match tokio::time::timeout(timeout, transport.send(message)).await {
        Ok(Ok(_reply)) => Ok(()),
        Ok(Err(err)) => Err(classify(cfg, &err)),
        Err(_elapsed) => Err(DeliveryError::Unreachable {
            detail: format!(
                "SMTP server {}:{} did not finish within {} ms",
                cfg.host,
                cfg.port,
                timeout.as_millis()
            ),
        }),
    }
}

fn build_message(cfg: &SmtpConfig, mail: &Mail) -> Result<Message, ConfigError> {
    let from = cfg
        .from
        .parse::<Mailbox>()
        .map_err(|e| ConfigError::BadFrom {
            from: cfg.from.clone(),
            reason: e.to_string(),
        })?;
    let address = mail
        .to
        .trim()
        .parse::<Address>()
        .map_err(|e| ConfigError::BadRecipient {
            to: mail.to.clone(),
            reason: e.to_string(),
        })?;
    Message::builder()
        .from(from)
        .to(Mailbox::new(mail.to_name.clone(), address))
        .subject(mail.subject.as_str())
        .message_id(None)
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| ConfigError::BadMessage {
            reason: e.to_string(),
        })
}

fn transport(
    cfg: &SmtpConfig,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, DeliveryError> {
    crate::install_ring_provider();
    let tls_parameters = || {
        TlsParameters::new(cfg.host.clone()).map_err(|e| {
            DeliveryError::Config(ConfigError::BadUrl {
                reason: format!("TLS cannot be set up for host `{}`: {e}", cfg.host),
            })
        })
    };
    let tls = match cfg.security {
        Security::StartTls => Tls::Required(tls_parameters()?),
        Security::Tls => Tls::Wrapper(tls_parameters()?),
        Security::Plain => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.as_str())
        .port(cfg.port)
        .tls(tls)
        .timeout(Some(timeout));
    if let Some((user, password)) = &cfg.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// Sorts a lettre error into what the caller should do: SMTP 5xx and a server that cannot meet
/// the configured security are permanent, 4xx and unreadable replies transient, the rest (connect,
/// network, TLS handshake) unreachable.
fn classify(cfg: &SmtpConfig, err: &lettre::transport::smtp::Error) -> DeliveryError {
    use std::error::Error as _;
    let server = format!("SMTP server {}:{}", cfg.host, cfg.port);
    // lettre's own message is only the kind ("permanent error (535)"); the reason is the source.
    let reason = err
        .source()
        .map_or_else(|| err.to_string(), crate::error_chain);
    let detail = |text: String| crate::truncate_chars(&text, 300);
    if let Some(code) = err.status() {
        let permanent = err.is_permanent();
        DeliveryError::Rejected {
            permanent,
            detail: detail(format!("{server} replied {code} {reason}")),
        }
    } else if err.is_response() {
        DeliveryError::Rejected {
            permanent: false,
            detail: detail(format!(
                "{server} sent a reply that cannot be understood: {reason}"
            )),
        }
    } else if err.is_client() {
        let hint = if cfg.security == Security::StartTls && reason.contains("STARTTLS") {
            " (use smtps:// if the server speaks TLS on port 465; ?tls=none only for a relay on \
             the same machine)"
        } else if reason.contains("authentication") {
            " (the server offers no AUTH PLAIN or LOGIN: remove the user and password from the URL \
             or use another server)"
        } else {
            ""
        };
        DeliveryError::Rejected {
            permanent: true,
            detail: detail(format!("{server}: {reason}{hint}")),
        }
    } else {
        DeliveryError::Unreachable {
            detail: detail(format!("{server}: {}", crate::error_chain(err))),
        }
    }
}

#[cfg(test)]
mod tests;
