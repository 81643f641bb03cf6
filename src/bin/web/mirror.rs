//! The highlighted copy of the rules that sits under the transparent textarea: token
//! colours, diagnostics and findings underlined, the deciding rule marked. One keyed
//! component per line, so a keystroke re-renders only the line it changed.

use crate::app::App;
use crate::derived::{Audit, Shared};
use aclplay::diagnostics::Severity;
use aclplay::input::highlight::Class;
use aclplay::span::Span;
use yew::prelude::*;

/// Overlay bits of a segment.
pub const ERR: u8 = 1;
pub const WARN: u8 = 2;
pub const MARK: u8 = 4;

/// A run of one line with the same colour and overlays; offsets relative to the line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Seg {
    pub start: u32,
    pub end: u32,
    pub class: Option<Class>,
    pub over: u8,
}

fn class_name(c: Class) -> &'static str {
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

/// Splits lines `first..end` into segments. `tokens` are sorted and do not overlap;
/// overlays may cross lines.
pub fn segments(d: &Shared, audit: Option<&Audit>, mark: Option<Span>, lines: &[Span], first: usize) -> Vec<Vec<Seg>> {
    let n = lines.len();
    let mut overlays: Vec<Vec<(Span, u8)>> = vec![Vec::new(); n];
    let mut add = |s: Span, bit: u8| {
        let (a, b) = (d.index.line_of(s.start), d.index.line_of(s.end.max(s.start + 1) - 1));
        for o in overlays.iter_mut().take((b + 1).saturating_sub(first)).skip(a.saturating_sub(first)) {
            o.push((s, bit));
        }
    };
    let (lo, hi) = (lines.first().map_or(0, |l| l.start), lines.last().map_or(0, |l| l.end));
    let near = |s: Span| s.end >= lo && s.start <= hi;
    for diag in &d.analysis.diagnostics {
        if let Some(s) = diag.span.filter(|&s| near(s)) {
            add(s, if diag.severity == Severity::Error { ERR } else { WARN });
        }
    }
    for f in audit.filter(|a| a.of == *d).iter().flat_map(|a| a.findings.iter()) {
        if let Some(&s) = f.spans.first().filter(|&&s| near(s)) {
            add(s, WARN);
        }
    }
    if let Some(m) = mark.filter(|&m| near(m)) {
        add(m, MARK);
    }
    // Tokens from the first one that can reach the window.
    let skip = d.tokens.partition_point(|(s, _)| s.end < lo);
    let mut tok = d.tokens[skip..].iter().peekable();
    let mut out = Vec::with_capacity(n);
    for (i, line) in lines.iter().enumerate() {
        let mut cuts = vec![line.start, line.end];
        let mut here: Vec<(Span, Class)> = Vec::new();
        while let Some(&&(s, c)) = tok.peek() {
            if s.start >= line.end && !(s.start == line.end && s.is_empty()) {
                break;
            }
            tok.next();
            if s.end > line.start {
                here.push((s, c));
                cuts.push(s.start.max(line.start));
                cuts.push(s.end.min(line.end));
            }
        }
        for &(s, _) in &overlays[i] {
            cuts.push(s.start.clamp(line.start, line.end));
            cuts.push(s.end.clamp(line.start, line.end));
        }
        insertion_sort(&mut cuts);
        cuts.dedup();
        let mut segs: Vec<Seg> = Vec::new();
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let class = here.iter().find(|(s, _)| s.start <= a && a < s.end).map(|&(_, c)| c);
            let over = overlays[i]
                .iter()
                .filter(|(s, _)| s.start <= a && a < s.end.max(s.start + 1))
                .fold(0, |o, &(_, bit)| o | bit);
            let (start, end) = ((a - line.start) as u32, (b - line.start) as u32);
            match segs.last_mut() {
                Some(l) if l.class == class && l.over == over => l.end = end,
                _ => segs.push(Seg { start, end, class, over }),
            }
        }
        // A mark or error on an empty line still shows.
        if line.is_empty() && !overlays[i].is_empty() {
            let over = overlays[i].iter().fold(0, |o, &(_, bit)| o | bit);
            segs.push(Seg { start: 0, end: 0, class: None, over });
        }
        out.push(segs);
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct LineProps {
    pub text: AttrValue,
    pub segs: Vec<Seg>,
}

/// One line of the mirror: a block of its own, so that an edit lays out one line rather
/// than the whole text; a component, so that a keystroke re-renders only the lines whose
/// text or segments changed.
pub struct Line;

impl Component for Line {
    type Message = ();
    type Properties = LineProps;

    fn create(_: &Context<Self>) -> Self {
        Line
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let LineProps { text, segs } = ctx.props();
        let parts = segs.iter().map(|s| {
            let piece = text.get(s.start as usize..s.end as usize).unwrap_or("");
            if s.class.is_none() && s.over == 0 {
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
            html! { <span class={c.trim_start().to_string()}>{ piece.to_string() }</span> }
        });
        html! { <div class="ln">{ for parts }</div> }
    }
}

/// A line has a handful of cuts: a plain insertion sort is enough, and much smaller in
/// wasm than another instance of the standard sorts.
fn insertion_sort(v: &mut [usize]) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && v[j - 1] > v[j] {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Line height of the editor in CSS pixels (style.css says the same).
pub const LINE_PX: usize = 20;

/// The mirror: only the lines near the visible part of a long text (`App::window`);
/// the rest is empty space of the same height (the spacers, sized by
/// `editor::after_render`).
pub fn view(app: &App) -> Html {
    let d = &app.d;
    let n = d.index.line_of(d.text.len()) + 1;
    let first = app.window.0.min(n);
    let end = app.window.1.clamp(first, n);
    let line = |i: usize| {
        let start = d.index.line_start(i);
        Span::new(start, if i + 1 < n { d.index.line_start(i + 1) - 1 } else { d.text.len() })
    };
    let lines: Vec<Span> = (first..end).map(line).collect();
    let segs = segments(d, app.audit.as_ref(), app.mark, &lines, first);
    let items = lines.iter().zip(segs).enumerate().map(|(i, (span, segs))| {
        let text = AttrValue::from(d.src(*span).to_string());
        html! { <Line key={first + i} {text} {segs} /> }
    });
    html! {
        <div class="mirror" aria-hidden="true">
            <div id="m-top"></div>
            { for items }
            <div id="m-bot"></div>
        </div>
    }
}
