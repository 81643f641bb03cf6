//! "Copy share link": the whole work in the URL fragment, secrets hashed unless the user
//! opts in (made by `App::click`, see `platform::link`).

use crate::action::Act;
use crate::app::App;
use yew::prelude::*;

pub fn view(app: &App) -> Html {
    html! {
        <div class="share">
            <button type="button" class="primary" data-a={Act::Share.attr()}>{ "Copy share link" }</button>
            <label class="inline small-text">
                <input type="checkbox" checked={app.ui.plain} data-a={Act::PlainSecrets.attr()} />
                { " include plaintext passwords" }
            </label>
            if let Some(l) = &app.ui.link {
                <input class="mono share-url" readonly=true value={l.clone()} aria-label="Share link" />
            }
        </div>
    }
}
