//! Diagnostics: what is wrong, where (byte spans; lines and columns are computed when
//! rendering), what the server says about it verbatim, and what to do.
//!
//! Every [`Problem`] variant says which input triggers it; `tests/diagnostics.rs` checks
//! each of those inputs and snapshots the rendered diagnostic.

use crate::engine::rules::Reason;
use crate::span::{LineCol, LineIndex, Span};
use serde::Serialize;

/// User input for a message, inside backticks: control characters escaped, quotes kept
/// (the input `"+select|0 1"` reads as itself, not as `\"+select|0 1\"`).
/// User input for a message: text as it is, control characters escaped (`\t`, `\x0b`).
fn show(b: &[u8]) -> String {
    let mut out = String::new();
    for c in String::from_utf8_lossy(b).chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// What went wrong, as data. The `Display` text is our own message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    /// A rule the server refuses. Triggered by `user a on foo` (Syntax error),
    /// `user a +nosuch` (unknown command), `user a allkeys ~x` (key after allkeys),
    /// `user a allchannels &x` (channel after allchannels), `user a <pw` (no such
    /// password), `user a #ABC` (bad hash), `user a +config|get|x` (first argument of a
    /// subcommand), `user a db=-1` (database id out of range, Valkey 9.1), `user a db=1`
    /// where database rules do not exist (Syntax error), and in redis.conf by `user a on`
    /// twice (duplicate user).
    #[error("{}", rule_message(token, *reason))]
    Rule { token: Vec<u8>, reason: Reason },
    /// A username with whitespace or NUL. Triggered by `ACL SETUSER "a b"`, or by a
    /// vertical tab inside a name in an ACL file.
    #[error("username `{}` contains whitespace or a NUL byte", show(name))]
    BadUsername { name: Vec<u8> },
    /// A `(` selector that is never closed. Triggered by `user a (~x +get` or
    /// `ACL SETUSER a (~x`; with `crash` by `user a on (~x +get` in an ACL file (when
    /// other rules come first, the server segfaults instead of reporting it).
    #[error("selector `{}` is never closed", show(token))]
    Unmatched { token: Vec<u8>, crash: bool },
    /// An ACL-file line that is not `user <name> …`. Triggered by `# comment`, `USER a`,
    /// or a lone `user`.
    #[error("an ACL file line must start with `user` and a username")]
    NotUserLine { comment: bool },
    /// The same user twice in one file. Triggered by `user a on` twice.
    #[error("user `{}` is already defined on line {first_line}", show(name))]
    Duplicate { name: Vec<u8>, first_line: usize },
    /// A quote that never closes in redis.conf or redis-cli input. Triggered by
    /// `user app on ">pw` in redis.conf.
    #[error("unbalanced quotes")]
    UnbalancedQuotes,
    /// Valkey and Redis 7.2+ accept a first-argument rule with whitespace or a stray
    /// quote, then abort on the next `ACL LIST`/`GETUSER`/`SAVE`. Triggered by
    /// `ACL SETUSER u "+select|0 1"`.
    #[error("first-argument rule `{}` makes this server crash when the user is listed", show(token))]
    ListCrash { token: Vec<u8> },
    /// Redis 7.2, 7.4 and Valkey 8.0 accept a `%` key rule without `R` or `W` (a bare `%`;
    /// Redis 7.2.4 also `%~pattern`), then abort on the next `ACL LIST`/`GETUSER`/`SAVE`. Triggered by
    /// `ACL SETUSER u %` on Redis 7.2.
    #[error("key rule `{}` grants no permission and makes this server crash when the user is listed", show(token))]
    NoPermissionPattern { token: Vec<u8> },
    /// redis.conf defines users and also sets `aclfile`. Triggered by `user a on` +
    /// `aclfile users.acl`.
    #[error("users are defined here and an `aclfile` is set too; the server refuses to start")]
    UsersAndAclfile,
    /// A redis.conf user rule names an unknown command (checked only at start-up).
    /// Triggered by `user a on +nosuch` in redis.conf.
    #[error("unknown command or category `{}`; the server exits at start-up", show(token))]
    StartupRule { token: Vec<u8>, reason: Reason },
    /// A redis.conf user name with a space. Triggered by `user "a b" on`.
    #[error("username `{}` contains a space; the server exits at start-up", show(name))]
    StartupUsername { name: Vec<u8> },
    /// A redis.conf line the server cannot parse. Triggered by `user` alone, or
    /// `acl-pubsub-default maybe`.
    #[error("the server cannot read this line")]
    BadDirective,
    /// A redis-cli line that is not a command we simulate. Triggered by `ACL LOG`.
    #[error("`{}` is not simulated; the line is skipped", show(command))]
    NotSimulated { command: Vec<u8> },
    /// A line that is neither a command nor blank in redis-cli input. Triggered by
    /// `hello world` among `ACL SETUSER` lines.
    #[error("not a command we know; the line is skipped")]
    UnknownLine,
    /// A command line with the wrong number of arguments. Triggered by `ACL SETUSER`.
    #[error("wrong number of arguments")]
    Arity,
}

fn rule_message(token: &[u8], reason: Reason) -> String {
    let t = show(token);
    match reason {
        Reason::Syntax => format!("`{t}` is not a valid rule"),
        Reason::UnknownCommand => format!("`{t}` names an unknown command, subcommand or category"),
        Reason::KeyAfterAllKeys => format!("key pattern `{t}` comes after `allkeys`"),
        Reason::ChannelAfterAllChannels => {
            format!("channel pattern `{t}` comes after `allchannels`")
        }
        Reason::NoSuchPassword => format!("`{t}` removes a password the user does not have"),
        Reason::BadHash => format!("`{t}` is not a SHA-256 hash in lowercase hex"),
        Reason::FirstArgOfSubcommand => {
            format!("`{t}` restricts the first argument of a subcommand")
        }
        Reason::DuplicateUser => format!("user `{t}` is defined more than once"),
        Reason::DbOutOfRange => format!("`{t}` names a database below 0 or above 2147483647"),
    }
}

/// Whether a rule token looks like a database rule (`db=…`, `alldbs`, `resetdbs`).
fn database_rule(token: &[u8]) -> bool {
    let t = token.to_ascii_lowercase();
    t.starts_with(b"db=") || t == b"alldbs" || t == b"resetdbs"
}

impl Problem {
    /// Stable code, for filtering and for tests.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Rule { reason, .. } => match reason {
                Reason::Syntax => "acl::syntax",
                Reason::UnknownCommand => "acl::unknown-command",
                Reason::KeyAfterAllKeys => "acl::key-after-allkeys",
                Reason::ChannelAfterAllChannels => "acl::channel-after-allchannels",
                Reason::NoSuchPassword => "acl::no-such-password",
                Reason::BadHash => "acl::bad-hash",
                Reason::FirstArgOfSubcommand => "acl::first-arg-of-subcommand",
                Reason::DuplicateUser => "acl::duplicate-user",
                Reason::DbOutOfRange => "acl::database-out-of-range",
            },
            Problem::BadUsername { .. } => "acl::bad-username",
            Problem::Unmatched { crash: true, .. } => "acl::unmatched-paren-crash",
            Problem::Unmatched { .. } => "acl::unmatched-paren",
            Problem::NotUserLine { .. } => "acl::not-user-line",
            Problem::Duplicate { .. } => "acl::duplicate-user",
            Problem::UnbalancedQuotes => "input::unbalanced-quotes",
            Problem::ListCrash { .. } => "acl::list-crash",
            Problem::NoPermissionPattern { .. } => "acl::no-permission-pattern",
            Problem::UsersAndAclfile => "config::users-and-aclfile",
            Problem::StartupRule { .. } => "config::startup-rule",
            Problem::StartupUsername { .. } => "config::startup-username",
            Problem::BadDirective => "config::bad-directive",
            Problem::NotSimulated { .. } => "input::not-simulated",
            Problem::UnknownLine => "input::unknown-line",
            Problem::Arity => "input::arity",
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            Problem::NotSimulated { .. } | Problem::UnknownLine => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// What to do about it.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            Problem::Rule { reason, token } => match reason {
                Reason::Syntax if token.first() == Some(&b'%') => {
                    "write `%R~pattern`, `%W~pattern` or `%RW~pattern`".into()
                }
                Reason::Syntax if database_rule(token) => {
                    "database rules are `db=<id>[,<id>…]` (ids from 0, comma-separated, no spaces after them), `alldbs` and `resetdbs`; only Valkey 9.1 and later know them".into()
                }
                Reason::Syntax if token.first() == Some(&b'(') => {
                    "inside `(...)` only key, channel and command rules are allowed".into()
                }
                Reason::Syntax if token.iter().any(|b| b.is_ascii_whitespace()) => {
                    "patterns cannot contain whitespace".into()
                }
                Reason::Syntax => "rules are `on`/`off`, `>password`, `#hash`, `~keys`, `&channels`, `+command`, `-command`, `+@category`, `(selector)`, `reset`, …".into(),
                Reason::UnknownCommand => "check the spelling; `ACL CAT` lists the categories, and a subcommand is written `+container|sub`".into(),
                Reason::KeyAfterAllKeys => "use `resetkeys` first, or drop the pattern: `allkeys` already covers it".into(),
                Reason::ChannelAfterAllChannels => "use `resetchannels` first (with `acl-pubsub-default allchannels` every new user starts with all channels)".into(),
                Reason::NoSuchPassword => "the password (or hash) to remove must match one the user has".into(),
                Reason::BadHash => "a hash is 64 lowercase hex characters: the SHA-256 of the password".into(),
                Reason::FirstArgOfSubcommand => "allow the whole subcommand instead (`+config|get`)".into(),
                Reason::DuplicateUser => "define each user once".into(),
                Reason::DbOutOfRange => "database ids are 0 or more (a server has `databases` of them, 16 by default)".into(),
            },
            Problem::BadUsername { .. } => "usernames cannot contain spaces, tabs, line breaks or NUL".into(),
            Problem::Unmatched { crash: true, .. } => "close the selector with `)`; this server version segfaults on this line instead of reporting it".into(),
            Problem::Unmatched { .. } => "close the selector with `)`".into(),
            Problem::NotUserLine { comment: true } => "ACL files have no comments: remove the line".into(),
            Problem::NotUserLine { .. } => "write `user <name> <rules…>` (`user` in lowercase)".into(),
            Problem::Duplicate { .. } => "merge the two definitions into one line".into(),
            Problem::UnbalancedQuotes => "close the quote".into(),
            Problem::ListCrash { .. } => "drop the rule or use a first argument without spaces or quotes".into(),
            Problem::NoPermissionPattern { .. } => "write `%R~`, `%W~` or `%RW~` before the pattern".into(),
            Problem::UsersAndAclfile => "define users either in the ACL file or in this file, not both".into(),
            Problem::StartupRule { .. } => "fix or remove the rule".into(),
            Problem::StartupUsername { .. } => "usernames cannot contain spaces".into(),
            Problem::BadDirective => return None,
            Problem::NotSimulated { .. } => return None,
            Problem::UnknownLine => "write one redis-cli command per line, e.g. `ACL SETUSER app on >secret ~app:* +@all`".into(),
            Problem::Arity => return None,
        })
    }
}

/// One diagnostic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    #[serde(serialize_with = "ser_problem")]
    pub problem: Problem,
    pub severity: Severity,
    /// Where it is (the rule token, or the line).
    pub span: Option<Span>,
    /// What the server answers or logs, verbatim.
    pub server: Option<String>,
}

fn ser_problem<S: serde::Serializer>(p: &Problem, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("Problem", 3)?;
    st.serialize_field("code", p.code())?;
    st.serialize_field("message", &p.to_string())?;
    st.serialize_field("help", &p.help())?;
    st.end()
}

impl Diagnostic {
    pub fn new(problem: Problem, span: Option<Span>, server: Option<String>) -> Diagnostic {
        Diagnostic { severity: problem.severity(), problem, span, server }
    }
    pub fn code(&self) -> &'static str {
        self.problem.code()
    }
    pub fn message(&self) -> String {
        self.problem.to_string()
    }
    pub fn help(&self) -> Option<String> {
        self.problem.help()
    }
    pub fn location(&self, text: &str, index: &LineIndex) -> Option<LineCol> {
        self.span.map(|s| index.locate(text, s.start))
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.problem.fmt(f)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.problem.code()))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let mut parts = Vec::new();
        if let Some(s) = &self.server {
            parts.push(format!("the server says: {s}"));
        }
        if let Some(h) = self.problem.help() {
            parts.push(h);
        }
        (!parts.is_empty()).then(|| Box::new(parts.join("\n")) as Box<dyn std::fmt::Display>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_with_span(None, span))))
    }
}
