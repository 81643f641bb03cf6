//! `aclplay challenge list|show|try|check`: the built-in track or a trainer pack. The core
//! checks (`aclplay::workshop::challenge`); this reads the pack and renders, with the
//! line and column of a problem in the pack's JSON where it has one.

use aclplay::span::LineIndex;
use aclplay::workshop::challenge::{self, Challenge, Mode, Pack, PackProblem, join};
use aclplay::workshop::run::Verdict;

/// A pack and where it came from (`None`: the built-in track).
pub struct Loaded {
    pub name: String,
    pub text: Option<String>,
    pub pack: Pack,
}

pub fn load(path: Option<&str>, read: impl Fn(&str) -> Result<String, String>) -> Result<Loaded, String> {
    match path {
        None => Ok(Loaded { name: "the built-in track".into(), text: None, pack: challenge::builtin().clone() }),
        Some(p) => {
            let text = read(p)?;
            let name = if p == "-" { "<stdin>".to_string() } else { p.to_string() };
            let pack = challenge::json::pack_from_json(&text)
                .map_err(|e| format!("{name}:{}:{}: not a trainer pack: {e}", e.line, e.column))?;
            Ok(Loaded { name, text: Some(text), pack })
        }
    }
}

pub fn find<'a>(l: &'a Loaded, id: &str) -> Result<&'a Challenge, String> {
    l.pack.challenges.iter().find(|c| c.id == id).ok_or_else(|| {
        let ids: Vec<&str> = l.pack.challenges.iter().map(|c| c.id.as_ref()).collect();
        format!("{} has no challenge `{id}`; it has: {}", l.name, ids.join(", "))
    })
}

fn level(c: &Challenge) -> &'static str {
    match c.level {
        challenge::Level::Easy => "easy",
        challenge::Level::Medium => "medium",
        challenge::Level::Hard => "hard",
    }
}

pub fn list(l: &Loaded) -> String {
    let mut out = format!("{} ({}): {}\n", l.pack.title, l.pack.id, l.name);
    for (i, c) in l.pack.challenges.iter().enumerate() {
        out.push_str(&format!("{:>3}. {:<22} {:<7} {}\n", i + 1, c.id, level(c), c.title));
    }
    out
}

pub fn show(c: &Challenge, hints: usize, solution: bool) -> String {
    let mut out = format!("{} ({}, {})\n\n{}\n\nGoal: {}\n", c.title, c.id, level(c), c.story, c.goal);
    if c.mode == Mode::FindTheHole {
        out.push_str(&format!(
            "\nThe rules of `{}` (locked); answer with one command line:\n",
            c.user.as_deref().unwrap_or("default")
        ));
    } else {
        out.push_str("\nStarter rules:\n");
    }
    for (i, l) in c.starter.iter().enumerate() {
        let lock = if c.locked.contains(&(i as u32 + 1)) { " (locked)" } else { "" };
        out.push_str(&format!("  {l}{lock}\n"));
    }
    if !c.checks.is_empty() {
        out.push_str("\nChecks:\n");
        for l in c.checks.iter() {
            out.push_str(&format!("  {l}\n"));
        }
    }
    if !c.hidden.is_empty() {
        out.push_str(&format!("  … and {} hidden check(s), run by `aclplay challenge try --hidden`\n", c.hidden.len()));
    }
    for (i, h) in c.hints.iter().take(hints).enumerate() {
        out.push_str(&format!("\nHint {}: {h}\n", i + 1));
    }
    if hints < c.hints.len() {
        out.push_str(&format!("\n{} hint(s) more: --hints N\n", c.hints.len() - hints.min(c.hints.len())));
    }
    if solution {
        out.push_str("\nA solution:\n");
        for l in c.solution.iter() {
            out.push_str(&format!("  {l}\n"));
        }
    }
    out
}

/// Checks a trainee's work; the text and whether it solves the challenge on every version.
pub fn try_work(c: &Challenge, work: &str, hidden: bool) -> (String, bool) {
    let mut out = String::new();
    let mut all = true;
    for p in challenge::profiles_of(c) {
        if c.mode == Mode::FindTheHole {
            let h = challenge::check_hole(c, work, p);
            let ok = h.solved();
            all &= ok;
            let why = if let Some(e) = h.errors.first() {
                e.clone()
            } else if !h.allowed.as_ref().is_some_and(|r| r.passed()) {
                let got =
                    h.allowed.as_ref().and_then(|r| r.results.first()).map(|r| r.actual.text()).unwrap_or_default();
                format!("the rules do not let `{}` run it: {got}", c.user.as_deref().unwrap_or("default"))
            } else if !ok {
                "the rules as they were meant allow it too: that is no hole".into()
            } else {
                "allowed by the rules, denied by the rules as they were meant: a hole".into()
            };
            out.push_str(&format!("{}: {} ({why})\n", p.id, if ok { "solved" } else { "not yet" }));
            continue;
        }
        let r = challenge::check_rules(c, work, p, hidden);
        for b in &r.locks {
            out.push_str(&format!("{}: locked line {} was changed or removed: {}\n", p.id, b.line, b.text));
        }
        let runs = std::iter::once(("check", &r.visible)).chain(r.hidden.as_ref().map(|h| ("hidden check", h)));
        for (what, run) in runs {
            for x in run.results.iter().filter(|x| x.verdict == Verdict::Fail) {
                let line =
                    if what == "check" { c.checks.get(x.line - 1) } else { c.hidden.get(x.line - 1 - c.checks.len()) };
                let shown =
                    if what == "check" { line.map(|l| l.to_string()).unwrap_or_default() } else { "(hidden)".into() };
                out.push_str(&format!(
                    "{}: {what} fails: {shown}\n    expected {}, got {}\n",
                    p.id,
                    x.expected,
                    x.actual.text()
                ));
            }
        }
        let solved = r.solved();
        all &= solved.unwrap_or(r.visible_pass());
        let passed = r.visible.results.len() - r.visible.failures();
        out.push_str(&format!(
            "{}: {} ({passed} of {} checks pass{}); {} rule tokens, the reference uses {}\n",
            p.id,
            match solved {
                Some(true) => "solved",
                Some(false) => "not yet",
                None if r.visible_pass() => "visible checks pass; --hidden runs the hidden ones",
                None => "not yet",
            },
            r.visible.results.len(),
            r.hidden
                .as_ref()
                .map(|h| format!(", {} of {} hidden", h.results.len() - h.failures(), h.results.len()))
                .unwrap_or_default(),
            r.tokens,
            r.par
        ));
    }
    (out, all)
}

/// `line:column` in the pack's JSON of the place a problem names, where it can be found.
fn locate(l: &Loaded, p: &PackProblem) -> Option<(usize, usize)> {
    let text = l.text.as_deref()?;
    let place = p.place.as_ref()?;
    let c = l.pack.challenges.get(place.challenge)?;
    let ix = LineIndex::new(text);
    let id = serde_json::to_string(c.id.as_ref()).ok()?;
    let from = text.match_indices(&id).map(|(i, _)| i).find(|&i| text[..i].trim_end().ends_with(':'))?;
    let element = |field: &str, i: usize| -> Option<&str> {
        let v: &[challenge::Text] = match field {
            "checks" => &c.checks,
            "hidden" => &c.hidden,
            "solution" => &c.solution,
            "starter" => &c.starter,
            "intended" => &c.intended,
            _ => return None,
        };
        v.get(i).map(|s| s.as_ref())
    };
    let at = match place.element.and_then(|i| element(place.field, i)) {
        Some(e) => {
            let lit = serde_json::to_string(e).ok()?;
            let start = text[from..].find(&lit).map(|i| from + i).or_else(|| text.find(&lit))?;
            // The offset inside the element, through the literal's escapes.
            let want = place.span.map_or(0, |s| s.start);
            let mut raw = start + 1;
            let mut decoded = 0;
            let b = text.as_bytes();
            while decoded < want && raw < b.len() {
                let step = if b[raw] == b'\\' { if b.get(raw + 1) == Some(&b'u') { 6 } else { 2 } } else { 1 };
                decoded += if step == 1 {
                    1
                } else {
                    e.get(decoded..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8)
                };
                raw += step;
            }
            raw
        }
        None => {
            let key = format!("\"{}\"", place.field);
            text[from..].find(&key).map_or(from, |i| from + i)
        }
    };
    let p = ix.locate(text, at);
    Some((p.line, p.column))
}

/// `aclplay challenge check`: every problem with its place, and the summary.
pub fn check(l: &Loaded) -> (String, bool) {
    let problems = challenge::check_pack(&l.pack);
    let mut out = String::new();
    for p in &problems {
        let place = match (&p.place, locate(l, p)) {
            (Some(pl), Some((line, col))) => {
                format!("{}:{line}:{col}: challenge `{}`, {}: ", l.name, l.pack.challenges[pl.challenge].id, field(pl))
            }
            (Some(pl), None) => {
                format!("{}: challenge `{}`, {}: ", l.name, l.pack.challenges[pl.challenge].id, field(pl))
            }
            (None, _) => format!("{}: ", l.name),
        };
        out.push_str(&format!("{place}{}\n", p.message));
    }
    let versions: Vec<&str> = aclplay::PROFILES.iter().map(|p| p.id).collect();
    if problems.is_empty() {
        out.push_str(&format!(
            "{}: {} challenge(s) ok: every solution passes all its checks, every starter fails one ({})\n",
            l.name,
            l.pack.challenges.len(),
            versions.join(", ")
        ));
    } else {
        out.push_str(&format!("{}: {} problem(s)\n", l.name, problems.len()));
    }
    (out, problems.is_empty())
}

fn field(p: &challenge::PackPlace) -> String {
    match p.element {
        Some(i) => format!("{}[{i}]", p.field),
        None => p.field.to_string(),
    }
}

/// A challenge's text for `show --format json`.
pub fn json(c: &Challenge) -> serde_json::Value {
    let mut v = serde_json::to_value(c).expect("serialisable");
    v["starter_text"] = join(&c.starter).into();
    v
}
