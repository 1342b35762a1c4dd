//! The same CLI scenario on a workspace file and through `landed serve`: two copies of one
//! workspace, one used with `--db FILE --as HANDLE`, the other served and used with
//! `--server URL` and HANDLE's API token. Every step must print the same, byte for byte, and
//! end with the same exit code, in both modes.

// Each test file uses part of this.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

#[path = "../common/mod.rs"]
mod common;
pub use common::Workspace;

pub struct Both {
    /// The local copy.
    pub local: Workspace,
    /// The served copy's file.
    pub served: PathBuf,
    pub url: String,
    pub now: String,
    tokens: BTreeMap<String, String>,
    server: Child,
}

impl Both {
    /// A workspace made by `setup` (run locally at `now`), with an API token for each of
    /// `people`, then copied and served; the server's clock stands at `now` too.
    pub fn start(now: &str, people: &[&str], setup: impl FnOnce(&Workspace)) -> Both {
        let local = Workspace::empty();
        setup(&local);
        let mut tokens = BTreeMap::new();
        for handle in people {
            let made = local.json_at(now, &["token", "create", "both", "--for", handle]);
            tokens.insert(
                handle.to_string(),
                made["token"].as_str().unwrap().to_string(),
            );
        }
        let served = local.dir.path().join("served.db");
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", local.db.display()));
            if from.exists() {
                std::fs::copy(&from, format!("{}{suffix}", served.display())).unwrap();
            }
        }
        let mut server = Command::new(env!("CARGO_BIN_EXE_landed"))
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--remind-every",
                "0",
                "--database",
            ])
            .arg(&served)
            .env_remove("LANDED_DB")
            .env_remove("LANDED_SMTP_URL")
            .env("LANDED_NOW", now)
            .env("LANDED_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("landed serve ended before it listened")
                .unwrap();
            if let Some((_, rest)) = line.split_once(" at http://") {
                break format!("http://{}", rest.trim());
            }
        };
        // Keep reading the server's log so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Both {
            local,
            served,
            url,
            now: now.to_string(),
            tokens,
            server,
        }
    }

    /// `landed --db FILE --as HANDLE ARGS`.
    pub fn run_local(&self, handle: &str, args: &[&str]) -> Output {
        let mut all = vec!["--as", handle];
        all.extend_from_slice(args);
        self.local.run_at(&self.now, &all)
    }

    /// `landed --server URL ARGS` with HANDLE's token (no settings file, no `--db`).
    pub fn run_remote(&self, handle: &str, args: &[&str]) -> Output {
        self.remote_command(handle, args).output().unwrap()
    }

    /// The remote command, to adjust (e.g. its standard input) before running.
    pub fn remote_command(&self, handle: &str, args: &[&str]) -> Command {
        let token = self
            .tokens
            .get(handle)
            .unwrap_or_else(|| panic!("no token for @{handle}: list them in Both::start"));
        let mut c = Command::new(env!("CARGO_BIN_EXE_landed"));
        c.args(["--server", &self.url])
            .args(args)
            .env_remove("LANDED_DB")
            .env_remove("LANDED_USER")
            .env_remove("LANDED_SMTP_URL")
            .env_remove("CLICOLOR_FORCE")
            .env(
                "LANDED_CONFIG",
                self.local.dir.path().join("no-settings.toml"),
            )
            .env("LANDED_TOKEN", token)
            .env("NO_COLOR", "1")
            .env("LANDED_NOW", &self.now)
            .stdin(Stdio::null());
        c
    }

    /// Run `args` as `handle` in both modes and require the same standard output, standard
    /// error and exit code; the output.
    pub fn same(&self, handle: &str, args: &[&str]) -> Output {
        let local = self.run_local(handle, args);
        let remote = self.run_remote(handle, args);
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        assert_eq!(
            local.status.code(),
            remote.status.code(),
            "landed {args:?} as @{handle}: exit codes differ\n-- local stderr:\n{}\n-- remote stderr:\n{}",
            text(&local.stderr),
            text(&remote.stderr)
        );
        assert_eq!(
            text(&local.stdout),
            text(&remote.stdout),
            "landed {args:?} as @{handle}: standard output differs (left local, right remote); remote stderr: {}",
            text(&remote.stderr)
        );
        assert_eq!(
            text(&local.stderr),
            text(&remote.stderr),
            "landed {args:?} as @{handle}: standard error differs (left local, right remote)"
        );
        local
    }

    /// [`Both::same`] for a command that must succeed; its output.
    pub fn ok(&self, handle: &str, args: &[&str]) -> String {
        let out = self.same(handle, args);
        assert!(
            out.status.success(),
            "landed {args:?} as @{handle} failed in both modes: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// [`Both::same`] for a command that must be refused in both modes; the error line.
    pub fn refused(&self, handle: &str, args: &[&str]) -> String {
        let out = self.same(handle, args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "landed {args:?} as @{handle} should be refused: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }
}

impl Drop for Both {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
