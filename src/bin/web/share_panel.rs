//! "Copy share link": the whole work in the URL fragment, secrets hashed unless the user
//! opts in.

use crate::derived::Shared;
use crate::share::{base_url, encode, strip_secrets};
use crate::state::Work;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub derived: Shared,
    pub work: Work,
    pub on_copy: Callback<(String, String)>,
    pub announce: Callback<String>,
}

#[function_component]
pub fn Share(props: &ShareProps) -> Html {
    let plain = use_state(|| false);
    let link = use_state(|| None::<String>);
    let onclick = {
        let (plain, link) = (plain.clone(), link.clone());
        let (d, work) = (props.derived.clone(), props.work.clone());
        let (on_copy, announce) = (props.on_copy.clone(), props.announce.clone());
        Callback::from(move |_| {
            let mut w = work.clone();
            let mut removed = 0;
            if !*plain {
                let (text, n) = strip_secrets(&d.text, &d.tokens);
                w.rules = text.into();
                removed = n;
            }
            let (link, on_copy, announce) = (link.clone(), on_copy.clone(), announce.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match encode(&w).await {
                    Ok(fragment) => {
                        let url = format!("{}{fragment}", base_url());
                        let what = match removed {
                            0 => "share link".to_string(),
                            1 => "share link (1 plaintext secret replaced by its hash)".to_string(),
                            n => format!("share link ({n} plaintext secrets replaced by their hashes)"),
                        };
                        on_copy.emit((url.clone(), what));
                        link.set(Some(url));
                    }
                    Err(_) => announce.emit("This browser cannot compress the share link".into()),
                }
            });
        })
    };
    let on_plain = {
        let plain = plain.clone();
        Callback::from(move |e: Event| plain.set(e.target_unchecked_into::<HtmlInputElement>().checked()))
    };
    html! {
        <div class="share">
            <button type="button" class="primary" {onclick}>{ "Copy share link" }</button>
            <label class="inline small-text">
                <input type="checkbox" checked={*plain} onchange={on_plain} />
                { " include plaintext passwords" }
            </label>
            if let Some(l) = &*link {
                <input class="mono share-url" readonly=true value={l.clone()} aria-label="Share link" />
            }
        </div>
    }
}
