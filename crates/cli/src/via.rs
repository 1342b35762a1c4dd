//! Where a command runs: on a workspace file (calls into the app crate) or on a server (calls
//! to its API). Commands take a [`Via`] and render what either returns with the same code.

use anyhow::bail;
use landed_app::Ctx;
use landed_store::AnyStore;

use crate::args::{Cli, Command};
use crate::remote::{Config, Remote, Saved, config_path, normalize};

pub enum Via<'a> {
    /// Boxed: a context is large beside a remote client.
    Local(Box<Ctx<'a, AnyStore>>),
    Remote(Remote),
}

/// Commands that only make sense on the machine that holds the database.
pub fn local_only(command: &Command) -> Option<&'static str> {
    match command {
        Command::Init { .. } => Some("init"),
        Command::Demo { .. } => Some("demo"),
        Command::Serve { .. } => Some("serve"),
        Command::Admin(_) => Some("admin create"),
        _ => None,
    }
}

/// The server a command goes to, if any: `--server`/`$LANDED_SERVER`, else the one you signed
/// in to, unless `--db`/`$LANDED_DB` names a file. Flags and environment beat the settings file.
pub fn server(cli: &Cli) -> anyhow::Result<Option<Remote>> {
    let saved = || -> anyhow::Result<Option<Saved>> { Ok(Config::load(&config_path()?)?.server) };
    let (url, saved) = match &cli.server {
        Some(url) => (normalize(url)?, saved()?),
        None if cli.db.is_some() => return Ok(None),
        None => match saved()? {
            Some(s) => (s.url.clone(), Some(s)),
            None => return Ok(None),
        },
    };
    if let Some(name) = local_only(&cli.command) {
        if cli.server.is_some() {
            bail!(
                "`landed {name}` works on this machine's database, not through a server: drop \
                 --server (and LANDED_SERVER), and run it where the database is"
            );
        }
        return Ok(None);
    }
    let token = match std::env::var("LANDED_TOKEN") {
        Ok(t) if !t.trim().is_empty() => t,
        _ => match saved.filter(|s| s.url == url) {
            Some(s) => s.token,
            None => bail!(
                "you are not signed in to {url}: run `landed login --server {url}` (or set \
                 LANDED_TOKEN to an API token)"
            ),
        },
    };
    Ok(Some(Remote::new(&url, &token)?))
}
