//! `aclplay compare`: where server versions answer the same input differently, printed
//! as text, JSON or Markdown (for a pull request comment). The core computes it
//! (`aclplay::review::compare`); this only renders.

use aclplay::review::compare::{Answer, Comparison, Decision, Difference, Subject};
use aclplay::span::LineIndex;

/// `line L, column C` of a span, and the rule's text.
fn at(text: &str, ix: &LineIndex, a: &Answer) -> Option<(usize, usize, String)> {
    let s = a.deciding?;
    let p = ix.locate(text, s.start);
    Some((p.line, p.column, text.get(s.start..s.end).unwrap_or("").to_string()))
}

fn subject(s: &Subject) -> String {
    match s {
        Subject::Input => "the input".into(),
        Subject::User { user } => format!("user `{user}`"),
        Subject::AclList { user } => format!("`ACL LIST` of `{user}`"),
        Subject::Dryrun { user, line, command } => format!("`{command}` as `{user}` (line {line})"),
    }
}

fn decision(d: Decision) -> &'static str {
    match d {
        Decision::Accepted => "accepted",
        Decision::Rejected => "rejected",
        Decision::Crash => "crashes",
        Decision::Allowed => "allowed",
        Decision::Denied => "denied",
        Decision::Error => "error",
        Decision::Down => "server down",
    }
}

fn summary(c: &Comparison) -> String {
    let decisions = c.differences.iter().filter(|d| d.decision).count();
    match c.differences.len() {
        0 => format!("no differences: {} versions answer all {} questions alike", c.servers.len(), c.compared),
        n => format!(
            "{n} difference(s) in {} questions across {} versions; {decisions} of them in a decision",
            c.compared,
            c.servers.len()
        ),
    }
}

pub fn text(c: &Comparison, name: &str, src: &str) -> String {
    let ix = LineIndex::new(src);
    let mut out = format!("{name} on {}\n{}\n", c.servers.join(", "), summary(c));
    for d in &c.differences {
        out.push('\n');
        out.push_str(&subject(&d.subject));
        out.push_str(if d.decision { ": the decision differs\n" } else { ": the words differ\n" });
        for g in &d.groups {
            let rule = at(src, &ix, &g.answer).map(|(l, col, t)| format!(" — `{t}` (line {l}, column {col})"));
            let mut lines = g.answer.text.lines();
            out.push_str(&format!(
                "  {} [{}]: {}{}\n",
                g.servers.join(", "),
                decision(g.answer.decision),
                lines.next().unwrap_or(""),
                rule.unwrap_or_default()
            ));
            for more in lines {
                out.push_str(&format!("      {more}\n"));
            }
        }
    }
    out
}

/// Markdown for a pull request comment: a summary line, then one table row per answer.
pub fn markdown(c: &Comparison, name: &str, src: &str) -> String {
    let ix = LineIndex::new(src);
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', "<br>");
    let mut out = format!("### aclplay compare: `{}`\n\n{}\n", cell(name), summary(c));
    if c.differences.is_empty() {
        return out;
    }
    out.push_str("\n| what | versions | answer | deciding rule |\n| --- | --- | --- | --- |\n");
    for Difference { subject: s, decision: d, groups } in &c.differences {
        for (i, g) in groups.iter().enumerate() {
            let what = if i == 0 {
                format!("{}{}", cell(&subject(s)), if *d { " **(decision)**" } else { "" })
            } else {
                String::new()
            };
            let rule =
                at(src, &ix, &g.answer).map(|(l, col, t)| format!("`{}` ({l}:{col})", cell(&t))).unwrap_or_default();
            out.push_str(&format!(
                "| {what} | {} | {}: `{}` | {rule} |\n",
                g.servers.join(", "),
                decision(g.answer.decision),
                cell(&g.answer.text)
            ));
        }
    }
    out
}

/// The comparison as JSON, each deciding rule with its line, column and text.
pub fn json(c: &Comparison, src: &str) -> serde_json::Value {
    let ix = LineIndex::new(src);
    let mut v = serde_json::to_value(c).expect("serialisable");
    for (d, dv) in c.differences.iter().zip(v["differences"].as_array_mut().expect("an array")) {
        for (g, gv) in d.groups.iter().zip(dv["groups"].as_array_mut().expect("an array")) {
            if let Some((line, column, text)) = at(src, &ix, &g.answer) {
                gv["answer"]["deciding"] = serde_json::json!({
                    "start": g.answer.deciding.map(|s| s.start),
                    "end": g.answer.deciding.map(|s| s.end),
                    "line": line,
                    "column": column,
                    "text": text,
                });
            }
        }
    }
    v
}
