//! Challenges, the trainee's side of the workshop: a story and a goal, starter rules
//! (some lines locked), checks in the test format — visible ones and hidden ones run
//! only when the trainee asks to check —, progressive hints, a reference solution, and a
//! "fewest rule tokens" score. The types are the pack format's
//! (`aclplay_formats::pack`); the built-in track is [`builtin`].
//!
//! Two modes: write rules until every check passes ([`check_rules`]), or find the hole
//! in given rules: a command line the user may run but should not ([`check_hole`]).
//! [`check_pack`] says whether a pack is sound: every reference solution passes all its
//! checks and every starter fails at least one, on every version it is for.

pub use aclplay_formats::pack::{Challenge, FORMAT, Level, Lines, Mode, Pack, Text, join, split};

use super::run::{Rules, Run, run};
use super::testfile::{TestError, TestFile, parse};
use crate::analysis::{Options, analyze};
use crate::commands::{PROFILES, Profile};
use crate::engine::acl::Op;
use crate::span::Span;
use serde::{Deserialize, Serialize};

mod track {
    use super::*;
    use std::borrow::Cow;
    include!(concat!(env!("OUT_DIR"), "/track.rs"));
}

/// The built-in track (`data/challenges/track.json`, turned into static data by build.rs).
pub fn builtin() -> &'static Pack {
    &track::TRACK
}

/// A challenge's checks as a test file: `hidden` adds the hidden ones after the visible.
/// Line `n` of the text is element `n - 1` of `checks` (then of `hidden`).
pub fn checks_text(c: &Challenge, hidden: bool) -> String {
    let mut t = join(&c.checks);
    if hidden {
        t.push_str(&join(&c.hidden));
    }
    t
}

/// The versions a challenge is for: its `server`, else every version.
pub fn profiles_of(c: &Challenge) -> Vec<&'static Profile> {
    match c.server.as_deref().and_then(Profile::by_id) {
        Some(p) => vec![p],
        None => PROFILES.iter().collect(),
    }
}

/// The rule tokens of `rules` (the score: fewer is better): every rule the server applies
/// to the users the rules define, the rules inside a selector counted one by one.
pub fn rule_tokens(rules: &str, profile: &'static Profile) -> usize {
    let a = analyze(rules, &Options::new(profile));
    a.users
        .iter()
        .filter(|r| r.span.is_some())
        .flat_map(|r| &r.user.trail)
        .filter(|s| s.span.is_some() && !matches!(s.op, Op::Selector { .. } | Op::Empty))
        .count()
}

/// A locked starter line that the trainee's rules no longer hold (in order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockBroken {
    /// 1-based line of the starter.
    pub line: u32,
    pub text: String,
}

/// The locked lines of `c` that `rules` do not keep: each must be a whole line of
/// `rules`, in the starter's order.
pub fn broken_locks(c: &Challenge, rules: &str) -> Vec<LockBroken> {
    let lines: Vec<&str> = rules.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let mut at = 0;
    let mut out = Vec::new();
    for &n in c.locked.iter() {
        let Some(want) = c.starter.get((n as usize).wrapping_sub(1)) else { continue };
        match lines[at..].iter().position(|l| *l == want.as_ref()) {
            Some(i) => at += i + 1,
            None => out.push(LockBroken { line: n, text: want.to_string() }),
        }
    }
    out
}

/// The outcome of checking a trainee's rules on one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checked {
    pub server: &'static str,
    pub visible: Run,
    /// Run only when asked for.
    pub hidden: Option<Run>,
    pub locks: Vec<LockBroken>,
    /// The rules' tokens, and the reference solution's.
    pub tokens: usize,
    pub par: usize,
}

impl Checked {
    /// Every visible check passes and no locked line was changed.
    pub fn visible_pass(&self) -> bool {
        self.locks.is_empty() && self.visible.passed()
    }
    /// Solved: the hidden checks pass too (`None` until they are run).
    pub fn solved(&self) -> Option<bool> {
        self.hidden.as_ref().map(|h| self.visible_pass() && h.passed())
    }
}

fn run_checks(file: &TestFile, rules: &str, profile: &'static Profile) -> Run {
    let a = analyze(rules, &Options::new(profile));
    run(file, &Rules::new(rules, &a))
}

/// Checks a trainee's `rules` for a rules challenge on `profile`; with `hidden`, the
/// hidden checks too. The results of the hidden checks have line numbers after the
/// visible ones' (see [`checks_text`]).
pub fn check_rules(c: &Challenge, rules: &str, profile: &'static Profile, hidden: bool) -> Checked {
    let visible = parse(&checks_text(c, false));
    let both = parse(&checks_text(c, true));
    let mut hidden_run = hidden.then(|| run_checks(&both, rules, profile));
    if let Some(h) = &mut hidden_run {
        let n = c.checks.len();
        h.results.retain(|r| r.line > n);
    }
    Checked {
        server: profile.id,
        visible: run_checks(&visible, rules, profile),
        hidden: hidden_run,
        locks: broken_locks(c, rules),
        tokens: rule_tokens(rules, profile),
        par: rule_tokens(&join(&c.solution), profile),
    }
}

/// The outcome of a find-the-hole answer on one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoleChecked {
    pub server: &'static str,
    /// The answer is not one command line the test format reads.
    pub errors: Vec<String>,
    /// The user may run it under the given rules.
    pub allowed: Option<Run>,
    /// The rules as they were meant deny it.
    pub denied: Option<Run>,
}

impl HoleChecked {
    pub fn solved(&self) -> bool {
        self.errors.is_empty()
            && self.allowed.as_ref().is_some_and(Run::passed)
            && self.denied.as_ref().is_some_and(Run::passed)
    }
}

/// A username as a test file writes it.
fn quoted_name(n: &str) -> String {
    if !n.is_empty() && n.bytes().all(|b| b.is_ascii_graphic() && !b":\"'[".contains(&b)) {
        n.to_string()
    } else {
        crate::analysis::repr(n.as_bytes())
    }
}

/// Checks a find-the-hole answer: one command line that `c.user` may run under the
/// starter rules and that the intended rules deny.
pub fn check_hole(c: &Challenge, answer: &str, profile: &'static Profile) -> HoleChecked {
    let mut out = HoleChecked { server: profile.id, errors: Vec::new(), allowed: None, denied: None };
    let line = answer.trim();
    if line.is_empty() || line.contains('\n') {
        out.errors.push("write one command line".into());
        return out;
    }
    let user = quoted_name(c.user.as_deref().unwrap_or("default"));
    let allow = parse(&format!("{user}: {line} => allow"));
    let deny = parse(&format!("{user}: {line} => deny"));
    if let Some(e) = allow.errors.first() {
        out.errors.push(e.to_string());
        return out;
    }
    out.allowed = Some(run_checks(&allow, &join(&c.starter), profile));
    out.denied = Some(run_checks(&deny, &join(&c.intended), profile));
    out
}

/// Where a pack problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackPlace {
    /// Index into `challenges`.
    pub challenge: usize,
    /// The field (`checks`, `hidden`, `solution`, …).
    pub field: &'static str,
    /// The element of a list field.
    pub element: Option<usize>,
    /// Bytes of that element.
    pub span: Option<Span>,
}

/// Something wrong with a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackProblem {
    pub place: Option<PackPlace>,
    pub message: String,
}

fn test_errors(
    i: usize,
    field: &'static str,
    offset_lines: usize,
    errors: &[TestError],
    text: &str,
) -> Vec<PackProblem> {
    let ix = crate::span::LineIndex::new(text);
    errors
        .iter()
        .map(|e| {
            let line = ix.line_of(e.span.start);
            let start = ix.line_start(line);
            PackProblem {
                place: Some(PackPlace {
                    challenge: i,
                    field,
                    element: Some(line - offset_lines),
                    span: Some(Span::new(e.span.start - start, e.span.end - start)),
                }),
                message: format!("{e} [{}]; {}", e.code(), e.help()),
            }
        })
        .collect()
}

fn failures(r: &Run) -> String {
    r.results
        .iter()
        .filter(|x| x.verdict == super::run::Verdict::Fail)
        .map(|x| format!("line {}: expected {}, got {}", x.line, x.expected, x.actual.text()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether `pack` is sound; every problem found, in pack order.
pub fn check_pack(pack: &Pack) -> Vec<PackProblem> {
    let mut out = Vec::new();
    let at = |challenge: usize, field: &'static str, element: Option<usize>| {
        Some(PackPlace { challenge, field, element, span: None })
    };
    if pack.format != FORMAT {
        out.push(PackProblem {
            place: None,
            message: format!("pack format {} is not {FORMAT}, the one this aclplay reads", pack.format),
        });
        return out;
    }
    if pack.challenges.is_empty() {
        out.push(PackProblem { place: None, message: "the pack has no challenges".into() });
    }
    for (i, c) in pack.challenges.iter().enumerate() {
        let mut problem = |field: &'static str, element: Option<usize>, message: String| {
            out.push(PackProblem { place: at(i, field, element), message })
        };
        if let Some(j) = pack.challenges[..i].iter().position(|d| d.id == c.id) {
            problem("id", None, format!("challenge id `{}` is used by challenge {} too", c.id, j + 1));
        }
        if c.id.is_empty() || !c.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            problem("id", None, format!("challenge id `{}` must be lowercase letters, digits and `-`", c.id));
        }
        if let Some(s) = &c.server
            && Profile::by_id(s).is_none()
        {
            problem("server", None, crate::commands::profile::UnknownProfile { given: s.to_string() }.to_string());
            continue;
        }
        for &n in c.locked.iter() {
            if n == 0 || n as usize > c.starter.len() {
                problem(
                    "locked",
                    None,
                    format!("locked line {n} is not a line of the starter ({} lines)", c.starter.len()),
                );
            }
        }
        let both = parse(&checks_text(c, true));
        if !both.errors.is_empty() {
            let text = checks_text(c, true);
            let (v, h): (Vec<TestError>, Vec<TestError>) =
                both.errors.iter().cloned().partition(|e| e.span.start < join(&c.checks).len());
            out.extend(test_errors(i, "checks", 0, &v, &text));
            out.extend(test_errors(i, "hidden", c.checks.len(), &h, &text));
            continue;
        }
        let profiles = profiles_of(c);
        match c.mode {
            Mode::Rules => {
                if c.checks.is_empty() {
                    problem("checks", None, "a rules challenge needs visible checks".into());
                    continue;
                }
                let solution = join(&c.solution);
                let starter = join(&c.starter);
                for b in broken_locks(c, &solution) {
                    problem(
                        "solution",
                        None,
                        format!("the solution changes locked starter line {} `{}`", b.line, b.text),
                    );
                }
                for p in &profiles {
                    let s = run_checks(&both, &solution, p);
                    if !s.passed() {
                        problem("solution", None, format!("on {}, the solution fails: {}", p.id, failures(&s)));
                    }
                    if run_checks(&both, &starter, p).passed() {
                        problem("starter", None, format!("on {}, the starter already passes every check", p.id));
                    }
                }
            }
            Mode::FindTheHole => {
                if c.user.is_none() || c.intended.is_empty() {
                    problem("mode", None, "find-the-hole needs `user` and `intended`".into());
                    continue;
                }
                if c.solution.len() != 1 {
                    problem("solution", None, "the solution of find-the-hole is one command line".into());
                    continue;
                }
                if !c.locked.is_empty() && c.locked.len() != c.starter.len() {
                    problem("locked", None, "find-the-hole locks every starter line, or leaves `locked` out".into());
                }
                for p in &profiles {
                    let h = check_hole(c, &c.solution[0], p);
                    if !h.solved() {
                        let why = h
                            .errors
                            .first()
                            .cloned()
                            .or_else(|| {
                                h.allowed
                                    .as_ref()
                                    .filter(|r| !r.passed())
                                    .map(|r| format!("the starter does not allow it ({})", failures(r)))
                            })
                            .or_else(|| {
                                h.denied
                                    .as_ref()
                                    .filter(|r| !r.passed())
                                    .map(|r| format!("the intended rules allow it ({})", failures(r)))
                            })
                            .unwrap_or_default();
                        problem("solution", Some(0), format!("on {}, the solution is not a hole: {why}", p.id));
                    }
                    let intended = join(&c.intended);
                    if !both.expectations.is_empty() && !run_checks(&both, &intended, p).passed() {
                        problem("intended", None, format!("on {}, the intended rules fail the checks", p.id));
                    }
                }
            }
        }
    }
    out
}

/// A trainee's progress on one challenge: what a share link or the autosave keeps.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// The pack's id (`builtin` for the built-in track).
    pub pack: String,
    pub challenge: String,
    /// The trainee's rules (or, to find a hole, the answer).
    pub work: String,
    /// How many hints are shown.
    #[serde(default)]
    pub hints: u32,
    /// The reference solution was revealed.
    #[serde(default)]
    pub revealed: bool,
    /// The server version chosen (an id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
}

/// Packs and progress as JSON (feature `json`): what `aclplay challenge` reads, and
/// what a pack exported from the playground or carried by a link is.
#[cfg(feature = "json")]
pub mod json {
    use super::{Pack, Progress};

    /// Why a JSON text is not a pack (or progress): serde's message, at a line and column.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    #[error("{message}")]
    pub struct JsonError {
        pub message: String,
        /// 1-based.
        pub line: usize,
        pub column: usize,
    }

    fn error(e: serde_json::Error) -> JsonError {
        let message = e.to_string();
        // serde's text ends with " at line L column C": the place is kept apart.
        let message = message.rsplit_once(" at line ").map_or(message.clone(), |(m, _)| m.to_string());
        JsonError { message, line: e.line(), column: e.column() }
    }

    pub fn pack_from_json(text: &str) -> Result<Pack, JsonError> {
        serde_json::from_str(text).map_err(error)
    }

    pub fn pack_to_json(p: &Pack) -> String {
        serde_json::to_string_pretty(p).expect("a pack serialises")
    }

    pub fn progress_from_json(text: &str) -> Result<Progress, JsonError> {
        serde_json::from_str(text).map_err(error)
    }

    pub fn progress_to_json(p: &Progress) -> String {
        serde_json::to_string(p).expect("progress serialises")
    }
}
