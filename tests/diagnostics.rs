//! Every [`Problem`] variant, triggered by the input its doc comment in `src/diag.rs`
//! names: the code, severity, span (as line:column and as the source text it covers) and
//! the server's verbatim words are checked, and the diagnostic as the CLI renders it is
//! snapshotted.
//!
//! The doc comments are read from `src/diag.rs` itself, so an example that is edited there
//! and not here (or the reverse) fails `doc_comments_name_the_tested_inputs`.

use aclplay::diagnostics::{Diagnostic, Problem, Severity};
use aclplay::span::{LineCol, LineIndex};
use aclplay::{Kind, Options, Profile, analyze};

mod common;

/// The variant's name. No wildcard arm: a new variant does not compile until it is named
/// here, and `every_variant_is_triggered` then demands a case for it.
fn variant(p: &Problem) -> &'static str {
    match p {
        Problem::Rule { .. } => "Rule",
        Problem::BadUsername { .. } => "BadUsername",
        Problem::Unmatched { .. } => "Unmatched",
        Problem::NotUserLine { .. } => "NotUserLine",
        Problem::Duplicate { .. } => "Duplicate",
        Problem::UnbalancedQuotes => "UnbalancedQuotes",
        Problem::ListCrash { .. } => "ListCrash",
        Problem::NoPermissionPattern { .. } => "NoPermissionPattern",
        Problem::UsersAndAclfile => "UsersAndAclfile",
        Problem::StartupRule { .. } => "StartupRule",
        Problem::StartupUsername { .. } => "StartupUsername",
        Problem::BadDirective => "BadDirective",
        Problem::NotSimulated { .. } => "NotSimulated",
        Problem::UnknownLine => "UnknownLine",
        Problem::Arity => "Arity",
    }
}

/// Keep in step with `variant` (the compiler checks that one).
const VARIANTS: &[&str] = &[
    "Rule",
    "BadUsername",
    "Unmatched",
    "NotUserLine",
    "Duplicate",
    "UnbalancedQuotes",
    "ListCrash",
    "NoPermissionPattern",
    "UsersAndAclfile",
    "StartupRule",
    "StartupUsername",
    "BadDirective",
    "NotSimulated",
    "UnknownLine",
    "Arity",
];

/// One case of tests/data/diagnostics.toml (its header explains the fields).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// Snapshot name.
    id: String,
    /// What it pins, in words.
    pins: String,
    variant: String,
    doc: String,
    kind: String,
    text: String,
    when: String,
    code: String,
    severity: String,
    at: String,
    spanned: String,
    server: Option<String>,
}

impl Case {
    fn kind(&self) -> Kind {
        Kind::by_id(&self.kind).unwrap_or_else(|| panic!("{}: no input kind `{}`", self.id, self.kind))
    }
    fn severity(&self) -> Severity {
        match self.severity.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            s => panic!("{}: no severity `{s}`", self.id),
        }
    }
    fn at(&self) -> LineCol {
        let (l, c) = self.at.split_once(':').unwrap_or_else(|| panic!("{}: `at` is line:column", self.id));
        LineCol { line: l.parse().expect("a line number"), column: c.parse().expect("a column") }
    }
    fn servers(&self) -> Vec<&'static Profile> {
        common::servers_where(&self.when)
    }
}

fn cases() -> Vec<Case> {
    #[derive(serde::Deserialize)]
    struct File {
        case: Vec<Case>,
    }
    let f: File = toml::from_str(include_str!("data/diagnostics.toml")).expect("tests/data/diagnostics.toml");
    for c in &f.case {
        assert!(!c.pins.trim().is_empty(), "{}: say what the case pins", c.id);
        assert!(!c.servers().is_empty(), "{}: `when = {:?}` selects no server version", c.id, c.when);
    }
    f.case
}

fn source_name(kind: Kind) -> &'static str {
    match kind {
        Kind::AclFile => "users.acl",
        Kind::Config => "redis.conf",
        Kind::Commands => "commands.txt",
        Kind::Listing => "acl-list.txt",
    }
}

/// The diagnostic as `aclplay check` prints it without a terminal (see `report` in
/// src/bin/aclplay/main.rs): miette's graphical handler, unicode without colour.
fn render(d: &Diagnostic, name: &str, text: &str) -> String {
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    let report = miette::Report::new(d.clone()).with_source_code(miette::NamedSource::new(name, text.to_string()));
    let mut out = String::new();
    handler.render_report(&mut out, report.as_ref()).expect("rendering into a String cannot fail");
    out
}

fn diagnostics(case: &Case, profile: &'static Profile) -> (Vec<Diagnostic>, Vec<String>) {
    let a = analyze(&case.text, &Options { kind: Some(case.kind()), ..Options::new(profile) });
    let codes = a.diagnostics.iter().map(|d| d.code().to_string()).collect();
    (a.diagnostics, codes)
}

#[test]
fn each_documented_input_triggers_its_variant() {
    for case in cases() {
        let mut first_render: Option<(String, &str)> = None;
        for profile in case.servers() {
            let who = format!("{} on {}", case.id, profile.id);
            let (diags, codes) = diagnostics(&case, profile);
            // One input, one problem: a second diagnostic would be a false positive here.
            assert_eq!(codes, vec![case.code.clone()], "{who}: diagnostics");
            let d = &diags[0];
            assert_eq!(variant(&d.problem), case.variant, "{who}: variant");
            assert_eq!(d.severity, case.severity(), "{who}: severity");
            let span = d.span.unwrap_or_else(|| panic!("{who}: no span"));
            assert_eq!(&case.text[span.start..span.end], case.spanned, "{who}: span covers");
            let at = d.location(&case.text, &LineIndex::new(&case.text));
            assert_eq!(at, Some(case.at()), "{who}: line:column");
            assert_eq!(d.server, case.server, "{who}: server text");
            // Our own message: lowercase, with the user's input in backticks.
            let msg = d.message();
            assert!(msg.starts_with(|c: char| c.is_lowercase() || c == '`'), "{who}: message `{msg}` is not lowercase");
            let rendered = render(d, source_name(case.kind()), &case.text);
            match &first_render {
                None => {
                    insta::assert_snapshot!(case.id.as_str(), rendered);
                    first_render = Some((rendered, profile.id));
                }
                // The servers agree on the words, so the diagnostic must read the same.
                Some((first, on)) => assert_eq!(&rendered, first, "{who}: rendered differently from {on}"),
            }
        }
    }
}

#[test]
fn every_variant_is_triggered() {
    let cases = cases();
    for v in VARIANTS {
        assert!(cases.iter().any(|c| c.variant == *v), "no case triggers Problem::{v}");
    }
    // Every code a `Problem` can have (the `Reason`s of `Rule` give several) is reached.
    let codes: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes.len(), 23, "codes reached: {codes:?}");
}

/// The doc comment of each variant, read from the source.
fn doc_comments() -> Vec<(String, String)> {
    let src = include_str!("../src/diagnostics.rs");
    let body = &src[src.find("pub enum Problem {").expect("Problem in diag.rs")..];
    let body = &body[..body.find("\n}\n").expect("end of Problem")];
    let mut out = Vec::new();
    let mut doc = String::new();
    for line in body.lines().skip(1) {
        let t = line.trim();
        if let Some(d) = t.strip_prefix("///") {
            doc.push_str(d.trim());
            doc.push(' ');
        } else if t.starts_with(|c: char| c.is_ascii_uppercase()) {
            let name: String = t.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            out.push((name, std::mem::take(&mut doc)));
        }
    }
    out
}

#[test]
fn doc_comments_name_the_tested_inputs() {
    let docs = doc_comments();
    let names: Vec<&str> = docs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, VARIANTS, "variants in src/diag.rs");
    for case in cases() {
        let (_, doc) = docs.iter().find(|(n, _)| *n == case.variant).expect("documented variant");
        assert!(
            doc.contains(&case.doc),
            "{}: the doc comment of {} does not say {:?}:\n{doc}",
            case.id,
            case.variant,
            case.doc
        );
    }
}

/// The ListCrash and NoPermissionPattern inputs, on every version: what each says follows
/// its switches (`firstarg_whitespace_crashes_list`, `key_permissions`).
#[test]
fn list_crashes_follow_the_switches() {
    use aclplay::commands::profile::KeyPermissions;
    let all = cases();
    let case = all.iter().find(|c| c.id == "list-crash").expect("the list-crash case");
    let pattern = all.iter().find(|c| c.id == "no-permission-pattern").expect("the no-permission-pattern case");
    for p in aclplay::PROFILES {
        let (_, codes) = diagnostics(case, p);
        let want: &[&str] = if p.behavior.firstarg_whitespace_crashes_list { &["acl::list-crash"] } else { &[] };
        assert_eq!(codes, want, "{}: {}", p.id, case.text);
        let (_, codes) = diagnostics(pattern, p);
        let want = match p.behavior.key_permissions {
            KeyPermissions::Required => "acl::syntax",
            KeyPermissions::Unchecked | KeyPermissions::TildeChecked => "acl::no-permission-pattern",
        };
        assert_eq!(codes, [want], "{}: {}", p.id, pattern.text);
    }
}

/// The redis-cli form of unbalanced quotes, which the doc comment mentions without an
/// example: redis-cli itself refuses the line.
#[test]
fn unbalanced_quotes_in_commands() {
    let text = "ACL SETUSER x \"unclosed\n";
    for profile in common::servers_where("all") {
        let a = analyze(text, &Options { kind: Some(Kind::Commands), ..Options::new(profile) });
        let d: Vec<_> = a.diagnostics.iter().map(|d| (d.code(), d.span, d.server.as_deref())).collect();
        assert_eq!(
            d,
            vec![("input::unbalanced-quotes", Some(aclplay::span::Span::new(0, 23)), Some("Invalid argument(s)"))],
            "{}",
            profile.id
        );
    }
}
