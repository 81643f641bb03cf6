//! The rules editor: a transparent textarea over the highlighted mirror (so undo, paste,
//! IME and selection stay the browser's own), line numbers with diagnostic markers, the
//! kind-of-input override, opening or dropping a file.

use crate::app::{App, Pushed};
use crate::mirror::LINE_PX;
use crate::{dom, gutter, mirror};
use aclplay::Kind;
use aclplay::diagnostics::Severity;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Lines drawn before the first scroll (more than any editor height shows).
pub const INITIAL_WINDOW: (usize, usize) = (0, 150);

/// The lines to draw for a scroll position: the visible ones and a margin, in steps of
/// 50 lines so that most scrolling re-renders nothing.
pub fn window_at(scroll_top: usize, height: usize) -> (usize, usize) {
    let first = (scroll_top / LINE_PX).saturating_sub(50) / 50 * 50;
    (first, first + 100 + height / LINE_PX + 50)
}

/// The textarea scrolls; the mirror and the line numbers follow it (moved through the
/// CSSOM: the CSP forbids style attributes). Called from the scroll event itself.
pub fn follow() {
    let Some(t) = dom::by_id("rules") else { return };
    let (x, y) = (t.scroll_left(), t.scroll_top());
    dom::set_style(dom::query(".mirror"), "transform", &format!("translate({}px,{}px)", -x, -y));
    dom::set_style(dom::query(".gutter"), "transform", &format!("translateY({}px)", -y));
}

/// After a render: the editor as tall as the text (plus a line; style.css caps it), the
/// mirror's spacers for the lines it does not draw, and the deciding rule brought into
/// view: first its line (it may not be drawn yet), then, once drawn, the token itself.
pub fn after_render(app: &App, p: &mut Pushed) {
    let d = &app.d;
    let lines = d.index.line_of(d.text.len()) + 1;
    if p.lines != lines {
        dom::set_style(dom::query(".editor"), "height", &format!("{}px", (lines + 1) * LINE_PX + 32));
        p.lines = lines;
    }
    let first = app.window.0.min(lines);
    let spacers = (first * LINE_PX, (lines - app.window.1.clamp(first, lines)) * LINE_PX);
    if p.spacers != spacers {
        dom::set_style(dom::by_id("m-top"), "height", &format!("{}px", spacers.0));
        dom::set_style(dom::by_id("m-bot"), "height", &format!("{}px", spacers.1));
        p.spacers = spacers;
    }
    let Some(t) = dom::by_id("rules") else { return };
    if let Some(m) = app.mark.filter(|&m| Some(m) != p.mark) {
        let y = (d.index.line_of(m.start) * LINE_PX) as i32;
        let (top, h) = (t.scroll_top(), t.client_height());
        if y < top || y > top + h - 2 * LINE_PX as i32 {
            t.set_scroll_top((y - h / 2).max(0));
        }
    }
    if (app.mark, app.window) != (p.mark, p.window)
        && app.mark.is_some()
        && let Some(el) = dom::query(".mirror .mark").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let (x, w) = (el.offset_left(), t.client_width());
        if x < t.scroll_left() || x + el.offset_width() > t.scroll_left() + w {
            t.set_scroll_left((x - w / 3).max(0));
        }
    }
    (p.mark, p.window) = (app.mark, app.window);
}

pub fn view(app: &App) -> Html {
    let d = &app.d;
    let kind = app.work.kind;
    let auto_label = format!("Auto-detect ({})", d.analysis.document.kind.title());
    let kinds = Kind::ALL.iter().map(|&k| {
        html! { <option value={k.id()} selected={kind == Some(k)}>{ k.title() }</option> }
    });

    // analyze() sorts diagnostics by position, so the lines come in order.
    let markers: Vec<gutter::Marker> = d
        .analysis
        .diagnostics
        .iter()
        .filter_map(|x| {
            let (line, col) = d.locate(x.span?.start);
            let mut title = format!("{line}:{col} ");
            if let Some(s) = &x.server {
                title.push_str(s);
                title.push('\n');
            }
            title.push_str(&x.message());
            Some(gutter::Marker { line, error: x.severity == Severity::Error, title })
        })
        .collect();
    let lines = d.index.line_of(d.text.len()) + 1;

    html! {
        <div class="editor-box">
            <div class="toolbar">
                <label for="rules" class="label">{ "ACL rules" }</label>
                <span class="spacer"></span>
                <label class="inline">
                    { "Input " }
                    <select data-a="kind" aria-label="Input kind">
                        <option value="auto" selected={kind.is_none()}>{ auto_label }</option>
                        { for kinds }
                    </select>
                </label>
                if !app.readonly {
                    <label class="button file">
                        { "Open file…" }
                        <input type="file" class="visually-hidden" data-a="file" accept=".acl,.conf,.txt,text/plain" />
                    </label>
                }
            </div>
            <div class="editor">
                <div class="gutter-box">{ gutter::view(lines, &markers) }</div>
                <div class="stack">
                    <div class="mirror-box">{ mirror::view(app) }</div>
                    <textarea id="rules" data-a="rules" readonly={app.readonly}
                        spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off"
                        aria-describedby="diagnostics" data-gramm="false" />
                </div>
            </div>
            if !app.readonly {
                <p class="hint muted">{ "Paste an ACL file, redis.conf lines, ACL SETUSER commands or ACL LIST output; or drop a file here." }</p>
            }
        </div>
    }
}
