//! The users panel: a verdict over every user, what the server makes of them (when the
//! file does not load it has none of them), then the cards, filtered by name and shown a
//! page at a time (a 10,000-user file must not cost a frame per keystroke).

use super::user_card;
use crate::action::Act;
use crate::app::App;
use aclplay::analysis::{Down, Served, Status};
use yew::prelude::*;

pub const PAGE: usize = 20;

pub fn view(app: &App) -> Html {
    let d = &app.doc;
    let a = d.analysis();
    let users = &a.users;
    let served = a.served();
    let bad = users.iter().filter(|r| !matches!(r.status, Status::Accepted | Status::Builtin)).count();
    let f = app.ui.filter.to_ascii_lowercase();
    let matching: Vec<usize> = if f.is_empty() {
        (0..users.len()).collect()
    } else {
        (0..users.len()).filter(|&i| users[i].name().to_ascii_lowercase().contains(&f)).collect()
    };
    let more = matching.len().saturating_sub(app.ui.shown);
    let cards = matching.iter().take(app.ui.shown).map(|&i| user_card::view(app, i));
    let defined = users.iter().filter(|r| r.status != Status::Builtin).count();
    let verdict = match (served, users.len(), bad) {
        (Served::Fresh, ..) => format!("{defined} users, none loaded: ACL LOAD refuses the file ({bad} not accepted)"),
        (Served::Down(Down::Crashed), ..) => format!("{defined} users, none loaded: the server crashes"),
        (Served::Down(Down::NotStarted), ..) => format!("{defined} users, none loaded: the server does not start"),
        (_, 1, 0) => "1 user, accepted".to_string(),
        (_, n, 0) => format!("{n} users, all accepted"),
        (_, n, b) => format!("{n} users, {b} not accepted"),
    };
    let ok = bad == 0 && served == Served::Input;
    let banner = match served {
        Served::Input => None,
        Served::Fresh => Some(
            "ACL LOAD refuses this file: the server has none of these users (it keeps the ones it had). The cards show each user as it would be if the file loaded.",
        ),
        Served::Down(Down::Crashed) => Some(
            "The server crashes on this input: it has none of these users. The cards show each user as it would be if it loaded.",
        ),
        Served::Down(Down::NotStarted) => Some(
            "The server does not start with this configuration: it has none of these users. The cards show each user as it would be if it started.",
        ),
    };
    html! {
        <section class="users panel" aria-labelledby="users-h">
            <div class="panel-head">
                <h2 id="users-h">{ "Users" }</h2>
                <span class={if ok { "verdict ok" } else { "verdict bad" }} aria-live="polite" data-testid="users-verdict">{ verdict }</span>
            </div>
            if let Some(b) = banner {
                <p class="not-loaded" role="note" data-testid="users-not-loaded">{ b }</p>
            }
            if users.len() > PAGE {
                <label class="inline">{ "Find user " }<input type="search" data-a={Act::Filter.attr()} value={app.ui.filter.clone()} /></label>
            }
            <div class="cards">{ for cards }</div>
            if more > 0 {
                <button type="button" data-a={Act::MoreUsers.attr()}>{ format!("Show more ({more} not shown)") }</button>
            }
        </section>
    }
}
