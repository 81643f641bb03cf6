//! The users panel: a verdict count over every user, then the cards, filtered by name
//! and shown a page at a time (a 1,000-user file must not cost a frame per keystroke).

use crate::derived::Shared;
use crate::user_card::UserCard;
use aclplay::analyze::Status;
use web_sys::HtmlInputElement;
use yew::prelude::*;

const PAGE: usize = 20;

#[derive(Properties, PartialEq)]
pub struct UsersProps {
    pub derived: Shared,
    pub on_copy: Callback<(String, String)>,
}

#[function_component]
pub fn Users(props: &UsersProps) -> Html {
    let filter = use_state(String::new);
    let shown = use_state(|| PAGE);
    let d = &props.derived;
    let users = &d.analysis.users;
    let bad = users.iter().filter(|r| !matches!(r.status, Status::Accepted | Status::Builtin)).count();
    let f = filter.to_ascii_lowercase();
    let matching: Vec<usize> = users
        .iter()
        .enumerate()
        .filter(|(_, r)| f.is_empty() || r.name().to_ascii_lowercase().contains(&f))
        .map(|(i, _)| i)
        .collect();
    let oninput = {
        let filter = filter.clone();
        let shown = shown.clone();
        Callback::from(move |e: InputEvent| {
            let i: HtmlInputElement = e.target_unchecked_into();
            filter.set(i.value());
            shown.set(PAGE);
        })
    };
    let more = matching.len().saturating_sub(*shown);
    let onmore = {
        let shown = shown.clone();
        Callback::from(move |_| shown.set(*shown + PAGE * 5))
    };
    let cards = matching.iter().take(*shown).map(|&i| {
        html! { <UserCard key={users[i].name()} derived={d.clone()} index={i} on_copy={props.on_copy.clone()} /> }
    });
    let verdict = match (users.len(), bad) {
        (1, 0) => "1 user, accepted".to_string(),
        (n, 0) => format!("{n} users, all accepted"),
        (n, b) => format!("{n} users, {b} not accepted"),
    };
    html! {
        <section class="users panel" aria-labelledby="users-h">
            <div class="panel-head">
                <h2 id="users-h">{ "Users" }</h2>
                <span class={classes!("verdict", if bad == 0 { "ok" } else { "bad" })} aria-live="polite" data-testid="users-verdict">{ verdict }</span>
            </div>
            if users.len() > PAGE {
                <label class="inline">{ "Find user " }<input type="search" {oninput} value={(*filter).clone()} /></label>
            }
            <div class="cards">{ for cards }</div>
            if more > 0 {
                <button type="button" onclick={onmore}>{ format!("Show more ({more} not shown)") }</button>
            }
        </section>
    }
}
