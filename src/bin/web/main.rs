//! aclplay-web: the playground, a Yew single-page app built by Trunk (www/index.html).
//! Everything runs in the page: the engine is the `aclplay` library compiled to wasm.
//!
//! - `app`: the one stateful component (all state, one `update`), `action` (what a
//!   control asks for), `work` (what is saved and shared), `doc` (the rules analysed edit
//!   by edit, and the audit);
//! - `editor/`: the rules editor (textarea over a highlighted mirror, line numbers,
//!   bringing a span into view);
//! - `panels/`: the other panels, view functions over the state, and two tiny memo
//!   components (`editor::mirror::Line`, `panels::names::Names`) where re-rendering would
//!   cost a keystroke;
//! - `platform/`: the browser (DOM helpers, storage, share links, timers).
//!
//! Sized for its transfer budget: view functions rather than components, and one native
//! event listener on the page root for every control (`data-a`) instead of a closure per
//! button.

mod action;
mod app;
mod doc;
mod editor;
mod panels;
mod platform;
mod work;

/// Talc instead of Rust's default dlmalloc: about 3 KB less gzip in the page.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    yew::Renderer::<app::App>::new().render();
}
