//! `landed admin` and `landed token`: accounts for `landed serve`, made on the server's machine.

use landed_app::{Ctx, accounts};
use landed_store::AnyStore;

use crate::args::{AdminCmd, TokenCmd};
use crate::out;
use crate::via::Via;

pub async fn admin(ctx: &Ctx<'_, AnyStore>, cmd: &AdminCmd, json: bool) -> anyhow::Result<()> {
    let AdminCmd::Create {
        handle,
        name,
        password_stdin,
    } = cmd;
    let (password, generated) = if *password_stdin {
        (read_line()?, false)
    } else {
        (accounts::generate_password(), true)
    };
    let made = accounts::create_admin(ctx, handle, name.as_deref(), &password).await?;
    if json {
        let mut doc = serde_json::to_value(&made)?;
        if generated {
            doc["password"] = password.into();
        }
        return out::json(&doc);
    }
    let what = if made.promoted {
        "is now a workspace admin"
    } else {
        "is a workspace admin"
    };
    let mut text = format!("@{} {what}.", made.handle);
    if generated {
        text.push_str(&format!(
            "\nPassword (shown once; change it with --password-stdin): {password}"
        ));
    }
    text.push_str(&format!(
        "\nNext: landed token create laptop --as {}   an API token for the CLI and scripts",
        made.handle
    ));
    out::print(&text)
}

pub async fn token(via: &Via<'_>, cmd: &TokenCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        TokenCmd::Create { name, for_, days } => {
            let made: accounts::NewToken = match via {
                Via::Local(ctx) => {
                    accounts::create_token(ctx, for_.as_deref(), name, *days).await?
                }
                Via::Remote(r) => {
                    let mut body = serde_json::json!({ "name": name });
                    if let Some(h) = for_ {
                        body["person"] = h.trim_start_matches('@').into();
                    }
                    if let Some(d) = days {
                        body["days"] = (*d).into();
                    }
                    r.post("tokens", &body).await?
                }
            };
            if json {
                return out::json(&made);
            }
            let expires = made
                .view
                .expires_at
                .map_or_else(|| "never expires".to_string(), |e| format!("expires {e}"));
            out::print(&format!(
                "Token {} for @{} ({expires}):\n\n  {}\n\nCopy it now: only its hash is kept. \
                 Send it as `Authorization: Bearer <token>`; revoke it with `landed token revoke {}`.",
                made.view.name, made.view.person, made.token, made.view.id
            ))
        }
        TokenCmd::List { for_, all } => {
            let tokens: Vec<accounts::TokenView> = match via {
                Via::Local(ctx) => accounts::tokens(ctx, for_.as_deref(), *all).await?,
                Via::Remote(r) => {
                    let mut query = vec![("limit", "1000".to_string())];
                    query.extend(for_.iter().map(|h| ("person", h.clone())));
                    if *all {
                        query.push(("all", "true".to_string()));
                    }
                    r.list("tokens", &query).await?
                }
            };
            if json {
                return out::json(&tokens);
            }
            if tokens.is_empty() {
                return out::print("No tokens. Create one with `landed token create NAME`.");
            }
            let mut table = out::table(&[
                "id",
                "person",
                "name",
                "created",
                "expires",
                "last used",
                "state",
            ]);
            for t in &tokens {
                let state = match (t.active, t.revoked_at) {
                    (true, _) => "active",
                    (false, Some(_)) => "revoked",
                    (false, None) => "expired",
                };
                table.add_row(vec![
                    t.id.to_string(),
                    format!("@{}", t.person),
                    t.name.clone(),
                    t.created_at.strftime("%Y-%m-%d").to_string(),
                    t.expires_at
                        .map_or("never".into(), |e| e.strftime("%Y-%m-%d").to_string()),
                    t.last_used_at
                        .map_or("never".into(), |e| e.strftime("%Y-%m-%d").to_string()),
                    state.to_string(),
                ]);
            }
            out::print_table(&table)
        }
        TokenCmd::Revoke { id } => {
            match via {
                Via::Local(ctx) => accounts::revoke_token(ctx, *id).await?,
                Via::Remote(r) => r.delete(&format!("tokens/{id}")).await?,
            }
            if json {
                return out::json(&serde_json::json!({ "revoked": id }));
            }
            out::print(&format!(
                "Token {id} revoked: it no longer signs anyone in."
            ))
        }
    }
}

/// `landed login`: a token for this machine, kept in the settings file.
pub async fn login(
    server: Option<&str>,
    handle: Option<&str>,
    password_stdin: bool,
    token_stdin: bool,
    json: bool,
) -> anyhow::Result<()> {
    use crate::remote::{self, Config, Remote, Saved};
    let Some(url) = server else {
        anyhow::bail!("say which server: landed login --server URL (e.g. http://127.0.0.1:7878)");
    };
    let url = remote::normalize(url)?;
    let saved = if token_stdin {
        let token = read_line()?;
        let me: serde_json::Value = Remote::new(&url, &token)?.get("me", &[]).await?;
        Saved {
            url: url.clone(),
            token,
            token_id: None,
            handle: me["handle"].as_str().map(str::to_string),
        }
    } else {
        let handle = match handle {
            Some(h) => h.trim_start_matches('@').to_string(),
            None => {
                eprint!("Handle on {url}: ");
                read_line()?.trim_start_matches('@').to_string()
            }
        };
        let password = if password_stdin {
            read_line()?
        } else {
            rpassword::prompt_password(format!("Password for @{handle}: ")).map_err(|e| {
                anyhow::anyhow!("cannot read the password ({e}); pipe it in with --password-stdin")
            })?
        };
        let made = remote::token_by_password(&url, &handle, &password, &machine_name()).await?;
        Saved {
            url: url.clone(),
            token: made.token,
            token_id: Some(made.view.id),
            handle: Some(made.view.person),
        }
    };
    let path = remote::config_path()?;
    let mut config = Config::load(&path)?;
    let handle = saved.handle.clone().unwrap_or_default();
    config.server = Some(saved);
    config.save(&path)?;
    if json {
        return out::json(&serde_json::json!({
            "server": url, "handle": handle, "config": path.display().to_string(),
        }));
    }
    out::print(&format!(
        "Signed in to {url} as @{handle}. Commands now work on that server (--db PATH works on a \
         file again).\nThe token is kept in {}, readable by you only; `landed logout` revokes it.",
        path.display()
    ))
}

/// `landed logout`: revoke this machine's token (when the server made it) and forget it.
pub async fn logout(json: bool) -> anyhow::Result<()> {
    use crate::remote::{Config, Remote, config_path};
    let path = config_path()?;
    let mut config = Config::load(&path)?;
    let Some(saved) = config.server.take() else {
        return out::print("Not signed in to any server.");
    };
    let revoked = match saved.token_id {
        Some(id) => Remote::new(&saved.url, &saved.token)?
            .delete(&format!("tokens/{id}"))
            .await
            .map(|()| true)
            .map_err(|e| eprintln!("warning: the token stays valid on the server: {e}"))
            .unwrap_or(false),
        None => false,
    };
    config.save(&path)?;
    if json {
        return out::json(&serde_json::json!({ "server": saved.url, "revoked": revoked }));
    }
    out::print(&format!(
        "Signed out of {}{}.",
        saved.url,
        if revoked {
            "; its token is revoked"
        } else {
            " (the token you gave is not revoked: revoke it with `landed token revoke ID`)"
        }
    ))
}

fn read_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let line = line.trim_end_matches(['\r', '\n']).to_string();
    if line.is_empty() {
        anyhow::bail!("nothing was read from standard input");
    }
    Ok(line)
}

/// The token's name: which machine holds it.
fn machine_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "this machine".into());
    format!("landed CLI on {host}")
}
