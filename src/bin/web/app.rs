//! The page: state in one reducer, the analysis derived with `use_memo`, callbacks down.

use crate::derived::{Audit, Derived, Shared, now};
use crate::diagnostics::Diagnostics;
use crate::editor::Editor;
use crate::examples::{EXAMPLES, Gallery};
use crate::findings::Findings;
use crate::passwords::Passwords;
use crate::share_panel::Share;
use crate::simulator::Simulator;
use crate::snippets::Snippets;
use crate::state::{Action, Notice, State, Theme};
use crate::users::Users;
use crate::{dom, share, state};
use aclplay::{PROFILES, Profile};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// `12.34`: milliseconds for the measurement attributes (integer maths: float formatting
/// would add kilobytes of wasm).
fn hundredths(ms: f64) -> String {
    let n = (ms.max(0.0) * 100.0).round() as u64;
    format!("{}.{:02}", n / 100, n % 100)
}

/// Compares an `Rc` by identity (a memo dependency).
#[derive(Clone)]
struct PtrKey<T>(Rc<T>);

impl<T> PartialEq for PtrKey<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Inputs shorter than this are audited (and saved) at once; longer ones after a pause
/// in typing.
const AUDIT_NOW_BELOW: usize = 16 * 1024;
const AUDIT_PAUSE_MS: i32 = 300;

fn initial(embed: bool) -> State {
    // Embedded copies never touch the visitor's own saved work.
    let work = (!embed).then(state::load_saved).flatten().unwrap_or_else(|| EXAMPLES[0].work());
    State {
        work,
        rules_rev: 0,
        commands_rev: 0,
        mark: None,
        notice: None,
        live: AttrValue::default(),
        theme: state::load_theme(),
    }
}

/// Loads the share link in the address bar, if any; a bad one changes nothing.
fn open_link(dispatch: UseReducerDispatcher<State>) {
    let fragment = share::current_fragment();
    if !fragment.starts_with(share::PREFIX) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        match share::decode(&fragment).await {
            Ok(w) => {
                dispatch.dispatch(Action::Load(w, Notice { error: false, text: "Opened the shared rules.".into() }))
            }
            Err(why) => dispatch.dispatch(Action::Notice(Some(Notice {
                error: true,
                text: format!("This share link cannot be opened: {why}. Nothing was changed.").into(),
            }))),
        }
        share::clear_fragment();
    });
}

#[function_component]
pub fn App() -> Html {
    let embed = *use_memo((), |_| dom::query_flag("embed"));
    let readonly = embed && dom::query_flag("readonly");
    let state = use_reducer(|| initial(embed));
    let dispatch = state.dispatcher();
    let w = &state.work;
    let derived = (*use_memo((w.rules.clone(), w.profile.id, w.kind), |(rules, id, kind)| {
        let profile = Profile::by_id(id).unwrap_or(PROFILES[0]);
        Shared(Rc::new(Derived::new(rules, profile, *kind)))
    }))
    .clone();
    let textarea = use_node_ref();

    // The audit: at once for small inputs; for large ones once typing pauses, so that a
    // keystroke pays only for the verdicts (lint is not one). Meanwhile the last audit
    // follows the edits.
    let audit = use_state(|| None::<Audit>);
    {
        let audit = audit.clone();
        use_effect_with(derived.clone(), move |d| {
            let d = d.clone();
            let mut pending = None;
            if d.text.len() < AUDIT_NOW_BELOW {
                audit.set(Some(Audit::new(&d)));
            } else {
                let run = Closure::once(move || audit.set(Some(Audit::new(&d))));
                let win = web_sys::window().expect("a window");
                pending = win
                    .set_timeout_with_callback_and_timeout_and_arguments_0(run.as_ref().unchecked_ref(), AUDIT_PAUSE_MS)
                    .ok()
                    .map(|id| (id, run));
            }
            move || {
                if let (Some((id, _run)), Some(w)) = (pending, web_sys::window()) {
                    w.clear_timeout_with_handle(id);
                }
            }
        });
    }
    let audit = {
        let last = (*audit).clone();
        let d = derived.clone();
        (*use_memo((derived.clone(), last.as_ref().map(|a| a.findings.clone()).map(PtrKey)), move |_| {
            last.map(|a| if a.of == d { a } else { a.follow(&d) })
        }))
        .clone()
    };

    // A share link in the address bar, now or later (pasted into the same tab).
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            open_link(dispatch.clone());
            let listener = Closure::<dyn Fn()>::new(move || open_link(dispatch.clone()));
            let win = web_sys::window().expect("a window");
            let _ = win.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            move || {
                let _ = win.remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            }
        });
    }
    // Autosave (not for embedded copies): at once for small work; for large work once
    // typing pauses, and in any case when the page is left.
    let unsaved = use_mut_ref(|| None::<state::Work>);
    {
        let unsaved = unsaved.clone();
        use_effect_with((), move |_| {
            let flush = Closure::<dyn Fn()>::new(move || {
                if let Some(w) = unsaved.borrow_mut().take() {
                    state::save(&w);
                }
            });
            let win = web_sys::window().expect("a window");
            let _ = win.add_event_listener_with_callback("pagehide", flush.as_ref().unchecked_ref());
            move || {
                let _ = win.remove_event_listener_with_callback("pagehide", flush.as_ref().unchecked_ref());
            }
        });
    }
    use_effect_with(state.work.clone(), move |w| {
        let mut pending = None;
        let small = w.rules.len() + w.commands.len() < AUDIT_NOW_BELOW;
        if embed {
            // Embedded copies keep nothing.
        } else if small {
            unsaved.borrow_mut().take();
            state::save(w);
        } else {
            *unsaved.borrow_mut() = Some(w.clone());
            let unsaved = unsaved.clone();
            let run = Closure::once(move || {
                if let Some(w) = unsaved.borrow_mut().take() {
                    state::save(&w);
                }
            });
            pending = web_sys::window()
                .and_then(|win| {
                    win.set_timeout_with_callback_and_timeout_and_arguments_0(
                        run.as_ref().unchecked_ref(),
                        AUDIT_PAUSE_MS,
                    )
                    .ok()
                })
                .map(|id| (id, run));
        }
        move || {
            if let (Some((id, _run)), Some(w)) = (pending, web_sys::window()) {
                w.clear_timeout_with_handle(id);
            }
        }
    });
    use_effect_with(state.theme, |t| {
        if let Some(root) = dom::document().document_element() {
            let _ = root.set_attribute("data-theme", t.id());
        }
    });
    // After every render: the figures scripts/measure-web.mjs reads.
    {
        let ms = derived.ms;
        use_effect(move || {
            if let Some(root) = dom::document().get_element_by_id("app") {
                let _ = root.set_attribute("data-analysis-ms", &hundredths(ms));
                let perf = web_sys::window().and_then(|w| w.performance());
                if let Some(p) = perf {
                    if root.get_attribute("data-ready").is_none() {
                        let _ = p.mark("aclplay-interactive");
                        let _ = root.set_attribute("data-ready", &hundredths(now()));
                    }
                    if p.get_entries_by_name("aclplay-input").length() > 0 {
                        let start = p.get_entries_by_name("aclplay-input").get(0);
                        let t0 = js_sys::Reflect::get(&start, &"startTime".into())
                            .ok()
                            .and_then(|v| v.as_f64())
                            .unwrap_or(0.0);
                        let _ = root.set_attribute("data-update-ms", &hundredths(now() - t0));
                        p.clear_marks_with_mark_name("aclplay-input");
                    }
                }
            }
        });
    }

    let announce = {
        let dispatch = dispatch.clone();
        Callback::from(move |m: String| dispatch.dispatch(Action::Announce(m.into())))
    };
    let on_copy = {
        let announce = announce.clone();
        Callback::from(move |(text, what): (String, String)| {
            let announce = announce.clone();
            dom::copy(&text, move |ok| {
                announce.emit(if ok {
                    format!("Copied the {what}")
                } else {
                    format!("Could not copy the {what}: the browser refused; select it and copy by hand")
                })
            });
        })
    };
    let on_profile = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(p) = Profile::by_id(&v) {
                dispatch.dispatch(Action::Profile(p));
            }
        })
    };
    let on_theme = {
        let (dispatch, t) = (dispatch.clone(), state.theme);
        Callback::from(move |_| {
            let next = t.next();
            state::save_theme(next);
            dispatch.dispatch(Action::Theme(next));
        })
    };
    let dismiss = {
        let dispatch = dispatch.clone();
        Callback::from(move |_| dispatch.dispatch(Action::Notice(None)))
    };
    let versions = PROFILES.iter().map(|p| {
        html! { <option value={p.id} selected={p.id == w.profile.id}>{ format!("{} ({})", p.id, p.name) }</option> }
    });
    let theme_text = match state.theme {
        Theme::System => "Theme: system",
        Theme::Light => "Theme: light",
        Theme::Dark => "Theme: dark",
    };

    let editor = html! {
        <section class="rules panel" aria-label="Rules">
            <Editor derived={derived.clone()} audit={audit.clone()} rev={state.rules_rev} kind={w.kind} mark={state.mark}
                {readonly} textarea={textarea.clone()} dispatch={dispatch.clone()} />
            <Diagnostics derived={derived.clone()} textarea={textarea.clone()} />
        </section>
    };
    let simulator = html! {
        <Simulator derived={derived.clone()} commands={w.commands.clone()} rev={state.commands_rev}
            user={w.user.clone()} mark={state.mark} dispatch={dispatch.clone()} />
    };

    html! {
        <div id="app" class={classes!("app", embed.then_some("embed"))}>
            <header class="top">
                <h1>{ "aclplay" }<span class="tagline">{ " ACL playground for Redis and Valkey" }</span></h1>
                <div class="controls">
                    <label class="inline">{ "Server version " }
                        <select onchange={on_profile} aria-label="Server version">{ for versions }</select>
                    </label>
                    if !embed {
                        <Share derived={derived.clone()} work={w.clone()} on_copy={on_copy.clone()} announce={announce.clone()} />
                    }
                    <button type="button" class="theme" onclick={on_theme} aria-label={theme_text}>{ theme_text }</button>
                </div>
            </header>
            if let Some(n) = &state.notice {
                <div class={classes!("notice", n.error.then_some("error"))} role={if n.error { "alert" } else { "status" }}>
                    <span>{ n.text.clone() }</span>
                    <button type="button" class="small" onclick={dismiss} aria-label="Dismiss message">{ "✕" }</button>
                </div>
            }
            if embed {
                <main class="grid embed-grid">{ editor }{ simulator }</main>
            } else {
                <Gallery dispatch={dispatch.clone()} />
                <main class="grid">
                    { editor }
                    { simulator }
                    <Users derived={derived.clone()} on_copy={on_copy.clone()} />
                    <div class="side">
                        <Findings derived={derived.clone()} audit={audit.clone()} textarea={textarea.clone()} {readonly} announce={announce.clone()} />
                        <Snippets derived={derived.clone()} on_copy={on_copy.clone()} />
                    </div>
                    <Passwords textarea={textarea.clone()} {readonly} on_copy={on_copy.clone()} announce={announce.clone()} />
                </main>
                <footer class="muted">{ "Everything runs in this page: rules, commands and passwords never leave your browser. Share links keep the work in the part of the URL after #, which browsers do not send." }</footer>
            }
            <div class="visually-hidden" aria-live="polite" role="status" id="live">{ state.live.clone() }</div>
        </div>
    }
}
