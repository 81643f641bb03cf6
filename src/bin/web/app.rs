//! The page: one component holds the state and handles every event; the panels are view
//! functions over it (`panels`, `editor`).
//!
//! Controls carry `data-a` (see `action`); one native listener on the page root forwards
//! their events here. The rules are analysed edit by edit (`doc`); on a large text the
//! textarea is read once per frame whatever the number of input events, and the audit
//! runs in slices once typing pauses, so that no keystroke waits for it.

use crate::action::{Act, Action};
use crate::doc::{Audit, Doc, Run};
use crate::editor;
use crate::panels::examples::EXAMPLES;
use crate::panels::passwords::Pw;
use crate::panels::{examples, findings, outcome, passwords, share, simulator, snippets, users};
use crate::platform::{dom, link, storage, timer};
use crate::work::{self, Notice, Theme, Work};
use aclplay::analysis::tracked::Change;
use aclplay::span::Span;
use aclplay::{Kind, PROFILES, Profile};
use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event};
use yew::prelude::*;

/// Inputs shorter than this are audited (and saved) at once; longer ones once typing
/// pauses for `PAUSE_MS` (or at once after a large change, such as a paste).
const SMALL: usize = 16 * 1024;
const PAUSE_MS: i32 = 300;
/// A change of more than this many bytes starts the audit at once.
const LARGE_CHANGE: usize = 64 * 1024;
/// Above this many characters the textarea is read once per frame, not per input event
/// (a scripted fill of a 1,000-line text fires 2,000 of them).
const BIG: usize = 64 * 1024;
/// Saved work larger than this is restored after the page first shows.
const LAZY: usize = 256 * 1024;
/// An edit inserting more than this many bytes (Harden of a large file) bypasses the
/// browser's undoable `insertText` (see `App::apply`).
const LARGE_EDIT: usize = 32 * 1024;
/// Time per audit slice, in milliseconds.
const SLICE_MS: f64 = 8.0;

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
    /// A frame after input events on a large text: read it and analyse.
    SyncRules,
    /// Typing paused: the autosave and the audit.
    Idle,
    /// The next slice of a running audit.
    AuditStep,
    /// Read the share link in the address bar (at start, and when the fragment changes).
    OpenLink,
    /// Restore large saved work, now that the page shows.
    Restore,
    /// The page is being left: save now.
    Flush,
}

/// The simulator's input.
pub struct Commands {
    pub text: String,
    /// The chosen user (empty: the first one defined).
    pub user: String,
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
    /// The finding severities hidden (info, warning, error).
    pub hidden: [bool; 3],
}

/// What `rendered` last pushed into the DOM by hand.
#[derive(Default)]
pub struct Pushed {
    rules_rev: u32,
    commands_rev: u32,
    theme: Option<Theme>,
    pub lines: usize,
    pub spacers: (usize, usize),
    pub columns: (usize, usize),
}

/// The callbacks handed to timers, made once.
struct Callbacks {
    idle: js_sys::Function,
    step: js_sys::Function,
    frame: js_sys::Function,
    restore: js_sys::Function,
}

pub struct App {
    pub embed: bool,
    pub readonly: bool,
    pub doc: Doc,
    pub commands: Commands,
    pub audit: Audit,
    /// Bumped when a text changes from outside its textarea (an example, a link, a file):
    /// only then is the textarea's value replaced, so typing keeps native undo.
    rules_rev: u32,
    commands_rev: u32,
    /// The deciding rule the simulator points at (a span of the rules).
    pub mark: Option<Span>,
    /// A span to bring into view after the next render.
    reveal: Option<Span>,
    pub notice: Option<Notice>,
    /// The latest message for screen readers (the `aria-live` region).
    pub live: AttrValue,
    pub theme: Theme,
    /// The drawn lines and columns (see `editor::window_at`, `editor::columns_at`).
    pub window: (usize, usize),
    pub columns: (usize, usize),
    pub char_px: f64,
    pub ui: Ui,
    /// A share link is open: the saved work stays as it was until the user keeps the
    /// shared rules or edits them.
    viewing_link: bool,
    /// An embed's share link (its "Open in aclplay" goes there).
    embed_fragment: String,
    /// Work not yet saved (large inputs wait for a pause).
    unsaved: bool,
    /// Saved work to restore once the page shows, and whether a restore is in progress
    /// (its guard is set in storage until the page has shown it).
    pending_restore: Option<Work>,
    restoring: bool,
    /// A frame is requested to read the rules.
    frame_pending: bool,
    timer: Option<i32>,
    cb: Option<Callbacks>,
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

/// The listener for every event of the page (see the module doc). What must happen
/// during the event itself is done here; the rest goes to `update`.
fn listen(link: yew::html::Scope<App>, readonly: bool) {
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
                link.send_message(Msg::Flush);
                return;
            }
            "visibilitychange" => {
                if dom::document().hidden() {
                    link.send_message(Msg::Flush);
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
    let _ = dom::document().add_event_listener_with_callback("visibilitychange", cb);
    // The page lives as long as the listener.
    f.forget();
}

fn callback(link: &yew::html::Scope<App>, msg: fn() -> Msg) -> js_sys::Function {
    let link = link.clone();
    Closure::<dyn Fn()>::new(move || link.send_message(msg())).into_js_value().unchecked_into()
}

fn kib(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{}.{} MB", n / (1024 * 1024), n % (1024 * 1024) * 10 / (1024 * 1024))
    } else {
        format!("{} KB", n.div_ceil(1024))
    }
}

impl App {
    /// The work as it is now (for saving and sharing).
    fn work(&self) -> Work {
        Work {
            rules: self.doc.text().to_string(),
            commands: self.commands.text.clone(),
            profile: self.doc.profile(),
            kind: self.doc.kind(),
            user: self.commands.user.clone(),
        }
    }

    fn small(&self) -> bool {
        self.doc.text().len() + self.commands.text.len() < SMALL
    }

    /// After any change of the work: autosave (not for embedded copies, which keep
    /// nothing, nor while a share link is open), at once for small work, after a pause
    /// for large work (or when the page is left); the pause also runs a pending audit.
    fn work_changed(&mut self) {
        if self.embed || self.viewing_link {
        } else if self.small() {
            work::save(storage::WORK, &self.work());
            self.unsaved = false;
        } else {
            self.unsaved = true;
        }
        self.arm_idle();
    }

    fn arm_idle(&mut self) {
        if let Some(id) = self.timer.take() {
            timer::cancel(id);
        }
        let pending = self.unsaved || (!self.audit.current(self.doc.rev) && self.audit.running.is_none());
        if let Some(cb) = self.cb.as_ref().filter(|_| pending) {
            self.timer = timer::after(&cb.idle, PAUSE_MS);
        }
    }

    fn save_now(&mut self) {
        if self.unsaved && !self.embed && !self.viewing_link {
            work::save(storage::WORK, &self.work());
        }
        self.unsaved = false;
    }

    /// The rules changed in the textarea: analyse what changed.
    fn sync_rules(&mut self, value: String) -> bool {
        if value == self.doc.text() {
            return false;
        }
        let change = self.doc.set_text(value);
        self.mark = None;
        self.audit.follow(change);
        self.edited(Some(Some(change)));
        true
    }

    /// After the user changed the work (typed, fixed, picked a version). `audit`: the
    /// rules changed (`Some(None)`: all of them), so the audit must follow.
    fn edited(&mut self, audit: Option<Option<Change>>) {
        if self.viewing_link {
            self.keep_link(true);
        }
        if let Some(change) = audit {
            self.schedule_audit(change);
        }
        self.work_changed();
    }

    /// The audit of the current revision: at once for small rules; in slices, started at
    /// once after a large change and otherwise when typing pauses.
    fn schedule_audit(&mut self, change: Option<Change>) {
        if self.doc.text().len() < SMALL {
            self.audit.run_now(&self.doc);
            return;
        }
        let large = change.is_none_or(|c| c.whole || c.new.len() > LARGE_CHANGE || c.old.len() > LARGE_CHANGE);
        if large {
            self.start_audit();
        }
    }

    fn start_audit(&mut self) {
        let d = &self.doc;
        let lint = aclplay::audit::Lint::new(d.analysis(), d.text());
        self.audit.running = Some(Run { of: d.rev, lint, batch: 256 });
        if let Some(cb) = &self.cb {
            timer::after(&cb.step, 0);
        }
    }

    /// One slice of the running audit; `true` when it finished (the page shows it).
    fn audit_step(&mut self) -> bool {
        let Some(mut run) = self.audit.running.take() else { return false };
        if run.of != self.doc.rev {
            return false;
        }
        let (a, text) = (self.doc.analysis(), self.doc.text());
        let t0 = dom::now();
        let done = run.lint.users(a, text, run.batch);
        let ms = dom::now() - t0;
        run.batch = if ms < SLICE_MS / 2.0 {
            run.batch * 2
        } else if ms > SLICE_MS * 1.5 {
            (run.batch / 2).max(16)
        } else {
            run.batch
        };
        if done {
            let findings = run.lint.finish(a, text);
            self.audit.set(self.doc.rev, findings);
            return true;
        }
        self.audit.running = Some(run);
        if let Some(cb) = &self.cb {
            timer::after(&cb.step, 0);
        }
        false
    }

    /// Replaces the whole work (an example, a share link, restored work).
    fn load(&mut self, w: Work, notice: Option<Notice>) {
        self.doc = Doc::new(w.rules, w.profile, w.kind);
        self.commands = Commands { text: w.commands, user: w.user };
        self.rules_rev += 1;
        self.commands_rev += 1;
        self.mark = None;
        self.window = editor::INITIAL_WINDOW;
        self.columns = editor::INITIAL_COLUMNS;
        self.audit = Audit::default();
        if let Some(n) = notice {
            self.live = n.text.clone();
            self.notice = Some(n);
        }
        self.schedule_audit(None);
        self.work_changed();
    }

    /// The user's own work is about to be replaced (an example, a file): keep it one step
    /// back, so that nothing is lost.
    fn keep_previous(&self) {
        if !self.embed
            && !self.viewing_link
            && let Some(saved) = storage::get(storage::WORK)
        {
            storage::set(storage::PREVIOUS, &saved);
        }
    }

    fn say(&mut self, n: Notice) {
        self.live = n.text.clone();
        self.notice = Some(n);
    }

    /// The shared rules become the saved work; the saved work goes one step back.
    fn keep_link(&mut self, by_editing: bool) {
        if let Some(saved) = storage::get(storage::WORK) {
            storage::set(storage::PREVIOUS, &saved);
        }
        self.viewing_link = false;
        self.unsaved = true;
        self.save_now();
        let text = if by_editing {
            "You edited the shared rules: they are now your saved work. Your earlier work is kept one step back."
        } else {
            "The shared rules are now your saved work. Your earlier work is kept one step back."
        };
        self.say(Notice::info(text).with(Act::RestorePrevious, "Restore my earlier work"));
    }

    /// Reads the share link in the address bar, if any; a bad one changes nothing.
    fn open_link(&mut self, ctx: &Context<Self>) {
        let fragment = link::current_fragment();
        let Some(body) = fragment.strip_prefix(link::PREFIX) else { return };
        if self.embed {
            self.embed_fragment = fragment.clone();
        }
        match link::b64_decode(body).map(|packed| link::pipe(&packed, false)) {
            Some(Ok(p)) => wait(ctx, p, Then::Decoded),
            _ => self.link_failed("it contains characters a share link never has"),
        }
    }

    fn link_failed(&mut self, why: &str) {
        self.say(Notice::error(format!("This share link cannot be opened: {why}. Nothing was changed.")));
        if !self.embed {
            link::clear_fragment();
        }
    }

    fn copy(&self, ctx: &Context<Self>, text: &str, what: String) {
        wait(ctx, dom::window().navigator().clipboard().write_text(text), Then::Copied(what));
    }

    fn event(&mut self, ctx: &Context<Self>, e: Event) -> bool {
        let ty = e.type_();
        let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
        match (ty.as_str(), target) {
            ("click", Some(t)) => match t.closest("[data-a]").ok().flatten().and_then(|el| Action::read(&el)) {
                Some(a) => self.click(ctx, a),
                None => false,
            },
            ("input" | "change", Some(t)) => match Action::input_of(&t) {
                Some(a) => self.input(ctx, a, ty == "change", &t),
                None => false,
            },
            ("scroll", Some(t)) => {
                let (top, h) = (t.scroll_top().max(0) as usize, t.client_height().max(0) as usize);
                let (left, w) = (t.scroll_left().max(0) as usize, t.client_width().max(0) as usize);
                let window = editor::window_at(top, h);
                let columns = editor::columns_at(left, w, self.char_px);
                let moved = (window, columns) != (self.window, self.columns);
                (self.window, self.columns) = (window, columns);
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
    fn input(&mut self, ctx: &Context<Self>, a: Act, change: bool, t: &Element) -> bool {
        let v = || dom::value(t);
        match (a, change) {
            (Act::Rules, false) => {
                if dom::text_length(t) > BIG {
                    // Read once the burst of events is over (before the next frame).
                    if !self.frame_pending
                        && let Some(cb) = &self.cb
                    {
                        self.frame_pending = true;
                        timer::next_frame(&cb.frame);
                    }
                    return false;
                }
                return self.sync_rules(v());
            }
            (Act::CommandLines, false) => {
                self.commands.text = v();
                // The audit does not depend on the commands.
                self.edited(None);
            }
            (Act::Filter, false) => {
                self.ui.filter = v();
                self.ui.shown = users::PAGE;
            }
            (Act::Version, true) => {
                let Some(p) = Profile::by_id(&v()) else { return false };
                self.doc.set_options(p, self.doc.kind());
                self.live = format!("Answering as {}", p.name).into();
                self.audit.follow(Change { old: Span::default(), new: Span::default(), whole: true });
                self.edited(Some(None));
            }
            (Act::InputKind, true) => {
                self.doc.set_options(self.doc.profile(), Kind::by_id(&v()));
                self.audit.follow(Change { old: Span::default(), new: Span::default(), whole: true });
                self.edited(Some(None));
            }
            (Act::User, true) => {
                self.commands.user = v();
                self.mark = None;
                self.edited(None);
            }
            (Act::SnippetUser, true) => self.ui.snip = v(),
            (Act::PlainSecrets, true) => self.ui.plain = dom::prop(t, "checked").is_truthy(),
            (Act::OpenFile, true) => {
                let input: &web_sys::HtmlInputElement = t.unchecked_ref();
                if let Some(f) = input.files().and_then(|l| l.get(0)) {
                    wait(ctx, f.text(), Then::File(f.name()));
                }
                input.set_value("");
                return false;
            }
            (Act::PwStyle | Act::PwBits | Act::PwAlphabet | Act::PwLength, true) => self.ui.pw.set(a, &v()),
            _ => return false,
        }
        true
    }

    fn click(&mut self, ctx: &Context<Self>, action: Action) -> bool {
        match action {
            Action::Theme => {
                self.theme = self.theme.next();
                self.theme.save();
            }
            Action::Dismiss => self.notice = None,
            Action::Example(i) => {
                let Some(ex) = EXAMPLES.get(i) else { return false };
                self.keep_previous();
                let was_link = std::mem::take(&mut self.viewing_link);
                let mut n = Notice::info(format!("Loaded the example “{}”.", ex.title));
                if !self.embed && (was_link || storage::get(storage::PREVIOUS).is_some()) {
                    n = n.with(Act::RestorePrevious, "Restore my earlier work");
                }
                self.load(ex.work(), Some(n));
                if let Some(menu) = dom::query("details.examples") {
                    let _ = menu.remove_attribute("open");
                }
            }
            Action::At(s) => {
                dom::select_span(self.doc.text(), s.start, s.end);
                self.show(s);
            }
            Action::Mark(s) => {
                self.mark = if Some(s) == self.mark { None } else { Some(s) };
                if self.mark.is_some() {
                    self.show(s);
                }
            }
            Action::Fix(i) => {
                if self.readonly || !self.audit.current(self.doc.rev) {
                    return false;
                }
                let Some(fix) = self.audit.findings.get(i).and_then(|f| f.fix.clone()) else { return false };
                self.apply(&[&fix], format!("Applied: {}", fix.title));
            }
            Action::Harden => {
                if self.readonly || !self.audit.current(self.doc.rev) {
                    return false;
                }
                let fixes: Vec<aclplay::audit::Fix> =
                    self.audit.findings.iter().filter_map(|f| f.fix.clone()).filter(|f| f.safe).collect();
                let refs: Vec<&aclplay::audit::Fix> = fixes.iter().collect();
                self.apply(&refs, format!("Applied {} safe fixes", fixes.len()));
            }
            Action::Copy { text, what } => {
                self.copy(ctx, &text, what);
                return false;
            }
            Action::Insert { text, what } => {
                passwords::insert(self.doc.text(), &text);
                self.live = what.into();
            }
            Action::Share => {
                let mut w = self.work();
                let mut removed = 0;
                if !self.ui.plain {
                    let edits = aclplay::audit::secrets(self.doc.analysis(), self.doc.text());
                    removed = edits.len();
                    let fixes: Vec<aclplay::audit::Fix> = edits
                        .into_iter()
                        .map(|e| aclplay::audit::Fix { title: String::new(), edits: vec![e], safe: true })
                        .collect();
                    w.rules = aclplay::audit::apply(&w.rules, &fixes.iter().collect::<Vec<_>>());
                }
                match link::pipe(work::to_json(&w).as_bytes(), true) {
                    Ok(p) => wait(ctx, p, Then::Encoded(removed)),
                    Err(_) => self.live = "This browser cannot compress the share link".into(),
                }
            }
            Action::Generate => {
                if let Some(m) = self.ui.pw.generate() {
                    self.live = m.into();
                }
            }
            Action::MoreUsers => self.ui.shown += users::PAGE * 5,
            Action::Commands(u) => {
                let open = &mut self.ui.open;
                match open.iter().position(|n| *n == u) {
                    Some(i) => _ = open.swap_remove(i),
                    None => open.push(u),
                }
            }
            Action::Severity(i) => {
                if let Some(h) = self.ui.hidden.get_mut(i) {
                    *h = !*h;
                }
            }
            Action::BackToSaved => {
                self.viewing_link = false;
                match work::load(storage::WORK) {
                    Some(w) => self.load(w, Some(Notice::info("Back to your saved work."))),
                    None => self.notice = None,
                }
            }
            Action::KeepShared => self.keep_link(false),
            Action::RestorePrevious => {
                let Some(prev) = work::load(storage::PREVIOUS) else {
                    self.say(Notice::error("There is no earlier work to restore."));
                    return true;
                };
                if let Some(saved) = storage::get(storage::WORK) {
                    storage::set(storage::PREVIOUS, &saved);
                }
                self.viewing_link = false;
                self.load(
                    prev,
                    Some(
                        Notice::info("Restored your earlier work; what replaced it is kept one step back.")
                            .with(Act::RestorePrevious, "Undo"),
                    ),
                );
            }
            Action::RestoreSaved => {
                storage::remove(storage::RESTORING);
                match work::load(storage::WORK) {
                    Some(w) => self.restore(w),
                    None => self.notice = None,
                }
            }
            Action::DiscardSaved => {
                if let Some(saved) = storage::get(storage::WORK) {
                    storage::set(storage::PREVIOUS, &saved);
                }
                storage::remove(storage::WORK);
                storage::remove(storage::RESTORING);
                self.say(
                    Notice::info("Discarded the saved work (kept one step back).")
                        .with(Act::RestorePrevious, "Restore it"),
                );
            }
        }
        true
    }

    /// Draws `s`'s line and brings it into view after the render.
    fn show(&mut self, s: Span) {
        let line = self.doc.t.line_index().line_of(s.start);
        if line < self.window.0 || line >= self.window.1 {
            self.window = editor::window_at(line * editor::mirror::LINE_PX, 600);
        }
        self.reveal = Some(s);
    }

    /// Applies fixes as one undoable edit of the textarea, covering only what they change.
    fn apply(&mut self, fixes: &[&aclplay::audit::Fix], said: String) {
        let text = self.doc.text();
        let Some((span, with)) = aclplay::audit::apply_span(text, fixes) else { return };
        if with.len() > LARGE_EDIT {
            // Chromium's `insertText` (what keeps Ctrl+Z) costs far more than linear time
            // in the lines it inserts: Harden of 10,000 lines took 340 s through it. A
            // large edit replaces the text directly; the work before it stays one click
            // away instead.
            let text = text.to_string();
            self.save_now();
            self.keep_previous();
            dom::replace_rules_directly(&text, span.start, span.end, &with);
            if let Some(t) = dom::textarea("rules") {
                self.frame_pending = false;
                self.sync_rules(t.value());
            }
            self.save_now();
            let mut n = Notice::info(format!("{said} (too large an edit for Ctrl+Z)."));
            if !self.embed {
                n = n.with(Act::RestorePrevious, "Restore my earlier work");
            }
            self.say(n);
            return;
        }
        dom::replace_rules(text, span.start, span.end, &with);
        // The input event of the edit may wait for a frame: read it now.
        if let Some(t) = dom::textarea("rules") {
            self.frame_pending = false;
            self.sync_rules(t.value());
        }
        self.live = said.into();
    }

    /// Restores saved work, with the guard set until the page has shown it.
    fn restore(&mut self, w: Work) {
        storage::set(storage::RESTORING, &w.rules.len().to_string());
        self.restoring = true;
        self.load(w, None);
        self.notice = None;
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
                self.keep_previous();
                let mut w = self.work();
                w.rules = text;
                self.viewing_link = false;
                self.load(w, None);
                self.live = format!("Opened {name}").into();
            }
            Then::Encoded(removed) => match r {
                Ok(buf) => {
                    let url =
                        link::base_url() + link::PREFIX + &link::b64_encode(&js_sys::Uint8Array::new(&buf).to_vec());
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
                    .and_then(|json| work::from_json(&json));
                match json {
                    Ok(w) if self.embed => self.load(w, None),
                    Ok(w) => {
                        self.save_now();
                        let saved = storage::get(storage::WORK).is_some();
                        self.viewing_link = true;
                        let mut n = Notice::info(if saved {
                            "You are viewing rules shared with you. Your saved work is untouched: it stays as it was unless you keep these rules or edit them."
                        } else {
                            "You are viewing rules shared with you; edit them or keep them to make them your saved work."
                        })
                        .with(Act::KeepShared, "Keep these as my work");
                        if saved {
                            n = n.with(Act::BackToSaved, "Back to my work");
                        }
                        self.load(w, Some(n));
                        link::clear_fragment();
                    }
                    Err(why) => self.link_failed(&why),
                }
            }
        }
        true
    }

    /// After a render: what the DOM needs besides the virtual DOM (textarea values, sizes
    /// through the CSSOM, a span to show), and the figures that scripts/measure-web.mjs
    /// reads.
    fn after_render(&mut self) {
        let mut p = std::mem::take(&mut self.pushed);
        if p.rules_rev != self.rules_rev {
            if let Some(t) = dom::textarea("rules")
                && t.value() != self.doc.text()
            {
                t.set_value(self.doc.text());
            }
            p.rules_rev = self.rules_rev;
        }
        if p.commands_rev != self.commands_rev {
            if let Some(t) = dom::textarea("commands")
                && t.value() != self.commands.text
            {
                t.set_value(&self.commands.text);
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
        if let Some(s) = self.reveal.take() {
            editor::nav::reveal(&self.doc, s, self.char_px);
        }
        if let Some(root) = dom::by_id("app") {
            let _ = root.set_attribute("data-analysis-ms", &dom::hundredths(self.doc.ms));
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
        let mut notice = None;
        let mut pending_restore = None;
        let mut restoring = false;
        // Embedded copies never touch the visitor's own saved work.
        let work = if embed {
            EXAMPLES[0].work()
        } else if let Some(size) = storage::get(storage::RESTORING) {
            // The last restore never finished: do not try again unasked. The work goes one
            // step back, where typing cannot overwrite it.
            let size = size.parse::<usize>().unwrap_or(0);
            if let Some(saved) = storage::get(storage::WORK) {
                storage::set(storage::PREVIOUS, &saved);
            }
            storage::remove(storage::RESTORING);
            notice = Some(
                Notice::error(format!(
                    "Your saved work ({}) was not restored: the last time it was, the page stopped before showing it.",
                    kib(size)
                ))
                .with(Act::RestoreSaved, "Restore it anyway")
                .with(Act::DiscardSaved, "Discard it"),
            );
            EXAMPLES[0].work()
        } else {
            match work::load(storage::WORK) {
                Some(w) if w.rules.len() > LAZY => {
                    notice = Some(Notice::info(format!("Restoring your saved work ({})…", kib(w.rules.len()))));
                    let empty = Work { rules: String::new(), ..w.clone() };
                    pending_restore = Some(w);
                    empty
                }
                Some(w) => {
                    storage::set(storage::RESTORING, &w.rules.len().to_string());
                    restoring = true;
                    w
                }
                None => EXAMPLES[0].work(),
            }
        };
        let doc = Doc::new(work.rules, work.profile, work.kind);
        let mut audit = Audit::default();
        if doc.text().len() < SMALL {
            audit.run_now(&doc);
        }
        App {
            embed,
            readonly: embed && dom::query_flag("readonly"),
            doc,
            commands: Commands { text: work.commands, user: work.user },
            audit,
            rules_rev: 0,
            commands_rev: 0,
            mark: None,
            reveal: None,
            notice,
            live: AttrValue::default(),
            theme: Theme::load(),
            window: editor::INITIAL_WINDOW,
            columns: editor::INITIAL_COLUMNS,
            char_px: 7.8,
            ui: Ui {
                filter: String::new(),
                shown: users::PAGE,
                open: Vec::new(),
                snip: String::new(),
                plain: false,
                link: None,
                pw: Pw::default(),
                hidden: [false; 3],
            },
            viewing_link: false,
            embed_fragment: String::new(),
            unsaved: false,
            pending_restore,
            restoring,
            frame_pending: false,
            timer: None,
            cb: None,
            // Nothing pushed yet: the first render fills the textareas.
            pushed: Pushed { rules_rev: u32::MAX, commands_rev: u32::MAX, ..Pushed::default() },
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Ev(e) => self.event(ctx, e),
            Msg::Done(then, r) => self.done(ctx, then, r),
            Msg::SyncRules => {
                self.frame_pending = false;
                match dom::textarea("rules") {
                    Some(t) => self.sync_rules(t.value()),
                    None => false,
                }
            }
            Msg::OpenLink => {
                self.open_link(ctx);
                true
            }
            Msg::Idle => {
                self.timer = None;
                self.save_now();
                if !self.audit.current(self.doc.rev) && self.audit.running.is_none() {
                    self.start_audit();
                }
                false
            }
            Msg::AuditStep => self.audit_step(),
            Msg::Restore => match self.pending_restore.take() {
                Some(w) => {
                    self.restore(w);
                    true
                }
                None => false,
            },
            Msg::Flush => {
                self.save_now();
                false
            }
        }
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        if first_render {
            listen(ctx.link().clone(), self.readonly);
            let link = ctx.link();
            self.cb = Some(Callbacks {
                idle: callback(link, || Msg::Idle),
                step: callback(link, || Msg::AuditStep),
                frame: callback(link, || Msg::SyncRules),
                restore: callback(link, || Msg::Restore),
            });
            if let Some(px) = editor::char_px() {
                self.char_px = px;
            }
            if !self.audit.current(self.doc.rev) {
                self.start_audit();
            }
            if self.pending_restore.is_some()
                && let Some(cb) = &self.cb
            {
                timer::after(&cb.restore, 0);
            }
            self.arm_idle();
            ctx.link().send_message(Msg::OpenLink);
        } else if self.restoring {
            // The restored work is on screen: the guard is no longer needed.
            storage::remove(storage::RESTORING);
            self.restoring = false;
        }
        self.after_render();
        if first_render && let (Some(root), Some(p)) = (dom::by_id("app"), dom::window().performance()) {
            let _ = p.mark("aclplay-interactive");
            let _ = root.set_attribute("data-ready", &dom::hundredths(dom::now()));
        }
        if first_render && self.restoring {
            storage::remove(storage::RESTORING);
            self.restoring = false;
        }
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        let d = &self.doc;
        let versions = PROFILES.iter().map(|p| {
            html! { <option value={p.id} selected={p.id == d.profile().id}>{ format!("{} ({})", p.id, p.name) }</option> }
        });
        let theme = match self.theme {
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        };
        let editor = html! {
            <section class="rules panel" aria-label="Rules">{ editor::view(self) }{ outcome::view(self) }</section>
        };
        let simulator = simulator::view(self);
        let notice = self.notice.as_ref().filter(|_| !self.embed).map(|n| {
            let actions = n.actions.iter().map(|&(act, label)| {
                html! { <button type="button" class="small" data-a={act.attr()}>{ label }</button> }
            });
            html! {
                <div class={if n.error { "notice error" } else { "notice" }} role={if n.error { "alert" } else { "status" }}>
                    <span>{ n.text.clone() }</span>
                    <span class="notice-actions">
                        { for actions }
                        <button type="button" class="small" data-a={Act::Dismiss.attr()} aria-label="Dismiss message">{ "✕" }</button>
                    </span>
                </div>
            }
        });
        let open_href = {
            let loc = dom::window().location();
            loc.pathname().unwrap_or_default() + &self.embed_fragment
        };
        html! {
            // `data-audit` in the virtual DOM, patched with the panels it describes (set after
            // the render it could lag behind them).
            <div id="app" class={if self.embed { "app embed" } else { "app" }}
                data-audit={if self.audit.current(d.rev) { "current" } else { "pending" }}>
                if self.embed {
                    <header class="top embed-top">
                        <strong class="brand">{ "aclplay" }</strong>
                        <label class="inline small-text">{ "Server " }
                            <select data-a={Act::Version.attr()} aria-label="Server version">{ for versions }</select>
                        </label>
                        <a class="open-full" href={open_href} target="_blank" rel="noopener">{ "Open in aclplay ↗" }</a>
                    </header>
                } else {
                    <header class="top">
                        <h1>{ "aclplay" }<span class="tagline">{ " ACL playground for Redis and Valkey" }</span></h1>
                        <div class="controls">
                            <label class="inline">{ "Server version " }
                                <select data-a={Act::Version.attr()} aria-label="Server version">{ for versions }</select>
                            </label>
                            { examples::view() }
                            { share::view(self) }
                            <button type="button" class="theme" data-a={Act::Theme.attr()} aria-label={theme}>{ theme }</button>
                        </div>
                    </header>
                }
                { notice }
                if self.embed {
                    <main class="grid embed-grid">{ simulator }{ editor }</main>
                } else {
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
