//! `aclplay verify`'s report as text, JSON or Markdown (for a pull request or an incident
//! note). The differences come from `aclplay::review::verify`; this only renders.

use aclplay::review::verify::{Difference, ScratchReport, Subject, TableDiff, Verification};

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn subject(s: &Subject) -> String {
    match s {
        Subject::AclList { user } => format!("ACL LIST of `{user}` read back"),
        Subject::Dryrun { user, command } => format!("ACL DRYRUN {user} {}", command.join(" ")),
        Subject::Case { id, source, user: _, step } => {
            let from = source.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
            format!("scratch case {id}{from}: {step}")
        }
    }
}

/// The table's differences, one line each.
fn table_lines(t: &TableDiff, profile: &str) -> Vec<String> {
    let mut out = Vec::new();
    let list = |v: &[String]| v.join(", ");
    if !t.commands_only_on_server.is_empty() {
        let names: Vec<String> = t
            .commands_only_on_server
            .iter()
            .map(|c| if c.module { format!("{} (module)", c.name) } else { c.name.clone() })
            .collect();
        out.push(format!("commands on the server that {profile} lacks ({}): {}", names.len(), names.join(", ")));
    }
    if !t.commands_only_in_profile.is_empty() {
        out.push(format!(
            "commands of {profile} the server lacks ({}): {}",
            t.commands_only_in_profile.len(),
            list(&t.commands_only_in_profile)
        ));
    }
    if !t.categories_only_on_server.is_empty() {
        out.push(format!("categories on the server that {profile} lacks: {}", list(&t.categories_only_on_server)));
    }
    if !t.categories_only_in_profile.is_empty() {
        out.push(format!("categories of {profile} the server lacks: {}", list(&t.categories_only_in_profile)));
    }
    for c in &t.changed {
        out.push(format!("`{}` {}: {profile} `{}`, the server `{}`", c.command, c.field, c.expected, c.server));
    }
    out
}

fn counts(v: &Verification) -> (usize, usize, usize) {
    let lists = v.differences.iter().filter(|d| matches!(d.subject, Subject::AclList { .. })).count();
    let dryruns = v.differences.iter().filter(|d| matches!(d.subject, Subject::Dryrun { .. })).count();
    let cases = v.differences.iter().filter(|d| matches!(d.subject, Subject::Case { .. })).count();
    (lists, dryruns, cases)
}

/// One line: whether everything agrees, and what was compared.
pub fn summary(v: &Verification) -> String {
    let (lists, dryruns, cases) = counts(v);
    let t = &v.table;
    let table_entries = t.commands_only_on_server.len()
        + t.commands_only_in_profile.len()
        + t.categories_only_on_server.len()
        + t.categories_only_in_profile.len()
        + t.changed.len();
    let scratch_cases = v.scratch.as_ref().map(|s| s.upstream + s.generated);
    if v.agrees() {
        let mut what = vec![
            format!("the command table ({} commands)", t.server_commands),
            plural(v.users, "user's ACL LIST line", "users' ACL LIST lines"),
            plural(v.dryruns, "ACL DRYRUN reply", "ACL DRYRUN replies"),
        ];
        what.extend(scratch_cases.map(|n| plural(n, "scratch case", "scratch cases")));
        let unstable = match v.unstable.len() {
            0 => String::new(),
            n => format!(
                "; {} the server itself does not read back (below)",
                plural(n, "ACL LIST line", "ACL LIST lines")
            ),
        };
        return format!("agrees: {} (seed {}){unstable}", what.join(", "), v.seed);
    }
    let mut differ = Vec::new();
    if table_entries > 0 {
        differ.push(format!("the command table ({})", plural(table_entries, "entry", "entries")));
    }
    if lists > 0 {
        differ.push(format!("the ACL LIST lines of {lists} of {}", plural(v.users, "user", "users")));
    }
    if dryruns > 0 {
        differ.push(format!("{dryruns} of {}", plural(v.dryruns, "ACL DRYRUN reply", "ACL DRYRUN replies")));
    }
    if let (Some(n), true) = (scratch_cases, cases > 0) {
        differ.push(format!(
            "{} in {}",
            plural(cases, "answer", "answers"),
            plural(n, "scratch case", "scratch cases")
        ));
    }
    if let Some(s) = v.scratch.as_ref().filter(|s| !s.left.is_empty()) {
        differ.push(format!("{} left on the server", plural(s.left.len(), "temporary user", "temporary users")));
    }
    format!("differs: {}; agrees on the rest (seed {})", differ.join(", "), v.seed)
}

/// The skipped scratch cases, one line per reason.
fn skipped_lines(s: &ScratchReport) -> Vec<String> {
    let mut by: Vec<(&str, Vec<&str>)> = Vec::new();
    for k in &s.skipped {
        match by.iter_mut().find(|(w, _)| *w == k.why) {
            Some((_, ids)) => ids.push(&k.id),
            None => by.push((&k.why, vec![&k.id])),
        }
    }
    by.into_iter()
        .map(|(why, ids)| format!("skipped {}: {why}: {}", plural(ids.len(), "case", "cases"), ids.join(", ")))
        .collect()
}

fn header(v: &Verification) -> String {
    format!(
        "{}: {} {}, answered as {} ({})",
        v.target,
        super::product_name(&v.server.product),
        v.server.version,
        v.profile,
        v.profile_name
    )
}

pub fn text(v: &Verification) -> String {
    let mut out = format!("{}\n", header(v));
    if let Some(n) = &v.note {
        out.push_str(&format!("note: {n}\n"));
    }
    out.push_str(&summary(v));
    out.push('\n');
    let table = table_lines(&v.table, v.profile);
    if !table.is_empty() {
        out.push_str("\ncommand table:\n");
        for l in table {
            out.push_str(&format!("  {l}\n"));
        }
    }
    for Difference { subject: s, expected, server } in &v.differences {
        out.push_str(&format!("\n{}:\n  expected: {expected}\n  server:   {server}\n", subject(s)));
        if matches!(s, Subject::AclList { .. }) && v.scratch.is_none() {
            out.push_str(
                "  (aclplay reads the line back differently; the server may too, if it cannot read its own line \
                 back: `verify --scratch` against a scratch server holding this user tells which)\n",
            );
        }
    }
    if !v.unstable.is_empty() {
        out.push_str(&format!(
            "\n{}: ACL SAVE and a restart (or ACL LOAD) would change or refuse them:\n",
            plural(
                v.unstable.len(),
                "ACL LIST line the server itself does not read back to itself",
                "ACL LIST lines the server itself does not read back to themselves"
            )
        ));
        for d in &v.unstable {
            out.push_str(&format!(
                "  {}\n    listed:    {}\n    read back: {}\n",
                subject(&d.subject),
                d.server,
                d.expected
            ));
        }
    }
    if let Some(s) = &v.scratch {
        out.push_str(&format!(
            "\nscratch: {} upstream scenarios, {} generated cases and {} ACL LIST lines set again as {}*; {} skipped; \
             removed {} temporary users, {} left\n",
            s.upstream,
            s.generated,
            s.relisted,
            s.prefix,
            s.skipped.len(),
            s.removed,
            s.left.len()
        ));
        for l in skipped_lines(s) {
            out.push_str(&format!("  {l}\n"));
        }
        if !s.left.is_empty() {
            out.push_str(&format!("  LEFT ON THE SERVER: {}\n", s.left.join(", ")));
        }
    }
    out
}

pub fn markdown(v: &Verification) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', "<br>");
    let mut out = format!("### aclplay verify: `{}`\n\n{}\n", cell(&header(v)), cell(&summary(v)));
    if let Some(n) = &v.note {
        out.push_str(&format!("\n> {}\n", cell(n)));
    }
    let table = table_lines(&v.table, v.profile);
    if !table.is_empty() {
        out.push_str("\n**Command table**\n\n");
        for l in table {
            out.push_str(&format!("- {}\n", cell(&l)));
        }
    }
    if !v.unstable.is_empty() {
        out.push_str("\n**ACL LIST lines the server itself does not read back** (ACL SAVE and a restart would change or refuse them)\n\n| user | listed | read back |\n| --- | --- | --- |\n");
        for d in &v.unstable {
            let user = match &d.subject {
                Subject::AclList { user } => user.as_str(),
                _ => "",
            };
            out.push_str(&format!("| `{}` | `{}` | `{}` |\n", cell(user), cell(&d.server), cell(&d.expected)));
        }
    }
    if !v.differences.is_empty() {
        out.push_str("\n| what | expected (aclplay) | server |\n| --- | --- | --- |\n");
        for d in &v.differences {
            out.push_str(&format!(
                "| {} | `{}` | `{}` |\n",
                cell(&subject(&d.subject)),
                cell(&d.expected),
                cell(&d.server)
            ));
        }
    }
    if let Some(s) = &v.scratch {
        out.push_str(&format!(
            "\nScratch: {} upstream scenarios, {} generated cases, {} skipped; {} temporary users removed, {} left.\n",
            s.upstream,
            s.generated,
            s.skipped.len(),
            s.removed,
            s.left.len()
        ));
    }
    out
}

pub fn json(v: &Verification) -> serde_json::Value {
    let mut j = serde_json::to_value(v).expect("serialisable");
    j["agrees"] = v.agrees().into();
    j["summary"] = summary(v).into();
    j
}
