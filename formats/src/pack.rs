//! Trainer packs: several ACL challenges in one JSON file (`data/challenges/*.json`, the
//! schema `data/challenges/pack.schema.json`). A challenge is a story and a goal, the
//! rules a trainee starts from (some lines may be locked), the checks that say when the
//! goal is met — visible ones, and hidden ones shown only when the trainee asks to check —
//! in the test format of `aclplay test` (one expectation per element), progressive hints
//! and a reference solution.
//!
//! Texts are `Cow<'static, …>` so that one type serves both the built-in track, which
//! the engine's build script turns into static data (no JSON parser in the playground),
//! and packs read at run time (owned).

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A text of a pack.
pub type Text = Cow<'static, str>;
/// A multi-line text, one element per line (JSON has no readable multi-line strings).
pub type Lines = Cow<'static, [Text]>;

/// The pack format this build reads and writes.
pub const FORMAT: u32 = 1;

/// One file of challenges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// The schema's address, for editors (ignored).
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Text>,
    /// [`FORMAT`].
    pub format: u32,
    /// Short, stable (share links name it).
    pub id: Text,
    pub title: Text,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub description: Text,
    pub challenges: Cow<'static, [Challenge]>,
}

/// How hard a challenge is, for ordering a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Easy,
    Medium,
    Hard,
}

/// What the trainee writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Rules, starting from `starter`, until every check passes.
    #[default]
    Rules,
    /// One command line that `user` may run under `starter` (all locked) but should not:
    /// `intended` (the rules as they were meant) denies it. The reference `solution` is
    /// such a line.
    FindTheHole,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// One challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// Short, stable, unique in its pack.
    pub id: Text,
    pub title: Text,
    pub level: Level,
    /// The situation, in a few sentences.
    pub story: Text,
    /// What the rules must do, in one or two sentences.
    pub goal: Text,
    /// The server version the challenge is written for (an id; default: the reader's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<Text>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub mode: Mode,
    /// Find the hole: the user whose rules have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Text>,
    /// Find the hole: the rules as they were meant.
    #[serde(default, skip_serializing_if = "<[Text]>::is_empty")]
    pub intended: Lines,
    /// The rules the trainee starts from.
    pub starter: Lines,
    /// Starter lines (1-based) the trainee may not change; they must stay, in order.
    #[serde(default, skip_serializing_if = "<[u32]>::is_empty")]
    pub locked: Cow<'static, [u32]>,
    /// Checks shown from the start, one expectation per element.
    #[serde(default, skip_serializing_if = "<[Text]>::is_empty")]
    pub checks: Lines,
    /// Checks run only when the trainee asks to check.
    #[serde(default, skip_serializing_if = "<[Text]>::is_empty")]
    pub hidden: Lines,
    /// Hints, from a nudge to nearly the answer.
    #[serde(default, skip_serializing_if = "<[Text]>::is_empty")]
    pub hints: Lines,
    /// A reference solution: rules (or, to find a hole, one command line).
    pub solution: Lines,
}

/// `lines` joined by `\n`, each line ending with one (an empty text for none).
pub fn join(lines: &[Text]) -> String {
    let mut s = String::new();
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s
}

/// A text as [`Lines`] (the inverse of [`join`] for texts that end in a newline).
pub fn split(text: &str) -> Lines {
    let t = text.strip_suffix('\n').unwrap_or(text);
    if t.is_empty() && text.len() <= 1 {
        return Cow::Owned(Vec::new());
    }
    Cow::Owned(t.split('\n').map(|l| Cow::Owned(l.to_string())).collect())
}

/// Reads a pack from its JSON text; the error has the line and column.
#[cfg(feature = "files")]
pub fn from_json(text: &str) -> Result<Pack, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Reads a pack file.
#[cfg(feature = "files")]
pub fn load(path: &std::path::Path) -> Result<Pack, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A pack as Rust source of a `static` (the engine's build script writes the built-in
/// track so, and the engine reads it without a JSON parser).
#[cfg(feature = "files")]
pub fn to_rust(p: &Pack, name: &str) -> String {
    fn text(s: &str) -> String {
        format!("Cow::Borrowed({s:?})")
    }
    fn lines(v: &[Text]) -> String {
        format!("Cow::Borrowed(&[{}])", v.iter().map(|l| text(l)).collect::<Vec<_>>().join(", "))
    }
    fn opt(o: &Option<Text>) -> String {
        o.as_ref().map_or("None".into(), |s| format!("Some({})", text(s)))
    }
    let mut out = format!(
        "pub static {name}: Pack = Pack {{ schema: None, format: {}, id: {}, title: {}, description: {}, challenges: Cow::Borrowed(&[\n",
        p.format,
        text(&p.id),
        text(&p.title),
        text(&p.description)
    );
    for c in p.challenges.iter() {
        out.push_str(&format!(
            "Challenge {{ id: {}, title: {}, level: Level::{:?}, story: {}, goal: {}, server: {}, mode: Mode::{:?}, user: {}, intended: {}, starter: {}, locked: Cow::Borrowed(&{:?}), checks: {}, hidden: {}, hints: {}, solution: {} }},\n",
            text(&c.id),
            text(&c.title),
            c.level,
            text(&c.story),
            text(&c.goal),
            opt(&c.server),
            c.mode,
            opt(&c.user),
            lines(&c.intended),
            lines(&c.starter),
            &c.locked[..],
            lines(&c.checks),
            lines(&c.hidden),
            lines(&c.hints),
            lines(&c.solution),
        ));
    }
    out.push_str("]) };\n");
    out
}
