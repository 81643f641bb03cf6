//! The page: one component holds every piece of state and handles every event; the
//! panels are view functions over it (one file each).
//!
//! Controls carry `data-a`, the name of their action (and `data-s` / `data-i` / `data-t`
//! for its argument); one native listener on the page root forwards their events here.
//! That replaces a closure, a `Callback` and a listener registration per button, which
//! is most of what a Yew page costs in wasm.

use crate::derived::{Audit, Derived, Shared};
use crate::examples::EXAMPLES;
use crate::passwords::Pw;
use crate::state::{self, Notice, Theme, Work};
use crate::{diagnostics, dom, editor, examples, findings, passwords, share, share_panel, simulator, snippets, users};
use aclplay::span::Span;
use aclplay::{Kind, PROFILES, Profile};
use js_sys::Promise;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event};
use yew::prelude::*;

/// Inputs shorter than this are audited (and saved) at once; longer ones once typing
/// pauses for `PAUSE_MS`, so that a keystroke pays only for the verdicts.
const SMALL: usize = 16 * 1024;
const PAUSE_MS: i32 = 300;

/// What an awaited promise was for.
pub enum Then {
    /// The clipboard write of the named thing.
    Copied(String),
    /// The text of an opened or dropped file, by name.
    File(String),
    /// A share link compressed, with the number of secrets it had removed.
    Encoded(usize),
    /// A share link decompressed.
    Decoded,
}

pub enum Msg {
    Ev(Event),
    Done(Then, Result<JsValue, JsValue>),
    /// Typing paused: the deferred audit and autosave.
    Idle,
    /// Read the share link in the address bar (at start, and when the fragment changes).
    OpenLink,
}

/// State the panels keep between renders.
pub struct Ui {
    /// Users panel: the name filter, how many cards are shown, the cards whose command
    /// lists are open (by user name).
    pub filter: String,
    pub shown: usize,
    pub open: Vec<String>,
    /// Connection snippets: the chosen user.
    pub snip: String,
    /// Share: include plaintext passwords; the last link made.
    pub plain: bool,
    pub link: Option<String>,
    pub pw: Pw,
}

/// What `rendered` last pushed into the DOM by hand.
#[derive(Default)]
pub struct Pushed {
    rules_rev: u32,
    commands_rev: u32,
    theme: Option<Theme>,
    pub lines: usize,
    pub spacers: (usize, usize),
    pub mark: Option<Span>,
    pub window: (usize, usize),
}

pub struct App {
    pub embed: bool,
    pub readonly: bool,
    pub work: Work,
    /// Bumped when a text changes from outside its textarea (an example, a link, a file):
    /// only then is the textarea's value replaced, so typing keeps native undo.
    rules_rev: u32,
    commands_rev: u32,
    /// The deciding rule the simulator points at (a span of the rules).
    pub mark: Option<Span>,
    pub notice: Option<Notice>,
    /// The latest message for screen readers (the `aria-live` region).
    pub live: AttrValue,
    pub theme: Theme,
    pub d: Shared,
    /// The security audit; on large inputs it may be the last one carried over the edits
    /// (see `Audit::follow`), or `None` before the first.
    pub audit: Option<Audit>,
    /// The mirror's drawn lines (see `editor::window_at`).
    pub window: (usize, usize),
    pub ui: Ui,
    /// Work not yet autosaved (large inputs wait for a pause), shared with the page-hide
    /// listener.
    unsaved: Rc<RefCell<Option<Work>>>,
    /// The pending pause timer, and the function it calls.
    timer: Option<i32>,
    idle: Option<js_sys::Function>,
    pushed: Pushed,
}

/// Awaits a promise and hands the outcome to `update`: the one future type of the app.
fn wait(ctx: &Context<App>, p: Promise, then: Then) {
    let link = ctx.link().clone();
    wasm_bindgen_futures::spawn_local(async move {
        let r = wasm_bindgen_futures::JsFuture::from(p).await;
        link.send_message(Msg::Done(then, r));
    });
}

/// A byte span as a `data-s` attribute ("start end").
pub fn span_attr(s: Span) -> AttrValue {
    let mut a = s.start.to_string();
    a.push(' ');
    a.push_str(&s.end.to_string());
    a.into()
}

fn parse_span(a: &str) -> Option<Span> {
    let (s, e) = a.split_once(' ')?;
    Some(Span::new(s.parse().ok()?, e.parse().ok()?))
}

/// The listener for every event of the page (see the module doc). What must happen
/// during the event itself is done here; the rest goes to `update`.
fn listen(link: yew::html::Scope<App>, unsaved: Rc<RefCell<Option<Work>>>, readonly: bool) {
    let f = Closure::<dyn Fn(Event)>::new(move |e: Event| {
        let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
        let on_rules = target.as_ref().is_some_and(|t| t.id() == "rules");
        match e.type_().as_str() {
            // Scrolling does not bubble: this listener captures it. The mirror and the
            // line numbers follow at once; `update` only redraws when the window moves.
            "scroll" if !on_rules => return,
            "scroll" => editor::follow(),
            "dragover" | "drop" => {
                if readonly || target.is_none_or(|t| t.closest(".editor").ok().flatten().is_none()) {
                    return;
                }
                e.prevent_default();
                if e.type_() == "dragover" {
                    return;
                }
            }
            "pagehide" => {
                if let Some(w) = unsaved.borrow_mut().take() {
                    state::save(&w);
                }
                return;
            }
            // The start of the keystroke → all-verdicts-updated measurement.
            "input" if on_rules => {
                if let Some(p) = dom::window().performance() {
                    p.clear_marks_with_mark_name("aclplay-input");
                    let _ = p.mark("aclplay-input");
                }
            }
            _ => {}
        }
        link.send_message(Msg::Ev(e));
    });
    let cb = f.as_ref().unchecked_ref();
    if let Some(root) = dom::by_id("app") {
        for t in ["click", "input", "change", "dragover", "drop"] {
            let _ = root.add_event_listener_with_callback(t, cb);
        }
        let _ = root.add_event_listener_with_callback_and_bool("scroll", cb, true);
    }
    let win = dom::window();
    for t in ["pagehide", "hashchange"] {
        let _ = win.add_event_listener_with_callback(t, cb);
    }
    // The page lives as long as the listener.
    f.forget();
}

impl App {
    /// Re-analyses after the rules, the version or the kind changed.
    fn analyze(&mut self) {
        self.d = Shared(Rc::new(Derived::new(&self.work.rules, self.work.profile, self.work.kind)));
        self.audit = if self.d.text.len() < SMALL {
            Some(Audit::new(&self.d))
        } else {
            self.audit.as_ref().map(|a| a.follow(&self.d))
        };
        self.work_changed();
    }

    /// After any change of the work: autosave (not for embedded copies, which keep
    /// nothing), at once for small work, after a pause for large work (or when the page
    /// is left); the pause also runs a pending audit.
    fn work_changed(&mut self) {
        let w = &self.work;
        let small = w.rules.len() + w.commands.len() < SMALL;
        if self.embed {
        } else if small {
            self.unsaved.borrow_mut().take();
            state::save(w);
        } else {
            *self.unsaved.borrow_mut() = Some(w.clone());
        }
        let win = dom::window();
        if let Some(id) = self.timer.take() {
            win.clear_timeout_with_handle(id);
        }
        let pending = self.unsaved.borrow().is_some() || self.audit.as_ref().is_none_or(|a| a.carried);
        if let Some(f) = self.idle.as_ref().filter(|_| pending) {
            self.timer = win.set_timeout_with_callback_and_timeout_and_arguments_0(f, PAUSE_MS).ok();
        }
    }

    /// Loads a whole piece of work (an example, a share link), with a message.
    fn load(&mut self, w: Work, notice: Notice) {
        self.work = w;
        self.rules_rev += 1;
        self.commands_rev += 1;
        self.mark = None;
        self.live = notice.text.clone();
        self.notice = Some(notice);
        self.analyze();
    }

    fn say_notice(&mut self, error: bool, text: String) {
        self.live = text.clone().into();
        self.notice = Some(Notice { error, text: text.into() });
    }

    /// Reads the share link in the address bar, if any; a bad one changes nothing.
    fn open_link(&mut self, ctx: &Context<Self>) {
        let fragment = share::current_fragment();
        let Some(body) = fragment.strip_prefix(share::PREFIX) else { return };
        match share::b64_decode(body).map(|packed| share::pipe(&packed, false)) {
            Some(Ok(p)) => wait(ctx, p, Then::Decoded),
            _ => self.link_failed("it contains characters a share link never has"),
        }
    }

    fn link_failed(&mut self, why: &str) {
        self.say_notice(true, format!("This share link cannot be opened: {why}. Nothing was changed."));
        share::clear_fragment();
    }

    fn copy(&self, ctx: &Context<Self>, text: &str, what: String) {
        wait(ctx, dom::window().navigator().clipboard().write_text(text), Then::Copied(what));
    }

    fn event(&mut self, ctx: &Context<Self>, e: Event) -> bool {
        let ty = e.type_();
        let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
        match (ty.as_str(), target) {
            ("click", Some(t)) => match t.closest("[data-a]").ok().flatten() {
                Some(el) => self.click(ctx, &el),
                None => false,
            },
            ("input" | "change", Some(t)) => {
                let a = t.get_attribute("data-a").unwrap_or_default();
                self.input(ctx, &a, ty == "change", &t)
            }
            ("scroll", Some(t)) => {
                let w = editor::window_at(t.scroll_top().max(0) as usize, t.client_height().max(0) as usize);
                let moved = w != self.window;
                self.window = w;
                moved
            }
            ("drop", _) => {
                let file = e.dyn_ref::<web_sys::DragEvent>().and_then(|d| d.data_transfer()?.files()?.get(0));
                if let Some(f) = file {
                    wait(ctx, f.text(), Then::File(f.name()));
                }
                false
            }
            ("hashchange", _) => {
                self.open_link(ctx);
                true
            }
            _ => false,
        }
    }

    /// `input` and `change` events of the controls.
    fn input(&mut self, ctx: &Context<Self>, a: &str, change: bool, t: &Element) -> bool {
        let v = || dom::value(t);
        let w = &mut self.work;
        match (a, change) {
            ("rules", false) => {
                w.rules = v().into();
                // Spans into the old text mean nothing in the new one.
                self.mark = None;
                self.analyze();
            }
            ("commands", false) => {
                w.commands = v().into();
                self.work_changed();
            }
            ("filter", false) => {
                self.ui.filter = v();
                self.ui.shown = users::PAGE;
            }
            ("profile", true) => {
                let Some(p) = Profile::by_id(&v()) else { return false };
                w.profile = p;
                self.live = format!("Answering as {}", p.name).into();
                self.analyze();
            }
            ("kind", true) => {
                w.kind = Kind::by_id(&v());
                self.analyze();
            }
            ("user", true) => {
                w.user = v().into();
                self.mark = None;
                self.work_changed();
            }
            ("snip", true) => self.ui.snip = v(),
            ("plain", true) => self.ui.plain = dom::prop(t, "checked").is_truthy(),
            ("file", true) => {
                let input: &web_sys::HtmlInputElement = t.unchecked_ref();
                if let Some(f) = input.files().and_then(|l| l.get(0)) {
                    wait(ctx, f.text(), Then::File(f.name()));
                }
                input.set_value("");
                return false;
            }
            ("style" | "bits" | "alpha" | "len", true) => self.ui.pw.set(a, &v()),
            _ => return false,
        }
        true
    }

    fn click(&mut self, ctx: &Context<Self>, el: &Element) -> bool {
        let attr = |k: &str| el.get_attribute(k).unwrap_or_default();
        let index = attr("data-i").parse::<usize>().unwrap_or(usize::MAX);
        match attr("data-a").as_str() {
            "theme" => {
                self.theme = self.theme.next();
                state::save_theme(self.theme);
            }
            "dismiss" => self.notice = None,
            "ex" => {
                let Some(ex) = EXAMPLES.get(index) else { return false };
                self.load(
                    ex.work(),
                    Notice { error: false, text: format!("Loaded the example “{}”.", ex.title).into() },
                );
            }
            // Select a span in the editor (a diagnostic's or a finding's location).
            "at" => {
                if let Some(s) = parse_span(&attr("data-s")) {
                    dom::select_span(&self.d.text, s.start, s.end);
                }
                return false;
            }
            // Mark (or unmark) the simulator's deciding rule.
            "mark" => {
                let s = parse_span(&attr("data-s"));
                self.mark = if s == self.mark { None } else { s };
            }
            "fix" | "harden" => {
                let Some(audit) = self.audit.as_ref().filter(|a| a.of == self.d && !a.carried) else { return false };
                let fixes: Vec<&aclplay::audit::Fix> = match index {
                    usize::MAX => audit.findings.iter().filter_map(|f| f.fix.as_ref()).filter(|f| f.safe).collect(),
                    i => audit.findings.get(i).and_then(|f| f.fix.as_ref()).into_iter().collect(),
                };
                dom::replace_rules(&aclplay::audit::apply(&self.d.text, &fixes));
                self.live = match (index, fixes.first()) {
                    (usize::MAX, _) => format!("Applied {} safe fixes", fixes.len()),
                    (_, Some(f)) => format!("Applied: {}", f.title),
                    _ => return false,
                }
                .into();
            }
            "copy" => {
                self.copy(ctx, &attr("data-t"), attr("data-w"));
                return false;
            }
            // Insert a password rule at the editor's caret.
            "ins" => {
                passwords::insert(&attr("data-t"));
                self.live = attr("data-w").into();
            }
            "share" => {
                let mut w = self.work.clone();
                let mut removed = 0;
                if !self.ui.plain {
                    let (text, n) = share::strip_secrets(&self.d.text, &self.d.tokens);
                    w.rules = text.into();
                    removed = n;
                }
                match share::pipe(state::to_json(&w).as_bytes(), true) {
                    Ok(p) => wait(ctx, p, Then::Encoded(removed)),
                    Err(_) => self.live = "This browser cannot compress the share link".into(),
                }
            }
            "gen" => {
                if let Some(m) = self.ui.pw.generate() {
                    self.live = m.into();
                }
            }
            "more" => self.ui.shown += users::PAGE * 5,
            "cmds" => {
                let u = attr("data-u");
                let open = &mut self.ui.open;
                match open.iter().position(|n| *n == u) {
                    Some(i) => _ = open.swap_remove(i),
                    None => open.push(u),
                }
            }
            _ => return false,
        }
        true
    }

    /// A promise settled.
    fn done(&mut self, ctx: &Context<Self>, then: Then, r: Result<JsValue, JsValue>) -> bool {
        match then {
            Then::Copied(what) => {
                self.live = if r.is_ok() {
                    format!("Copied the {what}")
                } else {
                    format!("Could not copy the {what}: the browser refused; select it and copy by hand")
                }
                .into()
            }
            Then::File(name) => {
                let Some(text) = r.ok().and_then(|t| t.as_string()) else { return false };
                self.work.rules = text.into();
                self.rules_rev += 1;
                self.mark = None;
                self.live = format!("Opened {name}").into();
                self.analyze();
            }
            Then::Encoded(removed) => match r {
                Ok(buf) => {
                    let url =
                        share::base_url() + share::PREFIX + &share::b64_encode(&js_sys::Uint8Array::new(&buf).to_vec());
                    let what = match removed {
                        0 => "share link".to_string(),
                        1 => "share link (1 plaintext secret replaced by its hash)".to_string(),
                        n => format!("share link ({n} plaintext secrets replaced by their hashes)"),
                    };
                    self.copy(ctx, &url, what);
                    self.ui.link = Some(url);
                }
                Err(_) => self.live = "This browser cannot compress the share link".into(),
            },
            Then::Decoded => {
                let json = r
                    .map_err(|_| "it is truncated or damaged (it does not decompress)".to_string())
                    .and_then(|buf| {
                        String::from_utf8(js_sys::Uint8Array::new(&buf).to_vec())
                            .map_err(|_| "it does not decode as text".to_string())
                    })
                    .and_then(|json| state::from_json(&json));
                match json {
                    Ok(w) => {
                        self.load(w, Notice { error: false, text: "Opened the shared rules.".into() });
                        share::clear_fragment();
                    }
                    Err(why) => self.link_failed(&why),
                }
            }
        }
        true
    }

    /// After a render: what the DOM needs besides the virtual DOM (textarea values, sizes
    /// through the CSSOM, scrolling to the mark), and the figures that
    /// scripts/measure-web.mjs reads.
    fn after_render(&mut self) {
        let mut p = std::mem::take(&mut self.pushed);
        if p.rules_rev != self.rules_rev {
            if let Some(t) = dom::textarea("rules")
                && t.value() != *self.d.text
            {
                t.set_value(&self.d.text);
            }
            p.rules_rev = self.rules_rev;
        }
        if p.commands_rev != self.commands_rev {
            if let Some(t) = dom::textarea("commands")
                && t.value() != *self.work.commands
            {
                t.set_value(&self.work.commands);
            }
            p.commands_rev = self.commands_rev;
        }
        if p.theme != Some(self.theme)
            && let Some(root) = dom::document().document_element()
        {
            let _ = root.set_attribute("data-theme", self.theme.id());
            p.theme = Some(self.theme);
        }
        editor::after_render(self, &mut p);
        self.pushed = p;
        if let Some(root) = dom::by_id("app") {
            let _ = root.set_attribute("data-analysis-ms", &dom::hundredths(self.d.ms));
            if let Some(p) = dom::window().performance() {
                let start = p.get_entries_by_name("aclplay-input");
                if start.length() > 0 {
                    let t0 = dom::prop(&start.get(0), "startTime").as_f64().unwrap_or(0.0);
                    let _ = root.set_attribute("data-update-ms", &dom::hundredths(dom::now() - t0));
                    p.clear_marks_with_mark_name("aclplay-input");
                }
            }
        }
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(_ctx: &Context<Self>) -> Self {
        let embed = dom::query_flag("embed");
        // Embedded copies never touch the visitor's own saved work.
        let work = (!embed).then(state::load_saved).flatten().unwrap_or_else(|| EXAMPLES[0].work());
        let d = Shared(Rc::new(Derived::new(&work.rules, work.profile, work.kind)));
        App {
            embed,
            readonly: embed && dom::query_flag("readonly"),
            audit: Some(Audit::new(&d)).filter(|_| d.text.len() < SMALL),
            d,
            work,
            rules_rev: 0,
            commands_rev: 0,
            mark: None,
            notice: None,
            live: AttrValue::default(),
            theme: state::load_theme(),
            window: editor::INITIAL_WINDOW,
            ui: Ui {
                filter: String::new(),
                shown: users::PAGE,
                open: Vec::new(),
                snip: String::new(),
                plain: false,
                link: None,
                pw: Pw::default(),
            },
            unsaved: Rc::default(),
            timer: None,
            idle: None,
            // Nothing pushed yet: the first render fills the textareas.
            pushed: Pushed { rules_rev: u32::MAX, commands_rev: u32::MAX, ..Pushed::default() },
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Ev(e) => self.event(ctx, e),
            Msg::Done(then, r) => self.done(ctx, then, r),
            Msg::OpenLink => {
                self.open_link(ctx);
                true
            }
            Msg::Idle => {
                self.timer = None;
                if let Some(w) = self.unsaved.borrow_mut().take() {
                    state::save(&w);
                }
                if self.audit.as_ref().is_some_and(|a| !a.carried && a.of == self.d) {
                    return false;
                }
                self.audit = Some(Audit::new(&self.d));
                true
            }
        }
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        if first_render {
            listen(ctx.link().clone(), self.unsaved.clone(), self.readonly);
            let link = ctx.link().clone();
            self.idle =
                Some(Closure::<dyn Fn()>::new(move || link.send_message(Msg::Idle)).into_js_value().unchecked_into());
            self.work_changed();
            ctx.link().send_message(Msg::OpenLink);
        }
        self.after_render();
        if first_render && let (Some(root), Some(p)) = (dom::by_id("app"), dom::window().performance()) {
            let _ = p.mark("aclplay-interactive");
            let _ = root.set_attribute("data-ready", &dom::hundredths(dom::now()));
        }
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        let w = &self.work;
        let versions = PROFILES.iter().map(|p| {
            html! { <option value={p.id} selected={p.id == w.profile.id}>{ format!("{} ({})", p.id, p.name) }</option> }
        });
        let theme = match self.theme {
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        };
        let editor = html! {
            <section class="rules panel" aria-label="Rules">{ editor::view(self) }{ diagnostics::view(self) }</section>
        };
        let simulator = simulator::view(self);
        html! {
            <div id="app" class={if self.embed { "app embed" } else { "app" }}>
                <header class="top">
                    <h1>{ "aclplay" }<span class="tagline">{ " ACL playground for Redis and Valkey" }</span></h1>
                    <div class="controls">
                        <label class="inline">{ "Server version " }
                            <select data-a="profile" aria-label="Server version">{ for versions }</select>
                        </label>
                        if !self.embed {
                            { share_panel::view(self) }
                        }
                        <button type="button" class="theme" data-a="theme" aria-label={theme}>{ theme }</button>
                    </div>
                </header>
                if let Some(n) = &self.notice {
                    <div class={if n.error { "notice error" } else { "notice" }} role={if n.error { "alert" } else { "status" }}>
                        <span>{ n.text.clone() }</span>
                        <button type="button" class="small" data-a="dismiss" aria-label="Dismiss message">{ "✕" }</button>
                    </div>
                }
                if self.embed {
                    <main class="grid embed-grid">{ editor }{ simulator }</main>
                } else {
                    { examples::view() }
                    <main class="grid">
                        { editor }
                        { simulator }
                        { users::view(self) }
                        <div class="side">{ findings::view(self) }{ snippets::view(self) }</div>
                        { passwords::view(self) }
                    </main>
                    <footer class="muted">{ "Everything runs in this page: rules, commands and passwords never leave your browser. Share links keep the work in the part of the URL after #, which browsers do not send." }</footer>
                }
                <div class="visually-hidden" aria-live="polite" role="status" id="live">{ self.live.clone() }</div>
            </div>
        }
    }
}
