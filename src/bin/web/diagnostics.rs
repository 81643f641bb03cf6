//! The diagnostics under the editor: line and column, the server's exact words, our
//! explanation and help; each one selects its span in the editor.

use crate::app::{App, span_attr};
use crate::derived::Shared;
use aclplay::analysis::Outcome;
use aclplay::diagnostics::Severity;
use aclplay::engine::startup::Startup;
use yew::prelude::*;

/// How many diagnostics (or findings) to list (a broken 1,000-line file would list them
/// all).
pub const MAX: usize = 100;

/// What the server does with the input as a whole.
fn outcome(d: &Shared) -> (bool, Html) {
    let name = d.analysis.profile.name;
    let said = |text: String, reply: Html| html! { <>{ text }{ reply }</> };
    match &d.analysis.outcome {
        Outcome::AclLoad { reply, crash, .. } => {
            let ok = reply == "OK";
            let reply = if ok { reply.clone() } else { format!("(error) {reply}") };
            let crash = crash.then(|| {
                html! { <strong>{ format!(" — {name} would crash (segmentation fault) instead of answering") }</strong> }
            });
            (ok, html! { <>{ "ACL LOAD → " }<code class="reply">{ reply }</code>{ crash }</> })
        }
        Outcome::Startup(Startup::Running) => {
            (true, said(format!("{name} starts with this configuration."), Html::default()))
        }
        Outcome::Startup(Startup::Fatal { output, .. } | Startup::Exit { log: output }) => {
            (false, said(format!("{name} refuses to start:"), html! { <pre class="reply">{ output.join("\n") }</pre> }))
        }
        Outcome::Startup(Startup::Crash { would_say, .. }) => (
            false,
            said(
                format!("{name} crashes (segmentation fault) at start-up; otherwise it would say: "),
                html! { <code class="reply">{ would_say.clone() }</code> },
            ),
        ),
        Outcome::Commands { replies } => {
            let items = replies.iter().map(|r| {
                html! { <li><span class="muted">{ format!("line {}: ", r.line) }</span><code class="reply">{ r.reply.cli_lines().join("\n") }</code></li> }
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

/// A location button: selects `span` in the editor.
pub fn location(d: &Shared, s: aclplay::span::Span) -> Html {
    let (line, col) = d.locate(s.start);
    html! {
        <button type="button" class="link loc" data-a="at" data-s={span_attr(s)}
            data-line={line.to_string()} data-column={col.to_string()}>
            { format!("Line {line}, column {col}") }
        </button>
    }
}

pub fn view(app: &App) -> Html {
    let d = &app.d;
    let (ok, said) = outcome(d);
    let diags = &d.analysis.diagnostics;
    let items = diags.iter().take(MAX).map(|x| {
        let sev = if x.severity == Severity::Error { "error" } else { "warning" };
        html! {
            <li class={if x.severity == Severity::Error { "diag error" } else { "diag warning" }} data-code={x.code()}>
                { x.span.map(|s| location(d, s)) }
                <span class="sev">{ format!(" {sev}: ") }</span>
                <span class="msg">{ x.message() }</span>
                if let Some(s) = &x.server {
                    <div class="server"><span class="muted">{ "The server says: " }</span><code>{ s.clone() }</code></div>
                }
                if let Some(h) = x.help() {
                    <div class="help">{ h }</div>
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
