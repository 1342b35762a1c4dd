//! Remote mode: the same commands against a `landed serve`, through its JSON API.
//!
//! A command in remote mode sends the API requests a local command makes as calls into the
//! app crate, reads back the same views, and renders them with the same code; so its output is
//! the local output. Writes carry an `Idempotency-Key` and are retried once with it when the
//! connection fails or the server answers 503; updates send `If-Match` with the version read
//! just before, as the API asks.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use reqwest::{Method, StatusCode, header};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The user's settings file: `$LANDED_CONFIG`, else `$XDG_CONFIG_HOME/landed/landed.toml`.
pub fn config_path() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("LANDED_CONFIG").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    use etcetera::BaseStrategy as _;
    let base = etcetera::choose_base_strategy()
        .context("cannot find your home directory; set LANDED_CONFIG to a file path")?;
    Ok(base.config_dir().join("landed").join("landed.toml"))
}

/// What `landed login` keeps: the server and the token that signs you in to it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: Option<Saved>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Saved {
    pub url: String,
    pub token: String,
    /// The token's id on the server, to revoke it at `landed logout`.
    pub token_id: Option<i64>,
    pub handle: Option<String>,
}

impl Config {
    /// The settings at `path`; none if the file does not exist.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        toml::from_str(&text).with_context(|| {
            format!(
                "{} is not a landed settings file; fix it or remove it and run `landed login` again",
                path.display()
            )
        })
    }

    /// Write the settings readable by their owner only (0600, in a 0700 directory), replacing
    /// the file in one step.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let text = toml::to_string(self).context("cannot write the settings")?;
        let temp = path.with_extension("toml.new");
        write_private(&temp, &text).with_context(|| format!("cannot write {}", temp.display()))?;
        std::fs::rename(&temp, path).with_context(|| format!("cannot write {}", path.display()))
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// A server URL as typed (`localhost:7878`, `https://landed.example.com/`), made canonical.
pub fn normalize(url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    let url = if url.contains("://") {
        url.to_string()
    } else {
        format!("http://{url}")
    };
    let parsed = reqwest::Url::parse(&url)
        .map_err(|e| anyhow!("`{url}` is not a server URL ({e}); try http://127.0.0.1:7878"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        bail!("`{url}` is not an http:// or https:// URL");
    }
    Ok(url)
}

/// A signed-in connection to one server.
pub struct Remote {
    base: String,
    token: String,
    http: reqwest::Client,
}

/// Query parameters: those that are given.
pub fn query<'k>(pairs: &[(&'k str, Option<&str>)]) -> Vec<(&'k str, String)> {
    pairs
        .iter()
        .filter_map(|(k, v)| v.map(|v| (*k, v.to_string())))
        .collect()
}

/// A part of a path (an id, a handle, a team's name), escaped.
pub fn part(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl Remote {
    pub fn new(base: &str, token: &str) -> anyhow::Result<Remote> {
        install_tls_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("landed/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot start the HTTP client")?;
        Ok(Remote {
            base: normalize(base)?,
            token: token.trim().to_string(),
            http,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET` one document.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> anyhow::Result<T> {
        let (_, body) = self.call(Method::GET, path, query, None, None).await?;
        decode(body, path)
    }

    /// `GET` a document and its version (from the `ETag`).
    pub async fn get_versioned(&self, path: &str) -> anyhow::Result<(Value, Option<String>)> {
        let (etag, body) = self.call(Method::GET, path, &[], None, None).await?;
        Ok((body, etag))
    }

    /// `GET` every page of a list: an array, or `{items, next_cursor}` pages followed to the end.
    pub async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> anyhow::Result<Vec<T>> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut q = query.to_vec();
            if let Some(c) = &cursor {
                q.push(("cursor", c.clone()));
            }
            let (_, body) = self.call(Method::GET, path, &q, None, None).await?;
            match body {
                Value::Array(_) => return decode(body, path),
                Value::Object(mut page) => {
                    let items = page.remove("items").unwrap_or(Value::Array(Vec::new()));
                    all.extend(decode::<Vec<T>>(items, path)?);
                    match page.remove("next_cursor") {
                        Some(Value::String(next)) => cursor = Some(next),
                        _ => return Ok(all),
                    }
                }
                _ => bail!("the server answered {path} with something that is not a list"),
            }
        }
    }

    /// `POST` a body; answered with a document.
    pub async fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> anyhow::Result<T> {
        let (_, answer) = self.call(Method::POST, path, &[], Some(body), None).await?;
        decode(answer, path)
    }

    /// A write to a resource that has a version: read its `ETag` at `read` (the resource
    /// itself unless given), then send the write with `If-Match`.
    pub async fn update<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &Value,
    ) -> anyhow::Result<T> {
        let (etag, _) = self.call(Method::GET, path, &[], None, None).await?;
        let etag = etag.with_context(|| format!("the server sent no version (ETag) for {path}"))?;
        let (_, answer) = self
            .call(method, path, &[], Some(body), Some(&etag))
            .await?;
        decode(answer, path)
    }

    /// A write at `path` that changes the versioned resource at `read` (answering the request
    /// `requests/R-1` at `requests/R-1/answer`): read its `ETag` there, then send the write
    /// with `If-Match`.
    pub async fn update_at<T: DeserializeOwned>(
        &self,
        method: Method,
        read: &str,
        path: &str,
        body: &Value,
    ) -> anyhow::Result<T> {
        let (_, etag) = self.get_versioned(read).await?;
        let etag = etag.with_context(|| format!("the server sent no version (ETag) for {read}"))?;
        let (_, answer) = self
            .call(method, path, &[], Some(body), Some(&etag))
            .await?;
        decode(answer, path)
    }

    /// A write to something that has no version (settings): sent as it is, without `If-Match`.
    pub async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &Value,
    ) -> anyhow::Result<T> {
        let (_, answer) = self.call(method, path, &[], Some(body), None).await?;
        decode(answer, path)
    }

    /// `DELETE` a resource.
    pub async fn delete(&self, path: &str) -> anyhow::Result<()> {
        self.call(Method::DELETE, path, &[], None, None).await?;
        Ok(())
    }

    /// One request, with its retry: the answer's `ETag` and JSON body (`null` when empty).
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> anyhow::Result<(Option<String>, Value)> {
        let url = format!("{}/api/v1/{}", self.base, path.trim_start_matches('/'));
        let url = reqwest::Url::parse_with_params(&url, query)
            .map_err(|e| anyhow!("cannot make a URL of {url} ({e})"))?;
        let writes = method != Method::GET;
        let key = writes.then(idempotency_key);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(&self.token)
                .header(header::ACCEPT, "application/json");
            if let Some(b) = body {
                request = request.json(b);
            }
            if let Some(tag) = if_match {
                request = request.header(header::IF_MATCH, tag);
            }
            if let Some(k) = &key {
                request = request.header("Idempotency-Key", k);
            }
            let retry = attempt < 3;
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) if retry && (e.is_connect() || e.is_timeout() || e.is_request()) => {
                    tokio::time::sleep(Duration::from_millis(300 * attempt)).await;
                    continue;
                }
                Err(e) => {
                    return Err(anyhow!(
                        "cannot reach the server at {} ({}); is `landed serve` running there?",
                        self.base,
                        root_cause(&e)
                    ));
                }
            };
            let status = response.status();
            if status == StatusCode::SERVICE_UNAVAILABLE && retry {
                let wait = response
                    .headers()
                    .get(header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(1)
                    .min(5);
                tokio::time::sleep(Duration::from_secs(wait)).await;
                continue;
            }
            let etag = response
                .headers()
                .get(header::ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let bytes = response
                .bytes()
                .await
                .with_context(|| format!("the server's answer to {path} broke off"))?;
            let value: Value = if bytes.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&bytes).map_err(|_| {
                    anyhow!(
                        "{} answered {path} with {status} and a body that is not JSON: is it a landed server?",
                        self.base
                    )
                })?
            };
            if status.is_success() {
                return Ok((etag, value));
            }
            return Err(problem(status, &value));
        }
    }
}

/// The server's refusal as the CLI says it: the problem's detail, which is the message the
/// same refusal has locally.
fn problem(status: StatusCode, doc: &Value) -> anyhow::Error {
    let detail = doc["detail"].as_str().or_else(|| doc["title"].as_str());
    match (status, detail) {
        (StatusCode::UNAUTHORIZED, Some(d)) => {
            anyhow!("{d} (sign in again with `landed login --server URL`)")
        }
        (_, Some(d)) => anyhow!("{d}"),
        (_, None) => anyhow!("the server answered {status}"),
    }
}

fn decode<T: DeserializeOwned>(value: Value, path: &str) -> anyhow::Result<T> {
    serde_json::from_value(value).map_err(|e| {
        anyhow!("cannot read the server's answer to {path} ({e}); is the server the same version as this CLI?")
    })
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// A fresh key for one write, the same on its retries.
fn idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    format!(
        "cli-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// reqwest is built without a TLS provider; use rustls' *ring* one for `https://` servers.
fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Sign in with a password, have the server make an API token for this machine (named
/// `name`), and close the session again. The token is what `landed login` keeps.
pub async fn token_by_password(
    base: &str,
    handle: &str,
    password: &str,
    name: &str,
) -> anyhow::Result<landed_app::accounts::NewToken> {
    install_tls_provider();
    let base = normalize(base)?;
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .context("cannot start the HTTP client")?;
    let unreachable = |e: reqwest::Error| {
        anyhow!(
            "cannot reach the server at {base} ({}); is `landed serve` running there?",
            root_cause(&e)
        )
    };
    let url = |p: &str| format!("{base}/api/v1/{p}");
    let opened = http
        .post(url("session"))
        .json(
            &serde_json::json!({ "handle": handle.trim_start_matches('@'), "password": password }),
        )
        .send()
        .await
        .map_err(unreachable)?;
    let status = opened.status();
    let cookie = opened
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    let doc: Value = opened.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(problem(status, &doc));
    }
    let (Some(cookie), Some(csrf)) = (cookie, doc["csrf_token"].as_str()) else {
        bail!("{base} signed you in but sent no session; is it a landed server?");
    };
    let made = http
        .post(url("tokens"))
        .header(header::COOKIE, &cookie)
        .header("X-CSRF-Token", csrf)
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await
        .map_err(unreachable)?;
    let status = made.status();
    let doc: Value = made.json().await.unwrap_or(Value::Null);
    let _ = http
        .delete(url("session"))
        .header(header::COOKIE, &cookie)
        .header("X-CSRF-Token", csrf)
        .send()
        .await;
    if !status.is_success() {
        return Err(problem(status, &doc));
    }
    decode(doc, "tokens")
}
