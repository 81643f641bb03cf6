//! "Copy share link": the whole work in the URL fragment, secrets hashed unless the user
//! opts in (made by `App::click`, see `share`).

use crate::app::App;
use yew::prelude::*;

pub fn view(app: &App) -> Html {
    html! {
        <div class="share">
            <button type="button" class="primary" data-a="share">{ "Copy share link" }</button>
            <label class="inline small-text">
                <input type="checkbox" checked={app.ui.plain} data-a="plain" />
                { " include plaintext passwords" }
            </label>
            if let Some(l) = &app.ui.link {
                <input class="mono share-url" readonly=true value={l.clone()} aria-label="Share link" />
            }
        </div>
    }
}
