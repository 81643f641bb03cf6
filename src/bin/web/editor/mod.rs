//! The rules editor: a transparent textarea over the highlighted mirror (so undo, paste,
//! IME and selection stay the browser's own), line numbers with diagnostic markers, the
//! kind-of-input override, opening or dropping a file; a read-only embed shows the rules
//! as highlighted text instead.

pub mod gutter;
pub mod mirror;
pub mod nav;

use crate::action::Act;
use crate::app::{App, Pushed};
use crate::platform::dom;
use aclplay::Kind;
use aclplay::input::highlight::Class;
use mirror::LINE_PX;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Lines drawn before the first scroll (more than any editor height shows).
pub const INITIAL_WINDOW: (usize, usize) = (0, 150);
/// Columns of a long line drawn before the first sideways scroll.
pub const INITIAL_COLUMNS: (usize, usize) = (0, 2048);

/// The lines to draw for a scroll position: the visible ones and a margin, in steps of
/// 50 lines so that most scrolling re-renders nothing.
pub fn window_at(scroll_top: usize, height: usize) -> (usize, usize) {
    let first = (scroll_top / LINE_PX).saturating_sub(50) / 50 * 50;
    (first, first + 100 + height / LINE_PX + 50)
}

/// The columns of a long line to draw for a sideways scroll position (in steps of 512).
pub fn columns_at(scroll_left: usize, width: usize, char_px: f64) -> (usize, usize) {
    let col = (scroll_left as f64 / char_px) as usize;
    let first = col.saturating_sub(512) / 512 * 512;
    (first, first + 1024 + (width as f64 / char_px) as usize + 512)
}

/// The textarea scrolls; the mirror and the line numbers follow it (moved through the
/// CSSOM). Called from the scroll event itself.
pub fn follow() {
    let Some(t) = dom::by_id("rules") else { return };
    let (x, y) = (t.scroll_left(), t.scroll_top());
    dom::set_style(dom::query(".mirror"), "transform", &format!("translate({}px,{}px)", -x, -y));
    dom::set_style(dom::query(".gutter"), "transform", &format!("translateY({}px)", -y));
}

/// After a render: the editor as tall as the text (plus a line; style.css caps it), the
/// spacers for the lines not drawn, the width of skipped columns, and a span to bring
/// into view.
pub fn after_render(app: &App, p: &mut Pushed) {
    let d = &app.doc;
    let lines = d.line_count();
    if p.lines != lines {
        dom::set_style(dom::query(".editor"), "height", &format!("{}px", (lines + 1) * LINE_PX + 32));
        p.lines = lines;
    }
    let first = app.window.0.min(lines);
    let spacers = (first * LINE_PX, (lines - app.window.1.clamp(first, lines)) * LINE_PX);
    if p.spacers != spacers {
        for (id, h) in [("m-top", spacers.0), ("m-bot", spacers.1), ("g-top", spacers.0), ("g-bot", spacers.1)] {
            dom::set_style(dom::by_id(id), "height", &format!("{h}px"));
        }
        p.spacers = spacers;
    }
    if p.columns != app.columns {
        let skip = format!("{}px", app.columns.0 as f64 * app.char_px);
        dom::set_style(dom::query(".mirror"), "--skip", &skip);
        p.columns = app.columns;
    }
}

/// A hash of more than this many characters is shortened in the read-only view.
const LONG_HASH: usize = 20;

/// The rules as highlighted text, wrapped, long hashes shortened (a read-only embed).
fn static_view(app: &App) -> Html {
    let d = &app.doc;
    let text = d.text();
    let mut parts: Vec<Html> = Vec::new();
    let mut at = 0;
    for &(s, class) in d.t.tokens() {
        if s.start > at {
            parts.push(Html::from(text[at..s.start].to_string()));
        }
        let src = &text[s.start..s.end];
        let shown = if class == Class::Hash && src.len() > LONG_HASH && src.is_ascii() {
            format!("{}…{}", &src[..7], &src[src.len() - 4..])
        } else {
            aclplay::visible::escape(src).into_owned()
        };
        let class = mirror::class_name(class);
        if shown.len() < src.len() {
            parts.push(html! { <span {class} title={src.to_string()}>{ shown }</span> });
        } else {
            parts.push(html! { <span {class}>{ shown }</span> });
        }
        at = s.end;
    }
    parts.push(Html::from(text[at.min(text.len())..].to_string()));
    html! {
        <pre class="static-rules" id="rules-view" tabindex="0" aria-label="ACL rules (read-only)">{ for parts }</pre>
    }
}

pub fn view(app: &App) -> Html {
    let d = &app.doc;
    let kind = d.kind();
    let auto_label = format!("Auto-detect ({})", d.analysis().document.kind.title());
    let kinds = Kind::ALL.iter().map(|&k| {
        html! { <option value={k.id()} selected={kind == Some(k)}>{ k.title() }</option> }
    });
    let toolbar = html! {
        <div class="toolbar">
            if app.readonly {
                <span class="label" id="rules-label">{ "ACL rules" }</span>
                <span class="badge readonly" data-testid="readonly">{ "read-only" }</span>
            } else {
                <label for="rules" class="label">{ "ACL rules" }</label>
            }
            <span class="spacer"></span>
            <label class="inline">
                { "Input " }
                <select data-a={Act::InputKind.attr()} aria-label="Input kind" disabled={app.readonly}>
                    <option value="auto" selected={kind.is_none()}>{ auto_label }</option>
                    { for kinds }
                </select>
            </label>
            if !app.readonly {
                <label class="button file">
                    { "Open file…" }
                    <input type="file" class="visually-hidden" data-a={Act::OpenFile.attr()} accept=".acl,.conf,.txt,text/plain" />
                </label>
            }
        </div>
    };
    if app.readonly {
        return html! { <div class="editor-box">{ toolbar }{ static_view(app) }</div> };
    }
    html! {
        <div class="editor-box">
            { toolbar }
            <div class="editor">
                <div class="gutter-box">{ gutter::view(app) }</div>
                <div class="stack">
                    <div class="mirror-box">{ mirror::view(app) }<span class="char-probe" aria-hidden="true">{ "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01" }</span></div>
                    <textarea id="rules" data-a={Act::Rules.attr()}
                        spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off"
                        aria-describedby="diagnostics" data-gramm="false" />
                </div>
            </div>
            <p class="hint muted">{ "Paste an ACL file, redis.conf lines, ACL SETUSER commands or ACL LIST output; or drop a file here." }</p>
        </div>
    }
}

/// The width of one character of the editor's font, in CSS pixels (measured once).
pub fn char_px() -> Option<f64> {
    let probe = dom::query(".char-probe")?.dyn_into::<web_sys::HtmlElement>().ok()?;
    let w = probe.get_bounding_client_rect().width();
    (w > 0.0).then_some(w / 64.0)
}
