//! Diagnostics: what is wrong, where (byte spans; lines and columns are computed when
//! rendering), what the server says about it verbatim, and what to do.
//!
//! Every [`Problem`] variant says which input triggers it; `tests/diagnostics.rs` checks
//! each of those inputs and snapshots the rendered diagnostic.

use crate::engine::rules::Reason;
use crate::span::{LineCol, LineIndex, Span};
use serde::Serialize;

/// User input for a message, inside backticks: quotes kept (the input `"+select|0 1"`
/// reads as itself, not as `\"+select|0 1\"`), hidden characters escaped (`\t`,
/// `\x0b`, `\u{202e}`: see [`crate::visible`]).
fn show(b: &[u8]) -> String {
    crate::visible::escape_bytes(b)
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
    /// twice (duplicate user). A near miss, `user a +gett`, gets the rule it was probably
    /// meant to be ([`did_you_mean`]).
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
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub problem: Problem,
    pub severity: Severity,
    /// Where it is (the rule token, or the line).
    pub span: Option<Span>,
    /// What the server answers or logs, verbatim.
    pub server: Option<String>,
    /// The rule the token was probably meant to be (see [`did_you_mean`]).
    pub suggestion: Option<String>,
}

impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct P<'a>(&'a Diagnostic);
        impl Serialize for P<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut st = s.serialize_struct("Problem", 3)?;
                st.serialize_field("code", self.0.code())?;
                st.serialize_field("message", &self.0.message())?;
                st.serialize_field("help", &self.0.help())?;
                st.end()
            }
        }
        let n = 4 + usize::from(self.suggestion.is_some());
        let mut st = s.serialize_struct("Diagnostic", n)?;
        st.serialize_field("problem", &P(self))?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("span", &self.span)?;
        st.serialize_field("server", &self.server)?;
        if let Some(x) = &self.suggestion {
            st.serialize_field("suggestion", x)?;
        }
        st.end()
    }
}

impl Diagnostic {
    pub fn new(problem: Problem, span: Option<Span>, server: Option<String>) -> Diagnostic {
        Diagnostic { severity: problem.severity(), problem, span, server, suggestion: None }
    }
    pub fn code(&self) -> &'static str {
        self.problem.code()
    }
    pub fn message(&self) -> String {
        self.problem.to_string()
    }
    /// What to do: the likely meant rule first, when there is one.
    pub fn help(&self) -> Option<String> {
        match (&self.suggestion, self.problem.help()) {
            (Some(x), Some(h)) => Some(format!("did you mean `{}`? {h}", show(x.as_bytes()))),
            (Some(x), None) => Some(format!("did you mean `{}`?", show(x.as_bytes()))),
            (None, h) => h,
        }
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
        if let Some(h) = Diagnostic::help(self) {
            parts.push(h);
        }
        (!parts.is_empty()).then(|| Box::new(parts.join("\n")) as Box<dyn std::fmt::Display>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_with_span(None, span))))
    }
}

/// The keywords a rule can be (what `engine::rules` accepts besides `>`, `#`, `~`, `&`,
/// `%`, `+`, `-` and `(` rules); `tests` checks the engine accepts each.
pub const KEYWORDS: &[&str] = &[
    "on",
    "off",
    "nopass",
    "resetpass",
    "reset",
    "allkeys",
    "resetkeys",
    "allchannels",
    "resetchannels",
    "allcommands",
    "nocommands",
    "sanitize-payload",
    "skip-sanitize-payload",
    "clearselectors",
];

/// The rule a refused token was probably meant to be: a command, subcommand or category
/// of this server version for `+name` / `-name` / `+@cat` / `-@cat` it does not know, a
/// keyword for a bare word that is none. The closest by edits (a letter added, dropped,
/// changed, or two swapped; ignoring case), within one edit for words of up to six
/// letters, two up to ten, three beyond (for `container|sub`, the container within one
/// and the subcommand within its own); `None` when nothing is that close.
pub fn did_you_mean(problem: &Problem, profile: &crate::commands::Profile) -> Option<String> {
    let token = match problem {
        Problem::Rule { token, reason: Reason::UnknownCommand | Reason::Syntax }
        | Problem::StartupRule { token, .. } => token,
        _ => return None,
    };
    let t = std::str::from_utf8(token).ok()?.to_ascii_lowercase();
    let table = profile.table;
    let (prefix, word, candidates): (&str, &str, Vec<&str>) = if let Some(cat) = t.strip_prefix("+@") {
        ("+@", cat, table.categories.to_vec())
    } else if let Some(cat) = t.strip_prefix("-@") {
        ("-@", cat, table.categories.to_vec())
    } else if let Some(name) = t.strip_prefix('+').or_else(|| t.strip_prefix('-')) {
        (&t[..1], name, table.commands().iter().map(|c| c.name).collect())
    } else if t.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
        ("", t.as_str(), KEYWORDS.to_vec())
    } else {
        return None;
    };
    let limit = |w: &str| match w.chars().count() {
        0 => 0,
        1..=6 => 1,
        7..=10 => 2,
        _ => 3,
    };
    // `container|sub`: the container within one edit, the subcommand within its limit.
    let split = |w: &'_ str| -> (String, String) {
        match w.rsplit_once('|') {
            Some((a, b)) => (a.to_string(), b.to_string()),
            None => (String::new(), w.to_string()),
        }
    };
    let (wc, ws) = split(word);
    if limit(&ws) == 0 {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let (cc, cs) = split(c);
        if wc.is_empty() != cc.is_empty() {
            continue;
        }
        let dc = if wc.is_empty() { 0 } else { edits(&wc, &cc, 1) };
        let d = dc + edits(&ws, &cs, limit(&ws));
        if dc <= 1 && d <= limit(&ws) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.filter(|(d, _)| *d > 0).map(|(_, c)| format!("{prefix}{c}"))
}

/// Edit distance (insertions, deletions, substitutions, adjacent swaps) between two
/// lowercase words; anything above `limit` counts as `limit + 1`.
fn edits(a: &str, b: &str, limit: usize) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, x) in d.iter_mut().take(w).enumerate() {
        *x = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        let mut row_min = i;
        for j in 1..w {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return limit + 1;
        }
    }
    d[a.len() * w + b.len()].min(limit + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::Profile;

    fn suggest(token: &str) -> Option<String> {
        let reason = if token.starts_with(['+', '-']) { Reason::UnknownCommand } else { Reason::Syntax };
        did_you_mean(&Problem::Rule { token: token.as_bytes().to_vec(), reason }, Profile::default_profile())
    }

    #[test]
    fn did_you_mean_the_rule_it_is_one_edit_from() {
        assert_eq!(suggest("+gett").as_deref(), Some("+get"));
        assert_eq!(suggest("-FLUSHAL").as_deref(), Some("-flushall"));
        assert_eq!(suggest("+@raed").as_deref(), Some("+@read"));
        assert_eq!(suggest("+client|lsit").as_deref(), Some("+client|list"));
        assert_eq!(suggest("nopas").as_deref(), Some("nopass"));
        assert_eq!(suggest("allkey").as_deref(), Some("allkeys"));
        assert_eq!(suggest("+nosuch"), None);
        assert_eq!(suggest("foo"), None);
        assert_eq!(suggest("+@nosuch"), None);
        assert_eq!(suggest("+client|xyz"), None);
        assert_eq!(suggest("+clinet|list").as_deref(), Some("+client|list"));
    }

    #[test]
    fn every_keyword_is_a_rule_the_engine_takes() {
        use crate::engine::acl::{Ctx, User};
        let ctx = Ctx { profile: Profile::default_profile(), pubsub_all: false };
        for k in KEYWORDS {
            let mut u = User::new(b"u", &ctx);
            let r = crate::engine::rules::apply_user_rule(&mut u, k.as_bytes(), &Default::default(), &ctx);
            assert!(r.is_ok(), "{k}");
        }
    }
}
