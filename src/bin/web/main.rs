//! aclplay-web: the playground, a Yew single-page app built by Trunk (www/index.html).
//! Everything runs in the page: the engine is the `aclplay` library compiled to wasm.

mod app;
mod derived;
mod diagnostics;
mod dom;
mod editor;
mod examples;
mod findings;
mod gutter;
mod mirror;
mod passwords;
mod share;
mod share_panel;
mod simulator;
mod snippets;
mod state;
mod user_card;
mod user_select;
mod users;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
