//! The highlighted copy of the rules under the transparent textarea: token colours,
//! diagnostics and findings underlined, the deciding rule marked, hidden characters
//! labelled. One keyed component per line, so a keystroke re-renders only the lines it
//! changed; only the lines near the visible part are drawn (`Window`), and of a very long
//! line only the columns near the visible part.

use crate::app::App;
use aclplay::diagnostics::Severity;
use aclplay::input::highlight::Class;
use aclplay::span::Span;
use yew::prelude::*;

/// Overlay bits of a segment.
pub const ERR: u8 = 1;
pub const WARN: u8 = 2;
pub const MARK: u8 = 4;

/// Line height of the editor in CSS pixels (style.css says the same).
pub const LINE_PX: usize = 20;

/// Lines longer than this (in bytes) are drawn only near the visible columns.
pub const LONG: usize = 4096;

/// A run of one line with the same colour and overlays; offsets relative to the drawn
/// text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Seg {
    pub start: u32,
    pub end: u32,
    pub class: Option<Class>,
    pub over: u8,
}

/// The CSS class of a highlight class (the mirror's and the read-only view's).
pub(super) fn class_name(c: Class) -> &'static str {
    match c {
        Class::Keyword => "t-kw",
        Class::Username => "t-user",
        Class::Flag => "t-flag",
        Class::Password => "t-pass",
        Class::Hash => "t-hash",
        Class::Keys => "t-keys",
        Class::Channels => "t-chan",
        // Database rules (Valkey 9.1) are coloured as key rules until the page has a style of their own.
        Class::Databases => "t-keys",
        Class::Allow => "t-allow",
        Class::Deny => "t-deny",
        Class::Selector => "t-sel",
        Class::Comment => "t-com",
        Class::Value => "t-val",
        Class::Unknown => "t-unk",
    }
}

/// The segments of bytes `draw` of a line (`line`), given the line's tokens (sorted, not
/// overlapping) and the overlays that touch it. One sweep over the cuts: the cost is in
/// proportion to the line's tokens and overlays.
pub fn segments(line: Span, draw: Span, tokens: &[(Span, Class)], overlays: &[(Span, u8)]) -> Vec<Seg> {
    // Overlays as ranges within the drawn part (an empty one covers one character).
    let mut ov: Vec<(usize, usize, u8)> = overlays
        .iter()
        .filter_map(|&(s, bit)| {
            let (a, b) = (s.start.max(draw.start), s.end.max(s.start + 1).min(draw.end));
            (a < b).then_some((a, b, bit))
        })
        .collect();
    let mut cuts = vec![draw.start, draw.end];
    for (s, _) in tokens {
        cuts.extend([s.start, s.end].into_iter().filter(|&x| x > draw.start && x < draw.end));
    }
    for &(a, b, _) in &ov {
        cuts.extend([a, b]);
    }
    aclplay::sort::sort_by(&mut cuts, |a, b| a < b);
    cuts.dedup();
    aclplay::sort::sort_by(&mut ov, |a, b| a.0 < b.0);
    let mut ends: Vec<(usize, u8)> = ov.iter().map(|&(_, b, bit)| (b, bit)).collect();
    aclplay::sort::sort_by(&mut ends, |a, b| a.0 < b.0);
    let (mut next_start, mut next_end, mut tok) = (0, 0, 0);
    let mut active = [0u32; 3];
    let mut out: Vec<Seg> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        while next_start < ov.len() && ov[next_start].0 <= a {
            active[ov[next_start].2.trailing_zeros() as usize] += 1;
            next_start += 1;
        }
        while next_end < ends.len() && ends[next_end].0 <= a {
            active[ends[next_end].1.trailing_zeros() as usize] -= 1;
            next_end += 1;
        }
        while tok < tokens.len() && tokens[tok].0.end <= a {
            tok += 1;
        }
        let class = tokens.get(tok).filter(|(s, _)| s.start <= a).map(|&(_, c)| c);
        let over = (0..3).filter(|&i| active[i] > 0).fold(0, |o, i| o | 1 << i);
        let (start, end) = ((a - draw.start) as u32, (b - draw.start) as u32);
        match out.last_mut() {
            Some(l) if l.class == class && l.over == over => l.end = end,
            _ => out.push(Seg { start, end, class, over }),
        }
    }
    // A mark or error on an empty line still shows.
    if line.is_empty() {
        let over = overlays.iter().fold(0, |o, &(_, bit)| o | bit);
        if over != 0 {
            out.push(Seg { start: 0, end: 0, class: None, over });
        }
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct LineProps {
    /// The drawn part of the line.
    pub text: AttrValue,
    pub segs: Vec<Seg>,
    /// The line starts further left than drawn (a long line scrolled sideways).
    pub skip: bool,
}

/// One line of the mirror: a block of its own, so that an edit lays out one line rather
/// than the whole text; a component, so that a keystroke re-renders only the lines whose
/// text or segments changed.
pub struct Line;

/// `piece` as text, its hidden characters as labelled boxes (the label is drawn outside
/// the flow, so the characters keep the textarea's metrics).
fn with_hidden(piece: &str) -> Html {
    let mut parts: Vec<Html> = Vec::new();
    let mut at = 0;
    for (i, c) in aclplay::visible::hidden(piece) {
        if i > at {
            parts.push(Html::from(piece[at..i].to_string()));
        }
        let label = format!("U+{:04X}", c as u32);
        parts.push(html! { <span class="hid" data-u={label}>{ c.to_string() }</span> });
        at = i + c.len_utf8();
    }
    if at < piece.len() {
        parts.push(Html::from(piece[at..].to_string()));
    }
    html! { <>{ for parts }</> }
}

impl Component for Line {
    type Message = ();
    type Properties = LineProps;

    fn create(_: &Context<Self>) -> Self {
        Line
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let LineProps { text, segs, skip } = ctx.props();
        let parts = segs.iter().map(|s| {
            let piece = text.get(s.start as usize..s.end as usize).unwrap_or("");
            let hidden =
                piece.chars().any(|c| aclplay::visible::is_bidi_control(c) || aclplay::visible::is_invisible(c));
            if s.class.is_none() && s.over == 0 && !hidden {
                return html! { piece.to_string() };
            }
            let mut c = String::from(s.class.map_or("", class_name));
            for (bit, name) in [(ERR, " u-err"), (WARN, " u-warn"), (MARK, " mark")] {
                if s.over & bit != 0 {
                    c.push_str(name);
                }
            }
            // An empty piece still needs a visible box for the underline.
            let piece = if piece.is_empty() { " " } else { piece };
            let inner = if hidden { with_hidden(piece) } else { Html::from(piece.to_string()) };
            html! { <span class={c.trim_start().to_string()}>{ inner }</span> }
        });
        html! {
            <div class="ln">
                if *skip {
                    <span class="skip"></span>
                }
                { for parts }
            </div>
        }
    }
}

/// The overlays of bytes `lo..=hi` of the text (diagnostics, findings, the mark).
fn overlays(app: &App, lo: usize, hi: usize) -> Vec<(Span, u8)> {
    let d = &app.doc;
    let near = |s: Span| s.end >= lo && s.start <= hi;
    let mut out = Vec::new();
    let diags = &d.analysis().diagnostics;
    // Sorted by start: those starting after the window end the search.
    let upto = diags.partition_point(|x| x.span.is_none_or(|s| s.start <= hi));
    for diag in &diags[..upto] {
        if let Some(s) = diag.span.filter(|&s| near(s)) {
            out.push((s, if diag.severity == Severity::Error { ERR } else { WARN }));
        }
    }
    let marks = &app.audit.marks;
    let upto = marks.partition_point(|s| s.start <= hi);
    out.extend(marks[..upto].iter().filter(|&&s| near(s)).map(|&s| (s, WARN)));
    if let Some(m) = app.mark.filter(|&m| near(m)) {
        out.push((m, MARK));
    }
    out
}

/// The part of a line to draw: all of it, or for a long ASCII line without tabs the
/// columns of `cols` (then it is drawn after a spacer of the skipped columns' width).
fn drawn(text: &str, line: Span, cols: (usize, usize)) -> (Span, bool) {
    if line.len() <= LONG {
        return (line, false);
    }
    let start = (line.start + cols.0).min(line.end);
    let end = (line.start + cols.1).min(line.end).max(start);
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii() && b != b'\t');
    match text.get(line.start..start) {
        Some(head) if plain(head) && text.is_char_boundary(end) => (Span::new(start, end), start > line.start),
        _ => (line, false),
    }
}

/// The mirror: the lines of `app.window`; the rest is empty space of the same height (the
/// spacers, sized by `editor::after_render`).
pub fn view(app: &App) -> Html {
    let d = &app.doc;
    let text = d.text();
    let n = d.line_count();
    let first = app.window.0.min(n);
    let end = app.window.1.clamp(first, n);
    let lines: Vec<Span> = (first..end).map(|i| d.line_span(i)).collect();
    let (lo, hi) = (lines.first().map_or(0, |l| l.start), lines.last().map_or(0, |l| l.end));
    let over = overlays(app, lo, hi);
    let tokens = d.t.tokens();
    let mut tok = tokens.partition_point(|(s, _)| s.end < lo);
    let items = lines.iter().enumerate().map(|(i, &line)| {
        let from = tok;
        while tok < tokens.len() && tokens[tok].0.start <= line.end {
            tok += 1;
        }
        let here: Vec<(Span, u8)> =
            over.iter().copied().filter(|(s, _)| s.end >= line.start && s.start <= line.end).collect();
        let (draw, skip) = drawn(text, line, app.columns);
        let segs = segments(line, draw, &tokens[from..tok], &here);
        let text = AttrValue::from(text[draw.start..draw.end].to_string());
        html! { <Line key={first + i} {text} {segs} {skip} /> }
    });
    html! {
        <div class="mirror" aria-hidden="true">
            <div id="m-top"></div>
            { for items }
            <div id="m-bot"></div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_follow_tokens_and_overlays() {
        let line = Span::new(10, 30);
        let tokens = [(Span::new(10, 14), Class::Keyword), (Span::new(15, 18), Class::Username)];
        let over = [(Span::new(12, 16), ERR), (Span::new(16, 16), MARK)];
        let s = segments(line, line, &tokens, &over);
        let got: Vec<(u32, u32, Option<Class>, u8)> = s.iter().map(|s| (s.start, s.end, s.class, s.over)).collect();
        assert_eq!(
            got,
            [
                (0, 2, Some(Class::Keyword), 0),
                (2, 4, Some(Class::Keyword), ERR),
                (4, 5, None, ERR),
                (5, 6, Some(Class::Username), ERR),
                (6, 7, Some(Class::Username), MARK),
                (7, 8, Some(Class::Username), 0),
                (8, 20, None, 0),
            ]
        );
        // Drawing part of a line: offsets are relative to the drawn part.
        let s = segments(line, Span::new(16, 20), &tokens, &over);
        assert_eq!((s[0].start, s[0].end, s[0].over), (0, 1, MARK));
    }
}
