//! `aclplay draft`: least-privilege rules from a `redis-cli MONITOR` capture (streamed
//! twice: once to draft, once to prove), or `ACL LOG` denials explained against the rules
//! in force. The core computes (`aclplay::review::draft`, `aclplay::review::traffic`);
//! this reads the files, shows progress and renders.

use aclplay::review::draft::{Denial, Draft, DraftOptions, Drafter, Proof, Prover};
use aclplay::review::traffic::{LineError, Monitored, monitor_line};
use std::io::{BufRead, BufReader, Read};

/// A line that is not what the capture's format says, at its line and column.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{file}:{line}:{column}: {kind}")]
#[diagnostic(code(draft::bad_line), help("{help}"))]
pub struct BadLine {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub kind: aclplay::review::traffic::LineErrorKind,
    #[source_code]
    pub src: miette::NamedSource<String>,
    #[label("here")]
    pub at: miette::SourceSpan,
    pub help: String,
}

pub fn bad_line(file: &str, n: usize, text: &[u8], e: &LineError) -> BadLine {
    // The line after as many empty lines as precede it, so that miette names its line.
    let pad = n.saturating_sub(1);
    let shown = String::from_utf8_lossy(text).into_owned();
    // Columns count characters; the bytes before the offset are printable ASCII or not
    // valid UTF-8 at all (then each shows as one replacement character).
    let before = String::from_utf8_lossy(&text[..e.offset.min(text.len())]).chars().count();
    let at = shown.char_indices().nth(before).map_or(shown.len(), |(i, _)| i);
    let len = shown[at..].chars().next().map_or(0, char::len_utf8);
    BadLine {
        file: file.to_string(),
        line: n,
        column: before + 1,
        kind: e.kind.clone(),
        src: miette::NamedSource::new(file, "\n".repeat(pad) + &shown),
        at: (pad + at, len).into(),
        help: "the capture must be `redis-cli MONITOR > file` output, unedited; `--skip-invalid` reports such lines \
               and goes on"
            .into(),
    }
}

/// Where lines come from: a file (read twice) or stdin (kept in memory).
pub enum Source {
    File(String),
    Memory(Vec<u8>),
}

impl Source {
    fn reader(&self) -> std::io::Result<Box<dyn BufRead + '_>> {
        Ok(match self {
            Source::File(p) => Box::new(BufReader::with_capacity(1 << 20, std::fs::File::open(p)?)),
            Source::Memory(b) => Box::new(BufReader::new(b.as_slice())),
        })
    }

    /// Every line (without `\n`) with its number, to `f`; stops at the first error
    /// unless `skip` (then each bad line is reported on stderr and counted).
    pub fn each(
        &self,
        name: &str,
        skip: bool,
        bar: Option<&indicatif::ProgressBar>,
        mut f: impl FnMut(usize, Monitored),
    ) -> Result<usize, Box<BadLine>> {
        let mut r = self.reader().map_err(|e| {
            Box::new(bad_line(
                name,
                0,
                e.to_string().as_bytes(),
                &LineError { offset: 0, kind: aclplay::review::traffic::LineErrorKind::NotMonitor },
            ))
        })?;
        let mut buf = Vec::with_capacity(4096);
        let mut n = 0;
        let mut skipped = 0;
        loop {
            buf.clear();
            let got = r.read_until(b'\n', &mut buf).unwrap_or(0);
            if got == 0 {
                break;
            }
            n += 1;
            if let Some(b) = bar
                && n % 4096 == 0
            {
                b.set_position(n as u64);
            }
            let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
            match monitor_line(line) {
                Ok(Some(m)) => f(n, m),
                Ok(None) => {}
                Err(e) if skip => {
                    skipped += 1;
                    eprintln!("{:?}", miette::Report::new(bad_line(name, n, line, &e)));
                }
                Err(e) => return Err(Box::new(bad_line(name, n, line, &e))),
            }
        }
        Ok(skipped)
    }
}

pub fn read_all(path: &str) -> std::io::Result<Vec<u8>> {
    let mut b = Vec::new();
    if path == "-" {
        std::io::stdin().read_to_end(&mut b)?;
    } else {
        b = std::fs::read(path)?;
    }
    Ok(b)
}

/// A progress bar over the capture's lines, on stderr when it is a terminal.
pub fn bar(what: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return None;
    }
    let b = indicatif::ProgressBar::new_spinner();
    b.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg}: {human_pos} lines ({per_sec})").expect("a template"),
    );
    b.set_message(what.to_string());
    Some(b)
}

/// Drafts from `src`, then proves the draft over the same lines.
pub fn draft(
    profile: &'static aclplay::Profile,
    src: &Source,
    name: &str,
    opts: DraftOptions,
    skip: bool,
) -> Result<(Draft, Proof, bool, usize), Box<BadLine>> {
    let mut d = Drafter::new(profile, opts);
    let b = bar("drafting");
    let skipped = src.each(name, skip, b.as_ref(), |n, m| d.add(n, m))?;
    if let Some(b) = b {
        b.finish_and_clear();
    }
    let draft = d.finish();
    let mut prover = Prover::new(&draft);
    let loads = prover.loads();
    let b = bar("proving");
    src.each(name, true, b.as_ref(), |n, m| prover.add(n, m))?;
    if let Some(b) = b {
        b.finish_and_clear();
    }
    let proof = prover.finish();
    Ok((draft, proof, loads, skipped))
}

fn upper(n: &str) -> String {
    n.replace('|', " ").to_ascii_uppercase()
}

/// The report, for stderr: how each user was drafted and what the proof found.
pub fn report(d: &Draft, p: &Proof, loads: bool, skipped: usize) -> String {
    let mut out = format!(
        "aclplay draft: {} lines, {} user(s) for {}{}\n",
        d.lines,
        d.users.len(),
        d.profile.name,
        if skipped > 0 { format!(" ({skipped} invalid line(s) skipped)") } else { String::new() }
    );
    out.push_str(&format!(
        "proof: {} of {} observed commands replay as allowed through the engine{}\n",
        p.replayed - p.refused_count,
        p.replayed,
        if loads { "; the file loads as it is" } else { "; THE FILE DOES NOT LOAD (a bug: please report it)" }
    ));
    for r in &p.refused {
        out.push_str(&format!("  denied (line {}): {} as {}: {}\n", r.line, r.command, r.user, r.reply));
    }
    for (u, b) in d.users.iter().zip(&p.beyond) {
        out.push_str(&format!("\nuser {} ({} line(s) from {}):\n", u.name, u.lines, u.clients.join(", ")));
        let cats: Vec<String> =
            b.categories.iter().map(|c| format!("@{} {}/{}", c.category, c.allowed, c.total)).collect();
        out.push_str(&format!("  allows {} command(s), exactly those seen: {}\n", b.commands, cats.join(", ")));
        if !b.dangerous.is_empty() {
            let names: Vec<String> = b.dangerous.iter().map(|n| upper(n)).collect();
            out.push_str(&format!(
                "  warning: dangerous command(s) seen and allowed: {} — check that the application needs them\n",
                names.join(", ")
            ));
        }
        for k in &b.keys {
            let more = if k.rule.ends_with('*') { "; it allows every other key it matches" } else { "" };
            out.push_str(&format!(
                "  `{}`: {}, {} key argument(s) seen ({}){more}\n",
                k.rule,
                k.why,
                k.seen,
                k.samples.join(", ")
            ));
        }
        if !b.channels.is_empty() {
            out.push_str(&format!("  channels: {}\n", b.channels.join(" ")));
        }
    }
    if !d.unknown.is_empty() {
        let u: Vec<String> = d
            .unknown
            .iter()
            .map(|(n, (line, times))| format!("{} ({times}×, first on line {line})", upper(n)))
            .collect();
        out.push_str(&format!("\nnot drafted: commands {} does not know: {}\n", d.profile.name, u.join(", ")));
    }
    if d.unclaimed_script_lines > 0 {
        out.push_str(&format!(
            "\nwarning: {} script line(s) (`[.. lua]`) came with no EVAL or FCALL to attribute them to\n",
            d.unclaimed_script_lines
        ));
    }
    out.push_str(
        "\nnote: MONITOR does not show administrative commands (CONFIG, …); add what ACL LOG shows denied \
         (`aclplay draft --acl-log`)\n",
    );
    out
}

pub fn json(d: &Draft, p: &Proof, loads: bool, skipped: usize) -> serde_json::Value {
    serde_json::json!({
        "server": d.profile.id,
        "lines": d.lines,
        "skipped": skipped,
        "acl_file": d.acl_file(),
        "loads": loads,
        "users": d.users.iter().map(|u| serde_json::json!({
            "user": u.name,
            "clients": u.clients,
            "lines": u.lines,
            "rules": d.rules(u),
            "keys": u.key_rules,
            "dangerous": d.dangerous(u),
        })).collect::<Vec<_>>(),
        "proof": p,
        "unknown_commands": d.unknown.iter().map(|(n, (l, t))| serde_json::json!({"command": n, "first_line": l, "times": t})).collect::<Vec<_>>(),
        "unclaimed_script_lines": d.unclaimed_script_lines,
    })
}

/// The denials as text: one paragraph each.
pub fn denials_text(ds: &[Denial], log: &str, rules: &str, rules_text: &str) -> String {
    let ix = aclplay::span::LineIndex::new(rules_text);
    let mut out = format!("{log}: {} denial(s), explained against {rules}\n", ds.len());
    for d in ds {
        out.push_str(&format!(
            "\n{log}:{}: user `{}`: {} `{}`{} ({}×)\n",
            d.line,
            d.user,
            d.reason,
            d.object,
            d.command.as_ref().map(|c| format!(" by {}", upper(c))).unwrap_or_default(),
            d.count
        ));
        let at = d.rule.as_ref().map(|(t, s)| {
            let p = ix.locate(rules_text, s.start);
            format!(" — `{t}` ({rules}:{}:{})", p.line, p.column)
        });
        out.push_str(&format!("  why: {}{}\n", d.why, at.unwrap_or_default()));
        if let Some(f) = &d.fix {
            out.push_str(&format!("  smallest change: add `{f}` to user `{}`\n", d.user));
        }
        if let Some(w) = &d.warning {
            out.push_str(&format!("  warning: {w}\n"));
        }
    }
    out
}
