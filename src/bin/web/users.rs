//! The users panel: a verdict count over every user, then the cards, filtered by name
//! and shown a page at a time (a 1,000-user file must not cost a frame per keystroke).

use crate::app::App;
use crate::user_card;
use aclplay::analysis::Status;
use yew::prelude::*;

pub const PAGE: usize = 20;

pub fn view(app: &App) -> Html {
    let d = &app.d;
    let users = &d.analysis.users;
    let bad = users.iter().filter(|r| !matches!(r.status, Status::Accepted | Status::Builtin)).count();
    let f = app.ui.filter.to_ascii_lowercase();
    let matching: Vec<usize> =
        (0..users.len()).filter(|&i| f.is_empty() || users[i].name().to_ascii_lowercase().contains(&f)).collect();
    let more = matching.len().saturating_sub(app.ui.shown);
    let cards = matching.iter().take(app.ui.shown).map(|&i| user_card::view(app, i));
    let verdict = match (users.len(), bad) {
        (1, 0) => "1 user, accepted".to_string(),
        (n, 0) => format!("{n} users, all accepted"),
        (n, b) => format!("{n} users, {b} not accepted"),
    };
    html! {
        <section class="users panel" aria-labelledby="users-h">
            <div class="panel-head">
                <h2 id="users-h">{ "Users" }</h2>
                <span class={if bad == 0 { "verdict ok" } else { "verdict bad" }} aria-live="polite" data-testid="users-verdict">{ verdict }</span>
            </div>
            if users.len() > PAGE {
                <label class="inline">{ "Find user " }<input type="search" data-a="filter" value={app.ui.filter.clone()} /></label>
            }
            <div class="cards">{ for cards }</div>
            if more > 0 {
                <button type="button" data-a="more">{ format!("Show more ({more} not shown)") }</button>
            }
        </section>
    }
}
