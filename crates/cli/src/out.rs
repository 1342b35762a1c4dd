//! All terminal output goes through here: tables for people, JSON for machines, colour only
//! on a terminal and never under `NO_COLOR`, and a closed pipe is a normal end.

use std::io::{IsTerminal, Write};

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

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
    print(&table_text(t))
}

/// A table's text, each line's end trimmed. A plain table (no colours, no terminal width to
/// fit, one line in every cell: what a pipe or a file gets) is padded here column by column,
/// as comfy-table would lay it out, without its general layout (`landed item list` of 3,724
/// rows: 28 → 26 ms), each cell's text and width read once. Any other table is comfy-table's.
pub fn table_text(t: &Table) -> String {
    let comfy = || t.lines().map(|l| l.trim_end().to_string() + "\n").collect();
    if t.should_style() || t.is_tty() {
        return comfy();
    }
    let cells: Vec<Vec<(String, usize)>> = t
        .header()
        .into_iter()
        .chain(t.row_iter())
        .map(|r| {
            r.cell_iter()
                .map(|c| {
                    let text = c.content();
                    let width = width(&text);
                    (text, width)
                })
                .collect()
        })
        .collect();
    if cells.iter().flatten().any(|(text, _)| text.contains('\n')) {
        return comfy();
    }
    let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in &cells {
        for (w, (_, width)) in widths.iter_mut().zip(row) {
            *w = (*w).max(*width);
        }
    }
    let line: usize = widths.iter().map(|w| w + 2).sum();
    let mut out = String::with_capacity(cells.len() * (line + 1));
    for row in &cells {
        let start = out.len();
        for (k, column) in widths.iter().enumerate() {
            let (text, width) = row.get(k).map_or(("", 0), |(t, w)| (t.as_str(), *w));
            // One space each side of the content, as comfy-table pads a column.
            out.push(' ');
            out.push_str(text);
            push_spaces(&mut out, column - width + 1);
        }
        let end = out[start..].trim_end().len();
        out.truncate(start + end);
        out.push('\n');
    }
    out
}

/// The columns `text` takes on a terminal: its length, for printable ASCII (most cells).
fn width(text: &str) -> usize {
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        text.len()
    } else {
        UnicodeWidthStr::width(text)
    }
}

/// `n` spaces, a slice at a time.
fn push_spaces(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// A cell coloured by meaning.
pub fn colored(text: impl ToString, color: Option<Color>) -> Cell {
    let cell = Cell::new(text);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A plain table laid out here reads exactly as comfy-table lays it out: wide and
    /// combining characters, empty cells, rows shorter than the header, a header alone, none.
    #[test]
    fn plain_tables_read_as_comfy_table_lays_them_out() {
        let cases: Vec<(Vec<&str>, Vec<Vec<&str>>)> = vec![
            (vec!["id", "title", "owner"], vec![]),
            (vec![], vec![]),
            (
                vec!["id", "title", "owner", "goal"],
                vec![
                    vec!["I-1", "Ship the café menu", "@zoë", "G-2"],
                    vec!["I-1234", "日本語のタイトル", "", "-"],
                    vec!["I-7", "e\u{301}mojis 🚀🚀", "@a"],
                    vec!["I-8"],
                    vec!["", "", "", ""],
                    vec!["I-9", "trailing spaces   ", "@b", "G-1"],
                ],
            ),
            (vec!["a"], vec![vec!["x", "more cells", "than the header"]]),
            // Padding longer than one slice of spaces; a tab and an escape, measured as
            // unicode-width measures them.
            (
                vec!["id", "title", "owner"],
                vec![
                    vec![
                        "I-1",
                        "a title that runs on well past the width of one slice",
                        "@a",
                    ],
                    vec!["I-2", "short", "@b"],
                    vec!["I-3", "tab\there", "\u{1b}[1m"],
                ],
            ),
        ];
        for (header, rows) in cases {
            let mut t = Table::new();
            t.load_style(presets::NOTHING)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .force_no_tty();
            if !header.is_empty() {
                t.set_header(header.clone());
            }
            for row in &rows {
                t.add_row(row.clone());
            }
            let comfy: String = t.lines().map(|l| l.trim_end().to_string() + "\n").collect();
            assert_eq!(table_text(&t), comfy, "{header:?} {rows:?}");
        }
    }

    /// A table with a cell of two lines is comfy-table's own layout.
    #[test]
    fn a_cell_of_several_lines_is_left_to_comfy_table() {
        let mut t = table(&["id", "note"]);
        t.add_row(vec!["I-1", "first\nsecond"]);
        let text = table_text(&t);
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.contains("second"), "{text}");
    }
}
