//! Line numbers beside the editor, for the drawn lines only, with a marker on lines that
//! have a diagnostic (its text as the marker's tooltip).

use crate::app::App;
use aclplay::diagnostics::Severity;
use yew::prelude::*;

/// Tooltips name at most this many diagnostics of one line.
const PER_LINE: usize = 8;

pub fn view(app: &App) -> Html {
    let d = &app.doc;
    let n = d.line_count();
    let first = app.window.0.min(n);
    let end = app.window.1.clamp(first, n);
    let (lo, hi) = (d.line_span(first).start, d.line_span(end.max(first + 1) - 1).end);
    // Per drawn line: (error, tooltip lines, how many).
    let mut marks: Vec<(bool, String, usize)> = vec![(false, String::new(), 0); end - first];
    let diags = &d.analysis().diagnostics;
    let from = diags.partition_point(|x| x.span.is_none_or(|s| s.start < lo));
    for x in &diags[from..] {
        let Some(s) = x.span else { continue };
        if s.start > hi {
            break;
        }
        let (line, col) = d.locate(s.start);
        let Some(m) = marks.get_mut(line - 1 - first) else { continue };
        m.0 |= x.severity == Severity::Error;
        m.2 += 1;
        if m.2 <= PER_LINE {
            if !m.1.is_empty() {
                m.1.push('\n');
            }
            m.1.push_str(&format!("{line}:{col} "));
            if let Some(s) = &x.server {
                m.1.push_str(&aclplay::visible::escape(s));
                m.1.push('\n');
            }
            m.1.push_str(&x.message());
        }
    }
    // Runs of unmarked numbers are one text node each.
    let mut out: Vec<Html> = Vec::new();
    let mut plain = String::new();
    for (i, (error, mut title, count)) in marks.into_iter().enumerate() {
        let number = first + i + 1;
        if count == 0 {
            plain.push_str(&number.to_string());
            plain.push('\n');
            continue;
        }
        if count > PER_LINE {
            title.push_str(&format!("\n…and {} more", count - PER_LINE));
        }
        if !plain.is_empty() {
            out.push(std::mem::take(&mut plain).into());
        }
        let class = if error { "g-mark g-err" } else { "g-mark g-warn" };
        out.push(html! { <span {class} {title}>{ number }</span> });
        plain.push('\n');
    }
    if !plain.is_empty() {
        out.push(plain.into());
    }
    html! {
        <pre class="gutter" aria-hidden="true"><div id="g-top"></div>{ for out }<div id="g-bot"></div></pre>
    }
}
