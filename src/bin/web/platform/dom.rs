//! Small browser helpers: elements, properties, styles through the CSSOM (the CSP
//! forbids style attributes), the editor's undoable edits, time.

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

/// Sets a style property through the CSSOM.
pub fn set_style(el: Option<Element>, name: &str, value: &str) {
    if let Some(el) = el.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = el.style().set_property(name, value);
    }
}

pub fn textarea(id: &str) -> Option<HtmlTextAreaElement> {
    by_id(id)?.dyn_into().ok()
}

/// The length of a textarea's text (UTF-16 units), without copying it out.
pub fn text_length(t: &JsValue) -> usize {
    prop(t, "textLength").as_f64().unwrap_or(0.0) as usize
}

/// The UTF-16 offset (what textareas count) of byte `at` of `text`.
pub fn utf16_at(text: &str, at: usize) -> u32 {
    let head = text.get(..at.min(text.len())).unwrap_or(text);
    if head.is_ascii() { head.len() as u32 } else { head.encode_utf16().count() as u32 }
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

/// Focuses an element without scrolling the page (the caller decides what to show).
pub fn focus_quietly(el: &HtmlElement) {
    let o = web_sys::FocusOptions::new();
    o.set_prevent_scroll(true);
    let _ = el.focus_with_options(&o);
}

/// Replaces `start..end` (UTF-16 offsets) of a textarea with `text` the way typing does,
/// so that Ctrl+Z undoes it as one step; falls back to setting the range directly.
pub fn replace_range(ta: &HtmlTextAreaElement, start: u32, end: u32, text: &str) {
    focus_quietly(ta);
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

/// Replaces bytes `start..end` of the rules editor's text (`text`, its current value).
pub fn replace_rules(text: &str, start: usize, end: usize, with: &str) {
    if let Some(t) = textarea("rules") {
        replace_range(&t, utf16_at(text, start), utf16_at(text, end), with);
    }
}

/// [`replace_rules`] without the browser's undoable editing (for edits too large for it).
pub fn replace_rules_directly(text: &str, start: usize, end: usize, with: &str) {
    if let Some(t) = textarea("rules") {
        let _ = t.set_range_text_with_start_and_end(with, utf16_at(text, start), utf16_at(text, end));
    }
}

/// Selects a byte span of the rules editor's text.
pub fn select_span(text: &str, start: usize, end: usize) {
    let Some(ta) = textarea("rules") else { return };
    focus_quietly(&ta);
    let _ = ta.set_selection_range(utf16_at(text, start), utf16_at(text, end));
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
