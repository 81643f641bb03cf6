//! `aclplay test RULES TESTS`: the results of a test file, printed as text (rustc-style
//! failures with expected, actual and the deciding rule), JSON or JUnit XML. The core
//! computes them (`aclplay::workshop`); this only renders.

use aclplay::span::{LineIndex, Span};
use aclplay::workshop::{Check, Run, TestError, TestFile, Verdict};
use std::sync::Arc;

/// The two texts results point into.
pub struct Sources<'a> {
    pub rules_name: &'a str,
    pub rules: &'a str,
    pub tests_name: &'a str,
    pub tests: &'a str,
}

impl Sources<'_> {
    fn at(&self, text: &str, s: Span) -> (usize, usize) {
        let p = LineIndex::new(text).locate(text, s.start);
        (p.line, p.column)
    }
    fn rule(&self, s: Span) -> String {
        self.rules.get(s.start..s.end).unwrap_or("").to_string()
    }
    /// What the span of a result points at, for `check`.
    fn where_(&self, check: &Check, s: Span) -> String {
        let (l, c) = self.at(self.rules, s);
        let what = match check {
            Check::Dryrun { .. } => "decided by",
            Check::Audit { .. } => "found at",
            _ => "the user's rules:",
        };
        format!("{what} `{}` ({}:{l}:{c})", self.rule(s), self.rules_name)
    }
}

fn handler() -> miette::GraphicalReportHandler {
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
}

/// A failed expectation, for miette: the line of the test file, with the deciding rule of
/// the rules file as a related diagnostic.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct Failure {
    message: String,
    span: Span,
    help: String,
    src: Arc<miette::NamedSource<String>>,
    related: Vec<Decider>,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct Decider {
    message: String,
    span: Span,
    src: Arc<miette::NamedSource<String>>,
}

impl miette::Diagnostic for Failure {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("test::fail"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&*self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_with_span(None, self.span))))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(self.related.iter().map(|d| d as &dyn miette::Diagnostic)))
    }
}

impl miette::Diagnostic for Decider {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&*self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_with_span(Some("here".into()), self.span))))
    }
}

/// The test file's errors, rendered as the rules' diagnostics are.
pub fn errors_text(src: &Sources, errors: &[TestError]) -> String {
    let named = Arc::new(miette::NamedSource::new(src.tests_name, src.tests.to_string()));
    let mut out = String::new();
    for e in errors {
        let report = miette::Report::new(e.clone()).with_source_code(named.clone());
        let _ = handler().render_report(&mut out, report.as_ref());
    }
    out
}

/// One line per version, and a rustc-style block per failure.
pub fn text(src: &Sources, file: &TestFile, runs: &[Run]) -> String {
    let tests = Arc::new(miette::NamedSource::new(src.tests_name, src.tests.to_string()));
    let rules = Arc::new(miette::NamedSource::new(src.rules_name, src.rules.to_string()));
    let mut out = String::new();
    for run in runs {
        for r in run.results.iter().filter(|r| r.verdict == Verdict::Fail) {
            let e = &file.expectations[r.index];
            let mut help = vec![format!("expected: {}", r.expected), format!("actual:   {}", r.actual.text())];
            if let Some(n) = &r.note {
                help.push(format!("note: {n}"));
            }
            let related = r
                .deciding
                .map(|s| vec![Decider { message: src.where_(&e.check, s), span: s, src: rules.clone() }])
                .unwrap_or_default();
            let f = Failure {
                message: format!("on {}: expected {}, got {}", run.server, r.expected, r.actual.text()),
                span: e.span,
                help: help.join("\n"),
                src: tests.clone(),
                related,
            };
            let _ = handler().render_report(&mut out, &f);
        }
    }
    for run in runs {
        let total = run.results.len();
        let failed = run.failures();
        let errors = match file.errors.len() {
            0 => String::new(),
            n => format!("; {n} error(s) in the test file"),
        };
        out.push_str(&format!(
            "{} on {}: {} ({} passed; {failed} failed; {} skipped{errors})\n",
            src.tests_name,
            run.server,
            if failed == 0 && file.is_ok() { "ok" } else { "FAILED" },
            total - failed,
            run.skipped
        ));
    }
    out
}

fn span_json(src: &Sources, text: &str, s: Span) -> serde_json::Value {
    let (line, column) = src.at(text, s);
    serde_json::json!({"start": s.start, "end": s.end, "line": line, "column": column, "text": text.get(s.start..s.end)})
}

pub fn json(src: &Sources, file: &TestFile, runs: &[Run]) -> serde_json::Value {
    let errors: Vec<serde_json::Value> = file
        .errors
        .iter()
        .map(|e| {
            let (line, column) = src.at(src.tests, e.span);
            serde_json::json!({"code": e.code(), "message": e.to_string(), "help": e.help(), "line": line, "column": column})
        })
        .collect();
    let runs_json: Vec<serde_json::Value> = runs
        .iter()
        .map(|run| {
            let results: Vec<serde_json::Value> = run
                .results
                .iter()
                .map(|r| {
                    let e = &file.expectations[r.index];
                    let (line, column) = src.at(src.tests, e.span);
                    serde_json::json!({
                        "line": line,
                        "column": column,
                        "expectation": src.tests.get(e.span.start..e.span.end),
                        "verdict": r.verdict,
                        "expected": r.expected,
                        "actual": r.actual,
                        "actual_text": r.actual.text(),
                        "deciding": r.deciding.map(|s| span_json(src, src.rules, s)),
                        "note": r.note,
                    })
                })
                .collect();
            serde_json::json!({
                "server": run.server,
                "passed": run.results.len() - run.failures(),
                "failed": run.failures(),
                "skipped": run.skipped,
                "results": results,
            })
        })
        .collect();
    let ok = file.is_ok() && runs.iter().all(Run::passed);
    serde_json::json!({
        "rules": src.rules_name,
        "tests": src.tests_name,
        "ok": ok,
        "errors": errors,
        "runs": runs_json,
    })
}

/// XML 1.0 has no control characters but tab, newline and carriage return.
fn xml_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c.to_string(),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => format!("\\x{:02x}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// JUnit XML (the schema of Jenkins' JUnit reports, `tests/data/junit-10.xsd`): one
/// test suite per version, one test case per expectation; test-file errors are errors.
pub fn junit(src: &Sources, file: &TestFile, runs: &[Run]) -> String {
    use quick_xml::events::BytesText;
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    let total: usize = runs.iter().map(|r| r.results.len() + r.skipped).sum::<usize>() + file.errors.len();
    let failures: usize = runs.iter().map(Run::failures).sum();
    let name_of = |e: &aclplay::workshop::Expectation| {
        xml_text(&format!("line {}: {}", e.line, src.tests.get(e.span.start..e.span.end).unwrap_or("")))
    };
    let suites = |w: &mut quick_xml::Writer<Vec<u8>>| -> std::io::Result<()> {
        if !file.errors.is_empty() {
            let n = file.errors.len().to_string();
            w.create_element("testsuite")
                .with_attributes([
                    ("name", xml_text(&format!("{} (reading the test file)", src.tests_name)).as_str()),
                    ("tests", n.as_str()),
                    ("failures", "0"),
                    ("errors", n.as_str()),
                ])
                .write_inner_content(|w| {
                    for e in &file.errors {
                        let (l, c) = src.at(src.tests, e.span);
                        w.create_element("testcase")
                            .with_attributes([
                                ("name", xml_text(&format!("line {l}")).as_str()),
                                ("classname", xml_text(src.tests_name).as_str()),
                            ])
                            .write_inner_content(|w| {
                                w.create_element("error")
                                    .with_attributes([
                                        ("message", xml_text(&format!("{l}:{c}: {e}")).as_str()),
                                        ("type", e.code()),
                                    ])
                                    .write_text_content(BytesText::new(&xml_text(&e.help())))?;
                                Ok(())
                            })?;
                    }
                    Ok(())
                })?;
        }
        for run in runs {
            let tests = (run.results.len() + run.skipped).to_string();
            let failed = run.failures().to_string();
            let skipped = run.skipped.to_string();
            let classname = xml_text(&format!("{} on {}", src.tests_name, run.server));
            w.create_element("testsuite")
                .with_attributes([
                    ("name", classname.as_str()),
                    ("tests", tests.as_str()),
                    ("failures", failed.as_str()),
                    ("errors", "0"),
                    ("skipped", skipped.as_str()),
                ])
                .write_inner_content(|w| {
                    let mut done = vec![false; file.expectations.len()];
                    for r in &run.results {
                        done[r.index] = true;
                        let e = &file.expectations[r.index];
                        let case = w
                            .create_element("testcase")
                            .with_attributes([("name", name_of(e).as_str()), ("classname", classname.as_str())]);
                        if r.verdict == Verdict::Pass {
                            case.write_empty()?;
                            continue;
                        }
                        let mut detail = format!("expected: {}\nactual:   {}", r.expected, r.actual.text());
                        if let Some(s) = r.deciding {
                            detail.push('\n');
                            detail.push_str(&src.where_(&e.check, s));
                        }
                        if let Some(n) = &r.note {
                            detail.push_str(&format!("\nnote: {n}"));
                        }
                        let (l, c) = src.at(src.tests, e.span);
                        let message =
                            format!("{}:{l}:{c}: expected {}, got {}", src.tests_name, r.expected, r.actual.text());
                        case.write_inner_content(|w| {
                            w.create_element("failure")
                                .with_attributes([("message", xml_text(&message).as_str()), ("type", "test::fail")])
                                .write_text_content(BytesText::new(&xml_text(&detail)))?;
                            Ok(())
                        })?;
                    }
                    for (i, e) in file.expectations.iter().enumerate().filter(|(i, _)| !done[*i]) {
                        let _ = i;
                        w.create_element("testcase")
                            .with_attributes([("name", name_of(e).as_str()), ("classname", classname.as_str())])
                            .write_inner_content(|w| {
                                w.create_element("skipped")
                                    .with_attribute((
                                        "message",
                                        xml_text(&format!("not run on {}", run.server)).as_str(),
                                    ))
                                    .write_empty()?;
                                Ok(())
                            })?;
                    }
                    Ok(())
                })?;
        }
        Ok(())
    };
    let total = total.to_string();
    let failures = failures.to_string();
    let errors = file.errors.len().to_string();
    w.write_event(quick_xml::events::Event::Decl(quick_xml::events::BytesDecl::new("1.0", Some("UTF-8"), None)))
        .expect("writing to memory");
    w.create_element("testsuites")
        .with_attributes([
            ("name", "aclplay test"),
            ("tests", total.as_str()),
            ("failures", failures.as_str()),
            ("errors", errors.as_str()),
        ])
        .write_inner_content(suites)
        .expect("writing to memory");
    let mut s = String::from_utf8(w.into_inner()).expect("UTF-8");
    s.push('\n');
    s
}
