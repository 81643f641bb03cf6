//! One user: whether the server accepts it, its ACL LIST line, and what it may do.

use crate::derived::Shared;
use aclplay::analyze::Status;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct UserCardProps {
    pub derived: Shared,
    /// Index into the analysis' users.
    pub index: usize,
    pub on_copy: Callback<(String, String)>,
}

/// Markdown-ish backticks from the summary sentences become <code>.
fn words(s: &str) -> Html {
    let parts = s.split('`').enumerate().map(|(i, p)| {
        if i % 2 == 1 {
            html! { <code>{ p.to_string() }</code> }
        } else {
            html! { p.to_string() }
        }
    });
    html! { <>{ for parts }</> }
}

#[function_component]
pub fn UserCard(props: &UserCardProps) -> Html {
    let show_commands = use_state(|| false);
    let d = &props.derived;
    let Some(r) = d.analysis.users.get(props.index) else {
        return html! {};
    };
    let profile = d.analysis.profile;
    let name = r.name();
    let (badge, class, detail) = match &r.status {
        Status::Accepted => ("accepted", "ok", None),
        Status::Builtin => ("built-in", "ok", Some("Not defined here: the server's own default user.".to_string())),
        Status::Rejected(e) => ("rejected", "bad", Some(e.clone())),
        Status::Crash(e) => ("server crashes", "bad", Some(e.clone())),
        Status::ListCrash => {
            ("ACL LIST crashes", "bad", Some(format!("{} accepts this user, then crashes on ACL LIST.", profile.name)))
        }
    };
    let summary = aclplay::summary::user(&r.user, profile);
    let sentences = aclplay::summary::sentences(&summary);
    let list = d.analysis.acl_list(&r.user);

    let copy = list.clone().map(|line| {
        let cb = props.on_copy.clone();
        let what = format!("ACL LIST line of {name}");
        let onclick = Callback::from(move |_| cb.emit((line.clone(), what.clone())));
        html! { <button type="button" class="small" {onclick} aria-label={format!("Copy the ACL LIST line of {name}")}>{ "Copy" }</button> }
    });

    // Commands, dangerous ones marked; rendered only when asked (hundreds of names).
    let allowed: usize = summary.selectors.iter().map(|s| s.allowed).sum();
    let toggle = {
        let s = show_commands.clone();
        Callback::from(move |_| s.set(!*s))
    };
    let commands = (*show_commands).then(|| {
        let lists = summary.selectors.iter().enumerate().map(|(i, s)| {
            let items = s.commands.iter().map(|c| {
                if s.dangerous.contains(c) {
                    html! { <li class="danger">{ c.to_ascii_uppercase().replace('|', " ") }<span class="visually-hidden">{ " (dangerous)" }</span><span aria-hidden="true">{ " ⚠" }</span></li> }
                } else {
                    html! { <li>{ c.to_ascii_uppercase().replace('|', " ") }</li> }
                }
            });
            let head = if i == 0 { "Root".to_string() } else { format!("Selector {i}") };
            html! { <><h4>{ format!("{head}: {} of {}", s.allowed, s.total) }</h4><ul class="commands">{ for items }</ul></> }
        });
        html! { <div class="command-lists">{ for lists }</div> }
    });

    html! {
        <article class={classes!("user", class)} data-user={name.clone()} aria-label={format!("User {name}")}>
            <header>
                <h3>{ name.clone() }</h3>
                <span class={classes!("badge", class)}>{ badge }</span>
            </header>
            if let Some(t) = detail {
                <p class="status-detail"><code>{ t }</code></p>
            }
            if let Some(l) = list {
                <div class="acl-list"><code>{ l }</code>{ copy }</div>
            }
            <ul class="words">
                { for sentences.iter().map(|s| html! { <li>{ words(s) }</li> }) }
                <li>{ match summary.passwords { 0 => "no password".to_string(), 1 => "1 password (never shown)".to_string(), n => format!("{n} passwords (never shown)") } }</li>
            </ul>
            <button type="button" class="link" onclick={toggle} aria-expanded={(*show_commands).to_string()}>
                { format!("{} commands ({allowed} allowed)", if *show_commands { "Hide" } else { "Show" }) }
            </button>
            { commands }
        </article>
    }
}
