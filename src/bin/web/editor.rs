//! The rules editor: a transparent textarea over the highlighted mirror (so undo, paste,
//! IME and selection stay the browser's own), line numbers with diagnostic markers, the
//! kind-of-input override, opening or dropping a file.

use crate::derived::{Audit, Shared};
use crate::gutter::{Gutter, Marker};
use crate::mirror::{LINE_PX, Mirror};
use crate::state::{Action, Dispatch};
use aclplay::Kind;
use aclplay::diag::Severity;
use aclplay::span::Span;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub derived: Shared,
    pub audit: Option<Audit>,
    /// Changes when the text was replaced from outside: then the textarea is updated.
    pub rev: u32,
    pub kind: Option<Kind>,
    pub mark: Option<Span>,
    pub readonly: bool,
    pub textarea: NodeRef,
    pub dispatch: Dispatch,
}

/// Lines drawn before the first scroll (more than any editor height shows).
const INITIAL_WINDOW: usize = 150;

/// The lines to draw for a scroll position: the visible ones and a margin, in steps of
/// 50 lines so that most scrolling re-renders nothing.
fn window_at(scroll_top: usize, height: usize) -> (usize, usize) {
    let first = (scroll_top / LINE_PX).saturating_sub(50) / 50 * 50;
    (first, first + 100 + height / LINE_PX + 50)
}

/// Reads a dropped or opened file into the editor.
fn read_file(file: web_sys::File, dispatch: Dispatch) {
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(t) = JsFuture::from(file.text()).await {
            let text = t.as_string().unwrap_or_default();
            dispatch.dispatch(Action::ReplaceRules(text.into(), format!("Opened {name}").into()));
        }
    });
}

#[function_component]
pub fn Editor(props: &EditorProps) -> Html {
    let d = &props.derived;
    let ta = props.textarea.clone();

    // Push the text into the textarea only when it came from elsewhere.
    {
        let ta = ta.clone();
        let text = d.text.clone();
        use_effect_with(props.rev, move |_| {
            if let Some(t) = ta.cast::<HtmlTextAreaElement>()
                && t.value() != *text
            {
                t.set_value(&text);
            }
        });
    }
    // The textarea scrolls; the mirror and the line numbers follow it (moved through the
    // CSSOM: the CSP forbids style attributes). The mirror draws only the lines near the
    // visible part, so a keystroke in a 1,000-line file renders a few lines, not all.
    let (mirror_box, gutter_box) = (use_node_ref(), use_node_ref());
    let window = use_state_eq(|| (0usize, INITIAL_WINDOW));
    let follow = {
        let (ta, mirror_box, gutter_box) = (ta.clone(), mirror_box.clone(), gutter_box.clone());
        move || {
            let Some(t) = ta.cast::<web_sys::Element>() else { return (0, 0) };
            let (x, y) = (t.scroll_left(), t.scroll_top());
            for (r, shift) in
                [(&mirror_box, format!("translate({}px,{}px)", -x, -y)), (&gutter_box, format!("translateY({}px)", -y))]
            {
                if let Some(el) = r.cast::<web_sys::Element>().and_then(|b| b.first_element_child())
                    && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
                {
                    let _ = el.style().set_property("transform", &shift);
                }
            }
            (y.max(0) as usize, t.client_height().max(0) as usize)
        }
    };
    let onscroll = {
        let (follow, window) = (follow.clone(), window.clone());
        Callback::from(move |_: Event| {
            let (y, h) = follow();
            window.set(window_at(y, h));
        })
    };
    // On mount only: the mirror and gutter elements persist, so their transforms do; and
    // reading the scroll position after every render would force a layout per keystroke.
    {
        let follow = follow.clone();
        use_effect_with((), move |_| {
            follow();
        });
    }
    // Bring the deciding rule into view: first its line (it may not be drawn yet),
    // then, once drawn, the token itself.
    {
        let (ta, d) = (ta.clone(), d.clone());
        use_effect_with(props.mark, move |m| {
            if let (Some(m), Some(el)) = (m, ta.cast::<web_sys::Element>()) {
                let y = (d.index.line_of(m.start) * LINE_PX) as i32;
                let (top, h) = (el.scroll_top(), el.client_height());
                if y < top || y > top + h - 2 * LINE_PX as i32 {
                    el.set_scroll_top((y - h / 2).max(0));
                }
            }
        });
    }
    {
        let ta = ta.clone();
        use_effect_with((props.mark, *window), move |(m, _)| {
            let mark = crate::dom::document().query_selector(".mirror .mark").ok().flatten();
            if let (Some(_), Some(el), Some(t)) =
                (m, mark.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()), ta.cast::<web_sys::Element>())
            {
                let (x, w) = (el.offset_left(), t.client_width());
                if x < t.scroll_left() || x + el.offset_width() > t.scroll_left() + w {
                    t.set_scroll_left((x - w / 3).max(0));
                }
            }
        });
    }

    let oninput = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            // The start of the keystroke → all-verdicts-updated measurement.
            if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
                p.clear_marks_with_mark_name("aclplay-input");
                let _ = p.mark("aclplay-input");
            }
            let t: HtmlTextAreaElement = e.target_unchecked_into();
            dispatch.dispatch(Action::Rules(t.value().into()));
        })
    };
    let onkind = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            dispatch.dispatch(Action::Kind(Kind::by_id(&s.value())));
        })
    };
    let onfile = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(f) = input.files().and_then(|l| l.get(0)) {
                read_file(f, dispatch.clone());
            }
            input.set_value("");
        })
    };
    let readonly = props.readonly;
    let ondragover = Callback::from(move |e: DragEvent| {
        if !readonly {
            e.prevent_default();
        }
    });
    let ondrop = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: DragEvent| {
            if readonly {
                return;
            }
            let file = e.data_transfer().and_then(|t| t.files()).and_then(|l| l.get(0));
            if let Some(f) = file {
                e.prevent_default();
                read_file(f, dispatch.clone());
            }
        })
    };

    let detected = d.analysis.document.kind;
    let auto_label = format!("Auto-detect ({})", detected.title());
    let kinds = Kind::ALL.iter().map(|k| {
        html! { <option value={k.id()} selected={props.kind == Some(*k)}>{ k.title() }</option> }
    });

    // analyze() sorts diagnostics by position, so the lines come in order.
    let markers: Vec<Marker> = d
        .analysis
        .diagnostics
        .iter()
        .filter_map(|x| {
            let s = x.span?;
            let (line, col) = d.locate(s.start);
            let said = x.server.as_deref().map(|s| format!("{s}\n")).unwrap_or_default();
            Some(Marker {
                line,
                error: x.severity == Severity::Error,
                title: format!("{line}:{col} {said}{}", x.message()),
            })
        })
        .collect();
    let lines = d.text.split('\n').count();
    // As tall as the text (plus a line), up to 60% of the window (style.css caps it).
    let editor = use_node_ref();
    {
        let editor = editor.clone();
        use_effect_with(lines, move |&lines| {
            if let Some(el) = editor.cast::<web_sys::HtmlElement>() {
                let _ = el.style().set_property("height", &format!("{}px", (lines + 1) * LINE_PX + 32));
            }
        });
    }

    html! {
        <div class="editor-box">
            <div class="toolbar">
                <label for="rules" class="label">{ "ACL rules" }</label>
                <span class="spacer"></span>
                <label class="inline">
                    { "Input " }
                    <select onchange={onkind} aria-label="Input kind">
                        <option value="auto" selected={props.kind.is_none()}>{ auto_label }</option>
                        { for kinds }
                    </select>
                </label>
                if !props.readonly {
                    <label class="button file">
                        { "Open file…" }
                        <input type="file" class="visually-hidden" onchange={onfile}
                            accept=".acl,.conf,.txt,text/plain" />
                    </label>
                }
            </div>
            <div class="editor" ref={editor} {ondragover} {ondrop}>
                <div class="gutter-box" ref={gutter_box}><Gutter {lines} {markers} /></div>
                <div class="stack">
                    <div class="mirror-box" ref={mirror_box}>
                        <Mirror derived={d.clone()} audit={props.audit.clone()} mark={props.mark} window={*window} />
                    </div>
                    <textarea id="rules" ref={ta} {oninput} {onscroll} readonly={props.readonly}
                        spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off"
                        aria-describedby="diagnostics" data-gramm="false" />
                </div>
            </div>
            if !props.readonly {
                <p class="hint muted">{ "Paste an ACL file, redis.conf lines, ACL SETUSER commands or ACL LIST output; or drop a file here." }</p>
            }
        </div>
    }
}
