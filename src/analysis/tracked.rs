//! An analysis that follows the edits of its text ([`Tracked`]), for an editor: after an
//! edit of an ACL file only the lines that changed are parsed, applied and highlighted
//! again; the users of the other lines are kept (their spans moved), and the file-wide
//! parts (a user defined twice, the `ACL LOAD` reply, the diagnostics) are put together
//! again from the lines. The result equals [`analyze`] and [`highlight`] of the new text
//! (tests/tracked.rs checks it on random edits). Other kinds of input, and an ACL file
//! with a line the grammar refuses, are analysed whole.

use super::{Analysis, Options, Outcome, acl_load, analyze, finish, fresh_server};
use crate::commands::Profile;
use crate::diagnostics::{Problem, did_you_mean};
use crate::engine::acl::Ctx;
use crate::engine::server::{FileLine, LineLoad, LoadBuilder, load_line};
use crate::input::document::{Document, Kind, Line, Shape};
use crate::input::highlight::{Class, highlight, highlight_line};
use crate::input::parse::{self, Hint};
use crate::span::{LineIndex, Span};
use crate::verdicts::describe::{ListCrash, list_crash};

/// The options of a tracked analysis ([`Options`] without the borrowed parts).
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedOptions {
    pub profile: &'static Profile,
    /// `None`: detect.
    pub kind: Option<Kind>,
    pub pubsub_all: bool,
    pub acl_filename: String,
}

impl TrackedOptions {
    pub fn new(profile: &'static Profile, kind: Option<Kind>) -> TrackedOptions {
        let o = Options::new(profile);
        TrackedOptions { profile, kind, pubsub_all: o.pubsub_all, acl_filename: o.acl_filename.to_string() }
    }

    fn options(&self) -> Options<'_> {
        Options {
            kind: self.kind,
            pubsub_all: self.pubsub_all,
            acl_filename: &self.acl_filename,
            ..Options::new(self.profile)
        }
    }
}

/// What the last [`Tracked::set_text`] changed: the bytes that differ, as whole lines, in
/// the old text and in the new one (empty spans when nothing changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub old: Span,
    pub new: Span,
    /// The whole text was analysed again (not an ACL file, or its kind changed).
    pub whole: bool,
}

/// A text and everything computed from it, kept up to date as it is edited.
#[derive(Debug)]
pub struct Tracked {
    text: String,
    opts: TrackedOptions,
    analysis: Analysis,
    tokens: Vec<(Span, Class)>,
    index: LineIndex,
    /// The per-line state of an ACL file; `None`: the text is analysed whole.
    acl: Option<AclLines>,
    /// `did_you_mean` of the refused tokens seen so far (a file with many typos would
    /// otherwise compare each with every command on every edit).
    suggestions: rustc_hash::FxHashMap<Vec<u8>, Option<String>>,
}

/// One entry per line of the text (`text.split('\n')`).
#[derive(Debug)]
struct AclLines {
    loads: Vec<LineLoad>,
    /// `list_crash` of the line's user.
    crash: Vec<Option<ListCrash>>,
    /// The line's user is in `analysis.users` (taken out of `loads`).
    taken: Vec<bool>,
    /// How many lines hint at each kind of input (commands, config, listing, user).
    hints: [usize; 4],
}

fn hint_slot(h: Hint) -> Option<usize> {
    match h {
        Hint::Commands => Some(0),
        Hint::Config => Some(1),
        Hint::Listing => Some(2),
        Hint::User => Some(3),
        Hint::None => None,
    }
}

/// One analysed line: its shape, load and tokens.
struct NewLine {
    line: Line,
    hint: Hint,
    load: LineLoad,
    crash: Option<ListCrash>,
}

fn new_line(text: &str, l: &str, number: usize, start: usize, ctx: &Ctx) -> Option<NewLine> {
    let line = parse::line(l, number, start)?;
    let hint = parse::hint(text, &line);
    let load = load_line(FileLine { number, bytes: l.as_bytes(), base: start, whole: None }, ctx);
    let crash = match &load {
        LineLoad::Named { user: Some(u), .. } => list_crash(u, ctx.profile),
        _ => None,
    };
    Some(NewLine { line, hint, load, crash })
}

fn shift_line(l: &mut Line, by: isize, lines: isize) {
    l.number = l.number.wrapping_add_signed(lines);
    l.span = l.span.shifted(by);
    l.shape = match l.shape {
        Shape::Listing { quoted } => Shape::Listing { quoted: quoted.shifted(by) },
        Shape::Command { args } => Shape::Command { args: args.shifted(by) },
        Shape::Other { word } => Shape::Other { word: word.shifted(by) },
        s @ (Shape::Blank | Shape::Comment) => s,
    };
}

impl Tracked {
    pub fn new(text: String, opts: TrackedOptions) -> Tracked {
        Tracked::build(text, opts).unwrap_or_else(|(text, opts)| Tracked::whole(text, opts))
    }

    /// The text analysed whole.
    fn whole(text: String, opts: TrackedOptions) -> Tracked {
        let analysis = analyze(&text, &opts.options());
        let tokens = highlight(&text, &analysis.document);
        Tracked {
            index: LineIndex::new(&text),
            text,
            opts,
            analysis,
            tokens,
            acl: None,
            suggestions: Default::default(),
        }
    }

    /// An ACL file analysed line by line; `Err` (giving the text back) when the text is
    /// another kind of input or has a line the grammar refuses.
    fn build(text: String, opts: TrackedOptions) -> Result<Tracked, (String, TrackedOptions)> {
        if opts.kind.is_some_and(|k| k != Kind::AclFile) {
            return Err((text, opts));
        }
        let ctx = Ctx { profile: opts.profile, pubsub_all: opts.pubsub_all };
        let n = text.bytes().filter(|&b| b == b'\n').count() + 1;
        let mut acl = AclLines {
            loads: Vec::with_capacity(n),
            crash: Vec::with_capacity(n),
            taken: Vec::with_capacity(n),
            hints: [0; 4],
        };
        let mut lines = Vec::with_capacity(n);
        let mut tokens = Vec::new();
        let mut start = 0;
        for (i, l) in text.split('\n').enumerate() {
            let Some(nl) = new_line(&text, l, i + 1, start, &ctx) else { return Err((text, opts)) };
            if opts.kind.is_none() {
                // `detect`: the first command or directive decides.
                if matches!(nl.hint, Hint::Commands | Hint::Config) {
                    return Err((text, opts));
                }
            }
            if let Some(h) = hint_slot(nl.hint) {
                acl.hints[h] += 1;
            }
            highlight_line(&text, Kind::AclFile, &nl.line, &mut tokens);
            lines.push(nl.line);
            acl.loads.push(nl.load);
            acl.crash.push(nl.crash);
            acl.taken.push(false);
            start += l.len() + 1;
        }
        if opts.kind.is_none() && acl.hints[2] > acl.hints[3] {
            return Err((text, opts));
        }
        let document = Document { kind: Kind::AclFile, detected: opts.kind.is_none(), lines };
        let mut suggestions = Default::default();
        let analysis = assemble(&text, &opts, document, &mut acl, &mut suggestions);
        Ok(Tracked { index: LineIndex::new(&text), text, opts, analysis, tokens, acl: Some(acl), suggestions })
    }

    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }
    /// The highlighter's tokens ([`highlight`]).
    pub fn tokens(&self) -> &[(Span, Class)] {
        &self.tokens
    }
    pub fn line_index(&self) -> &LineIndex {
        &self.index
    }
    pub fn options(&self) -> &TrackedOptions {
        &self.opts
    }

    /// Analyses everything again with other options.
    pub fn set_options(&mut self, opts: TrackedOptions) {
        let text = std::mem::take(&mut self.text);
        *self = Tracked::new(text, opts);
    }

    /// Replaces the text, analysing again only what the edit changed.
    pub fn set_text(&mut self, text: String) -> Change {
        let (old, new) = (self.text.as_bytes(), text.as_bytes());
        let p0 = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        if p0 == old.len() && p0 == new.len() {
            let none = Span::new(p0, p0);
            return Change { old: none, new: none, whole: false };
        }
        let room = old.len().min(new.len()) - p0;
        let mut q = old.iter().rev().zip(new.iter().rev()).take(room).take_while(|(a, b)| a == b).count();
        // Whole lines: the prefix ends and the suffix starts at a line start in both texts.
        let p = old[..p0].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let line_start = |t: &[u8], s: usize| s == 0 || t[s - 1] == b'\n';
        if q > 0 && !(line_start(old, old.len() - q) && line_start(new, new.len() - q)) {
            let so = old.len() - q;
            q = old[so..].iter().position(|&b| b == b'\n').map_or(0, |i| q - i - 1);
        }
        let (so, sn) = (old.len() - q, new.len() - q);
        let change = Change { old: Span::new(p, so), new: Span::new(p, sn), whole: false };
        if self.acl.is_none() {
            let opts = self.opts.clone();
            *self = Tracked::new(text, opts);
            return Change { whole: true, ..change };
        }
        match self.edit(&text, p, so, sn, q == 0) {
            Some(()) => {
                self.text = text;
                self.index = LineIndex::new(&self.text);
                change
            }
            None => {
                let opts = self.opts.clone();
                *self = Tracked::new(text, opts);
                Change { whole: true, ..change }
            }
        }
    }

    /// Replaces lines: bytes `p..so` of the old text (to its end if `to_end`) became
    /// `p..sn` of `text`. `None` when the text must be analysed whole.
    fn edit(&mut self, text: &str, p: usize, so: usize, sn: usize, to_end: bool) -> Option<()> {
        let acl = self.acl.as_mut()?;
        let opts = &self.opts;
        let ctx = Ctx { profile: opts.profile, pubsub_all: opts.pubsub_all };
        let old = self.text.as_bytes();
        let newlines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
        let first = self.index.line_of(p);
        let total = acl.loads.len();
        let old_count = if to_end { total - first } else { newlines(&old[p..so]) };
        let region = &text[p..if to_end { text.len() } else { sn }];
        let new_count = newlines(region.as_bytes()) + usize::from(to_end);
        // The users back into their lines.
        let mut users = std::mem::take(&mut self.analysis.users).into_iter();
        for (load, taken) in acl.loads.iter_mut().zip(&mut acl.taken) {
            if std::mem::take(taken) {
                let LineLoad::Named { name, user, .. } = load else { return None };
                let r = users.next().filter(|r| r.user.name == *name)?;
                *user = Some(r.user);
            }
        }
        let mut document = std::mem::replace(
            &mut self.analysis.document,
            Document { kind: Kind::AclFile, detected: false, lines: Vec::new() },
        );
        // The new lines.
        let mut added = Vec::with_capacity(new_count);
        let mut tokens = Vec::new();
        let mut start = p;
        for (i, l) in region.split('\n').take(new_count).enumerate() {
            let nl = new_line(text, l, first + i + 1, start, &ctx)?;
            highlight_line(text, Kind::AclFile, &nl.line, &mut tokens);
            added.push(nl);
            start += l.len() + 1;
        }
        let by = sn as isize - so as isize;
        let dn = new_count as isize - old_count as isize;
        for l in &document.lines[first..first + old_count] {
            if let Some(h) = hint_slot(parse::hint(&self.text, l)) {
                acl.hints[h] -= 1;
            }
        }
        for nl in &added {
            if let Some(h) = hint_slot(nl.hint) {
                acl.hints[h] += 1;
            }
        }
        if opts.kind.is_none() && (acl.hints[0] + acl.hints[1] > 0 || acl.hints[2] > acl.hints[3]) {
            return None;
        }
        // The lines after the edit move.
        let range = first..first + old_count;
        for l in &mut document.lines[range.end..] {
            shift_line(l, by, dn);
        }
        for load in &mut acl.loads[range.end..] {
            load.shift(by);
        }
        for c in &mut acl.crash[range.end..] {
            *c = c.map(|found| ListCrash { span: found.span.map(|s| s.shifted(by)), ..found });
        }
        let lo = self.tokens.partition_point(|(s, _)| s.start < p);
        let hi = if to_end { self.tokens.len() } else { self.tokens.partition_point(|(s, _)| s.start < so) };
        for t in &mut self.tokens[hi..] {
            t.0 = t.0.shifted(by);
        }
        self.tokens.splice(lo..hi, tokens);
        let mut lines = Vec::with_capacity(added.len());
        let (mut loads, mut crash) = (Vec::with_capacity(added.len()), Vec::with_capacity(added.len()));
        for nl in added {
            lines.push(nl.line);
            loads.push(nl.load);
            crash.push(nl.crash);
        }
        document.lines.splice(range.clone(), lines);
        acl.loads.splice(range.clone(), loads);
        acl.crash.splice(range.clone(), crash);
        acl.taken.splice(range, std::iter::repeat_n(false, new_count));
        self.analysis = assemble(text, opts, document, acl, &mut self.suggestions);
        Some(())
    }
}

/// The analysis of an ACL file from its lines (what `analyze` does with the same lines).
fn assemble(
    text: &str,
    opts: &TrackedOptions,
    document: Document,
    acl: &mut AclLines,
    suggestions: &mut rustc_hash::FxHashMap<Vec<u8>, Option<String>>,
) -> Analysis {
    let server = fresh_server(&opts.options());
    let mut b = LoadBuilder::default();
    let mut crash = Vec::new();
    for (i, load) in acl.loads.iter_mut().enumerate() {
        let had = matches!(load, LineLoad::Named { user: Some(_), .. });
        b.add(i + 1, load);
        let taken = had && matches!(load, LineLoad::Named { user: None, .. });
        acl.taken[i] = taken;
        if taken {
            crash.push(acl.crash[i]);
        }
    }
    let mut a = Analysis {
        profile: opts.profile,
        document,
        options_pubsub_all: opts.pubsub_all,
        users: Vec::new(),
        outcome: Outcome::Commands { replies: Vec::new() },
        diagnostics: Vec::new(),
        compiled: std::sync::OnceLock::new(),
    };
    acl_load(&mut a, b.finish(), &server, &opts.acl_filename);
    let profile = opts.profile;
    let mut i = 0;
    let crash_of = |u: &crate::engine::acl::User| {
        i += 1;
        // The users of the lines, then the built-in `default` when the file has none.
        crash.get(i - 1).copied().unwrap_or_else(|| list_crash(u, profile))
    };
    let suggest = |p: &Problem| match p {
        Problem::Rule { token, .. } => {
            let key = [p.code().as_bytes(), b" ", token].concat();
            suggestions.entry(key).or_insert_with(|| did_you_mean(p, profile)).clone()
        }
        _ => did_you_mean(p, profile),
    };
    finish(&mut a, text, crash_of, suggest);
    a
}
