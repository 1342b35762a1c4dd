//! What the CLI tests share: a temporary workspace file and the `landed` binary run against it
//! at a chosen instant (`LANDED_NOW`), with colour and the caller's environment kept out.

// Each test file uses part of this.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// A workspace file in its own temporary directory (removed with it).
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Workspace {
    /// No workspace yet: the file does not exist.
    pub fn empty() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("w.db");
        Workspace { dir, db }
    }

    /// `landed --db FILE ARGS` as if it were `now` (an RFC 3339 instant), with no terminal.
    pub fn command(&self, now: &str, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_landed"));
        c.arg("--db")
            .arg(&self.db)
            .args(args)
            .env_remove("LANDED_USER")
            .env_remove("LANDED_SMTP_URL")
            .env_remove("CLICOLOR_FORCE")
            .env("NO_COLOR", "1")
            .env("LANDED_NOW", now)
            .stdin(Stdio::null());
        c
    }

    pub fn run_at(&self, now: &str, args: &[&str]) -> Output {
        self.command(now, args).output().unwrap()
    }

    /// A command that must succeed; its standard output.
    pub fn ok_at(&self, now: &str, args: &[&str]) -> String {
        let out = self.run_at(now, args);
        assert!(
            out.status.success(),
            "landed {args:?} at {now} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// A command run with `--json` that must succeed; its document.
    pub fn json_at(&self, now: &str, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok_at(now, &all)).unwrap()
    }

    /// A command that must be refused (exit code 1, nothing on stdout, one line on stderr);
    /// the line.
    pub fn fails_at(&self, now: &str, args: &[&str]) -> String {
        let out = self.run_at(now, args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "landed {args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim().lines().count(), 1, "errors are one line: {err}");
        err
    }
}
