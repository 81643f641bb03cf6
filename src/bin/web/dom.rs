//! Small browser helpers shared by the components.

use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;

pub fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

/// Copies text to the clipboard; `done` gets whether it worked.
pub fn copy(text: &str, done: impl FnOnce(bool) + 'static) {
    let Some(clip) = web_sys::window().map(|w| w.navigator().clipboard()) else {
        done(false);
        return;
    };
    let p = clip.write_text(text);
    wasm_bindgen_futures::spawn_local(async move {
        done(wasm_bindgen_futures::JsFuture::from(p).await.is_ok());
    });
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
        let _ = ta.dispatch_event(&web_sys::InputEvent::new("input").expect("an event"));
    }
}

/// Selects a byte span of the textarea's text (textareas count UTF-16 units).
pub fn select_span(ta: &HtmlTextAreaElement, text: &str, start: usize, end: usize) {
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
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| q.trim_start_matches('?').split('&').any(|p| p.split('=').next() == Some(name)))
}
