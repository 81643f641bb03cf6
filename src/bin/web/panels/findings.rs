//! The security audit: findings grouped per user and rule (`aclplay::audit::groups`), the
//! ones that stop the file loading first, then errors, warnings, notes; a filter per
//! severity; each group's fixes, and "Harden" for every safe fix at once. Fixes are
//! applied when clicked (`App::click`), not rendered.

use super::outcome::{MAX, location, more};
use crate::action::Act;
use crate::app::App;
use crate::doc::severity_index;
use aclplay::audit::{Finding, Group};
use aclplay::diagnostics::Severity;
use yew::prelude::*;

const SEVERITIES: [(Severity, &str, &str); 3] = [
    (Severity::Error, "error", "Errors"),
    (Severity::Warning, "warning", "Warnings"),
    (Severity::Info, "info", "Notes"),
];

/// This many groups of one cause or more fold into one entry.
const FOLD: usize = 3;

fn sev_name(s: Severity) -> &'static str {
    SEVERITIES.iter().find(|x| x.0 == s).map_or("info", |x| x.1)
}

fn finding(f: &Finding) -> Html {
    let sev = sev_name(f.severity);
    html! {
        <div class={classes!("finding", sev)} data-code={f.code}>
            <span class={classes!("badge", sev)}>{ sev }</span>
            { " " }
            <span class="msg">{ f.message.clone() }</span>
            <div class="help">{ f.help.clone() }</div>
        </div>
    }
}

pub fn view(app: &App) -> Html {
    let d = &app.doc;
    let audit = &app.audit;
    if audit.of.is_none() {
        return html! {
            <section class="findings panel" aria-labelledby="findings-h">
                <h2 id="findings-h">{ "Security audit" }</h2>
                <p class="muted">{ "Auditing…" }</p>
            </section>
        };
    }
    let current = audit.current(d.rev);
    let findings = &audit.findings;
    let hidden = app.ui.hidden;
    let shown = |s: Severity| !hidden[severity_index(s)];
    let safe = findings.iter().filter(|f| f.fix.as_ref().is_some_and(|x| x.safe)).count();
    let visible: Vec<_> = audit.groups.iter().filter(|g| shown(g.severity)).collect();
    let group = |g: &Group| {
        let first = &findings[g.findings[0]];
        let sev = sev_name(g.severity);
        let fixes = g.findings.iter().filter_map(|&i| Some((i, findings[i].fix.as_ref()?))).filter(|_| !app.readonly).map(|(i, fix)| {
            html! {
                <button type="button" class="small" data-a={Act::Fix.attr()} data-i={i.to_string()} disabled={!current}>
                    { format!("Apply fix: {}", fix.title) }
                </button>
            }
        });
        let rest = &g.findings[1..];
        let codes: Vec<&str> = g.findings.iter().map(|&i| findings[i].code).collect();
        html! {
            <li class={classes!("group", sev)} data-codes={codes.join(" ")}>
                <div class="group-head">
                    if let Some(u) = &g.user {
                        <strong class="who"><bdi>{ u.clone() }</bdi></strong>{ ": " }
                    }
                </div>
                { finding(first) }
                if !rest.is_empty() {
                    <details class="more-findings">
                        <summary>{ format!("{} more about this rule", rest.len()) }</summary>
                        { for rest.iter().map(|&i| finding(&findings[i])) }
                    </details>
                }
                <div class="row">
                    if current {
                        { g.span.map(|s| location(d, s)) }
                    }
                    { for fixes }
                </div>
            </li>
        }
    };
    // Groups of the same cause (severity and codes) for many users fold into one entry
    // that names them: 20 users that may run dangerous commands are one line until opened.
    let shown_groups: Vec<&Group> = visible.iter().take(MAX).copied().collect();
    let mut causes: Vec<(String, Vec<&Group>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    for g in shown_groups {
        let codes: Vec<&str> = g.findings.iter().map(|&i| findings[i].code).collect();
        let key = format!("{}:{}", sev_name(g.severity), codes.join(" "));
        match index.get(&key) {
            Some(&c) => causes[c].1.push(g),
            None => {
                index.insert(key.clone(), causes.len());
                causes.push((key, vec![g]));
            }
        }
    }
    let items = causes.into_iter().map(|(_, gs)| {
        if gs.len() < FOLD {
            return html! { <>{ for gs.iter().map(|g| group(g)) }</> };
        }
        let first = &findings[gs[0].findings[0]];
        let sev = sev_name(gs[0].severity);
        let names: Vec<String> = gs.iter().filter_map(|g| g.user.clone()).collect();
        let listed = if names.len() > 6 { format!("{}, …", names[..6].join(", ")) } else { names.join(", ") };
        html! {
            <li class={classes!("cause", sev)} data-code={first.code}>
                <details>
                    <summary>
                        <span class={classes!("badge", sev)}>{ sev }</span>{ " " }
                        <code>{ first.code }</code>{ format!(" for {} users: ", gs.len()) }<bdi>{ listed }</bdi>
                    </summary>
                    <ul class="cause-groups">{ for gs.iter().map(|g| group(g)) }</ul>
                </details>
            </li>
        }
    });
    let count = match (findings.len(), audit.groups.len()) {
        (0, _) => "no findings".to_string(),
        (1, _) => "1 finding".to_string(),
        (n, g) if g == n => format!("{n} findings"),
        (n, g) => format!("{n} findings in {g} groups"),
    };
    let filters = SEVERITIES.iter().filter(|(s, ..)| audit.counts[severity_index(*s)] > 0).map(|&(s, _, label)| {
        let on = shown(s);
        html! {
            <button type="button" class="small filter" data-a={Act::Severity.attr()} data-i={severity_index(s).to_string()}
                aria-pressed={if on { "true" } else { "false" }}>
                { format!("{label} ({})", audit.counts[severity_index(s)]) }
            </button>
        }
    });
    html! {
        <section class="findings panel" aria-labelledby="findings-h">
            <div class="panel-head">
                <h2 id="findings-h">{ "Security audit" }</h2>
                <span class="verdict" aria-live="polite" data-testid="findings-count">{ count }{ if current { "" } else { " (updating…)" } }</span>
            </div>
            if findings.len() > 1 {
                <div class="filters" role="group" aria-label="Show findings of severity">{ for filters }</div>
            }
            if !app.readonly && safe > 0 {
                <p>
                    <button type="button" class="primary" data-a={Act::Harden.attr()} disabled={!current}>{ "Harden" }</button>
                    <span class="muted">{ format!(" applies the {safe} safe fixes (they hide secrets, drop rules that do nothing, or close unauthenticated access; they never grant anything)") }</span>
                </p>
            }
            <ul class="finding-list">{ for items }</ul>
            { more(visible.len(), MAX) }
        </section>
    }
}
