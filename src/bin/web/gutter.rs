//! Line numbers beside the editor, with a marker on lines that have a diagnostic (its
//! text as the marker's tooltip).

use yew::prelude::*;

/// A marked line: 1-based number, error (or warning), tooltip.
#[derive(Clone, PartialEq)]
pub struct Marker {
    pub line: usize,
    pub error: bool,
    pub title: String,
}

#[derive(Properties, PartialEq)]
pub struct GutterProps {
    pub lines: usize,
    /// Sorted by line.
    pub markers: Vec<Marker>,
}

#[function_component]
pub fn Gutter(props: &GutterProps) -> Html {
    // Runs of unmarked numbers are one text node each: a 1,000-line file stays cheap.
    let mut out: Vec<Html> = Vec::new();
    let mut plain = String::new();
    let mut markers = props.markers.iter().peekable();
    for n in 1..=props.lines {
        let mut here = Vec::new();
        while let Some(m) = markers.next_if(|m| m.line == n) {
            here.push(m);
        }
        if here.is_empty() {
            plain.push_str(&n.to_string());
            plain.push('\n');
            continue;
        }
        if !plain.is_empty() {
            out.push(html! { std::mem::take(&mut plain) });
        }
        let error = here.iter().any(|m| m.error);
        let title = here.iter().map(|m| m.title.as_str()).collect::<Vec<_>>().join("\n");
        let class = if error { "g-mark g-err" } else { "g-mark g-warn" };
        out.push(html! { <span {class} {title}>{ n }</span> });
        out.push(html! { "\n" });
    }
    if !plain.is_empty() {
        out.push(html! { plain });
    }
    html! { <pre class="gutter" aria-hidden="true">{ for out }</pre> }
}
