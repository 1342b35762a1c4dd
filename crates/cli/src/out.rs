//! All terminal output goes through here: tables for people, JSON for machines, colour only
//! on a terminal and never under `NO_COLOR`, and a closed pipe is a normal end.

use std::io::{IsTerminal, Write};

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use serde::Serialize;

/// Whether to colour output: a terminal, no `NO_COLOR`; `CLICOLOR_FORCE` forces it on.
pub fn colors_enabled() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    if set("NO_COLOR") {
        return false;
    }
    set("CLICOLOR_FORCE") || std::io::stdout().is_terminal()
}

/// Print text to stdout; a closed pipe (`landed ... | head`) ends the process quietly.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let result = out.write_all(text.as_bytes()).and_then(|()| {
        if text.ends_with('\n') {
            Ok(())
        } else {
            out.write_all(b"\n")
        }
    });
    match result.and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}

/// Print a value as pretty JSON.
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    print(&serde_json::to_string_pretty(value)?)
}

/// A borderless, aligned table.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(|h| Cell::new(h.to_uppercase())));
    if colors_enabled() {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    t
}

/// Print a table, trimming the padding at line ends.
pub fn print_table(t: &Table) -> anyhow::Result<()> {
    let text: String = t.lines().map(|l| l.trim_end().to_string() + "\n").collect();
    print(&text)
}

/// A cell coloured by meaning.
pub fn colored(text: impl ToString, color: Option<Color>) -> Cell {
    let cell = Cell::new(text.to_string());
    match color {
        Some(c) => cell.fg(c),
        None => cell,
    }
}

/// Colour a word for inline text (not in tables).
pub fn paint(text: &str, color: Color) -> String {
    if !colors_enabled() {
        return text.to_string();
    }
    let code = match color {
        Color::Red => "31",
        Color::Green => "32",
        Color::Yellow => "33",
        Color::Blue => "34",
        Color::Cyan => "36",
        Color::DarkGrey => "90",
        _ => "1",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

pub fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}
