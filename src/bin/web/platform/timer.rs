//! Timers and animation frames, for callbacks made once (`js_sys::Function`s).

use super::dom;

/// Calls `f` after `ms` milliseconds; the handle cancels it.
pub fn after(f: &js_sys::Function, ms: i32) -> Option<i32> {
    dom::window().set_timeout_with_callback_and_timeout_and_arguments_0(f, ms).ok()
}

pub fn cancel(handle: i32) {
    dom::window().clear_timeout_with_handle(handle);
}

/// Calls `f` before the next frame is drawn.
pub fn next_frame(f: &js_sys::Function) {
    let _ = dom::window().request_animation_frame(f);
}
