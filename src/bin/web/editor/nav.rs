//! Bringing a span of the rules into view: the textarea scrolled so that the span's line
//! and column are inside it, then the page scrolled so that the editor shows that line
//! (on a phone the editor may be far above the button that asked).

use super::mirror::LINE_PX;
use crate::doc::Doc;
use crate::platform::dom;
use aclplay::span::Span;
use wasm_bindgen::JsCast;

/// The textarea's padding (style.css: `.5rem` top, `.6rem` left at 16px).
const PAD_TOP: i32 = 8;
const PAD_LEFT: i32 = 10;

/// Scrolls the textarea, and the page, to `s`; `char_px` is the font's character width.
pub fn reveal(doc: &Doc, s: Span, char_px: f64) {
    let Some(t) = dom::textarea("rules") else { return };
    let (line, col) = doc.locate(s.start);
    let width_cols = doc.src(s).chars().count().max(1);
    // Vertically: the line in the middle when it is outside.
    let y = ((line - 1) * LINE_PX) as i32;
    let (top, h) = (t.scroll_top(), t.client_height());
    if y < top || y + (LINE_PX as i32) > top + h - PAD_TOP {
        t.set_scroll_top((y - h / 2).max(0));
    }
    // Sideways, when any of the token is outside: centred if it fits (a long password
    // on a phone is most of the editor's width), else its start at the left edge.
    let x = ((col - 1) as f64 * char_px) as i32;
    let x_end = x + (width_cols as f64 * char_px) as i32;
    let (left, w) = (t.scroll_left(), t.client_width());
    if x < left || x_end + PAD_LEFT > left + w {
        t.set_scroll_left(sideways(x, x_end - x, w));
    }
    super::follow();
    refine(s);
    // The page: the line inside the window, not under its edges.
    let rect = t.get_bounding_client_rect();
    let line_top = rect.top() + f64::from(PAD_TOP + y - t.scroll_top());
    let inner = dom::window().inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(800.0);
    if line_top < 0.0 || line_top + LINE_PX as f64 > inner || rect.top() > inner {
        dom::window().scroll_by_with_x_and_y(0.0, line_top - inner / 3.0);
    }
}

/// Once the mirror has drawn the mark, its real position (tabs and wide characters make
/// columns differ from characters) settles the sideways scroll.
pub fn refine(_s: Span) {
    let (Some(t), Some(el)) =
        (dom::textarea("rules"), dom::query(".mirror .mark").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()))
    else {
        return;
    };
    let (x, w) = (el.offset_left(), t.client_width());
    if x < t.scroll_left() || x + el.offset_width() > t.scroll_left() + w {
        t.set_scroll_left(sideways(x, el.offset_width(), w));
        super::follow();
    }
}

/// The scroll position that shows a token at `x` of width `tw` in an editor `w` wide.
fn sideways(x: i32, tw: i32, w: i32) -> i32 {
    let room = w - 2 * PAD_LEFT;
    let left = if tw <= room { x - (w - tw) / 2 } else { x - PAD_LEFT };
    left.max(0)
}
