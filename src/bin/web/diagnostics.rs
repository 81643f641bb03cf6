//! The diagnostics under the editor: line and column, the server's exact words, our
//! explanation and help; each one selects its span in the editor.

use crate::derived::Shared;
use aclplay::analyze::Outcome;
use aclplay::diag::Severity;
use aclplay::span::Span;
use aclplay::startup::Startup;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// How many diagnostics to list (a broken 1,000-line file would list them all).
const MAX: usize = 100;

/// Selects a span in the rules editor.
pub fn goto(textarea: &NodeRef, text: &str, s: Span) {
    if let Some(t) = textarea.cast::<HtmlTextAreaElement>() {
        crate::dom::select_span(&t, text, s.start, s.end);
    }
}

#[derive(Properties, PartialEq)]
pub struct DiagnosticsProps {
    pub derived: Shared,
    pub textarea: NodeRef,
}

/// What the server does with the input as a whole.
fn outcome(d: &Shared) -> (bool, Html) {
    let name = d.analysis.profile.name;
    match &d.analysis.outcome {
        Outcome::AclLoad { reply, crash, .. } => {
            let ok = reply == "OK";
            let crash = crash.then(|| html! { <strong>{ format!(" — {name} would crash (segmentation fault) instead of answering") }</strong> });
            (
                ok,
                html! { <>{ "ACL LOAD → " }<code class="reply">{ if ok { reply.clone() } else { format!("(error) {reply}") } }</code>{ crash }</> },
            )
        }
        Outcome::Startup(s) => match s {
            Startup::Running => (true, html! { <>{ format!("{name} starts with this configuration.") }</> }),
            Startup::Fatal { output, .. } | Startup::Exit { log: output } => (
                false,
                html! { <>{ format!("{name} refuses to start:") }<pre class="reply">{ output.join("\n") }</pre></> },
            ),
            Startup::Crash { would_say, .. } => (
                false,
                html! { <>{ format!("{name} crashes (segmentation fault) at start-up; otherwise it would say: ") }<code class="reply">{ would_say.clone() }</code></> },
            ),
        },
        Outcome::Commands { replies } => {
            let ok = !replies.iter().any(|r| r.reply.is_error());
            let items = replies.iter().map(|r| {
                html! { <li><span class="muted">{ format!("line {}: ", r.line) }</span><code class="reply">{ r.reply.cli_lines().join("\n") }</code></li> }
            });
            (ok, html! { <>{ format!("{name} replies:") }<ul class="replies">{ for items }</ul></> })
        }
    }
}

#[function_component]
pub fn Diagnostics(props: &DiagnosticsProps) -> Html {
    let d = &props.derived;
    let (ok, said) = outcome(d);
    let diags = &d.analysis.diagnostics;
    let items = diags.iter().take(MAX).map(|x| {
        let loc = x.span.map(|s| {
            let (line, col) = d.locate(s.start);
            let ta = props.textarea.clone();
            let text = d.text.clone();
            let onclick = Callback::from(move |_| goto(&ta, &text, s));
            html! {
                <button type="button" class="link loc" {onclick} data-line={line.to_string()} data-column={col.to_string()}>
                    { format!("Line {line}, column {col}") }
                </button>
            }
        });
        let sev = if x.severity == Severity::Error { "error" } else { "warning" };
        html! {
            <li class={classes!("diag", sev)} data-code={x.code()}>
                { loc }
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
    let more = diags.len().saturating_sub(MAX);
    html! {
        <div id="diagnostics" class="diagnostics">
            <div class={classes!("outcome", if ok { "ok" } else { "bad" })} aria-live="polite">{ said }</div>
            if !diags.is_empty() {
                <ul class="diag-list" aria-label="Diagnostics">{ for items }</ul>
            }
            if more > 0 {
                <p class="muted">{ format!("…and {more} more.") }</p>
            }
        </div>
    }
}
