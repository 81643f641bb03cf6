//! One user: whether the server has it, its ACL LIST line, and what it may do.

use crate::action::Act;
use crate::app::App;
use aclplay::analysis::{Served, Status};
use aclplay::visible::escape;
use yew::prelude::*;

/// Markdown-ish backticks from the summary sentences become <code>.
fn words(s: &str) -> Html {
    let parts = s.split('`').enumerate().map(|(i, p)| {
        if i % 2 == 1 {
            html! { <code>{ p.to_string() }</code> }
        } else {
            html! { p.to_string() }
        }
    });
    html! { <li>{ for parts }</li> }
}

/// The card of `analysis.users[index]`.
pub fn view(app: &App, index: usize) -> Html {
    let d = &app.doc;
    let a = d.analysis();
    let r = &a.users[index];
    let profile = d.profile();
    let name = r.name();
    let shown = escape(&name).into_owned();
    let loaded = a.served() == Served::Input;
    let ok = matches!(r.status, Status::Accepted | Status::Builtin) && loaded;
    let (badge, detail) = match &r.status {
        Status::Accepted if !loaded => (
            "not loaded",
            Some(
                "This line is accepted, but the server does not take the input as a whole, so it has no such user."
                    .to_string(),
            ),
        ),
        Status::Accepted => ("accepted", None),
        Status::Builtin => ("built-in", Some("Not defined here: the server's own default user.".to_string())),
        Status::Rejected(e) => ("rejected", Some(escape(e).into_owned())),
        Status::Crash(e) => ("server crashes", Some(escape(e).into_owned())),
        Status::ListCrash => {
            ("ACL LIST crashes", Some(format!("{} accepts this user, then crashes on ACL LIST.", profile.name)))
        }
    };
    let summary = aclplay::verdicts::summary::user(&r.user, profile);
    let mut sentences = aclplay::verdicts::summary::sentences(&summary);
    sentences.push(match summary.passwords {
        0 => "no password".to_string(),
        1 => "1 password (never shown)".to_string(),
        n => format!("{n} passwords (never shown)"),
    });
    let list = a.acl_list(&r.user);

    // Commands, dangerous ones marked; rendered only when asked (hundreds of names).
    let allowed: usize = summary.selectors.iter().map(|s| s.allowed).sum();
    let open = app.ui.open.contains(&name);
    let commands = open.then(|| {
        let lists = summary.selectors.iter().enumerate().map(|(i, s)| {
            let items = s.commands.iter().map(|&c| {
                let danger = s.dangerous.contains(&c);
                let c = c.to_ascii_uppercase().replace('|', " ");
                if danger {
                    html! { <li class="danger">{ c }<span class="visually-hidden">{ " (dangerous)" }</span><span aria-hidden="true">{ " ⚠" }</span></li> }
                } else {
                    html! { <li>{ c }</li> }
                }
            });
            let head = if i == 0 { "Root".to_string() } else { format!("Selector {i}") };
            html! { <><h4>{ format!("{head}: {} of {}", s.allowed, s.total) }</h4><ul class="commands">{ for items }</ul></> }
        });
        html! { <div class="command-lists">{ for lists }</div> }
    });
    let hypothetical = !loaded && r.status != Status::Builtin;

    html! {
        <article key={name.clone()} class={if ok { "user ok" } else { "user bad" }} data-user={name.clone()} aria-label={format!("User {shown}")}>
            <header>
                <h3><bdi>{ shown.clone() }</bdi></h3>
                <span class={if ok { "badge ok" } else { "badge bad" }}>{ badge }</span>
            </header>
            if let Some(t) = detail {
                <p class="status-detail"><code>{ t }</code></p>
            }
            if let Some(l) = list {
                if hypothetical {
                    <p class="small-text muted hypo-label">{ "If the input loaded, ACL LIST would show:" }</p>
                }
                <div class={classes!("acl-list", hypothetical.then_some("hypothetical"))}>
                    <code>{ escape(&l).into_owned() }</code>
                    <button type="button" class="small" data-a={Act::Copy.attr()} data-t={l} data-w={format!("ACL LIST line of {shown}")}
                        aria-label={format!("Copy the ACL LIST line of {shown}")}>{ "Copy" }</button>
                </div>
            }
            <ul class="words">{ for sentences.iter().map(|s| words(s)) }</ul>
            <button type="button" class="link" data-a={Act::Commands.attr()} data-t={name.clone()} aria-expanded={if open { "true" } else { "false" }}>
                { format!("{} commands ({allowed} allowed)", if open { "Hide" } else { "Show" }) }
            </button>
            { commands }
        </article>
    }
}
