//! `landed admin` and `landed token`: accounts for `landed serve`, made on the server's machine.

use landed_app::{Ctx, accounts};
use landed_store::AnyStore;

use crate::args::{AdminCmd, TokenCmd};
use crate::out;

pub async fn admin(ctx: &Ctx<'_, AnyStore>, cmd: &AdminCmd, json: bool) -> anyhow::Result<()> {
    let AdminCmd::Create {
        handle,
        name,
        password_stdin,
    } = cmd;
    let (password, generated) = if *password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        (line.trim_end_matches(['\r', '\n']).to_string(), false)
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

pub async fn token(ctx: &Ctx<'_, AnyStore>, cmd: &TokenCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        TokenCmd::Create { name, for_, days } => {
            let made = accounts::create_token(ctx, for_.as_deref(), name, *days).await?;
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
            let tokens = accounts::tokens(ctx, for_.as_deref(), *all).await?;
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
            accounts::revoke_token(ctx, *id).await?;
            if json {
                return out::json(&serde_json::json!({ "revoked": id }));
            }
            out::print(&format!(
                "Token {id} revoked: it no longer signs anyone in."
            ))
        }
    }
}
