//! The security audit beside the users: each finding with its help, the rule it is
//! about (marked in the editor too), "Apply fix" where one exists, and "Harden" for
//! every safe fix at once. Fixes are applied when clicked (`App::click`), not rendered.

use crate::app::App;
use crate::diagnostics::{MAX, location, more};
use aclplay::diagnostics::Severity;
use yew::prelude::*;

pub fn view(app: &App) -> Html {
    let d = &app.d;
    let Some(audit) = app.audit.as_ref().filter(|a| a.of == *d) else {
        return html! {
            <section class="findings panel" aria-labelledby="findings-h">
                <h2 id="findings-h">{ "Security audit" }</h2>
                <p class="muted">{ "Auditing…" }</p>
            </section>
        };
    };
    let findings = &audit.findings;
    let carried = audit.carried;
    let safe = findings.iter().filter(|f| f.fix.as_ref().is_some_and(|x| x.safe)).count();
    let items = findings.iter().take(MAX).enumerate().map(|(i, f)| {
        let (sev, item, badge) = match f.severity {
            Severity::Error => ("error", "finding error", "badge error"),
            Severity::Warning => ("warning", "finding warning", "badge warning"),
            Severity::Info => ("info", "finding info", "badge info"),
        };
        let fix = f.fix.as_ref().filter(|_| !app.readonly).map(|fix| {
            html! {
                <button type="button" class="small" data-a="fix" data-i={i.to_string()} disabled={carried}>
                    { format!("Apply fix: {}", fix.title) }
                </button>
            }
        });
        html! {
            <li class={item} data-code={f.code}>
                <div>
                    <span class={badge}>{ sev }</span>
                    { " " }
                    if let Some(u) = &f.user {
                        <strong>{ u.clone() }</strong>{ ": " }
                    }
                    { f.message.clone() }
                </div>
                <div class="help">{ f.help.clone() }</div>
                <div class="row">{ f.spans.first().map(|&s| location(d, s)) }{ fix }</div>
            </li>
        }
    });
    let count = match findings.len() {
        0 => "no findings".to_string(),
        1 => "1 finding".to_string(),
        n => format!("{n} findings"),
    };
    html! {
        <section class="findings panel" aria-labelledby="findings-h">
            <div class="panel-head">
                <h2 id="findings-h">{ "Security audit" }</h2>
                <span class="verdict" aria-live="polite">{ count }{ if carried { " (updating…)" } else { "" } }</span>
            </div>
            if !app.readonly && safe > 0 {
                <p>
                    <button type="button" class="primary" data-a="harden" disabled={carried}>{ "Harden" }</button>
                    <span class="muted">{ format!(" applies the {safe} safe fixes (they hide secrets, drop rules that do nothing, or close unauthenticated access; they never grant anything)") }</span>
                </p>
            }
            <ul class="finding-list">{ for items }</ul>
            { more(findings.len(), MAX) }
        </section>
    }
}
