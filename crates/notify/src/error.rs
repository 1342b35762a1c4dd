//! The two error types: a configuration value that cannot work, and the outcome of a failed attempt.

/// A configuration value that cannot work: the SMTP URL, an address, the webhook URL or secret.
///
/// Messages never contain a password or a webhook secret, and never a whole webhook URL (Slack and
/// others put the credential in the path).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The SMTP URL is not a URL at all.
    #[error(
        "the SMTP URL cannot be read: {reason} (write it as smtp://user:password@host:587, \
         smtps://user:password@host:465 or smtp://host:25?tls=none, percent-encoding special \
         characters in the user and password)"
    )]
    BadUrl {
        /// What the URL parser objected to.
        reason: String,
    },
    /// The SMTP URL starts with something other than `smtp://` or `smtps://`.
    #[error(
        "unknown SMTP URL scheme `{scheme}` (use smtp:// for STARTTLS, smtps:// for implicit TLS, \
         or smtp://host:25?tls=none for a local relay without encryption)"
    )]
    UnknownScheme {
        /// The scheme as written.
        scheme: String,
    },
    /// The SMTP URL has no host name.
    #[error(
        "the SMTP URL has no host (write it as smtp://host:587 or smtp://user:password@host:587)"
    )]
    MissingHost,
    /// The port is not a number from 1 to 65535.
    #[error(
        "bad port `{port}` in the SMTP URL (use a number from 1 to 65535, or leave it out for the \
         default: 587 for smtp://, 465 for smtps://, 25 with ?tls=none)"
    )]
    BadPort {
        /// The port as written.
        port: String,
    },
    /// The `tls` parameter has a value other than `required` or `none`, or `none` with `smtps://`.
    #[error(
        "bad tls value `{value}` in the SMTP URL (use ?tls=required, the default for smtp://, or \
         ?tls=none with smtp:// for a local relay without encryption; smtps:// is always TLS)"
    )]
    BadTls {
        /// The value as written (prefixed with the scheme when the combination is the problem).
        value: String,
    },
    /// The SMTP URL has a query parameter other than `tls`.
    #[error("unknown parameter `{name}` in the SMTP URL (the only parameter is tls=required|none)")]
    UnknownParameter {
        /// The parameter name as written.
        name: String,
    },
    /// The SMTP URL has a path, which would be silently ignored.
    #[error("unexpected path `{path}` in the SMTP URL (remove it: smtp://user:password@host:587)")]
    UnexpectedPath {
        /// The path as written.
        path: String,
    },
    /// The SMTP URL names a user but no password.
    #[error(
        "the SMTP URL names user `{user}` but no password (write smtp://user:password@host, \
         percent-encoding special characters, or leave out both for a relay without login)"
    )]
    MissingPassword {
        /// The (decoded) user name.
        user: String,
    },
    /// The sender is not a mailbox.
    #[error(
        "bad from address `{from}`: {reason} (write it as `landed <landed@example.org>` or \
         `landed@example.org`)"
    )]
    BadFrom {
        /// The sender as written.
        from: String,
        /// What the mailbox parser objected to.
        reason: String,
    },
    /// The recipient is not an e-mail address.
    #[error("bad recipient address `{to}`: {reason} (expected an address like ana@example.org)")]
    BadRecipient {
        /// The recipient as written.
        to: String,
        /// What the address parser objected to.
        reason: String,
    },
    /// The message could not be assembled (a header value that cannot be encoded).
    #[error("the message cannot be built: {reason}")]
    BadMessage {
        /// What the message builder objected to.
        reason: String,
    },
    /// The webhook URL is not an `http://` or `https://` URL with a host.
    #[error("bad webhook URL: {reason} (expected an http:// or https:// URL with a host)")]
    BadWebhookUrl {
        /// What is wrong, without the URL itself (it may carry a credential).
        reason: String,
    },
    /// The webhook message id cannot be sent as an HTTP header.
    #[error("bad webhook message id `{id}` (use printable ASCII without spaces, e.g. rem_42)")]
    BadWebhookId {
        /// The id, with control characters escaped.
        id: String,
    },
    /// The webhook secret cannot be used as an HMAC key.
    #[error(
        "bad webhook secret: {reason} (use a secret made by `new_secret()`: `whsec_` followed by \
         base64, or any non-empty string)"
    )]
    BadSecret {
        /// What is wrong, without the secret itself.
        reason: String,
    },
}

/// Why one delivery attempt failed, sorted by what the caller should do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// The receiver could not be reached or did not answer in time (DNS, refused connection, TLS
    /// handshake, timeout): retry later.
    ///
    /// A timeout after the message was handed over can mean it did arrive; receivers should
    /// deduplicate (webhooks by `webhook-id`).
    #[error("unreachable: {detail} (retry later; check the host, port and network if it persists)")]
    Unreachable {
        /// What failed, with the underlying cause.
        detail: String,
    },
    /// The receiver answered and refused the message.
    ///
    /// Permanent: SMTP 5xx, HTTP 3xx (redirects are not followed) and 4xx except 408 and 429, and a
    /// server that cannot meet the configured security (no STARTTLS, no usable AUTH). Transient:
    /// SMTP 4xx, HTTP 5xx, 408 and 429, and replies that could not be understood.
    #[error("{} rejection: {detail}", if *permanent { "permanent" } else { "transient" })]
    Rejected {
        /// Whether retrying the same message can never succeed.
        permanent: bool,
        /// The reply code and text of the receiver, cut to a readable length.
        detail: String,
    },
    /// The configuration or the message itself cannot work; fix it before retrying.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl DeliveryError {
    /// Whether retrying the same delivery cannot succeed without a change of configuration,
    /// recipient or receiver: a permanent rejection or a configuration error.
    pub fn is_permanent(&self) -> bool {
        match self {
            DeliveryError::Unreachable { .. } => false,
            DeliveryError::Rejected { permanent, .. } => *permanent,
            DeliveryError::Config(_) => true,
        }
    }
}
