//! aclplay-web: the playground, a Yew single-page app built by Trunk (www/index.html).
//! Everything runs in the page: the engine is the `aclplay` library compiled to wasm.
//!
//! Sized for its transfer budget: one stateful component (`app::App`, all state and one
//! `update`) whose panels are view functions, one file each; two tiny memo components
//! (`mirror::Line`, `user_select::Names`) where re-rendering would cost a keystroke; and
//! one native event listener on the page root for every control (`data-a` names the
//! action), instead of a closure per button.

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

/// Talc instead of Rust's default dlmalloc: about 3 KB less gzip in the page.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    yew::Renderer::<app::App>::new().render();
}
