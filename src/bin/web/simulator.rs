//! The simulator: `ACL DRYRUN` for each line typed as in redis-cli, with the keys and
//! channels the server finds and the rule that decided; a row's button marks that rule
//! in the editor.

use crate::app::{App, span_attr};
use crate::derived::Shared;
use crate::user_select::Names;
use aclplay::input::split::split_args;
use aclplay::span::Span;
use aclplay::verdicts::{ArgCheck, CommandWhy, Denial, Explanation, ReplyKind, SelectorExplain};
use yew::prelude::*;

/// One command line and what came of it.
struct Row {
    line: usize,
    text: String,
    argv: Vec<Vec<u8>>,
    result: Result<Explanation, &'static str>,
}

fn upper(s: &str) -> String {
    s.to_ascii_uppercase().replace('|', " ")
}

fn needs(c: &ArgCheck) -> String {
    if c.needs.is_empty() { String::new() } else { format!(" ({})", c.needs.join(" and ")) }
}

fn arg_sentence(kind: &str, c: &ArgCheck) -> String {
    let v = &c.value;
    match (&c.matched, c.all) {
        (_, true) => format!("{kind} '{v}'{}: every {kind} is allowed", needs(c)),
        (Some((p, _)), _) => format!("{kind} '{v}'{}: allowed by {p}", needs(c)),
        (None, _) if c.literal => format!("{kind} pattern '{v}': no channel rule is this very pattern"),
        (None, _) => format!("{kind} '{v}'{}: no pattern allows it", needs(c)),
    }
}

fn command_sentence(cmd: &str, w: &CommandWhy) -> String {
    let cmd = upper(cmd);
    match w {
        CommandWhy::NoAuth => format!("{cmd} is never checked (it is how clients log in)"),
        CommandWhy::Rule { rule, allows: true, .. } => format!("{rule} allows {cmd}"),
        CommandWhy::Rule { rule, .. } => format!("{rule} removes {cmd}"),
        CommandWhy::FirstArg { rule, .. } => format!("{rule} allows {cmd} with this first argument"),
        CommandWhy::Default => format!("no rule allows {cmd}: users start with no commands"),
    }
}

fn selector_name(s: &SelectorExplain) -> String {
    if s.index == 0 { "root permissions".into() } else { format!("selector {}", s.index) }
}

/// The explanation in plain words; `user` lists the patterns a key or channel missed.
fn explain(e: &Explanation, user: Option<&aclplay::engine::acl::User>) -> Vec<String> {
    let cmd = e.command.as_deref().unwrap_or("?");
    let mut out = Vec::new();
    if e.reply.kind == ReplyKind::Error {
        out.push("The server answers with an error before checking any permission.".to_string());
        return out;
    }
    if let Some(i) = e.allowed_by {
        let s = &e.selectors[i];
        out.push(format!("Allowed by the {}: {}.", selector_name(s), command_sentence(cmd, &s.command)));
        out.extend(s.keys.iter().map(|k| arg_sentence("key", k)));
        out.extend(s.channels.iter().map(|c| arg_sentence("channel", c)));
        if i > 0 {
            out.push(format!("The {} selector(s) before it did not allow it.", i));
        }
        return out;
    }
    if let Some(i) = e.reported {
        let s = &e.selectors[i];
        let why = match s.denied {
            Some((Denial::Command, _)) => command_sentence(cmd, &s.command),
            Some((Denial::Key, pos)) => {
                s.keys.iter().find(|k| k.pos == pos).map_or_else(String::new, |k| arg_sentence("key", k))
            }
            Some((Denial::Channel, pos)) => {
                s.channels.iter().find(|c| c.pos == pos).map_or_else(String::new, |c| arg_sentence("channel", c))
            }
            Some((Denial::Database, _)) => {
                let rule = s.db_rule.as_ref().map_or("", |r| r.0.as_str());
                format!(
                    "its databases (`{}`) leave out the one the command uses",
                    if rule.is_empty() { "resetdbs" } else { rule }
                )
            }
            None => String::new(),
        };
        out.push(format!("Denied by the {}: {why}.", selector_name(s)));
        let sel = user.and_then(|u| u.selectors.get(s.index));
        let patterns = match (s.denied, sel) {
            (Some((Denial::Key, _)), Some(sel)) => Some(("key", aclplay::verdicts::describe::keys_text(sel))),
            (Some((Denial::Channel, _)), Some(sel)) => {
                Some(("channel", aclplay::verdicts::describe::channels_text(sel)))
            }
            _ => None,
        };
        if let Some((what, p)) = patterns {
            let list: Vec<String> = p.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect();
            out.push(if list.is_empty() {
                format!("It has no {what} pattern.")
            } else {
                format!("Its {what} patterns: {}.", list.join(" "))
            });
        }
        if e.selectors.len() > 1 {
            out.push(format!(
                "None of the {} permission sets allows it; the server reports the {} failure.",
                e.selectors.len(),
                selector_name(s)
            ));
        }
    }
    out
}

/// The rule to mark for a verdict. When no key (or channel) pattern matched, the engine
/// points at the command rule; the patterns that failed to match say more, so mark the
/// selector's first one.
fn deciding(d: &Shared, user: &str, e: &Explanation) -> Option<Span> {
    let sel = e.reported.and_then(|i| Some((i, e.selectors.get(i)?.denied?)));
    let patterns = |i: usize, denial: Denial| {
        let s = d.analysis.user(user.as_bytes())?.selectors.get(i)?;
        match denial {
            Denial::Key => s.keys.first()?.origin,
            Denial::Channel => s.channels.first()?.origin,
            // The engine's deciding span is the database rule.
            Denial::Command | Denial::Database => None,
        }
    };
    sel.and_then(|(i, (denial, _))| patterns(i, denial)).or_else(|| e.deciding_span())
}

fn rows(d: &Shared, commands: &str, user: &str) -> Vec<Row> {
    let mut out = Vec::new();
    for (i, line) in commands.split('\n').enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let (argv, result) = match split_args(t.as_bytes(), 0) {
            Err(_) => (Vec::new(), Err("Invalid argument(s): unbalanced quotes")),
            Ok(args) => {
                let argv: Vec<Vec<u8>> = args.into_iter().map(|a| a.bytes).collect();
                let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
                let e = d.analysis.explain(user.as_bytes(), &refs);
                (argv, Ok(e))
            }
        };
        out.push(Row { line: i + 1, text: t.to_string(), argv, result });
    }
    out
}

/// Keys and channels the server finds in the line, whatever the permissions.
fn found(d: &Shared, argv: &[Vec<u8>]) -> Vec<String> {
    let profile = d.analysis.profile;
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
    let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let mut out = Vec::new();
    if let Some((_, keys)) = profile.find_keys(&refs) {
        for k in keys {
            let how = match (k.needs_read(), k.needs_write()) {
                (true, true) => "read+write",
                (true, false) => "read",
                (false, true) => "write",
                _ => "no access",
            };
            out.push(format!("key '{}' ({how})", lossy(refs[k.pos])));
        }
    }
    if let Some(id) = profile.lookup_argv(&refs) {
        let c = profile.command(id);
        for (pos, pattern) in c.channels_of(refs.len()) {
            let what = if pattern { "channel pattern" } else { "channel" };
            out.push(format!("{what} '{}'", lossy(refs[pos])));
        }
    }
    out
}

pub fn view(app: &App) -> Html {
    let d = &app.d;
    // The chosen user, or the first one the input defines.
    let user = if d.names.contains(&app.work.user) {
        app.work.user.to_string()
    } else {
        d.analysis
            .users
            .iter()
            .find(|r| r.span.is_some())
            .or(d.analysis.users.first())
            .map(|r| r.name())
            .unwrap_or_default()
    };
    let rows = rows(d, &app.work.commands, &user);
    let (mut allowed, mut denied) = (0, 0);
    let items: Vec<Html> = rows
        .iter()
        .map(|r| {
            // The verdict, the row's and the badge's classes.
            let (verdict, row, badge, reply, lines, span) = match &r.result {
                Err(msg) => ("error", "sim-row error", "badge error", format!("(error) {msg}"), Vec::new(), None),
                Ok(e) => {
                    let (verdict, row, badge, reply) = match e.reply.kind {
                        ReplyKind::Ok => ("allowed", "sim-row ok", "badge ok", "OK".to_string()),
                        ReplyKind::Denied => ("denied", "sim-row bad", "badge bad", format!("\"{}\"", e.reply.text)),
                        ReplyKind::Error => ("error", "sim-row error", "badge error", format!("(error) {}", e.reply.text)),
                    };
                    let lines = explain(e, d.analysis.user(user.as_bytes()));
                    (verdict, row, badge, reply, lines, deciding(d, &user, e))
                }
            };
            match verdict {
                "allowed" => allowed += 1,
                "denied" => denied += 1,
                _ => {}
            }
            let found = found(d, &r.argv);
            let pressed = span.is_some() && span == app.mark;
            html! {
                <li class={row} data-line={r.line.to_string()} data-verdict={verdict}>
                    <div class="sim-head">
                        <span class={badge}>{ verdict }</span>
                        <code class="cmd">{ r.text.clone() }</code>
                    </div>
                    <div class="sim-reply"><span class="muted">{ "ACL DRYRUN → " }</span><code class="reply">{ reply }</code></div>
                    if !found.is_empty() {
                        <div class="found muted">{ found.join(", ") }</div>
                    }
                    <ul class="why">{ for lines.into_iter().map(|l| html! { <li>{ l }</li> }) }</ul>
                    if let Some(s) = span {
                        <button type="button" class="small show-rule" aria-pressed={if pressed { "true" } else { "false" }}
                            data-a="mark" data-s={span_attr(s)}>
                            { "Show deciding rule " }<code>{ d.src(s).to_string() }</code>
                        </button>
                    }
                </li>
            }
        })
        .collect();
    let summary = if rows.is_empty() {
        "Type a command per line".to_string()
    } else {
        format!("{allowed} allowed, {denied} denied")
    };
    html! {
        <section class="simulator panel" aria-labelledby="sim-h">
            <div class="panel-head">
                <h2 id="sim-h">{ "Simulator" }</h2>
                <span class="verdict" aria-live="polite" data-testid="sim-verdict">{ summary }</span>
            </div>
            <div class="sim-controls">
                <label class="inline">
                    { "User " }
                    <Names names={d.names.clone()} selected={AttrValue::from(user)} label="User" act="user" />
                </label>
            </div>
            <label for="commands" class="label">{ "Commands" }</label>
            <span id="commands-hint" class="muted small-text">{ " one per line, as in redis-cli (quotes work)" }</span>
            <textarea id="commands" data-a="commands" rows="5" spellcheck="false" autocomplete="off"
                autocapitalize="off" wrap="off" aria-describedby="commands-hint" />
            <ol class="sim-results">{ for items }</ol>
        </section>
    }
}
