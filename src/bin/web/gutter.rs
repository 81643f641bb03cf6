//! Line numbers beside the editor, with a marker on lines that have a diagnostic (its
//! text as the marker's tooltip).

use yew::prelude::*;

/// A marked line: 1-based number, error (or warning), tooltip.
pub struct Marker {
    pub line: usize,
    pub error: bool,
    pub title: String,
}

/// `markers` are sorted by line.
pub fn view(lines: usize, markers: &[Marker]) -> Html {
    // Runs of unmarked numbers are one text node each: a 1,000-line file stays cheap.
    let mut out: Vec<Html> = Vec::new();
    let mut plain = String::new();
    let mut markers = markers.iter().peekable();
    for n in 1..=lines {
        let mut title = String::new();
        let mut error = false;
        while let Some(m) = markers.next_if(|m| m.line == n) {
            if !title.is_empty() {
                title.push('\n');
            }
            title.push_str(&m.title);
            error |= m.error;
        }
        if title.is_empty() {
            plain.push_str(&n.to_string());
            plain.push('\n');
            continue;
        }
        if !plain.is_empty() {
            out.push(std::mem::take(&mut plain).into());
        }
        let class = if error { "g-mark g-err" } else { "g-mark g-warn" };
        out.push(html! { <span {class} {title}>{ n }</span> });
        plain.push('\n');
    }
    if !plain.is_empty() {
        out.push(plain.into());
    }
    html! { <pre class="gutter" aria-hidden="true">{ for out }</pre> }
}
