//! Small browser helpers shared by the panels.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, HtmlTextAreaElement};

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

pub fn document() -> web_sys::Document {
    window().document().expect("a document")
}

pub fn by_id(id: &str) -> Option<Element> {
    document().get_element_by_id(id)
}

/// The first element matching a CSS selector.
pub fn query(selector: &str) -> Option<Element> {
    document().query_selector(selector).ok().flatten()
}

/// A property of a DOM object (`value`, `checked`, …): one accessor for inputs, selects
/// and textareas alike.
pub fn prop(target: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(target, &name.into()).unwrap_or_default()
}

pub fn value(target: &JsValue) -> String {
    prop(target, "value").as_string().unwrap_or_default()
}

/// Sets a style property through the CSSOM (the CSP forbids style attributes).
pub fn set_style(el: Option<Element>, name: &str, value: &str) {
    if let Some(el) = el.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = el.style().set_property(name, value);
    }
}

pub fn textarea(id: &str) -> Option<HtmlTextAreaElement> {
    by_id(id)?.dyn_into().ok()
}

/// Replaces `start..end` (UTF-16 offsets) of a textarea with `text` the way typing does,
/// so that Ctrl+Z undoes it; falls back to setting the range directly.
pub fn insert_text(ta: &HtmlTextAreaElement, start: u32, end: u32, text: &str) {
    let _ = ta.focus();
    let _ = ta.set_selection_range(start, end);
    let typed = document()
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()
        .and_then(|d| d.exec_command_with_show_ui_and_value("insertText", false, text).ok())
        .unwrap_or(false);
    if !typed {
        let _ = ta.set_range_text_with_start_and_end(text, start, end);
        if let Ok(e) = web_sys::InputEvent::new("input") {
            let _ = ta.dispatch_event(&e);
        }
    }
}

/// Replaces the whole editor text as one undoable edit.
pub fn replace_rules(text: &str) {
    if let Some(t) = textarea("rules") {
        let len = t.value().encode_utf16().count() as u32;
        insert_text(&t, 0, len, text);
    }
}

/// Selects a byte span of the rules editor's text (textareas count UTF-16 units).
pub fn select_span(text: &str, start: usize, end: usize) {
    let Some(ta) = textarea("rules") else { return };
    let u = |b: usize| text.get(..b.min(text.len())).map_or(0, |s| s.encode_utf16().count()) as u32;
    let _ = ta.focus();
    let _ = ta.set_selection_range(u(start), u(end));
}

/// Byte offset in `text` of a UTF-16 offset (the textarea's caret).
pub fn byte_offset(text: &str, utf16: u32) -> usize {
    let mut n = 0u32;
    for (i, c) in text.char_indices() {
        if n >= utf16 {
            return i;
        }
        n += c.len_utf16() as u32;
    }
    text.len()
}

/// Whether the page was opened with `?name` in its query string.
pub fn query_flag(name: &str) -> bool {
    window()
        .location()
        .search()
        .is_ok_and(|q| q.trim_start_matches('?').split('&').any(|p| p.split('=').next() == Some(name)))
}

pub fn now() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// `12.34`: milliseconds for the measurement attributes (integer maths: float formatting
/// would add kilobytes of wasm).
pub fn hundredths(ms: f64) -> String {
    let n = (ms.max(0.0) * 100.0).round() as u64;
    let mut s = (n / 100).to_string();
    s.push('.');
    s.push((b'0' + (n / 10 % 10) as u8) as char);
    s.push((b'0' + (n % 10) as u8) as char);
    s
}
