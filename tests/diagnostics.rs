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
    "UsersAndAclfile",
    "StartupRule",
    "StartupUsername",
    "BadDirective",
    "NotSimulated",
    "UnknownLine",
    "Arity",
];

const BOTH: &[&str] = &["redis-7.0", "valkey-8.1"];

struct Case {
    /// Snapshot name.
    id: &'static str,
    variant: &'static str,
    /// The words of the variant's doc comment that name this input.
    doc: &'static str,
    kind: Kind,
    text: &'static str,
    /// The servers that answer this way.
    servers: &'static [&'static str],
    code: &'static str,
    severity: Severity,
    at: (usize, usize),
    /// The source text the span covers.
    spanned: &'static str,
    /// What the server says, verbatim.
    server: Option<&'static str>,
}

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case { id: "rule-syntax", variant: "Rule", doc: "`user a on foo`", kind: Kind::AclFile, text: "user a on foo\n",
        servers: BOTH, code: "acl::syntax", severity: E, at: (1, 11), spanned: "foo",
        server: Some("users.acl:1: Syntax error.") },
    Case { id: "rule-unknown-command", variant: "Rule", doc: "`user a +nosuch`", kind: Kind::AclFile, text: "user a +nosuch\n",
        servers: BOTH, code: "acl::unknown-command", severity: E, at: (1, 8), spanned: "+nosuch",
        server: Some("users.acl:1: Error in applying operation '+nosuch': Unknown command or category name in ACL.") },
    Case { id: "rule-unknown-command-typo", variant: "Rule", doc: "`user a +gett`", kind: Kind::AclFile,
        text: "user a +gett\n", servers: BOTH, code: "acl::unknown-command", severity: E, at: (1, 8), spanned: "+gett",
        server: Some("users.acl:1: Error in applying operation '+gett': Unknown command or category name in ACL.") },
    Case { id: "rule-key-after-allkeys", variant: "Rule", doc: "`user a allkeys ~x`", kind: Kind::AclFile,
        text: "user a allkeys ~x\n", servers: BOTH, code: "acl::key-after-allkeys", severity: E, at: (1, 16), spanned: "~x",
        server: Some("users.acl:1: Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns.") },
    Case { id: "rule-channel-after-allchannels", variant: "Rule", doc: "`user a allchannels &x`", kind: Kind::AclFile,
        text: "user a allchannels &x\n", servers: BOTH, code: "acl::channel-after-allchannels", severity: E, at: (1, 20),
        spanned: "&x",
        server: Some("users.acl:1: Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels.") },
    Case { id: "rule-no-such-password", variant: "Rule", doc: "`user a <pw`", kind: Kind::AclFile, text: "user a <pw\n",
        servers: BOTH, code: "acl::no-such-password", severity: E, at: (1, 8), spanned: "<pw",
        server: Some("users.acl:1: The password you are trying to remove from the user does not exist.") },
    Case { id: "rule-bad-hash", variant: "Rule", doc: "`user a #ABC`", kind: Kind::AclFile, text: "user a #ABC\n",
        servers: BOTH, code: "acl::bad-hash", severity: E, at: (1, 8), spanned: "#ABC",
        server: Some("users.acl:1: The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters.") },
    Case { id: "rule-first-arg-of-subcommand", variant: "Rule", doc: "`user a +config|get|x`", kind: Kind::AclFile,
        text: "user a +config|get|x\n", servers: BOTH, code: "acl::first-arg-of-subcommand", severity: E, at: (1, 8),
        spanned: "+config|get|x",
        server: Some("users.acl:1: Allowing first-arg of a subcommand is not supported.") },
    Case { id: "rule-database-out-of-range", variant: "Rule", doc: "`user a db=-1`", kind: Kind::AclFile,
        text: "user a db=-1\n", servers: &["valkey-9.1"], code: "acl::database-out-of-range", severity: E, at: (1, 8),
        spanned: "db=-1", server: Some("users.acl:1: The provided database ID is out of range.") },
    Case { id: "rule-syntax-database", variant: "Rule", doc: "`user a db=1`", kind: Kind::AclFile, text: "user a db=1\n",
        servers: &["redis-7.0", "valkey-8.1", "valkey-9.0"], code: "acl::syntax", severity: E, at: (1, 8), spanned: "db=1",
        server: Some("users.acl:1: Syntax error.") },
    Case { id: "rule-duplicate-user-config", variant: "Rule", doc: "in redis.conf by `user a on` twice", kind: Kind::Config,
        text: "user a on\nuser a on\n", servers: BOTH, code: "acl::duplicate-user", severity: E, at: (2, 6), spanned: "a",
        server: Some("Error in user declaration 'a': Duplicate user found. A user can only be defined once in config files") },
    Case { id: "bad-username-setuser", variant: "BadUsername", doc: "`ACL SETUSER \"a b\"`", kind: Kind::Commands,
        text: "ACL SETUSER \"a b\"\n", servers: BOTH, code: "acl::bad-username", severity: E, at: (1, 13), spanned: "\"a b\"",
        server: Some("ERR Usernames can't contain spaces or null characters") },
    // Redis's message really starts with a stray quote.
    Case { id: "bad-username-acl-file", variant: "BadUsername", doc: "vertical tab inside a name in an ACL file",
        kind: Kind::AclFile, text: "user a\x0bb on\n", servers: BOTH, code: "acl::bad-username", severity: E, at: (1, 6),
        spanned: "a\x0bb", server: Some("'users.acl:1: username 'a\x0bb' contains invalid characters.") },
    Case { id: "unmatched-acl-file", variant: "Unmatched", doc: "`user a (~x +get`", kind: Kind::AclFile,
        text: "user a (~x +get\n", servers: BOTH, code: "acl::unmatched-paren", severity: E, at: (1, 8),
        spanned: "(~x +get",
        server: Some("users.acl:1: Unmatched parenthesis in selector definition.") },
    Case { id: "unmatched-setuser", variant: "Unmatched", doc: "`ACL SETUSER a (~x`", kind: Kind::Commands,
        text: "ACL SETUSER a (~x\n", servers: BOTH, code: "acl::unmatched-paren", severity: E, at: (1, 15), spanned: "(~x",
        server: Some("ERR Unmatched parenthesis in acl selector starting at '(~x'.") },
    Case { id: "unmatched-crash", variant: "Unmatched", doc: "with `crash` by `user a on (~x +get`", kind: Kind::AclFile,
        text: "user a on (~x +get\n", servers: BOTH, code: "acl::unmatched-paren-crash", severity: E, at: (1, 11),
        spanned: "(~x +get", server: Some("users.acl:1: Unmatched parenthesis in selector definition.") },
    Case { id: "not-user-line-comment", variant: "NotUserLine", doc: "`# comment`", kind: Kind::AclFile, text: "# comment\n",
        servers: BOTH, code: "acl::not-user-line", severity: E, at: (1, 1), spanned: "# comment",
        server: Some("users.acl:1 should start with user keyword followed by the username.") },
    Case { id: "not-user-line-uppercase", variant: "NotUserLine", doc: "`USER a`", kind: Kind::AclFile, text: "USER a\n",
        servers: BOTH, code: "acl::not-user-line", severity: E, at: (1, 1), spanned: "USER a",
        server: Some("users.acl:1 should start with user keyword followed by the username.") },
    Case { id: "not-user-line-lone-user", variant: "NotUserLine", doc: "a lone `user`", kind: Kind::AclFile,
        text: "user default off\nuser\n", servers: BOTH, code: "acl::not-user-line", severity: E, at: (2, 1),
        spanned: "user", server: Some("users.acl:2 should start with user keyword followed by the username.") },
    Case { id: "duplicate-acl-file", variant: "Duplicate", doc: "`user a on` twice", kind: Kind::AclFile,
        text: "user a on\nuser a on\n", servers: BOTH, code: "acl::duplicate-user", severity: E, at: (2, 6), spanned: "a",
        server: Some("WARNING: Duplicate user 'a' found on line 2.") },
    Case { id: "unbalanced-quotes-config", variant: "UnbalancedQuotes", doc: "`user app on \">pw` in redis.conf",
        kind: Kind::Config, text: "user app on \">pw\n", servers: BOTH, code: "input::unbalanced-quotes", severity: E,
        at: (1, 13), spanned: "\">pw", server: Some("Unbalanced quotes in configuration line") },
    Case { id: "list-crash", variant: "ListCrash", doc: "`ACL SETUSER u \"+select|0 1\"`", kind: Kind::Commands,
        text: "ACL SETUSER u \"+select|0 1\"\n", servers: &["valkey-8.1"], code: "acl::list-crash", severity: E,
        at: (1, 15), spanned: "\"+select|0 1\"", server: None },
    Case { id: "list-crash-percent", variant: "ListCrash", doc: "`ACL SETUSER u %`", kind: Kind::Commands,
        text: "ACL SETUSER u %\n", servers: &["valkey-8.0"], code: "acl::list-crash", severity: E,
        at: (1, 15), spanned: "%", server: None },
    Case { id: "users-and-aclfile-redis", variant: "UsersAndAclfile", doc: "`user a on` + `aclfile users.acl`",
        kind: Kind::Config, text: "user a on\naclfile users.acl\n", servers: &["redis-7.0"], code: "config::users-and-aclfile",
        severity: E, at: (1, 1), spanned: "user a on",
        server: Some("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.") },
    Case { id: "users-and-aclfile-valkey", variant: "UsersAndAclfile", doc: "`user a on` + `aclfile users.acl`",
        kind: Kind::Config, text: "user a on\naclfile users.acl\n", servers: &["valkey-8.1"], code: "config::users-and-aclfile",
        severity: E, at: (1, 1), spanned: "user a on",
        server: Some("Configuring Valkey with users defined in valkey.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your valkey.conf, but not both.") },
    Case { id: "startup-rule", variant: "StartupRule", doc: "`user a on +nosuch` in redis.conf", kind: Kind::Config,
        text: "user a on +nosuch\n", servers: BOTH, code: "config::startup-rule", severity: E, at: (1, 11), spanned: "+nosuch",
        server: Some("Error loading ACL rule '+nosuch' for the user named 'a': Unknown command or category name in ACL") },
    Case { id: "startup-username", variant: "StartupUsername", doc: "`user \"a b\" on`", kind: Kind::Config,
        text: "user \"a b\" on\n", servers: BOTH, code: "config::startup-username", severity: E, at: (1, 6),
        spanned: "\"a b\"", server: Some("Spaces not allowed in ACL usernames") },
    Case { id: "bad-directive-lone-user", variant: "BadDirective", doc: "`user` alone", kind: Kind::Config, text: "user\n",
        servers: BOTH, code: "config::bad-directive", severity: E, at: (1, 1), spanned: "user",
        server: Some("Bad directive or wrong number of arguments") },
    Case { id: "bad-directive-pubsub", variant: "BadDirective", doc: "`acl-pubsub-default maybe`", kind: Kind::Config,
        text: "acl-pubsub-default maybe\n", servers: BOTH, code: "config::bad-directive", severity: E, at: (1, 1),
        spanned: "acl-pubsub-default maybe",
        server: Some("argument(s) must be one of the following: allchannels, resetchannels") },
    Case { id: "not-simulated", variant: "NotSimulated", doc: "`ACL LOG`", kind: Kind::Commands, text: "ACL LOG\n",
        servers: BOTH, code: "input::not-simulated", severity: W, at: (1, 1), spanned: "ACL LOG", server: None },
    Case { id: "unknown-line", variant: "UnknownLine", doc: "`hello world` among `ACL SETUSER` lines", kind: Kind::Commands,
        text: "ACL SETUSER a on\nhello world\n", servers: BOTH, code: "input::unknown-line", severity: W, at: (2, 1),
        spanned: "hello world", server: None },
    Case { id: "arity", variant: "Arity", doc: "`ACL SETUSER`", kind: Kind::Commands, text: "ACL SETUSER\n", servers: BOTH,
        code: "input::arity", severity: E, at: (1, 1), spanned: "ACL SETUSER",
        server: Some("ERR wrong number of arguments for 'acl|setuser' command") },
];

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

fn diagnostics(case: &Case, server: &str) -> (Vec<Diagnostic>, Vec<String>) {
    let profile = Profile::by_id(server).expect("known server");
    let a = analyze(case.text, &Options { kind: Some(case.kind), ..Options::new(profile) });
    let codes = a.diagnostics.iter().map(|d| d.code().to_string()).collect();
    (a.diagnostics, codes)
}

#[test]
fn each_documented_input_triggers_its_variant() {
    for case in CASES {
        let mut first_render: Option<String> = None;
        for &server in case.servers {
            let who = format!("{} on {server}", case.id);
            let (diags, codes) = diagnostics(case, server);
            // One input, one problem: a second diagnostic would be a false positive here.
            assert_eq!(codes, vec![case.code.to_string()], "{who}: diagnostics");
            let d = &diags[0];
            assert_eq!(variant(&d.problem), case.variant, "{who}: variant");
            assert_eq!(d.severity, case.severity, "{who}: severity");
            let span = d.span.unwrap_or_else(|| panic!("{who}: no span"));
            assert_eq!(&case.text[span.start..span.end], case.spanned, "{who}: span covers");
            let at = d.location(case.text, &LineIndex::new(case.text));
            assert_eq!(at, Some(LineCol { line: case.at.0, column: case.at.1 }), "{who}: line:column");
            assert_eq!(d.server.as_deref(), case.server, "{who}: server text");
            // Our own message: lowercase, with the user's input in backticks.
            let msg = d.message();
            assert!(msg.starts_with(|c: char| c.is_lowercase() || c == '`'), "{who}: message `{msg}` is not lowercase");
            let rendered = render(d, source_name(case.kind), case.text);
            match &first_render {
                None => {
                    insta::assert_snapshot!(case.id, rendered);
                    first_render = Some(rendered);
                }
                // The servers agree on the words, so the diagnostic must read the same.
                Some(first) => assert_eq!(&rendered, first, "{who}: rendered differently from {}", case.servers[0]),
            }
        }
    }
}

#[test]
fn every_variant_is_triggered() {
    for v in VARIANTS {
        assert!(CASES.iter().any(|c| c.variant == *v), "no case triggers Problem::{v}");
    }
    // Every code a `Problem` can have (the `Reason`s of `Rule` give several) is reached.
    let codes: std::collections::BTreeSet<&str> = CASES.iter().map(|c| c.code).collect();
    assert_eq!(codes.len(), 22, "codes reached: {codes:?}");
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
    for case in CASES {
        let (_, doc) = docs.iter().find(|(n, _)| n == case.variant).expect("documented variant");
        assert!(
            doc.contains(case.doc),
            "{}: the doc comment of {} does not say {:?}:\n{doc}",
            case.id,
            case.variant,
            case.doc
        );
    }
}

/// The ListCrash case is Valkey's: Redis 7.0 lists the same user without trouble.
#[test]
fn list_crash_is_valkey_only() {
    let case = CASES.iter().find(|c| c.id == "list-crash").unwrap();
    let (_, codes) = diagnostics(case, "redis-7.0");
    assert!(codes.is_empty(), "redis-7.0: {codes:?}");
}

/// The redis-cli form of unbalanced quotes, which the doc comment mentions without an
/// example: redis-cli itself refuses the line.
#[test]
fn unbalanced_quotes_in_commands() {
    let text = "ACL SETUSER x \"unclosed\n";
    for &server in BOTH {
        let a = analyze(text, &Options { kind: Some(Kind::Commands), ..Options::new(Profile::by_id(server).unwrap()) });
        let d: Vec<_> = a.diagnostics.iter().map(|d| (d.code(), d.span, d.server.as_deref())).collect();
        assert_eq!(
            d,
            vec![("input::unbalanced-quotes", Some(aclplay::span::Span::new(0, 23)), Some("Invalid argument(s)"))]
        );
    }
}
