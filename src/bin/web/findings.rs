//! The security audit beside the users: each finding with its help, the rule it is
//! about (marked in the editor too), "Apply fix" where one exists, and "Harden" for
//! every safe fix at once.

use crate::derived::{Audit, Shared};
use crate::diagnostics::goto;
use aclplay::diag::Severity;
use aclplay::lint::{Fix, apply};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

const MAX: usize = 100;

#[derive(Properties, PartialEq)]
pub struct FindingsProps {
    pub derived: Shared,
    /// `None` while the audit of the current text is pending.
    pub audit: Option<Audit>,
    pub textarea: NodeRef,
    pub readonly: bool,
    pub announce: Callback<String>,
}

/// Replaces the whole editor text as one undoable edit.
fn replace_all(ta: &NodeRef, text: &str) {
    if let Some(t) = ta.cast::<HtmlTextAreaElement>() {
        let len = t.value().encode_utf16().count() as u32;
        crate::dom::insert_text(&t, 0, len, text);
    }
}

#[function_component]
pub fn Findings(props: &FindingsProps) -> Html {
    let d = &props.derived;
    let Some(audit) = props.audit.as_ref().filter(|a| a.of == *d) else {
        return html! {
            <section class="findings panel" aria-labelledby="findings-h">
                <h2 id="findings-h">{ "Security audit" }</h2>
                <p class="muted">{ "Auditing…" }</p>
            </section>
        };
    };
    let findings = &audit.findings;
    let carried = audit.carried;
    let safe: Vec<&Fix> = findings.iter().filter_map(|f| f.fix.as_ref()).filter(|f| f.safe).collect();
    let harden = {
        let (ta, text, a) = (props.textarea.clone(), d.text.clone(), props.announce.clone());
        let fixed = apply(&text, &safe);
        let n = safe.len();
        Callback::from(move |_| {
            replace_all(&ta, &fixed);
            a.emit(format!("Applied {n} safe fixes"));
        })
    };
    let items = findings.iter().take(MAX).map(|f| {
        let sev = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let loc = f.spans.first().map(|&s| {
            let (line, col) = d.locate(s.start);
            let (ta, text) = (props.textarea.clone(), d.text.clone());
            let onclick = Callback::from(move |_| goto(&ta, &text, s));
            html! { <button type="button" class="link loc" {onclick}>{ format!("Line {line}, column {col}") }</button> }
        });
        let fix = f.fix.as_ref().filter(|_| !props.readonly).map(|fix| {
            let (ta, a) = (props.textarea.clone(), props.announce.clone());
            let fixed = apply(&d.text, &[fix]);
            let title = fix.title.clone();
            let onclick = Callback::from(move |_| {
                replace_all(&ta, &fixed);
                a.emit(format!("Applied: {title}"));
            });
            html! { <button type="button" class="small" {onclick} disabled={carried}>{ format!("Apply fix: {}", fix.title) }</button> }
        });
        html! {
            <li class={classes!("finding", sev)} data-code={f.code}>
                <div>
                    <span class={classes!("badge", sev)}>{ sev }</span>
                    { " " }
                    if let Some(u) = &f.user {
                        <strong>{ u.clone() }</strong>{ ": " }
                    }
                    { f.message.clone() }
                </div>
                <div class="help">{ f.help.clone() }</div>
                <div class="row">{ loc }{ fix }</div>
            </li>
        }
    });
    let more = findings.len().saturating_sub(MAX);
    html! {
        <section class="findings panel" aria-labelledby="findings-h">
            <div class="panel-head">
                <h2 id="findings-h">{ "Security audit" }</h2>
                <span class="verdict" aria-live="polite">{ match findings.len() { 0 => "no findings".to_string(), 1 => "1 finding".to_string(), n => format!("{n} findings") } }{ if carried { " (updating…)" } else { "" } }</span>
            </div>
            if !props.readonly && !safe.is_empty() {
                <p>
                    <button type="button" class="primary" onclick={harden} disabled={carried}>{ "Harden" }</button>
                    <span class="muted">{ format!(" applies the {} safe fixes (they hide secrets, drop rules that do nothing, or close unauthenticated access; they never grant anything)", safe.len()) }</span>
                </p>
            }
            <ul class="finding-list">{ for items }</ul>
            if more > 0 {
                <p class="muted">{ format!("…and {more} more.") }</p>
            }
        </section>
    }
}
