//! `aclplay diff`: what a change of rules does to each user's access, printed as text,
//! JSON, Markdown (a pull request comment) or SARIF. The core computes it
//! (`aclplay::review::diff`); this only renders.

use aclplay::review::diff::{Change, Class, Diff, Rule, UserDiff, What, Which};
use aclplay::span::LineIndex;
use serde_sarif::sarif;

/// The two inputs, by name and text, for the rules' lines and columns.
pub struct Files<'a> {
    pub old: (&'a str, &'a str),
    pub new: (&'a str, &'a str),
}

impl Files<'_> {
    fn of(&self, w: Which) -> (&str, &str) {
        match w {
            Which::Old => self.old,
            Which::New => self.new,
        }
    }

    /// `file:line:column`.
    fn place(&self, r: &Rule) -> (String, usize, usize) {
        let (name, text) = self.of(r.input);
        let p = LineIndex::new(text).locate(text, r.span.start);
        (name.to_string(), p.line, p.column)
    }
}

fn class(c: Class) -> &'static str {
    match c {
        Class::Widens => "widens",
        Class::Narrows => "narrows",
        Class::Neutral => "neutral",
    }
}

fn upper(name: &str) -> String {
    name.replace('|', " ").to_ascii_uppercase()
}

/// Commands as a short list: the dangerous ones first, at most `max` names.
fn list(names: &[String], max: usize) -> String {
    let mut s: Vec<String> = names.iter().take(max).map(|n| upper(n)).collect();
    if names.len() > max {
        s.push(format!("and {} more", names.len() - max));
    }
    s.join(", ")
}

/// What a change says, in words.
fn words(c: &Change) -> String {
    let onoff = |b: bool| if b { "on" } else { "off" };
    match &c.what {
        What::UserAdded => "user added".into(),
        What::UserRemoved => "user removed".into(),
        What::Enabled { old, new } => format!("login: {} → {}", onoff(*old), onoff(*new)),
        What::Nopass { old, new } => {
            format!("nopass: {} → {}", if *old { "yes" } else { "no" }, if *new { "yes" } else { "no" })
        }
        What::PasswordAdded { sha256 } => format!("password added (SHA-256 {sha256}…)"),
        What::PasswordRemoved { sha256 } => format!("password removed (SHA-256 {sha256}…)"),
        What::Sanitize { old, new } => format!("RESTORE payloads: {old} → {new}"),
        What::CommandGained { command } => format!("command {} gained", upper(command)),
        What::CommandLost { command } => format!("command {} lost", upper(command)),
        What::Arguments { through, commands } => {
            let verb = if c.class == Class::Widens { "now allows" } else { "no longer allows" };
            format!("{through} {verb} more lines of {} command(s): {}", commands.len(), list(commands, 8))
        }
        What::Rewritten => "rules rewritten with the same permissions".into(),
    }
}

/// Gained and lost commands of one user, grouped by the rule that decided: one entry
/// per (class, rule), holding the changes.
fn grouped(u: &UserDiff) -> Vec<Vec<&Change>> {
    let mut out: Vec<Vec<&Change>> = Vec::new();
    for c in &u.changes {
        let is_cmd = matches!(c.what, What::CommandGained { .. } | What::CommandLost { .. });
        let slot = out.iter_mut().find(|g| {
            is_cmd
                && matches!(g[0].what, What::CommandGained { .. } | What::CommandLost { .. })
                && g[0].class == c.class
                && g[0].rule.as_ref().map(|r| (&r.text, r.span)) == c.rule.as_ref().map(|r| (&r.text, r.span))
        });
        match slot {
            Some(g) => g.push(c),
            None => out.push(vec![c]),
        }
    }
    out
}

fn command_of(c: &Change) -> &str {
    match &c.what {
        What::CommandGained { command } | What::CommandLost { command } => command,
        _ => "",
    }
}

/// One entry (a change, or commands gained/lost through one rule) as a line of words,
/// its witness and its rule.
struct Entry<'c> {
    class: Class,
    dangerous: bool,
    text: String,
    witness: Option<&'c aclplay::review::diff::Witness>,
    rule: Option<&'c Rule>,
}

fn entries(u: &UserDiff) -> Vec<Entry<'_>> {
    grouped(u)
        .into_iter()
        .map(|g| {
            let c = g[0];
            if g.len() == 1 {
                return Entry {
                    class: c.class,
                    dangerous: c.dangerous,
                    text: words(c),
                    witness: c.witness.as_ref(),
                    rule: c.rule.as_ref(),
                };
            }
            let verb = if matches!(c.what, What::CommandGained { .. }) { "gained" } else { "lost" };
            let mut names: Vec<String> = g.iter().filter(|c| c.dangerous).map(|c| command_of(c).to_string()).collect();
            let danger = names.len();
            names.extend(g.iter().filter(|c| !c.dangerous).map(|c| command_of(c).to_string()));
            let mut text = format!("{} commands {verb}: {}", g.len(), list(&names, 10));
            if danger > 0 {
                text.push_str(&format!(" ({danger} dangerous)"));
            }
            // The witness of a dangerous command, when there is one.
            let w = g.iter().find(|c| c.dangerous).unwrap_or(&c);
            Entry { class: c.class, dangerous: danger > 0, text, witness: w.witness.as_ref(), rule: c.rule.as_ref() }
        })
        .collect()
}

fn headline(d: &Diff) -> String {
    if d.no_change_in_access() {
        let rewritten = d.users.len();
        return if rewritten == 0 {
            format!("no change in access ({} user(s) compared)", d.compared)
        } else {
            format!(
                "no change in access ({} user(s) compared; {rewritten} rewritten with the same permissions)",
                d.compared
            )
        };
    }
    let changed = d
        .users
        .iter()
        .filter(|u| u.changes.iter().any(|c| c.class != Class::Neutral) || !u.undecided.is_empty())
        .count();
    let danger = d.users.iter().flat_map(|u| &u.changes).filter(|c| c.class == Class::Widens && c.dangerous).count();
    let mut s = format!(
        "{changed} of {} user(s) changed: {} change(s) widen access{}, {} narrow it",
        d.compared,
        d.count(Class::Widens),
        if danger > 0 { format!(" ({danger} with dangerous commands)") } else { String::new() },
        d.count(Class::Narrows)
    );
    let undecided: usize = d.users.iter().map(|u| u.undecided.len()).sum();
    if undecided > 0 {
        s.push_str(&format!("; {undecided} question(s) undecided"));
    }
    s
}

fn versions(d: &Diff) -> String {
    if d.old_server == d.new_server {
        d.new_server.to_string()
    } else {
        format!("{} → {}", d.old_server, d.new_server)
    }
}

pub fn text(d: &Diff, f: &Files) -> String {
    let mut out = format!("{} → {} on {}\n{}\n", f.old.0, f.new.0, versions(d), headline(d));
    for u in &d.users {
        let classes: Vec<&str> =
            [Class::Widens, Class::Narrows, Class::Neutral].into_iter().filter(|c| u.has(*c)).map(class).collect();
        out.push_str(&format!("\nuser {}: {}\n", u.user, classes.join(", ")));
        for e in entries(u) {
            let mark = match e.class {
                Class::Widens => "+",
                Class::Narrows => "-",
                Class::Neutral => "=",
            };
            let danger = if e.dangerous { " [dangerous]" } else { "" };
            let rule = e.rule.map(|r| {
                let (name, l, c) = f.place(r);
                format!(" — `{}` ({name}:{l}:{c})", r.text)
            });
            out.push_str(&format!("  {mark} {}{danger}: {}{}\n", class(e.class), e.text, rule.unwrap_or_default()));
            if let Some(w) = e.witness {
                let how = if e.class == Class::Widens { "allowed now" } else { "allowed before" };
                out.push_str(&format!("      e.g. {} ({how})\n", w.line));
            }
        }
        for q in &u.undecided {
            out.push_str(&format!("  ? undecided: {q}\n"));
        }
    }
    out
}

/// Markdown for a pull request comment: the headline, then a table per changed user.
pub fn markdown(d: &Diff, f: &Files) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', "<br>");
    let mut out = format!("### aclplay diff: `{}` → `{}` ({})\n\n", cell(f.old.0), cell(f.new.0), versions(d));
    let icon = if d.dangerous() {
        "🔴"
    } else if d.widens() {
        "🟠"
    } else if d.no_change_in_access() {
        "🟢"
    } else {
        "🔵"
    };
    out.push_str(&format!("{icon} **{}**\n", headline(d)));
    for u in &d.users {
        out.push_str(&format!(
            "\n#### user `{}`\n\n| | change | e.g. | rule |\n| --- | --- | --- | --- |\n",
            cell(&u.user)
        ));
        for e in entries(u) {
            let mark = match (e.class, e.dangerous) {
                (Class::Widens, true) => "**widens (dangerous)**",
                (Class::Widens, false) => "**widens**",
                (Class::Narrows, _) => "narrows",
                (Class::Neutral, _) => "neutral",
            };
            let w = e.witness.map(|w| format!("`{}`", cell(&w.line))).unwrap_or_default();
            let r = e
                .rule
                .map(|r| {
                    let (name, l, c) = f.place(r);
                    format!("`{}` ({}:{l}:{c})", cell(&r.text), cell(&name))
                })
                .unwrap_or_default();
            out.push_str(&format!("| {mark} | {} | {w} | {r} |\n", cell(&e.text)));
        }
        for q in &u.undecided {
            out.push_str(&format!("| undecided | {} | | |\n", cell(q)));
        }
    }
    out
}

/// The diff as JSON, each rule with its file, line and column.
pub fn json(d: &Diff, f: &Files) -> serde_json::Value {
    let mut v = serde_json::to_value(d).expect("serialisable");
    v["no_change_in_access"] = d.no_change_in_access().into();
    v["widens"] = d.widens().into();
    v["narrows"] = d.narrows().into();
    v["dangerous"] = d.dangerous().into();
    v["old"] = f.old.0.into();
    v["new"] = f.new.0.into();
    for (u, uv) in d.users.iter().zip(v["users"].as_array_mut().expect("an array")) {
        for (c, cv) in u.changes.iter().zip(uv["changes"].as_array_mut().expect("an array")) {
            if let Some(r) = &c.rule {
                let (name, line, column) = f.place(r);
                cv["rule"]["file"] = name.into();
                cv["rule"]["line"] = line.into();
                cv["rule"]["column"] = column.into();
            }
        }
    }
    v
}

/// SARIF rules of `aclplay diff`: (id, level, description).
const RULES: &[(&str, &str, &str)] = &[
    ("diff/widens-dangerous", "error", "the change lets a user run a dangerous command it could not run before"),
    ("diff/widens", "warning", "the change lets a user run command lines it could not run before"),
    ("diff/narrows", "note", "the change denies a user command lines it could run before"),
    ("diff/undecided", "warning", "aclplay could not decide exactly whether the change widens access"),
];

fn level(l: &str) -> sarif::ResultLevel {
    match l {
        "error" => sarif::ResultLevel::Error,
        "warning" => sarif::ResultLevel::Warning,
        _ => sarif::ResultLevel::Note,
    }
}

/// The diff as a SARIF 2.1.0 log: one result per widening or narrowing entry, at the rule
/// that brought it (in the new file for widenings).
pub fn sarif(d: &Diff, f: &Files) -> String {
    let rules: Vec<sarif::ReportingDescriptor> = RULES
        .iter()
        .map(|(id, level, desc)| {
            sarif::ReportingDescriptor::builder()
                .id(*id)
                .short_description(sarif::MultiformatMessageString::builder().text(*desc).build())
                .default_configuration(sarif::ReportingConfiguration::builder().level(serde_json::json!(level)).build())
                .build()
        })
        .collect();
    let uri = |name: &str| if name == "<stdin>" { "stdin".to_string() } else { name.to_string() };
    let location = |r: Option<&Rule>, fallback: &str| {
        let phys = sarif::PhysicalLocation::builder();
        match r {
            Some(r) => {
                let (name, text) = f.of(r.input);
                let ix = LineIndex::new(text);
                let (a, b) = (ix.locate(text, r.span.start), ix.locate(text, r.span.end));
                let region = sarif::Region::builder()
                    .start_line(a.line as i64)
                    .start_column(a.column as i64)
                    .end_line(b.line as i64)
                    .end_column(b.column as i64)
                    .build();
                sarif::Location::builder()
                    .physical_location(
                        phys.artifact_location(sarif::ArtifactLocation::builder().uri(uri(name)).build())
                            .region(region)
                            .build(),
                    )
                    .build()
            }
            None => sarif::Location::builder()
                .physical_location(
                    phys.artifact_location(sarif::ArtifactLocation::builder().uri(uri(fallback)).build()).build(),
                )
                .build(),
        }
    };
    let mut results = Vec::new();
    for u in &d.users {
        for e in entries(u) {
            let id = match (e.class, e.dangerous) {
                (Class::Widens, true) => "diff/widens-dangerous",
                (Class::Widens, false) => "diff/widens",
                (Class::Narrows, _) => "diff/narrows",
                (Class::Neutral, _) => continue,
            };
            let index = RULES.iter().position(|r| r.0 == id).expect("a known rule") as i64;
            let mut msg = format!("user `{}`: {}", u.user, e.text);
            if let Some(w) = e.witness {
                msg.push_str(&format!(" (e.g. `{}`)", w.line));
            }
            results.push(
                sarif::Result::builder()
                    .rule_id(id)
                    .rule_index(index)
                    .level(level(RULES[index as usize].1))
                    .message(sarif::Message::builder().text(msg).build())
                    .locations(vec![location(e.rule, f.new.0)])
                    .build(),
            );
        }
        for q in &u.undecided {
            results.push(
                sarif::Result::builder()
                    .rule_id("diff/undecided")
                    .rule_index(3)
                    .level(sarif::ResultLevel::Warning)
                    .message(sarif::Message::builder().text(format!("user `{}`: {q}", u.user)).build())
                    .locations(vec![location(None, f.new.0)])
                    .build(),
            );
        }
    }
    crate::sarif::envelope("aclplay diff", rules, results)
}
