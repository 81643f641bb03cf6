//! Mutation coverage of rules by a test file: a rule token counts as covered only if
//! removing it changes the verdict (pass or fail) of at least one expectation. A token no
//! test pins down can be deleted, or changed, without any test noticing.
//!
//! The units are every rule the engine applied to a user the rules define (its trail of
//! steps, each with its span): rule tokens, key and channel patterns, whole `(…)`
//! selectors and the rules inside them. Each is removed from the text (with one space
//! next to it) and the rules are analysed again.
//!
//! Cost: one analysis per unit. For an ACL file that the server loads, and tests without
//! `audit` lines, only the mutated line is analysed again, and only the expectations that
//! can change are asked again: a user's line is applied on its own, so the other users
//! are those of the original rules, and the file as a whole loads exactly when the
//! mutated line does (the other lines load, and no name changes). When the mutated line
//! is refused, the server keeps a fresh server's users, which the one-line analysis also
//! answers with. Otherwise (other kinds of input, rules that do not load, audit
//! expectations) the whole text is analysed again for each unit. `tests/workshop.rs`
//! checks that both ways give the same coverage.

use super::run::{Rules, evaluate};
use super::testfile::{Check, TestFile};
use crate::analysis::{Options, Served, analyze};
use crate::engine::acl::Op;
use crate::input::document::{Kind, Shape};
use crate::span::Span;
use serde::Serialize;

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnitKind {
    /// A rule token: `on`, `>password`, `+@read`, `-flushall`, `allkeys`, `reset`, …
    Rule,
    KeyPattern,
    ChannelPattern,
    /// A whole `(…)` selector.
    Selector,
}

/// One rule and whether a test pins it down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub kind: UnitKind,
    pub span: Span,
    /// The rule as written.
    pub text: String,
    /// The first expectation (index into [`TestFile::expectations`]) whose verdict
    /// changes when the rule is removed; `None`: no test pins it down.
    pub pinned_by: Option<usize>,
}

impl Unit {
    pub fn covered(&self) -> bool {
        self.pinned_by.is_some()
    }
}

/// One user's coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserCoverage {
    pub user: String,
    /// Where the rules define it.
    pub span: Option<Span>,
    /// How many expectations are about this user.
    pub tests: usize,
    pub units: Vec<Unit>,
}

impl UserCoverage {
    pub fn covered(&self) -> usize {
        self.units.iter().filter(|u| u.covered()).count()
    }
}

/// The coverage of the rules by a test file on one server version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub server: &'static str,
    pub users: Vec<UserCoverage>,
    /// How many analyses of mutated rules it took.
    pub mutants: usize,
}

impl Coverage {
    pub fn total(&self) -> usize {
        self.users.iter().map(|u| u.units.len()).sum()
    }
    pub fn covered(&self) -> usize {
        self.users.iter().map(UserCoverage::covered).sum()
    }
    /// Covered units in percent (100 when there are none).
    pub fn percent(&self) -> f64 {
        match self.total() {
            0 => 100.0,
            n => self.covered() as f64 * 100.0 / n as f64,
        }
    }
    /// Users the rules define that no expectation is about.
    pub fn untested(&self) -> impl Iterator<Item = &UserCoverage> {
        self.users.iter().filter(|u| u.tests == 0)
    }
}

/// How a coverage is computed (both give the same result; see the module's doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The fast way where it applies, else the whole text.
    Auto,
    /// Always analyse the whole mutated text and ask every expectation.
    WholeText,
}

fn kind_of(op: &Op) -> Option<UnitKind> {
    Some(match op {
        Op::Empty => return None,
        Op::Key { .. } => UnitKind::KeyPattern,
        Op::Channel { .. } => UnitKind::ChannelPattern,
        Op::Selector { .. } => UnitKind::Selector,
        _ => UnitKind::Rule,
    })
}

/// The text with `s` removed, and one space or tab next to it.
fn without(text: &str, s: Span) -> String {
    let b = text.as_bytes();
    let sep = |c: Option<&u8>| matches!(c, Some(b' ' | b'\t'));
    let cut = if s.start > 0 && sep(b.get(s.start - 1)) {
        Span::new(s.start - 1, s.end)
    } else if sep(b.get(s.end)) {
        Span::new(s.start, s.end + 1)
    } else {
        s
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..cut.start]);
    out.push_str(&text[cut.end..]);
    out
}

/// The mutation coverage of `text` (analysed as `opts` says) by `file`, on
/// `opts.profile` (expectations pinned to other versions are left out).
pub fn coverage(file: &TestFile, text: &str, opts: &Options) -> Coverage {
    coverage_with(file, text, opts, Method::Auto)
}

/// [`coverage`], computed as `method` says.
pub fn coverage_with(file: &TestFile, text: &str, opts: &Options, method: Method) -> Coverage {
    let a = analyze(text, opts);
    let profile = a.profile;
    let active: Vec<usize> = (0..file.expectations.len()).filter(|&i| file.expectations[i].runs_on(profile)).collect();
    let base_rules = Rules::new(text, &a);
    let base: Vec<bool> = active.iter().map(|&i| evaluate(&file.expectations[i], &base_rules).0).collect();
    let has_audit = active.iter().any(|&i| matches!(file.expectations[i].check, Check::Audit { .. }));
    let fast = method == Method::Auto && a.document.kind == Kind::AclFile && a.served() == Served::Input && !has_audit;
    let listing_spans: Vec<Span> = a
        .document
        .lines
        .iter()
        .filter_map(|l| match l.shape {
            Shape::Listing { quoted } => Some(quoted),
            _ => None,
        })
        .collect();
    let mut out = Coverage { server: profile.id, users: Vec::new(), mutants: 0 };
    for r in a.users.iter().filter(|r| r.span.is_some()) {
        let name = r.user.name.as_slice();
        let about: Vec<usize> =
            (0..active.len()).filter(|&k| file.expectations[active[k]].user() == Some(name)).collect();
        let mut units: Vec<Unit> = Vec::new();
        for step in &r.user.trail {
            let (Some(kind), Some(span)) = (kind_of(&step.op), step.span) else { continue };
            // An entry of ACL LIST output with escapes maps every rule to the whole entry.
            if span.end > text.len() || listing_spans.contains(&span) || units.iter().any(|u| u.span == span) {
                continue;
            }
            units.push(Unit { kind, span, text: text[span.start..span.end].to_string(), pinned_by: None });
        }
        for u in &mut units {
            out.mutants += 1;
            let changed = |k: usize, mutant: &Rules| evaluate(&file.expectations[active[k]], mutant).0 != base[k];
            let hit = if fast {
                // The user's line alone, mutated.
                let line = a.document.lines.iter().find(|l| l.span.start <= u.span.start && u.span.end <= l.span.end);
                let Some(line) = line else { continue };
                let local = Span::new(u.span.start - line.span.start, u.span.end - line.span.start);
                let mutated = without(&text[line.span.start..line.span.end], local);
                let m = analyze(&mutated, &Options { kind: Some(Kind::AclFile), ..*opts });
                let rules = Rules::new(&mutated, &m);
                let still_loads = m.served() == Served::Input;
                (0..active.len()).find(|&k| {
                    let e = &file.expectations[active[k]];
                    let mine = about.contains(&k) || e.user().is_none();
                    // Another user's own acceptance does not depend on this line; its
                    // other answers change only when the file no longer loads.
                    if mine || (!still_loads && !matches!(e.check, Check::Accepted { .. })) {
                        changed(k, &rules)
                    } else {
                        false
                    }
                })
            } else {
                let mutated = without(text, u.span);
                let m = analyze(&mutated, opts);
                let rules = Rules::new(&mutated, &m);
                (0..active.len()).find(|&k| changed(k, &rules))
            };
            u.pinned_by = hit.map(|k| active[k]);
        }
        out.users.push(UserCoverage { user: r.name(), span: r.span, tests: about.len(), units });
    }
    out
}
