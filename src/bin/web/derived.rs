//! Everything computed from the rules text: the analysis and the colouring (one
//! per change of the rules), and the audit (after it: see `Audit`). Shared as `Rc`s
//! compared by pointer.

use aclplay::audit::Finding;
use aclplay::input::highlight::Class;
use aclplay::span::{LineIndex, Span};
use aclplay::{Analysis, Kind, Options, Profile};
use std::rc::Rc;
use yew::AttrValue;

pub struct Derived {
    pub text: AttrValue,
    pub analysis: Analysis,
    pub tokens: Vec<(Span, Class)>,
    pub index: LineIndex,
    /// The users' names, in order (for the pickers).
    pub names: Rc<Vec<AttrValue>>,
    /// Wall time of analyze + highlight, in milliseconds (for the measurements).
    pub ms: f64,
}

impl Derived {
    pub fn new(text: &AttrValue, profile: &'static Profile, kind: Option<Kind>) -> Derived {
        let t0 = crate::dom::now();
        let opts = Options { kind, ..Options::new(profile) };
        let analysis = aclplay::analyze(text, &opts);
        let tokens = aclplay::input::highlight::highlight(text, &analysis.document);
        let names = Rc::new(analysis.users.iter().map(|r| AttrValue::from(r.name())).collect());
        Derived { text: text.clone(), index: LineIndex::new(text), tokens, analysis, names, ms: crate::dom::now() - t0 }
    }

    /// 1-based line and column of a byte offset.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let lc = self.index.locate(&self.text, offset);
        (lc.line, lc.column)
    }

    /// The source text of a span.
    pub fn src(&self, s: Span) -> &str {
        self.text.get(s.start..s.end).unwrap_or("")
    }
}

/// Shared, compared by identity: a new analysis is a new value.
#[derive(Clone)]
pub struct Shared(pub Rc<Derived>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Shared {
    type Target = Derived;
    fn deref(&self) -> &Derived {
        &self.0
    }
}

/// The security audit of one analysis (`lint`). It is not a verdict, so it may lag:
/// on large inputs it runs once typing pauses (see the app), and until then components
/// get `None` rather than findings whose spans point into an older text.
#[derive(Clone)]
pub struct Audit {
    pub of: Shared,
    pub findings: Rc<Vec<Finding>>,
    /// Carried over from an older text by [`Audit::follow`]: the real audit is pending.
    pub carried: bool,
}

impl Audit {
    pub fn new(d: &Shared) -> Audit {
        Audit { of: d.clone(), findings: Rc::new(aclplay::audit::lint(&d.analysis, &d.text)), carried: false }
    }

    /// This audit moved onto a newer text while the real one is pending: findings away
    /// from the edit keep their place (shifted past it), findings that touch it are
    /// dropped. Keeps the editor's underlines steady while typing in a large file.
    pub fn follow(&self, d: &Shared) -> Audit {
        let (old, new) = (self.of.text.as_bytes(), d.text.as_bytes());
        let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        let max_suffix = old.len().min(new.len()) - prefix;
        let suffix = old.iter().rev().zip(new.iter().rev()).take(max_suffix).take_while(|(a, b)| a == b).count();
        let (cut_end, delta) = (old.len() - suffix, new.len() as isize - old.len() as isize);
        let map = |s: Span| -> Option<Span> {
            if s.end < prefix || (s.end == prefix && s.start < s.end) {
                Some(s)
            } else if s.start > cut_end || (s.start == cut_end && prefix < cut_end) {
                let m = |x: usize| (x as isize + delta) as usize;
                Some(Span::new(m(s.start), m(s.end)))
            } else {
                None
            }
        };
        let findings = self
            .findings
            .iter()
            .filter_map(|f| {
                let spans = f.spans.iter().map(|&s| map(s)).collect::<Option<Vec<Span>>>()?;
                let fix = match &f.fix {
                    None => None,
                    Some(x) => {
                        let edits = x
                            .edits
                            .iter()
                            .map(|e| map(e.span).map(|span| aclplay::audit::Edit { span, ..e.clone() }))
                            .collect::<Option<Vec<_>>>()?;
                        Some(aclplay::audit::Fix { edits, ..x.clone() })
                    }
                };
                Some(Finding { spans, fix, ..f.clone() })
            })
            .collect();
        Audit { of: d.clone(), findings: Rc::new(findings), carried: true }
    }
}

impl PartialEq for Audit {
    fn eq(&self, other: &Self) -> bool {
        self.of == other.of && Rc::ptr_eq(&self.findings, &other.findings)
    }
}
