//! Under the editor: what the server does with the input as a whole (the `ACL LOAD`
//! reply, start-up), then the diagnostics, errors first: line and column, the server's
//! exact words, our explanation, help, and the fix where the audit has one.

use crate::action::{Act, span_attr};
use crate::app::App;
use crate::doc::Doc;
use aclplay::analysis::Outcome;
use aclplay::diagnostics::Severity;
use aclplay::engine::startup::Startup;
use aclplay::visible::escape;
use yew::prelude::*;

/// How many diagnostics (or finding groups) to list (a broken 10,000-line file would
/// list them all).
pub const MAX: usize = 100;

/// What the server does with the input as a whole.
fn outcome(d: &Doc) -> (bool, Html) {
    let name = d.profile().name;
    let said = |text: String, reply: Html| html! { <>{ text }{ reply }</> };
    match &d.analysis().outcome {
        Outcome::AclLoad { reply, crash, .. } => {
            let ok = reply == "OK" && !crash;
            let reply = if reply == "OK" { reply.clone() } else { format!("(error) {}", escape(reply)) };
            let crash = crash.then(|| {
                html! { <strong>{ format!(" — {name} would crash (segmentation fault) instead of answering") }</strong> }
            });
            (ok, html! { <>{ "ACL LOAD → " }<code class="reply">{ reply }</code>{ crash }</> })
        }
        Outcome::Startup(Startup::Running) => {
            (true, said(format!("{name} starts with this configuration."), Html::default()))
        }
        Outcome::Startup(Startup::Fatal { output, .. } | Startup::Exit { log: output }) => {
            let text = escape(&output.join("\n")).replace("\\n", "\n");
            (false, said(format!("{name} refuses to start:"), html! { <pre class="reply">{ text }</pre> }))
        }
        Outcome::Startup(Startup::Crash { would_say, .. }) => (
            false,
            said(
                format!("{name} crashes (segmentation fault) at start-up; otherwise it would say: "),
                html! { <code class="reply">{ escape(would_say).into_owned() }</code> },
            ),
        ),
        Outcome::Commands { replies } => {
            let items = replies.iter().map(|r| {
                let lines = r.reply.cli_lines().iter().map(|l| escape(l).into_owned()).collect::<Vec<_>>().join("\n");
                html! { <li><span class="muted">{ format!("line {}: ", r.line) }</span><code class="reply">{ lines }</code></li> }
            });
            let ok = !replies.iter().any(|r| r.reply.is_error());
            (ok, said(format!("{name} replies:"), html! { <ul class="replies">{ for items }</ul> }))
        }
    }
}

/// "…and N more." under a cut list.
pub fn more(n: usize, max: usize) -> Html {
    match n.checked_sub(max) {
        Some(more @ 1..) => html! { <p class="muted">{ format!("…and {more} more.") }</p> },
        _ => Html::default(),
    }
}

/// A location button: selects `span` in the editor and brings it into view.
pub fn location(d: &Doc, s: aclplay::span::Span) -> Html {
    let (line, col) = d.locate(s.start);
    html! {
        <button type="button" class="link loc" data-a={Act::At.attr()} data-s={span_attr(s)}
            data-line={line.to_string()} data-column={col.to_string()}>
            { format!("Line {line}, column {col}") }
        </button>
    }
}

pub fn view(app: &App) -> Html {
    let d = &app.doc;
    let (ok, said) = outcome(d);
    let diags = &d.analysis().diagnostics;
    // Errors first, each group in text order.
    let errors = diags.iter().enumerate().filter(|(_, x)| x.severity == Severity::Error);
    let others = diags.iter().enumerate().filter(|(_, x)| x.severity != Severity::Error);
    let audit = Some(&app.audit).filter(|a| a.current(d.rev) && !app.readonly);
    let items = errors.chain(others).take(MAX).map(|(_, x)| {
        let sev = if x.severity == Severity::Error { "error" } else { "warning" };
        // The audit's fix for this diagnostic (`load-error` at the same place).
        let fix = audit.zip(x.span).and_then(|(a, span)| {
            // The findings are in order of their main span.
            let key = |f: &aclplay::audit::Finding| f.spans.first().map_or(0, |s| s.start);
            let from = a.findings.partition_point(|f| key(f) < span.start);
            (from..a.findings.len())
                .take_while(|&i| key(&a.findings[i]) == span.start)
                .find(|&i| a.findings[i].code == "load-error" && a.findings[i].spans[0] == span)
                .and_then(|i| Some((i, a.findings[i].fix.as_ref()?.title.clone())))
        });
        html! {
            <li class={if x.severity == Severity::Error { "diag error" } else { "diag warning" }} data-code={x.code()}>
                { x.span.map(|s| location(d, s)) }
                <span class="sev">{ format!(" {sev}: ") }</span>
                <span class="msg">{ x.message() }</span>
                if let Some(s) = &x.server {
                    <div class="server"><span class="muted">{ "The server says: " }</span><code>{ escape(s).into_owned() }</code></div>
                }
                if let Some(h) = x.help() {
                    <div class="help">{ h }</div>
                }
                if let Some((i, title)) = fix {
                    <button type="button" class="small" data-a={Act::Fix.attr()} data-i={i.to_string()}>{ format!("Apply fix: {title}") }</button>
                }
            </li>
        }
    });
    html! {
        <div id="diagnostics" class="diagnostics">
            <div class={if ok { "outcome ok" } else { "outcome bad" }} aria-live="polite">{ said }</div>
            if !diags.is_empty() {
                <ul class="diag-list" aria-label="Diagnostics">{ for items }</ul>
            }
            { more(diags.len(), MAX) }
        </div>
    }
}
