//! `aclplay matrix`: users × ACL categories, printed as a text table, CSV, Markdown or
//! JSON. The core computes it (`aclplay::review::matrix`); this only renders.

use aclplay::review::matrix::{Cell, Level, Matrix, Patterns, Row};

/// A cell in a few characters: `all`, `12/30`, `-`.
fn short(c: &Cell) -> String {
    match c.level {
        Level::All => "all".into(),
        Level::None => "-".into(),
        Level::Some if c.allowed == 0 => "args".into(),
        Level::Some => format!("{}/{}", c.allowed, c.total),
    }
}

fn rights(r: bool, w: bool) -> &'static str {
    match (r, w) {
        (true, true) => "~",
        (true, false) => "%R~",
        _ => "%W~",
    }
}

/// A selector's patterns as rules: `~app:* %R~cfg:* &news.*` (`allkeys`, `allchannels`).
fn patterns(p: &Patterns) -> (String, String) {
    let keys = if p.all_keys {
        "allkeys".to_string()
    } else {
        p.keys.iter().map(|(k, r, w)| format!("{}{k}", rights(*r, *w))).collect::<Vec<_>>().join(" ")
    };
    let chans = if p.all_channels {
        "allchannels".to_string()
    } else {
        p.channels.iter().map(|c| format!("&{c}")).collect::<Vec<_>>().join(" ")
    };
    (keys, chans)
}

fn selectors(r: &Row) -> (String, String) {
    let (mut keys, mut chans) = (Vec::new(), Vec::new());
    for p in &r.patterns {
        let (k, c) = patterns(p);
        let wrap = |s: String| if p.selector == 0 { s } else { format!("({s})") };
        if !k.is_empty() {
            keys.push(wrap(k));
        }
        if !c.is_empty() {
            chans.push(wrap(c));
        }
    }
    (keys.join(" "), chans.join(" "))
}

fn name(r: &Row) -> String {
    let mut n = r.user.clone();
    if !r.enabled {
        n.push_str(" (off)");
    }
    if r.rejected {
        n.push_str(" (refused)");
    }
    n
}

pub fn text(m: &Matrix, file: &str) -> String {
    let mut out = format!("{file} on {}: {} user(s) × {} categories\n", m.server, m.rows.len(), m.categories.len());
    out.push_str("cells: all, allowed/total, args (only with given first arguments), - (none)\n\n");
    let names: Vec<String> = m.rows.iter().map(name).collect();
    let w0 = names.iter().map(|n| n.chars().count()).max().unwrap_or(4).max(8);
    let cols: Vec<String> = m.categories.iter().map(|c| format!("@{c}")).collect();
    let widths: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| m.rows.iter().map(|r| short(&r.cells[i]).len()).max().unwrap_or(1).max(c.len()))
        .collect();
    out.push_str(&format!("{:w0$}", "user"));
    for (c, w) in cols.iter().zip(&widths) {
        out.push_str(&format!("  {c:>w$}"));
    }
    out.push('\n');
    for (r, n) in m.rows.iter().zip(&names) {
        out.push_str(&format!("{n:w0$}"));
        for (c, w) in r.cells.iter().zip(&widths) {
            out.push_str(&format!("  {:>w$}", short(c)));
        }
        out.push('\n');
    }
    for r in &m.rows {
        let (keys, chans) = selectors(r);
        out.push_str(&format!("\nuser {}:\n", name(r)));
        let d = if r.dangerous.is_empty() {
            "none".to_string()
        } else {
            r.dangerous.iter().map(|c| c.replace('|', " ").to_ascii_uppercase()).collect::<Vec<_>>().join(", ")
        };
        out.push_str(&format!("  dangerous commands: {d}\n"));
        out.push_str(&format!("  keys: {}\n", if keys.is_empty() { "none" } else { &keys }));
        out.push_str(&format!("  channels: {}\n", if chans.is_empty() { "none" } else { &chans }));
    }
    out
}

/// RFC 4180 field.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

pub fn csv(m: &Matrix) -> String {
    let mut head = vec!["user".to_string(), "enabled".into()];
    head.extend(m.categories.iter().map(|c| format!("@{c}")));
    head.extend(["dangerous".into(), "keys".into(), "channels".into()]);
    let mut out = head.iter().map(|h| field(h)).collect::<Vec<_>>().join(",") + "\r\n";
    for r in &m.rows {
        let (keys, chans) = selectors(r);
        let mut row = vec![r.user.clone(), r.enabled.to_string()];
        row.extend(r.cells.iter().map(|c| {
            let level = match c.level {
                Level::All => "all",
                Level::Some => "some",
                Level::None => "none",
            };
            format!("{level} {}/{}", c.allowed, c.total)
        }));
        row.push(r.dangerous.join(" "));
        row.push(keys);
        row.push(chans);
        out.push_str(&(row.iter().map(|f| field(f)).collect::<Vec<_>>().join(",") + "\r\n"));
    }
    out
}

pub fn markdown(m: &Matrix, file: &str) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = format!("### aclplay matrix: `{}` ({})\n\n| user |", cell(file), m.server);
    for c in &m.categories {
        out.push_str(&format!(" @{c} |"));
    }
    out.push_str(" dangerous |\n| --- |");
    for _ in &m.categories {
        out.push_str(" :-: |");
    }
    out.push_str(" --- |\n");
    for r in &m.rows {
        out.push_str(&format!("| `{}` |", cell(&name(r))));
        for c in &r.cells {
            let s = match c.level {
                Level::All => "**all**".to_string(),
                _ => short(c),
            };
            out.push_str(&format!(" {s} |"));
        }
        out.push_str(&format!(" {} |\n", cell(&r.dangerous.join(", "))));
    }
    out.push_str("\n| user | keys | channels |\n| --- | --- | --- |\n");
    for r in &m.rows {
        let (k, c) = selectors(r);
        let code = |s: String| if s.is_empty() { "none".into() } else { format!("`{}`", cell(&s)) };
        out.push_str(&format!("| `{}` | {} | {} |\n", cell(&name(r)), code(k), code(c)));
    }
    out
}
