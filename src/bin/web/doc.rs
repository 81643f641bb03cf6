//! The rules and everything computed from them: the analysis kept up to date edit by
//! edit (`aclplay::analysis::tracked`), the users' names for the pickers, and the
//! security audit, which may lag behind the text (on a large input it runs in slices
//! once typing pauses).

use aclplay::analysis::tracked::{Change, Tracked, TrackedOptions};
use aclplay::audit::{Finding, Group, Lint};
use aclplay::diagnostics::Severity;
use aclplay::span::Span;
use aclplay::{Kind, Profile};
use std::rc::Rc;
use yew::AttrValue;

pub struct Doc {
    pub t: Tracked,
    /// Bumped by every change of the analysis: what the audit and the panels compare.
    pub rev: u64,
    /// The users' names, in order (for the pickers); shared while they do not change.
    pub names: Rc<Vec<AttrValue>>,
    /// Wall time of the last analysis (and highlighting), in milliseconds.
    pub ms: f64,
}

impl Doc {
    pub fn new(text: String, profile: &'static Profile, kind: Option<Kind>) -> Doc {
        let t0 = crate::platform::dom::now();
        let t = Tracked::new(text, TrackedOptions::new(profile, kind));
        let mut d = Doc { t, rev: 0, names: Rc::default(), ms: 0.0 };
        d.refresh_names();
        d.ms = crate::platform::dom::now() - t0;
        d
    }

    pub fn text(&self) -> &str {
        self.t.text()
    }

    pub fn analysis(&self) -> &aclplay::Analysis {
        self.t.analysis()
    }

    /// Replaces the text; only what the edit changed is analysed again.
    pub fn set_text(&mut self, text: String) -> Change {
        let t0 = crate::platform::dom::now();
        let change = self.t.set_text(text);
        self.rev += 1;
        self.refresh_names();
        self.ms = crate::platform::dom::now() - t0;
        change
    }

    pub fn set_options(&mut self, profile: &'static Profile, kind: Option<Kind>) {
        let t0 = crate::platform::dom::now();
        self.t.set_options(TrackedOptions::new(profile, kind));
        self.rev += 1;
        self.refresh_names();
        self.ms = crate::platform::dom::now() - t0;
    }

    pub fn profile(&self) -> &'static Profile {
        self.t.options().profile
    }

    pub fn kind(&self) -> Option<Kind> {
        self.t.options().kind
    }

    fn refresh_names(&mut self) {
        let users = &self.t.analysis().users;
        let same = users.len() == self.names.len()
            && users.iter().zip(self.names.iter()).all(|(r, n)| r.user.name == n.as_bytes());
        if !same {
            self.names = Rc::new(users.iter().map(|r| AttrValue::from(r.name())).collect());
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let lc = self.t.line_index().locate(self.text(), offset);
        (lc.line, lc.column)
    }

    /// The source text of a span.
    pub fn src(&self, s: Span) -> &str {
        self.text().get(s.start..s.end).unwrap_or("")
    }

    pub fn line_count(&self) -> usize {
        let t = self.text();
        self.t.line_index().line_of(t.len()) + 1
    }

    /// The span of 0-based line `i`, without its line break.
    pub fn line_span(&self, i: usize) -> Span {
        let ix = self.t.line_index();
        let n = self.line_count();
        let start = ix.line_start(i.min(n - 1));
        Span::new(start, if i + 1 < n { ix.line_start(i + 1) - 1 } else { self.text().len() })
    }
}

/// A sliced audit in progress (see `App::audit_step`).
pub struct Run {
    pub of: u64,
    pub lint: Lint,
    /// Users per slice, adjusted to keep each slice short.
    pub batch: usize,
}

/// The security audit of one revision of the rules.
#[derive(Default)]
pub struct Audit {
    /// The revision the findings are of; while it is not the current one the findings are
    /// stale (their spans point into an older text) and `marks` carries on without them.
    pub of: Option<u64>,
    pub findings: Vec<Finding>,
    pub groups: Vec<Group>,
    /// Findings per severity (info, warning, error).
    pub counts: [usize; 3],
    /// The findings' main spans, moved along with the edits since (the editor's
    /// underlines), in order.
    pub marks: Vec<Span>,
    pub running: Option<Run>,
}

pub fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

impl Audit {
    /// Whether the findings are those of revision `rev`.
    pub fn current(&self, rev: u64) -> bool {
        self.of == Some(rev)
    }

    /// The findings of revision `rev`.
    pub fn set(&mut self, rev: u64, findings: Vec<Finding>) {
        self.groups = aclplay::audit::groups(&findings);
        self.counts = [0; 3];
        for f in &findings {
            self.counts[severity_index(f.severity)] += 1;
        }
        self.marks = findings.iter().filter_map(|f| f.spans.first().copied()).collect();
        self.findings = findings;
        self.of = Some(rev);
        self.running = None;
    }

    /// The audit of the doc as it is, at once.
    pub fn run_now(&mut self, doc: &Doc) {
        self.set(doc.rev, aclplay::audit::lint(doc.analysis(), doc.text()));
    }

    /// The text changed: the marks away from the edit move with it, those in the changed
    /// lines go (the next audit brings them back).
    pub fn follow(&mut self, change: Change) {
        self.running = None;
        if change.whole {
            self.marks.clear();
            return;
        }
        let by = change.new.end as isize - change.old.end as isize;
        self.marks.retain_mut(|s| {
            if s.start < change.old.start && s.end <= change.old.start {
                true
            } else if s.start >= change.old.end {
                *s = s.shifted(by);
                true
            } else {
                false
            }
        });
    }
}
