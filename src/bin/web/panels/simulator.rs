//! The simulator: `ACL DRYRUN` for each line typed as in redis-cli, answered as the
//! server really answers after this input (`Analysis::served_explain`): when the file
//! does not load, the server has none of its users, and the answer "as if the file
//! loaded" is shown apart, labelled hypothetical. With the keys and channels the server
//! finds, the rule that decided (quoted, and marked in the editor on request), and the
//! rules of the user's line that the server refused.

use super::names::Names;
use crate::action::{Act, span_attr};
use crate::app::App;
use crate::doc::Doc;
use aclplay::analysis::{Down, Served};
use aclplay::input::split::split_args;
use aclplay::span::Span;
use aclplay::verdicts::{ArgCheck, CommandWhy, Denial, Explanation, ReplyKind, SelectorExplain};
use aclplay::visible::escape;
use yew::prelude::*;

/// One command line and what came of it.
struct Row {
    line: usize,
    text: String,
    argv: Vec<Vec<u8>>,
    /// What the server answers (`None`: no server answers), and as if the input took
    /// effect (the same when it did).
    result: Result<(Option<Explanation>, Explanation), &'static str>,
}

fn upper(s: &str) -> String {
    s.to_ascii_uppercase().replace('|', " ")
}

fn needs(c: &ArgCheck) -> String {
    if c.needs.is_empty() { String::new() } else { format!(" ({})", c.needs.join(" and ")) }
}

fn arg_sentence(kind: &str, c: &ArgCheck) -> String {
    let v = escape(&c.value);
    match (&c.matched, c.all) {
        (_, true) => format!("{kind} '{v}'{}: every {kind} is allowed", needs(c)),
        (Some((p, _)), _) => format!("{kind} '{v}'{}: allowed by {}", needs(c), escape(p)),
        (None, _) if c.literal => format!("{kind} pattern '{v}': no channel rule is this very pattern"),
        (None, _) => format!("{kind} '{v}'{}: no pattern allows it", needs(c)),
    }
}

fn command_sentence(cmd: &str, w: &CommandWhy) -> String {
    let cmd = upper(cmd);
    match w {
        CommandWhy::NoAuth => format!("{cmd} is never checked (it is how clients log in)"),
        CommandWhy::Rule { rule, allows: true, .. } => format!("{} allows {cmd}", escape(rule)),
        CommandWhy::Rule { rule, .. } => format!("{} removes {cmd}", escape(rule)),
        CommandWhy::FirstArg { rule, .. } => format!("{} allows {cmd} with this first argument", escape(rule)),
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
            let list: Vec<String> = p.iter().map(|b| aclplay::visible::escape_bytes(b)).collect();
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
fn deciding(d: &Doc, user: &str, e: &Explanation) -> Option<Span> {
    let sel = e.reported.and_then(|i| Some((i, e.selectors.get(i)?.denied?)));
    let patterns = |i: usize, denial: Denial| {
        let s = d.analysis().user(user.as_bytes())?.selectors.get(i)?;
        match denial {
            Denial::Key => s.keys.first()?.origin,
            Denial::Channel => s.channels.first()?.origin,
            // The engine's deciding span is the database rule.
            Denial::Command | Denial::Database => None,
        }
    };
    sel.and_then(|(i, (denial, _))| patterns(i, denial)).or_else(|| e.deciding_span())
}

fn rows(d: &Doc, commands: &str, user: &str) -> Vec<Row> {
    let a = d.analysis();
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
                let as_if = a.explain(user.as_bytes(), &refs);
                let real = if a.served() == Served::Input {
                    Some(as_if.clone())
                } else {
                    a.served_explain(user.as_bytes(), &refs).ok()
                };
                (argv, Ok((real, as_if)))
            }
        };
        out.push(Row { line: i + 1, text: t.to_string(), argv, result });
    }
    out
}

/// Keys and channels the server finds in the line, whatever the permissions.
fn found(d: &Doc, argv: &[Vec<u8>]) -> Vec<String> {
    let profile = d.profile();
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
    let shown = |b: &[u8]| aclplay::visible::escape_bytes(b);
    let mut out = Vec::new();
    if let Some((_, keys)) = profile.find_keys(&refs) {
        for k in keys {
            let how = match (k.needs_read(), k.needs_write()) {
                (true, true) => "read+write",
                (true, false) => "read",
                (false, true) => "write",
                _ => "no access",
            };
            out.push(format!("key '{}' ({how})", shown(refs[k.pos])));
        }
    }
    if let Some(id) = profile.lookup_argv(&refs) {
        let c = profile.command(id);
        for (pos, pattern) in c.channels_of(refs.len()) {
            let what = if pattern { "channel pattern" } else { "channel" };
            out.push(format!("{what} '{}'", shown(refs[pos])));
        }
    }
    out
}

/// (verdict, row class, badge class, reply text) of an answer.
fn verdict(e: &Explanation) -> (&'static str, &'static str, &'static str, String) {
    match e.reply.kind {
        ReplyKind::Ok => ("allowed", "sim-row ok", "badge ok", "OK".to_string()),
        ReplyKind::Denied => ("denied", "sim-row bad", "badge bad", format!("\"{}\"", escape(&e.reply.text))),
        ReplyKind::Error => ("error", "sim-row error", "badge error", format!("(error) {}", escape(&e.reply.text))),
    }
}

/// Characters of context on each side of a quoted rule.
const CONTEXT: usize = 48;

/// The line holding `s`, around it: `line N:` and the text with the rule highlighted,
/// long hashes shortened, hidden characters escaped.
fn quote(d: &Doc, s: Span) -> Html {
    let text = d.text();
    let (line, _) = d.locate(s.start);
    let ls = d.line_span(line - 1);
    let back = |mut at: usize, n: usize| {
        for _ in 0..n {
            match text[ls.start..at].chars().next_back() {
                Some(c) => at -= c.len_utf8(),
                None => break,
            }
        }
        at
    };
    let fwd = |mut at: usize, n: usize| {
        for _ in 0..n {
            match text[at..ls.end].chars().next() {
                Some(c) => at += c.len_utf8(),
                None => break,
            }
        }
        at
    };
    let (a, b) = (back(s.start.max(ls.start), CONTEXT), fwd(s.end.min(ls.end), CONTEXT));
    let short = |t: &str| {
        let words: Vec<String> = t
            .split(' ')
            .map(|w| {
                if w.len() > 20 && (w.starts_with('#') || w.starts_with('!')) && w.is_ascii() {
                    format!("{}…{}", &w[..7], &w[w.len() - 4..])
                } else {
                    escape(w).into_owned()
                }
            })
            .collect();
        words.join(" ")
    };
    let (before, rule, after) = (&text[a..s.start.max(a)], d.src(s), &text[s.end.min(b)..b]);
    html! {
        <div class="quote"><span class="muted">{ format!("line {line}: ") }</span><code>
            if a > ls.start { { "…" } }
            { short(before) }<mark>{ escape(rule).into_owned() }</mark>{ short(after) }
            if b < ls.end { { "…" } }
        </code></div>
    }
}

/// What the server says about the rules of the user's line that it refused.
fn refused(d: &Doc, user: &str) -> Vec<String> {
    let a = d.analysis();
    let Some(line) = a.users.iter().find(|r| r.user.name == user.as_bytes()).and_then(|r| r.span) else {
        return Vec::new();
    };
    let diags = &a.diagnostics;
    let from = diags.partition_point(|x| x.span.is_none_or(|s| s.start < line.start));
    diags[from..]
        .iter()
        .take_while(|x| x.span.is_some_and(|s| s.start <= line.end))
        .filter(|x| x.severity == aclplay::diagnostics::Severity::Error)
        .filter_map(|x| {
            let s = x.span?;
            let (l, c) = d.locate(s.start);
            let mut t = format!("The server refused `{}` (line {l}, column {c}): {}", escape(d.src(s)), x.message());
            if let Some(m) = &x.suggestion {
                t.push_str(&format!("; did you mean `{}`?", escape(m)));
            }
            t.push('.');
            Some(t)
        })
        .collect()
}

/// What the panel says first when the server does not have the input's users.
fn banner(d: &Doc) -> Option<&'static str> {
    match d.analysis().served() {
        Served::Input => None,
        Served::Fresh => Some(
            "ACL LOAD refuses this file, so the server has none of these users: it keeps the ones it had (a freshly started server has only its built-in default user, on nopass ~* &* +@all). Each reply below is the server's; what the file's users could do if it loaded is shown apart, as hypothetical.",
        ),
        Served::Down(Down::Crashed) => Some(
            "The server crashes on this input: no server is left to answer. What the users could do if it loaded is shown as hypothetical.",
        ),
        Served::Down(Down::NotStarted) => Some(
            "The server does not start with this configuration: nothing answers. What the users could do if it started is shown as hypothetical.",
        ),
    }
}

pub fn view(app: &App) -> Html {
    let d = &app.doc;
    let a = d.analysis();
    let served = a.served();
    // The chosen user, or the first one the input defines.
    let user = if d.names.iter().any(|n| n.as_str() == app.commands.user) {
        app.commands.user.clone()
    } else {
        a.users.iter().find(|r| r.span.is_some()).or(a.users.first()).map(|r| r.name()).unwrap_or_default()
    };
    let rows = rows(d, &app.commands.text, &user);
    let refused = refused(d, &user);
    let (mut allowed, mut denied, mut hypo_allowed) = (0, 0, 0);
    let items: Vec<Html> = rows
        .iter()
        .map(|r| {
            let (real, as_if) = match &r.result {
                Err(msg) => {
                    return html! {
                        <li class="sim-row error" data-line={r.line.to_string()} data-verdict="error">
                            <div class="sim-head"><span class="badge error">{ "error" }</span><code class="cmd">{ escape(&r.text).into_owned() }</code></div>
                            <div class="sim-reply"><span class="muted">{ "ACL DRYRUN → " }</span><code class="reply">{ format!("(error) {msg}") }</code></div>
                        </li>
                    };
                }
                Ok(x) => x,
            };
            let (verdict_real, row, badge, reply) = match real {
                Some(e) => verdict(e),
                None => ("no reply", "sim-row error", "badge error", "no reply: no server is running".to_string()),
            };
            match verdict_real {
                "allowed" => allowed += 1,
                "denied" => denied += 1,
                _ => {}
            }
            let (verdict_as_if, _, badge_as_if, reply_as_if) = verdict(as_if);
            if verdict_as_if == "allowed" {
                hypo_allowed += 1;
            }
            let mut lines = explain(as_if, a.user(user.as_bytes()));
            if as_if.reply.kind == ReplyKind::Denied {
                lines.extend(refused.iter().cloned());
            }
            let span = deciding(d, &user, as_if);
            let found = found(d, &r.argv);
            let pressed = span.is_some() && span == app.mark;
            let loaded = served == Served::Input;
            html! {
                <li class={row} data-line={r.line.to_string()} data-verdict={verdict_real}
                    data-hypothetical={(!loaded).then_some(verdict_as_if)}>
                    <div class="sim-head">
                        <span class={badge}>{ verdict_real }</span>
                        <code class="cmd">{ escape(&r.text).into_owned() }</code>
                    </div>
                    <div class="sim-reply"><span class="muted">{ "ACL DRYRUN → " }</span><code class="reply">{ reply }</code></div>
                    if !found.is_empty() {
                        <div class="found muted">{ found.join(", ") }</div>
                    }
                    <div class={classes!("why-box", (!loaded).then_some("hypothetical"))}>
                        if !loaded {
                            <div class="hypo-head">
                                <span class="badge hypo">{ "hypothetical" }</span>
                                { " if the file loaded: " }
                                <span class={badge_as_if}>{ verdict_as_if }</span>
                                { " → " }<code class="reply-as-if">{ reply_as_if }</code>
                            </div>
                        }
                        <ul class="why">{ for lines.into_iter().map(|l| html! { <li>{ l }</li> }) }</ul>
                        if let Some(s) = span {
                            { quote(d, s) }
                            <button type="button" class="small show-rule" aria-pressed={if pressed { "true" } else { "false" }}
                                data-a={Act::Mark.attr()} data-s={span_attr(s)}>
                                { "Show deciding rule " }<code>{ escape(d.src(s)).into_owned() }</code>
                            </button>
                        }
                    </div>
                </li>
            }
        })
        .collect();
    let summary = match (rows.is_empty(), served) {
        (true, _) => "Type a command per line".to_string(),
        (false, Served::Input) => format!("{allowed} allowed, {denied} denied"),
        (false, Served::Fresh) => format!(
            "the server has none of these users ({allowed} allowed, {denied} denied; {hypo_allowed} if the file loaded)"
        ),
        (false, _) => "no server answers".to_string(),
    };
    html! {
        <section class="simulator panel" aria-labelledby="sim-h">
            <div class="panel-head">
                <h2 id="sim-h">{ "Simulator" }</h2>
                <span class="verdict" aria-live="polite" data-testid="sim-verdict">{ summary }</span>
            </div>
            if let Some(b) = banner(d) {
                <p class="not-loaded" role="note" data-testid="sim-not-loaded">{ b }</p>
            }
            <div class="sim-controls">
                <label class="inline">
                    { "User " }
                    <Names names={d.names.clone()} selected={AttrValue::from(user)} label="User" act={Act::User} />
                </label>
            </div>
            if app.embed {
                // An embed shows its results first: the commands come with the example.
                <ol class="sim-results">{ for items }</ol>
                { commands_box(true) }
            } else {
                { commands_box(false) }
                <ol class="sim-results">{ for items }</ol>
            }
        </section>
    }
}

fn commands_box(embed: bool) -> Html {
    html! {
        <>
            <label for="commands" class="label">{ "Commands" }</label>
            <span id="commands-hint" class="muted small-text">{ " one per line, as in redis-cli (quotes work)" }</span>
            <textarea id="commands" data-a={Act::CommandLines.attr()} rows={if embed { "3" } else { "5" }} spellcheck="false" autocomplete="off"
                autocapitalize="off" wrap="off" aria-describedby="commands-hint" />
        </>
    }
}
