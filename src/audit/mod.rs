//! The security audit: a pass over the applied model (beside evaluate and describe) that
//! finds what is unsafe, against the practice our users follow: authentication always,
//! `default` off, one user per application limited to its keys and without dangerous
//! commands, long random passwords stored as hashes.

use crate::analysis::{Analysis, Outcome, Status};
use crate::commands::CmdId;
use crate::commands::table::CommandDef;
use crate::commands::{Bitmap, Profile};
use crate::diagnostics::{Problem, Severity};
use crate::engine::acl::{Effect, Op, Sanitize, Selector, Step, User};
use crate::engine::rules::Reason;
use crate::engine::startup::Startup;
use crate::input::document::{Kind, Shape};
use crate::input::split::split_args;
use crate::span::Span;
use serde::Serialize;

/// One edit of the source text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// A machine-applicable fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    /// Part of "Harden": it only hides secrets, removes rules that do nothing, or closes
    /// unauthenticated access; it never grants anything.
    pub safe: bool,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: String,
    pub user: Option<String>,
    /// The rules involved, the main one first (empty when the problem is an absence).
    pub spans: Vec<Span>,
    pub fix: Option<Fix>,
}

/// Every check: code, severity, one-line description (also SARIF rule metadata).
pub const RULES: &[(&str, Severity, &str)] = &[
    ("default-user-open", Severity::Error, "the default user can log in without a password"),
    ("nopass", Severity::Error, "an enabled user accepts any password (nopass)"),
    ("weak-password", Severity::Warning, "a plaintext password is short or easy to guess"),
    ("plaintext-password", Severity::Warning, "a plaintext password is stored in a file"),
    ("all-commands", Severity::Warning, "+@all / allcommands without removing @dangerous"),
    ("dangerous-commands", Severity::Warning, "the user may run @dangerous commands"),
    ("admin-commands", Severity::Warning, "the user may run @admin commands"),
    ("privilege-escalation", Severity::Error, "the user may change users or server settings"),
    ("all-keys", Severity::Warning, "a non-administrator may access every key"),
    ("all-channels", Severity::Warning, "a non-administrator may use every Pub/Sub channel"),
    ("order-trap", Severity::Warning, "a rule is silently undone by a later rule"),
    ("deprecated-first-arg", Severity::Warning, "a deprecated first-argument rule (+cmd|arg)"),
    ("server-crash", Severity::Error, "the input makes this server version crash"),
    ("duplicate-user", Severity::Error, "a user is defined twice"),
    ("requirepass-with-aclfile", Severity::Warning, "requirepass is ignored or dropped because of aclfile"),
    ("requirepass-overridden", Severity::Warning, "requirepass is dropped by a `user default` line"),
    ("no-login", Severity::Info, "an enabled user has no password and cannot log in"),
    ("skip-sanitize-payload", Severity::Warning, "RESTORE payloads are not checked"),
    ("suspicious-pattern", Severity::Warning, "a key or channel pattern that matches almost nothing"),
    ("suspicious-database", Severity::Warning, "a db= id names no database of a server with the default 16"),
    ("load-error", Severity::Error, "the server refuses the file or config because of this line"),
    ("hidden-characters", Severity::Error, "invisible or text-reordering characters in the rules"),
];

/// Commands that let a user change users, server settings or loaded code.
pub const ESCALATION: &[&str] = &[
    "acl|setuser",
    "acl|deluser",
    "acl|load",
    "acl|save",
    "config|set",
    "config|rewrite",
    "module|load",
    "module|loadex",
    "debug",
];

struct Ctx<'a> {
    a: &'a Analysis,
    text: &'a str,
    out: Vec<Finding>,
    /// Built when first needed (only redis-cli input asks for lines).
    lines: std::cell::OnceCell<crate::span::LineIndex>,
    /// Commands with keys, and with channels (for "may access every key / channel").
    with_keys: Bitmap,
    with_channels: Bitmap,
    /// The users' lines in order, for finding the user of a span.
    users_at: std::cell::OnceCell<Vec<(Span, usize)>>,
}

impl<'a> Ctx<'a> {
    fn src(&self, s: Span) -> &str {
        self.text.get(s.start..s.end).unwrap_or("")
    }
    fn push(
        &mut self,
        code: &'static str,
        message: String,
        help: &str,
        user: Option<&User>,
        spans: Vec<Span>,
        fix: Option<Fix>,
    ) {
        let severity = RULES.iter().find(|r| r.0 == code).map_or(Severity::Warning, |r| r.1);
        self.out.push(Finding {
            code,
            severity,
            message,
            help: help.to_string(),
            user: user.map(|u| lossy(&u.name)),
            spans,
            fix,
        });
    }
    /// An edit that removes a token and one space next to it.
    fn removal(&self, s: Span) -> Edit {
        let b = self.text.as_bytes();
        let span = if s.start > 0 && b[s.start - 1] == b' ' {
            Span::new(s.start - 1, s.end)
        } else if b.get(s.end) == Some(&b' ') {
            Span::new(s.start, s.end + 1)
        } else {
            s
        };
        Edit { span, replacement: String::new() }
    }
    /// The user whose line holds `s`.
    fn user_at(&self, s: Span) -> Option<&'a User> {
        let at = self.users_at.get_or_init(|| {
            let mut v: Vec<(Span, usize)> =
                self.a.users.iter().enumerate().filter_map(|(i, r)| Some((r.span?, i))).collect();
            crate::sort::sort_by_key(&mut v, |(sp, _)| (sp.start, sp.end));
            v
        });
        let i = at.partition_point(|(sp, _)| sp.start <= s.start);
        let a = self.a;
        at[..i].last().filter(|(sp, _)| s.end <= sp.end).map(|&(_, u)| &a.users[u].user)
    }
    /// An edit that removes the whole line holding `s` (and its line break).
    fn line_removal(&self, s: Span) -> Option<Edit> {
        let b = self.text.as_bytes();
        let start = b[..s.start.min(b.len())].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
        let end = b[s.start.min(b.len())..].iter().position(|&c| c == b'\n').map_or(b.len(), |i| s.start + i + 1);
        Some(Edit { span: Span::new(start, end), replacement: String::new() })
    }
    /// Edits that remove several tokens; where two removals would share a space they are
    /// merged, so that [`apply`] does not skip one of them as overlapping.
    fn removals(&self, spans: &[Span]) -> Vec<Edit> {
        let mut v: Vec<Span> = spans.iter().map(|&s| self.removal(s).span).collect();
        crate::sort::sort_by(&mut v, |a, b| a < b);
        let mut out: Vec<Span> = Vec::new();
        for s in v {
            match out.last_mut() {
                Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
                _ => out.push(s),
            }
        }
        out.into_iter().map(|span| Edit { span, replacement: String::new() }).collect()
    }
    /// A step's source text for a message: a plaintext password shows only its prefix, so
    /// that lint output (CI logs, code-scanning uploads) does not carry it.
    fn shown(&self, s: &Step) -> String {
        let Some(span) = s.span else { return String::new() };
        let src = self.src(span);
        match s.op {
            Op::Password { plaintext: true, add, .. } => {
                let quote = src.chars().next().filter(|c| matches!(c, '"' | '\''));
                let sigil = if add { '>' } else { '<' };
                match quote {
                    Some(q) => format!("{q}{sigil}…{q}"),
                    None => format!("{sigil}…"),
                }
            }
            _ => crate::visible::escape(src).into_owned(),
        }
    }
    /// Source text for a message, hidden characters escaped.
    fn show(&self, s: Span) -> String {
        crate::visible::escape(self.src(s)).into_owned()
    }
    fn line_of(&self, s: Span) -> usize {
        self.lines.get_or_init(|| crate::span::LineIndex::new(self.text)).line_of(s.start)
    }
}

/// User text (a name, a pattern) for a message: hidden characters escaped.
fn lossy(b: &[u8]) -> String {
    crate::visible::escape_bytes(b)
}

/// The commands (ids in order) whose bits are set in `bits`.
fn ids(bits: &Bitmap) -> impl Iterator<Item = CmdId> + '_ {
    bits.0.iter().enumerate().flat_map(|(w, &word)| {
        let mut x = word;
        std::iter::from_fn(move || {
            (x != 0).then(|| {
                let b = x.trailing_zeros();
                x &= x - 1;
                (w * 64) as CmdId + b as CmdId
            })
        })
    })
}

/// The commands for which `pred` holds.
fn commands_where(profile: &Profile, pred: impl Fn(&CommandDef) -> bool) -> Bitmap {
    let mut m = Bitmap::default();
    for (i, c) in profile.table.commands().iter().enumerate() {
        m.set(i as CmdId, pred(c));
    }
    m
}

/// Names of the allowed commands of a category (bits only), over all selectors.
fn allowed_in(u: &User, profile: &Profile, cat: &str) -> Vec<CmdId> {
    let Some(c) = profile.table.category_index(cat.as_bytes()) else {
        return Vec::new();
    };
    let mut any = Bitmap::default();
    for s in &u.selectors {
        any.0.iter_mut().zip(s.commands.0).for_each(|(w, x)| *w |= x);
    }
    let mask = profile.category_mask(c);
    any.0.iter_mut().zip(mask.0).for_each(|(w, x)| *w &= x);
    ids(&any).filter(|&id| !profile.command(id).container).collect()
}

fn names(profile: &Profile, ids: &[CmdId], max: usize) -> String {
    let mut s: Vec<String> =
        ids.iter().take(max).map(|&i| profile.command(i).name.to_ascii_uppercase().replace('|', " ")).collect();
    if ids.len() > max {
        s.push(format!("and {} more", ids.len() - max));
    }
    s.join(", ")
}

/// The span of the rule that last granted `id` in any selector.
fn granting_rule(u: &User, profile: &Profile, id: CmdId) -> Option<Span> {
    u.selectors
        .iter()
        .filter(|s| s.commands.get(id))
        .find_map(|s| s.rules.iter().rev().find(|r| r.allows() && r.effect.covers(profile, id)).and_then(|r| r.origin))
}

/// Whether the selector may run any of `commands`.
fn may_run_any(s: &Selector, commands: &Bitmap) -> bool {
    s.commands.0.iter().zip(commands.0).any(|(a, b)| a & b != 0)
}

/// Runs every check.
pub fn lint(a: &Analysis, text: &str) -> Vec<Finding> {
    let mut l = Lint::new(a, text);
    l.users(a, text, usize::MAX);
    l.finish(a, text)
}

/// The audit in pieces, for a caller that must not spend the whole audit's time at once
/// (the playground, between keystrokes): [`Lint::new`], [`Lint::users`] until it returns
/// `true`, then [`Lint::finish`] give what [`lint`] gives, on the same analysis and text.
#[derive(Debug)]
pub struct Lint {
    out: Vec<Finding>,
    /// The next user to check.
    next: usize,
}

impl Lint {
    pub fn new(a: &Analysis, text: &str) -> Lint {
        let mut cx = Ctx::new(a, text, Vec::new());
        default_user(&mut cx);
        Lint { out: cx.out, next: 0 }
    }

    /// Checks the next `n` users; `true` once every user is checked.
    pub fn users(&mut self, a: &Analysis, text: &str, n: usize) -> bool {
        let mut cx = Ctx::new(a, text, std::mem::take(&mut self.out));
        let end = a.users.len().min(self.next.saturating_add(n));
        for r in &a.users[self.next.min(end)..end] {
            let u = &r.user;
            if r.status == Status::Builtin {
                continue;
            }
            let facts = Scopes::of(u, a.profile);
            passwords(&mut cx, u);
            commands(&mut cx, u, &facts);
            keys_and_channels(&mut cx, u, &facts);
            order_traps(&mut cx, u);
            misc(&mut cx, u);
        }
        self.next = end;
        self.out = cx.out;
        end == a.users.len()
    }

    /// The findings, once every user is checked (any left are checked now).
    pub fn finish(mut self, a: &Analysis, text: &str) -> Vec<Finding> {
        self.users(a, text, usize::MAX);
        let mut cx = Ctx::new(a, text, self.out);
        load_errors(&mut cx);
        server_problems(&mut cx);
        config(&mut cx);
        hidden_characters(&mut cx);
        let mut out = cx.out;
        crate::sort::sort_by_key(&mut out, |f| (f.spans.first().map_or(0, |s| s.start), std::cmp::Reverse(f.severity)));
        out
    }
}

impl<'a> Ctx<'a> {
    fn new(a: &'a Analysis, text: &'a str, out: Vec<Finding>) -> Ctx<'a> {
        let p = a.profile;
        Ctx {
            a,
            text,
            out,
            lines: std::cell::OnceCell::new(),
            with_keys: commands_where(p, CommandDef::has_keys),
            with_channels: commands_where(p, CommandDef::has_channels),
            users_at: std::cell::OnceCell::new(),
        }
    }
}

/// What the checks ask of a user's scopes (0 = root, then each selector created), found
/// in one pass over its trail rather than one per scope.
struct Scopes {
    /// Per scope: the last `±@all` (or `reset`) step, and the commands that later steps
    /// of the scope set or clear.
    last_all: Vec<Option<usize>>,
    later: Vec<Bitmap>,
    /// Per scope: the last `allkeys` / `allchannels` step's span.
    all_keys: Vec<Option<Span>>,
    all_channels: Vec<Option<Span>>,
}

impl Scopes {
    fn of(u: &User, profile: &Profile) -> Scopes {
        let n = u.scopes as usize + 1;
        let mut f = Scopes {
            last_all: vec![None; n],
            later: vec![Bitmap::default(); n],
            all_keys: vec![None; n],
            all_channels: vec![None; n],
        };
        for (i, s) in u.trail.iter().enumerate() {
            let k = s.scope as usize;
            if k >= n {
                continue;
            }
            match &s.op {
                Op::Commands(Effect::All(_)) | Op::Reset => {
                    f.last_all[k] = Some(i);
                    f.later[k] = Bitmap::default();
                }
                Op::Commands(e) => {
                    let t = e.touched(profile);
                    f.later[k].0.iter_mut().zip(t.0).for_each(|(w, x)| *w |= x);
                }
                Op::AllKeys => f.all_keys[k] = s.span,
                Op::AllChannels => f.all_channels[k] = s.span,
                _ => {}
            }
        }
        f
    }
}

fn default_user(cx: &mut Ctx) {
    let a = cx.a;
    let Some(r) = a.users.iter().find(|r| r.user.name == b"default") else {
        return;
    };
    let d = &r.user;
    if !(d.enabled && d.nopass) {
        return;
    }
    let aclfile = a.document.kind == Kind::Config
        && cx.text.lines().any(|l| l.trim_start().to_ascii_lowercase().starts_with("aclfile"));
    if let (Kind::Config, Outcome::Startup(s)) = (a.document.kind, &a.outcome) {
        // A server that does not start has no default user to reach.
        if !matches!(s, Startup::Running) {
            return;
        }
        // With `aclfile`, `default` comes from that file. When none of its users are
        // here, we have not seen it (or it is empty) and cannot tell.
        if aclfile
            && r.status == Status::Builtin
            && !a.users.iter().any(|r| r.span.is_none() && r.status != Status::Builtin)
        {
            return;
        }
    }
    let on = d.trail.iter().rev().find(|s| s.scope == 0 && s.op == Op::On).and_then(|s| s.span);
    let fix = match (r.status == Status::Builtin, on, a.document.kind) {
        (false, Some(on), _) => Some(Fix {
            title: "turn the default user off".into(),
            edits: vec![Edit { span: on, replacement: "off".into() }],
            safe: true,
        }),
        (true, _, Kind::AclFile) => Some(Fix {
            title: "add `user default off`".into(),
            edits: vec![Edit { span: Span::new(0, 0), replacement: "user default off\n".into() }],
            safe: true,
        }),
        // Built in, or changed by `ACL SETUSER default …` lines that never say `on`.
        (_, _, Kind::Commands) => Some(Fix {
            title: "add `ACL SETUSER default off`".into(),
            edits: vec![Edit {
                span: Span::new(cx.text.len(), cx.text.len()),
                replacement: format!(
                    "{}ACL SETUSER default off\n",
                    if cx.text.ends_with('\n') || cx.text.is_empty() { "" } else { "\n" }
                ),
            }],
            safe: true,
        }),
        (true, _, Kind::Config) if !aclfile => Some(Fix {
            title: "add `user default off`".into(),
            edits: vec![Edit {
                span: Span::new(cx.text.len(), cx.text.len()),
                replacement: format!(
                    "{}user default off\n",
                    if cx.text.ends_with('\n') || cx.text.is_empty() { "" } else { "\n" }
                ),
            }],
            safe: true,
        }),
        _ => None,
    };
    let how = if r.status == Status::Builtin {
        match a.document.kind {
            Kind::AclFile | Kind::Listing => {
                "the file has no `default` line, so the server creates it as `on nopass ~* &* +@all`"
            }
            Kind::Config if aclfile => {
                "the ACL file has no `default` line, so the server creates it as `on nopass ~* &* +@all`"
            }
            Kind::Config => "nothing sets a password for it (no `requirepass`, no `user default` line)",
            Kind::Commands => "it is still the built-in `on nopass ~* &* +@all`",
        }
    } else {
        "it is `on` with `nopass`"
    };
    let spans = on.into_iter().collect();
    nopass(cx, d);
    cx.push(
        "default-user-open",
        format!("anyone who can reach the server is the `default` user: {how}"),
        "turn `default` off and give every client its own user, or give `default` a long random password",
        Some(d),
        spans,
        fix,
    );
}

/// `nopass` on an enabled user: the rule that set it, if the input has one.
fn nopass(cx: &mut Ctx, u: &User) {
    let span = u.trail.iter().rev().find(|s| s.op == Op::Nopass).and_then(|s| s.span);
    cx.push(
        "nopass",
        format!("`{}` accepts any password, or none", lossy(&u.name)),
        "remove `nopass` and give the user a long random password (stored as `#<sha256>`)",
        Some(u),
        span.into_iter().collect(),
        None,
    );
}

fn passwords(cx: &mut Ctx, u: &User) {
    let file = matches!(cx.a.document.kind, Kind::AclFile | Kind::Config);
    // `default` gets its `nopass` finding with `default-user-open`, under the same conditions.
    if u.enabled && u.nopass && u.name != b"default" {
        nopass(cx, u);
    }
    if !u.enabled || u.nopass || !u.passwords.is_empty() {
    } else if u.name != b"default" {
        cx.push(
            "no-login",
            format!("`{}` is `on` but has no password: nobody can log in as it", lossy(&u.name)),
            "add a password (`#<sha256>` or `>password`) or turn the user `off`",
            Some(u),
            Vec::new(),
            None,
        );
    }
    for step in &u.trail {
        let (Op::Password { add, plaintext: true, digest }, Some(span)) = (&step.op, step.span) else {
            continue;
        };
        let raw = cx.src(span);
        // Quoted (redis.conf, redis-cli) tokens are decoded the way the server splits them.
        let token = match raw.as_bytes().first() {
            Some(b'"' | b'\'') => split_args(raw.as_bytes(), 0).ok().and_then(|mut v| v.pop()).map(|a| a.bytes),
            _ => Some(raw.as_bytes().to_vec()),
        };
        let Some(token) = token else { continue };
        let pw = &token[1.min(token.len())..];
        if *add {
            weak_password(cx, &u.name, pw, span);
        }
        if file {
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            let replacement = format!("{}{hex}", if *add { '#' } else { '!' });
            cx.push(
                "plaintext-password",
                format!("a plaintext password of `{}` is stored in the file", lossy(&u.name)),
                "store the SHA-256 instead: the server accepts `#<hash>` (and `!<hash>` to remove) and never needs the plaintext",
                Some(u),
                vec![span],
                Some(Fix { title: format!("replace it with `{}…`", &replacement[..9]), edits: vec![Edit { span, replacement }], safe: true }),
            );
        }
    }
}

/// `weak-password` for a password `user` is given at `span`, if it is weak.
fn weak_password(cx: &mut Ctx, user: &[u8], pw: &[u8], span: Span) {
    let st = crate::password::strength(pw);
    if st.chars >= 32 && st.bits >= 128.0 && !st.common {
        return;
    }
    let why = if st.common {
        "it is one of the first passwords attackers try".to_string()
    } else if st.chars < 32 {
        format!("it has {} characters; 32 or more random ones are recommended", st.chars)
    } else {
        format!("it is guessable (about {} bits)", (st.bits + 0.5) as u64)
    };
    cx.out.push(Finding {
        code: "weak-password",
        severity: if st.common || st.chars < 12 { Severity::Error } else { Severity::Warning },
        message: format!("weak password for `{}`: {why}", lossy(user)),
        help: "generate one (`aclplay genpass`, or the playground's Passwords panel) and store its `#<sha256>`".into(),
        user: Some(lossy(user)),
        spans: vec![span],
        fix: None,
    });
}

fn commands(cx: &mut Ctx, u: &User, facts: &Scopes) {
    let profile = cx.a.profile;
    let dangerous = allowed_in(u, profile, "dangerous");
    let admin = allowed_in(u, profile, "admin");
    // +@all without -@dangerous, per selector scope.
    for (scope, sel) in scopes(u) {
        let Some(i) = facts.last_all.get(scope as usize).copied().flatten() else { continue };
        let step = &u.trail[i];
        let (Op::Commands(Effect::All(true)), Some(span)) = (&step.op, step.span) else {
            continue;
        };
        // A dangerous command that a later rule of the same selector sets or clears is that
        // rule's doing (`+@all -@dangerous +flushall`: `dangerous-commands` reports it), and
        // the fix, `-@dangerous` right after `+@all`, would not change it.
        let later = &facts.later[scope as usize];
        let sel_dangerous: Vec<CmdId> =
            dangerous.iter().copied().filter(|&id| sel.is_some_and(|s| s.commands.get(id)) && !later.get(id)).collect();
        if sel_dangerous.is_empty() {
            continue;
        }
        cx.push(
            "all-commands",
            format!("`{}` allows every command, including {}", cx.show(span), names(profile, &sel_dangerous, 6)),
            "follow it with `-@dangerous` (and add back only what the application needs)",
            Some(u),
            vec![span],
            Some(Fix {
                title: "add `-@dangerous` after it".into(),
                edits: vec![Edit { span: Span::new(span.end, span.end), replacement: " -@dangerous".into() }],
                safe: false,
            }),
        );
    }
    let escalation: Vec<CmdId> = ESCALATION
        .iter()
        .filter_map(|n| profile.lookup(n.as_bytes()))
        .filter(|&id| u.selectors.iter().any(|s| s.commands.get(id)))
        .collect();
    if !escalation.is_empty() {
        let span = granting_rule(u, profile, escalation[0]);
        cx.push(
            "privilege-escalation",
            format!("`{}` may change users or server settings: {}", lossy(&u.name), names(profile, &escalation, 9)),
            "only an administrator needs these; remove them with `-@admin` (or `-acl -config -module -debug`)",
            Some(u),
            span.into_iter().collect(),
            None,
        );
    }
    let admin_only: Vec<CmdId> = admin.iter().copied().filter(|id| !escalation.contains(id)).collect();
    let dangerous_only: Vec<CmdId> = dangerous.iter().copied().filter(|id| !admin.contains(id)).collect();
    if !dangerous_only.is_empty() {
        cx.push(
            "dangerous-commands",
            format!("`{}` may run dangerous commands: {}", lossy(&u.name), names(profile, &dangerous_only, 8)),
            "add `-@dangerous` unless the application really needs them (KEYS and FLUSHALL can stall or wipe the server)",
            Some(u),
            granting_rule(u, profile, dangerous_only[0]).into_iter().collect(),
            None,
        );
    }
    if !admin_only.is_empty() {
        cx.push(
            "admin-commands",
            format!("`{}` may run administrative commands: {}", lossy(&u.name), names(profile, &admin_only, 8)),
            "add `-@admin` unless this is an operator or monitoring account that needs them",
            Some(u),
            granting_rule(u, profile, admin_only[0]).into_iter().collect(),
            None,
        );
    }
}

/// Each scope (0 = root) with its selector if it still exists.
fn scopes(u: &User) -> Vec<(u32, Option<&Selector>)> {
    let mut v = vec![(0, u.selectors.first())];
    let live: Vec<u32> =
        u.trail.iter().filter_map(|s| if let Op::Selector { scope } = s.op { Some(scope) } else { None }).collect();
    // Selectors still present are the last `selectors.len() - 1` created.
    let present = u.selectors.len().saturating_sub(1);
    let start = live.len().saturating_sub(present);
    for (k, scope) in live.iter().enumerate() {
        let sel = if k >= start { u.selectors.get(1 + k - start) } else { None };
        v.push((*scope, sel));
    }
    v
}

fn keys_and_channels(cx: &mut Ctx, u: &User, facts: &Scopes) {
    let profile = cx.a.profile;
    let is_admin = !allowed_in(u, profile, "admin").is_empty();
    if is_admin {
        return;
    }
    for (scope, sel) in scopes(u) {
        let Some(sel) = sel else { continue };
        let scope = scope as usize;
        // `~*` and `allkeys` set the all-keys flag; `%RW~*`, `%R~*` or `~**` are patterns
        // that match every key all the same.
        let every = |p: &[u8]| !p.is_empty() && p.iter().all(|&b| b == b'*');
        let wide = sel.keys.iter().find(|k| every(&k.pattern));
        if (sel.all_keys || wide.is_some()) && may_run_any(sel, &cx.with_keys) {
            let (span, how) = match wide {
                Some(k) if !sel.all_keys => (
                    k.origin,
                    match (k.read, k.write) {
                        (true, false) => " (to read)",
                        (false, true) => " (to write)",
                        _ => "",
                    },
                ),
                _ => (facts.all_keys[scope], ""),
            };
            cx.push(
                "all-keys",
                format!("`{}` may access every key{how}", lossy(&u.name)),
                "limit it to the application's prefix, e.g. `~app:*` (or `%R~` for read-only access)",
                Some(u),
                span.into_iter().collect(),
                None,
            );
        }
        if sel.all_channels && may_run_any(sel, &cx.with_channels) {
            let span = facts.all_channels[scope];
            let why = if span.is_none() { " (from `acl-pubsub-default allchannels`)" } else { "" };
            cx.push(
                "all-channels",
                format!("`{}` may publish and subscribe on every channel{why}", lossy(&u.name)),
                "use `resetchannels` and list the channels it needs, e.g. `&events:*`",
                Some(u),
                span.into_iter().collect(),
                None,
            );
        }
    }
}

/// For every step, the first later step of the same group (`group`: its scope, and for
/// redis-cli input its line; `None`: in no group) that undoes it. One backward pass per
/// group: each kind of step remembers the next step that would undo it.
fn undone_steps<K: Ord + Copy>(
    profile: &Profile,
    steps: &[Step],
    group: impl Fn(&Step) -> Option<K>,
) -> Vec<Option<usize>> {
    let mut order: Vec<(K, usize)> = steps.iter().enumerate().filter_map(|(i, s)| Some((group(s)?, i))).collect();
    crate::sort::sort_by(&mut order, |a, b| a < b);
    let mut out = vec![None; steps.len()];
    let mut next = Next::default();
    let mut g = 0;
    while g < order.len() {
        let e = g + order[g..].iter().take_while(|(k, _)| *k == order[g].0).count();
        next.clear();
        for &(_, i) in order[g..e].iter().rev() {
            out[i] = next.undoer(profile, &steps[i]);
            next.add(profile, i, &steps[i]);
        }
        g = e;
    }
    out
}

/// The next step (of a group, walking backwards) that undoes each kind of step.
#[derive(Default)]
struct Next {
    on_off: Option<usize>,
    sanitize: Option<usize>,
    /// `resetpass`, `reset`, or a password added (undo `nopass`).
    nopass: Option<usize>,
    /// `nopass`, `resetpass`, `reset` (undo a password), and each password's removal.
    password: Option<usize>,
    removed: rustc_hash::FxHashMap<[u8; 32], usize>,
    selectors: Option<usize>,
    keys: Option<usize>,
    all_keys: Option<usize>,
    channels: Option<usize>,
    all_channels: Option<usize>,
    /// Any database rule (`alldbs`, `resetdbs`, `db=`) or `reset`.
    dbs: Option<usize>,
    /// Any command rule (or `reset`), and per command the next rule that sets or clears it.
    commands: Option<usize>,
    touch: Vec<Option<usize>>,
}

impl Next {
    fn clear(&mut self) {
        let mut touch = std::mem::take(&mut self.touch);
        let mut removed = std::mem::take(&mut self.removed);
        if self.commands.is_some() {
            touch.iter_mut().for_each(|t| *t = None);
        }
        removed.clear();
        *self = Next { touch, removed, ..Next::default() };
    }

    fn undoer(&self, profile: &Profile, s: &Step) -> Option<usize> {
        let first = |a: Option<usize>, b: Option<usize>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => a.or(b),
        };
        match &s.op {
            Op::On | Op::Off => self.on_off,
            Op::Sanitize { .. } => self.sanitize,
            Op::Nopass => self.nopass,
            Op::Password { add: true, digest, .. } => first(self.password, self.removed.get(digest).copied()),
            Op::Selector { .. } => self.selectors,
            Op::Key { .. } => self.keys,
            Op::AllKeys => self.all_keys,
            Op::Channel { .. } => self.channels,
            Op::AllChannels => self.all_channels,
            // Each database rule replaces the databases before it, as `reset` does (`alldbs`).
            Op::AllDbs | Op::ResetDbs | Op::Dbs { .. } => self.dbs,
            Op::Commands(Effect::FirstArg(id, _)) => self.touch.get(*id as usize).copied().flatten(),
            // Undone when later rules together touch every command this one touched.
            Op::Commands(e) => {
                let mine = e.touched(profile);
                if mine.0.iter().all(|&w| w == 0) {
                    return self.commands;
                }
                ids(&mine).try_fold(0, |worst, id| Some(worst.max(self.touch.get(id as usize).copied().flatten()?)))
            }
            _ => None,
        }
    }

    fn add(&mut self, profile: &Profile, i: usize, t: &Step) {
        let at = Some(i);
        match &t.op {
            Op::On | Op::Off => self.on_off = at,
            Op::Reset => {
                (self.on_off, self.sanitize, self.nopass, self.password, self.selectors) = (at, at, at, at, at);
                (self.keys, self.all_keys, self.channels, self.all_channels, self.commands) = (at, at, at, at, at);
                self.dbs = at;
                self.touch = vec![at; Bitmap::ALL.0.len() * 64];
            }
            Op::Sanitize { .. } => self.sanitize = at,
            Op::Resetpass => (self.nopass, self.password) = (at, at),
            Op::Password { add: true, .. } => self.nopass = at,
            Op::Nopass => self.password = at,
            Op::Password { add: false, digest, .. } => _ = self.removed.insert(*digest, i),
            Op::ClearSelectors => self.selectors = at,
            Op::AllKeys => self.keys = at,
            Op::ResetKeys => (self.keys, self.all_keys) = (at, at),
            Op::AllChannels => self.channels = at,
            Op::ResetChannels => (self.channels, self.all_channels) = (at, at),
            Op::AllDbs | Op::ResetDbs | Op::Dbs { .. } => self.dbs = at,
            Op::Commands(e) => {
                if self.touch.is_empty() {
                    self.touch = vec![None; Bitmap::ALL.0.len() * 64];
                }
                self.commands = at;
                for id in ids(&e.touched(profile)) {
                    self.touch[id as usize] = at;
                }
            }
            _ => {}
        }
    }
}

fn order_traps(cx: &mut Ctx, u: &User) {
    let profile = cx.a.profile;
    let steps = &u.trail;
    // Across separate redis-cli commands, a later `reset` or rule is deliberate editing.
    let per_line = cx.a.document.kind == Kind::Commands;
    let group = |t: &Step| match (per_line, t.span) {
        (false, _) => Some((t.scope, 0)),
        (true, Some(s)) => Some((t.scope, cx.line_of(s))),
        (true, None) => None,
    };
    let undone = undone_steps(profile, steps, group);
    // Each password's steps, for removing all of them together.
    let by_digest = std::cell::OnceCell::<rustc_hash::FxHashMap<[u8; 32], Vec<usize>>>::new();
    let mut dead = vec![false; u.scopes as usize + 1];
    for i in 0..steps.len() {
        let s = &steps[i];
        if dead.get(s.scope as usize).copied().unwrap_or(false) {
            continue;
        }
        let Some(span) = s.span else { continue };
        let Some(j) = undone[i] else {
            continue;
        };
        if let Op::Selector { scope } = s.op
            && let Some(d) = dead.get_mut(scope as usize)
        {
            *d = true;
        }
        let Some(later) = steps[j].span else { continue };
        let mine = cx.shown(s);
        let theirs = cx.shown(&steps[j]);
        // An ACL LIST line with escapes maps every rule to the whole quoted line, which
        // cannot be edited rule by rule; other quoted tokens are one rule each.
        let removable = |sp: Span| !(cx.a.document.kind == Kind::Listing && cx.src(sp).starts_with('"'));
        let fix = match (&s.op, &steps[j].op) {
            // `<pw` is refused unless the user has the password, so removing only `>pw`
            // would break the line. A line that defines the user from scratch (ACL file,
            // redis.conf) has no password before it: every use of this one up to the
            // removal is a no-op together. A redis-cli line may remove a password an
            // earlier line added, so there we offer no fix.
            (Op::Password { add: true, digest, .. }, Op::Password { add: false, .. }) if !per_line => {
                let by_digest = by_digest.get_or_init(|| {
                    let mut m: rustc_hash::FxHashMap<[u8; 32], Vec<usize>> = Default::default();
                    for (k, t) in steps.iter().enumerate() {
                        if let Op::Password { digest, .. } = &t.op {
                            m.entry(*digest).or_default().push(k);
                        }
                    }
                    m
                });
                let spans: Vec<Span> =
                    by_digest[digest].iter().take_while(|&&k| k <= j).filter_map(|&k| steps[k].span).collect();
                spans.iter().all(|&sp| removable(sp)).then(|| Fix {
                    title: format!("remove `{mine}` and `{theirs}`"),
                    edits: cx.removals(&spans),
                    safe: true,
                })
            }
            (Op::Password { add: true, .. }, Op::Password { add: false, .. }) => None,
            _ => removable(span).then(|| Fix {
                title: format!("remove `{mine}`"),
                edits: vec![cx.removal(span)],
                safe: true,
            }),
        };
        let help = if matches!((&s.op, &steps[j].op), (Op::Dbs { .. }, Op::Dbs { .. })) {
            "each `db=` replaces the databases before it: list them all in one rule (`db=0,2`)"
        } else {
            "rules apply left to right and later ones win; remove it, or move it after the rule that undoes it if you meant it"
        };
        cx.push(
            "order-trap",
            format!("`{mine}` has no effect: the later `{theirs}` undoes it"),
            help,
            Some(u),
            vec![span, later],
            fix,
        );
    }
}

fn misc(cx: &mut Ctx, u: &User) {
    let profile = cx.a.profile;
    for s in &u.trail {
        match (&s.op, s.span) {
            (Op::Commands(Effect::FirstArg(id, arg)), Some(span)) => cx.push(
                "deprecated-first-arg",
                format!(
                    "`{}` allows {} only with the first argument `{}`: first-argument rules are deprecated",
                    cx.show(span),
                    profile.command(*id).name.to_ascii_uppercase(),
                    lossy(arg)
                ),
                "allow the whole command, a subcommand (`+config|get`), or use a selector; the server logs a deprecation warning for this rule",
                Some(u),
                vec![span],
                None,
            ),
            (Op::Dbs { ids }, Some(span)) => {
                let missing: Vec<String> = ids
                    .iter()
                    .filter(|&&d| i64::from(d) >= crate::commands::databases::DATABASES)
                    .map(u32::to_string)
                    .collect();
                if !missing.is_empty() {
                    cx.push(
                        "suspicious-database",
                        format!(
                            "`{}`: a server with the default `databases 16` has no database {}",
                            cx.src(span),
                            missing.join(", ")
                        ),
                        "databases are numbered from 0 to `databases` − 1 (0 to 15 by default); check the id, or the server's `databases` setting",
                        Some(u),
                        vec![span],
                        None,
                    );
                }
            }
            (Op::Key { pattern } | Op::Channel { pattern }, Some(span)) => {
                let unterminated = {
                    let mut open = false;
                    let mut i = 0;
                    while i < pattern.len() {
                        match pattern[i] {
                            // The server's matcher takes a backslash as an escape inside a class too.
                            b'\\' => i += 1,
                            b'[' if !open => open = true,
                            b']' if open => open = false,
                            _ => {}
                        }
                        i += 1;
                    }
                    open
                };
                let why = if pattern.is_empty() {
                    "the empty pattern matches only an empty name"
                } else if unterminated {
                    "its `[` class is never closed, so it runs to the end of the pattern"
                } else {
                    continue;
                };
                cx.push("suspicious-pattern", format!("`{}`: {why}", cx.show(span)), "check the pattern; `\\[` matches a literal `[`", Some(u), vec![span], None);
            }
            _ => {}
        }
    }
    if u.sanitize == Sanitize::Skip
        && let Some(restore) = profile.lookup(b"restore")
        && u.selectors.iter().any(|s| s.commands.get(restore))
    {
        let span = u.trail.iter().rev().find(|s| s.op == Op::Sanitize { skip: true }).and_then(|s| s.span);
        cx.push(
            "skip-sanitize-payload",
            format!("`{}` may RESTORE payloads the server does not check", lossy(&u.name)),
            "remove `skip-sanitize-payload` unless the payloads come only from a trusted source",
            Some(u),
            span.into_iter().collect(),
            None,
        );
    }
}

fn server_problems(cx: &mut Ctx) {
    let a = cx.a;
    for d in &a.diagnostics {
        match d.code() {
            "acl::unmatched-paren-crash" | "acl::list-crash" | "acl::no-permission-pattern" => {
                let fix = (d.code() == "acl::unmatched-paren-crash").then(|| close_selector(d.span)).flatten();
                cx.push(
                    "server-crash",
                    format!("this makes {} crash: {}", a.profile.name, d.message()),
                    "fix the rule: a crash takes the server down for every client",
                    None,
                    d.span.into_iter().collect(),
                    fix,
                )
            }
            "acl::duplicate-user" => {
                // In an ACL file the later line is the duplicate; dropping it keeps the first.
                let fix = match (a.document.kind, d.span) {
                    (Kind::AclFile, Some(s)) => cx.line_removal(s).map(|e| Fix {
                        title: "remove this later definition".into(),
                        edits: vec![e],
                        safe: false,
                    }),
                    _ => None,
                };
                cx.push(
                    "duplicate-user",
                    d.message(),
                    "merge the definitions into one; the server refuses the whole file (or config)",
                    None,
                    d.span.into_iter().collect(),
                    fix,
                )
            }
            _ => {}
        }
    }
}

/// `)` at the end of an unclosed selector (its span runs from `(` to the end of the line).
fn close_selector(span: Option<Span>) -> Option<Fix> {
    let s = span?;
    Some(Fix {
        title: "close the selector with `)`".into(),
        edits: vec![Edit { span: Span::new(s.end, s.end), replacement: ")".into() }],
        safe: false,
    })
}

/// Why the server refuses an ACL file (or a config at start-up), one finding per refused
/// line or rule, with the fix where one is clear: a comment line removed (ACL files have
/// none), the rule the token was probably meant to be, a pattern that has no effect
/// dropped. Crashes and duplicate users are `server-crash` and `duplicate-user`.
fn load_errors(cx: &mut Ctx) {
    let a = cx.a;
    if !matches!(a.document.kind, Kind::AclFile | Kind::Listing | Kind::Config) {
        return;
    }
    for d in &a.diagnostics {
        if d.severity != Severity::Error
            || matches!(d.code(), "acl::unmatched-paren-crash" | "acl::list-crash" | "acl::duplicate-user")
        {
            continue;
        }
        let Some(span) = d.span else { continue };
        let token = || Some(cx.src(span)).filter(|t| !t.is_empty() && !t.starts_with(['"', '\'']));
        let replace = |title: String, with: String, safe: bool| Fix {
            title,
            edits: vec![Edit { span, replacement: with }],
            safe,
        };
        let fix = match &d.problem {
            Problem::NotUserLine { comment: true } => cx.line_removal(span).map(|e| Fix {
                title: "remove the comment line".into(),
                edits: vec![e],
                safe: true,
            }),
            Problem::Unmatched { .. } => close_selector(d.span),
            // `USER app on`: the keyword in another case.
            Problem::NotUserLine { comment: false } => {
                let line = cx.src(span);
                let word = line.split(' ').next().unwrap_or("");
                (word != "user" && word.eq_ignore_ascii_case("user") && line.len() > 4).then(|| Fix {
                    title: "write `user` in lowercase".into(),
                    edits: vec![Edit { span: Span::new(span.start, span.start + 4), replacement: "user".into() }],
                    safe: false,
                })
            }
            Problem::Rule {
                reason: Reason::KeyAfterAllKeys | Reason::ChannelAfterAllChannels | Reason::NoSuchPassword,
                ..
            } if token().is_some() && !cx.src(span).contains(' ') => {
                Some(Fix { title: format!("remove `{}`", cx.show(span)), edits: vec![cx.removal(span)], safe: false })
            }
            Problem::Rule { reason: Reason::BadHash, .. }
                if token().is_some_and(|t| t.len() == 65 && t[1..].bytes().all(|b| b.is_ascii_hexdigit())) =>
            {
                let t = cx.src(span);
                Some(replace("write the hash in lowercase".into(), t.to_ascii_lowercase(), false))
            }
            Problem::Rule { reason: Reason::FirstArgOfSubcommand, .. } => token().and_then(|t| {
                let cut = t.rfind('|')?;
                Some(replace(format!("allow `{}` instead", &t[..cut]), t[..cut].to_string(), false))
            }),
            _ => None,
        };
        let fix = fix.or_else(|| {
            let x = d.suggestion.as_ref()?;
            token()?;
            Some(replace(format!("replace `{}` with `{}`", cx.show(span), crate::visible::escape(x)), x.clone(), false))
        });
        let what = if a.document.kind == Kind::Config {
            "the server does not start"
        } else {
            "the server refuses the whole file"
        };
        let mut help = d.help().unwrap_or_default();
        if help.is_empty() {
            help = "fix or remove this line".into();
        }
        let user = cx.user_at(span);
        cx.push("load-error", format!("{what}: {}", d.message()), &help, user, vec![span], fix);
    }
}

/// `hidden-characters`: text that shows differently from what the server reads
/// ("Trojan Source"): bidirectional controls reorder what a reviewer sees, invisible
/// characters make different names look the same. One finding per word that holds any;
/// the fix (removing them) is safe only in a comment.
fn hidden_characters(cx: &mut Ctx) {
    let a = cx.a;
    let text = cx.text;
    let mut found: Vec<(Span, Vec<char>, bool)> = Vec::new();
    for l in &a.document.lines {
        let line = &text[l.span.start..l.span.end];
        let comment = l.shape == Shape::Comment;
        for (at, c) in crate::visible::hidden(line) {
            // The word around it: up to the spaces on each side.
            let b = line.as_bytes();
            let start = b[..at].iter().rposition(|&x| x == b' ' || x == b'\t').map_or(0, |i| i + 1);
            let end = b[at..].iter().position(|&x| x == b' ' || x == b'\t').map_or(b.len(), |i| at + i);
            let span = Span::new(l.span.start + start, l.span.start + end);
            match found.last_mut() {
                Some((s, cs, _)) if *s == span => {
                    if !cs.contains(&c) {
                        cs.push(c);
                    }
                }
                _ => found.push((span, vec![c], comment)),
            }
        }
    }
    for (span, chars, comment) in found {
        let word = cx.src(span);
        let names: Vec<String> = chars.iter().map(|&c| hidden_name(c)).collect();
        let reorders = chars.iter().any(|&c| crate::visible::is_bidi_control(c));
        let how = if reorders {
            "it reads in another order than the server reads it"
        } else {
            "it looks like text it is not"
        };
        let user = cx.user_at(span);
        let cleaned: String = word
            .chars()
            .filter(|&c| !(crate::visible::is_bidi_control(c) || crate::visible::is_invisible(c)))
            .collect();
        let fix = Fix {
            title: format!("remove {}", if chars.len() == 1 { "it" } else { "them" }),
            edits: vec![Edit { span, replacement: cleaned }],
            safe: comment,
        };
        cx.push(
            "hidden-characters",
            format!("`{}` holds {}: {how}", cx.show(span), names.join(", ")),
            "remove them unless the name really needs them; this is how \"Trojan Source\" hides what code does from its reviewers (aclplay shows them as escapes like `\\u{202e}`)",
            user,
            vec![span],
            Some(fix),
        );
    }
}

/// A hidden character's name, for a message.
fn hidden_name(c: char) -> String {
    let name = match c {
        '\u{202a}' => "a left-to-right embedding",
        '\u{202b}' => "a right-to-left embedding",
        '\u{202c}' => "a pop directional formatting",
        '\u{202d}' => "a left-to-right override",
        '\u{202e}' => "a right-to-left override",
        '\u{2066}' => "a left-to-right isolate",
        '\u{2067}' => "a right-to-left isolate",
        '\u{2068}' => "a first strong isolate",
        '\u{2069}' => "a pop directional isolate",
        '\u{200e}' => "a left-to-right mark",
        '\u{200f}' => "a right-to-left mark",
        '\u{61c}' => "an Arabic letter mark",
        '\u{200b}' => "a zero-width space",
        '\u{200c}' => "a zero-width non-joiner",
        '\u{200d}' => "a zero-width joiner",
        '\u{2060}' => "a word joiner",
        '\u{feff}' => "a zero-width no-break space",
        '\u{ad}' => "a soft hyphen",
        '\u{2028}' => "a line separator",
        '\u{2029}' => "a paragraph separator",
        _ => "an invisible character",
    };
    format!("{name} (U+{:04X})", c as u32)
}

fn config(cx: &mut Ctx) {
    let a = cx.a;
    if a.document.kind != Kind::Config {
        return;
    }
    let text = cx.text;
    let src = |s: Span| text.get(s.start..s.end).unwrap_or("");
    let line_span = |word: &str| {
        a.document.lines.iter().find_map(|l| match l.shape {
            Shape::Other { word: w } if src(w).eq_ignore_ascii_case(word) => Some(l.span),
            _ => None,
        })
    };
    let Some(rp) = line_span("requirepass") else {
        return;
    };
    // Without a `user default` line or an ACL file, the (last) `requirepass` is the password
    // of the built-in `default` user: as weak as any other.
    let last_rp = a.document.lines.iter().rev().find_map(|l| match l.shape {
        Shape::Other { word: w } if src(w).eq_ignore_ascii_case("requirepass") => Some(l.span),
        _ => None,
    });
    let default_builtin = a.users.iter().any(|r| r.user.name == b"default" && r.status == Status::Builtin);
    if default_builtin
        && line_span("aclfile").is_none()
        && let Some(line) = last_rp
        && let Ok(args) = split_args(src(line).as_bytes(), line.start)
        && let [_, pw] = args.as_slice()
        && !pw.bytes.is_empty()
    {
        weak_password(cx, b"default", &pw.bytes, pw.span);
    }
    if let Some(af) = line_span("aclfile") {
        cx.push(
            "requirepass-with-aclfile",
            "`requirepass` and `aclfile` are both set: the ACL file's `default` line replaces the password, and a file without one re-creates `default` with no password".into(),
            "set the default user's password (or `user default off`) in the ACL file and drop `requirepass`",
            None,
            vec![rp, af],
            None,
        );
    } else if let Some(r) = a.users.iter().find(|r| r.user.name == b"default" && r.status != Status::Builtin) {
        cx.push(
            "requirepass-overridden",
            "`requirepass` is dropped: the `user default` line resets the default user".into(),
            "give the password on the `user default` line (`#<sha256>`) and drop `requirepass`",
            None,
            std::iter::once(rp).chain(r.span).collect(),
            None,
        );
    }
}

/// Applies fixes to the text. A fix is applied whole or not at all: one with an edit that
/// overlaps an edit of a fix taken before it (fixes are taken in the order of their first
/// edit) is skipped, so that no fix is half applied.
pub fn apply(text: &str, fixes: &[&Fix]) -> String {
    let Some((span, replacement)) = apply_span(text, fixes) else { return text.to_string() };
    let mut out = String::with_capacity(text.len() + replacement.len());
    out.push_str(&text[..span.start]);
    out.push_str(&replacement);
    out.push_str(&text[span.end..]);
    out
}

/// [`apply`] as one edit: the span of `text` that changes (from the first edit taken to
/// the last) and what replaces it; `None` when no edit is taken. An editor replaces only
/// that span, so that a fix costs what its edits cost, not what the whole text does.
pub fn apply_span(text: &str, fixes: &[&Fix]) -> Option<(Span, String)> {
    let taken = taken_edits(text, fixes);
    let (first, last) = (taken.first()?.span.start, taken.iter().map(|e| e.span.end).max()?);
    let mut out = String::new();
    let mut at = first;
    for e in taken {
        // Edits of one fix may still overlap each other; the first wins.
        if e.span.start < at {
            continue;
        }
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..last.max(at)]);
    Some((Span::new(first, last.max(at)), out))
}

/// The edits [`apply`] makes, in order. Two edits clash when they overlap (an insertion
/// inside another edit counts; touching does not). The taken edits, with the overlapping
/// edits of one fix merged, never clash with each other, so in order of their starts
/// their ends are in order too: an edit clashes with a taken one exactly when it clashes
/// with the last taken one that starts before its end (one ordered-set lookup).
fn taken_edits<'f>(text: &str, fixes: &[&'f Fix]) -> Vec<&'f Edit> {
    let mut order: Vec<&Fix> = fixes.to_vec();
    crate::sort::sort_by_key(&mut order, |f| f.edits.iter().map(|e| (e.span.start, e.span.end)).min());
    let clash = |a: Span, b: Span| a.start < b.end && b.start < a.end;
    let mut taken_spans: std::collections::BTreeSet<(usize, usize)> = Default::default();
    let mut taken: Vec<&Edit> = Vec::new();
    for f in order {
        let fits = f.edits.iter().all(|e| {
            e.span.start <= e.span.end
                && e.span.end <= text.len()
                && text.is_char_boundary(e.span.start)
                && text.is_char_boundary(e.span.end)
                && taken_spans
                    .range(..(e.span.end, 0))
                    .next_back()
                    .is_none_or(|&(s, t)| !clash(Span::new(s, t), e.span))
        });
        if !fits {
            continue;
        }
        // The fix's own edits, overlapping ones merged (their union covers exactly what
        // they cover, so clashes with it are clashes with one of them).
        let mut own: Vec<Span> = f.edits.iter().map(|e| e.span).collect();
        crate::sort::sort_by_key(&mut own, |s| (s.start, s.end));
        let mut merged: Vec<Span> = Vec::new();
        for sp in own {
            match merged.last_mut() {
                Some(m) if clash(*m, sp) => *m = m.to(sp),
                _ => merged.push(sp),
            }
        }
        taken_spans.extend(merged.into_iter().map(|s| (s.start, s.end)));
        taken.extend(&f.edits);
    }
    crate::sort::sort_by_key(&mut taken, |e| (e.span.start, e.span.end));
    taken
}

/// Findings about the same thing, shown as one entry: those of one user about one rule
/// (its main span), or about the same absence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The most serious of its findings.
    pub severity: Severity,
    pub user: Option<String>,
    pub span: Option<Span>,
    /// Indices into the findings, in order.
    pub findings: Vec<usize>,
}

/// The findings grouped (see [`Group`]): errors first, and among them what stops the
/// server from taking the file (`load-error`) first; otherwise in the order of the
/// findings.
pub fn groups(findings: &[Finding]) -> Vec<Group> {
    let mut index: rustc_hash::FxHashMap<(Option<&str>, Option<Span>), usize> = Default::default();
    let mut out: Vec<Group> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let key = (f.user.as_deref(), f.spans.first().copied());
        match index.get(&key) {
            Some(&g) => {
                let g = &mut out[g];
                g.severity = g.severity.max(f.severity);
                g.findings.push(i);
            }
            None => {
                index.insert(key, out.len());
                out.push(Group { severity: f.severity, user: f.user.clone(), span: key.1, findings: vec![i] });
            }
        }
    }
    let load = |g: &Group| g.findings.iter().any(|&i| findings[i].code == "load-error");
    crate::sort::sort_by_key(&mut out, |g| (std::cmp::Reverse(g.severity), !load(g), g.findings[0]));
    out
}

/// What a copy of the input shared with others must not carry, as edits that remove it:
/// each plaintext password (`>pw`, `<pw`) becomes its SHA-256 (`#…`, `!…`, which the
/// server takes in its place), each `requirepass` / `masterauth` value `REDACTED`. The
/// passwords come from the model (the users' password steps); a rule the model has no
/// step for (a line the server refused, a command that failed) is found by its token.
pub fn secrets(a: &Analysis, text: &str) -> Vec<Edit> {
    let mut out: Vec<Edit> = Vec::new();
    let hash = |add: bool, digest: &[u8; 32]| format!("{}{}", if add { '#' } else { '!' }, crate::bytes::hex(digest));
    for r in &a.users {
        for s in &r.user.trail {
            if let (Op::Password { add, plaintext: true, digest }, Some(span)) = (&s.op, s.span) {
                out.push(Edit { span, replacement: hash(*add, digest) });
            }
        }
    }
    let covered: rustc_hash::FxHashSet<usize> = out.iter().map(|e| e.span.start).collect();
    for (span, class) in crate::input::highlight::highlight(text, &a.document) {
        if class != crate::input::highlight::Class::Password || covered.contains(&span.start) {
            continue;
        }
        let raw = &text.as_bytes()[span.start..span.end];
        let value = match raw.first() {
            Some(b'"' | b'\'') => {
                split_args(raw, 0).ok().and_then(|mut v| v.pop()).map_or_else(|| raw.to_vec(), |x| x.bytes)
            }
            _ => raw.to_vec(),
        };
        let Some((&sign, pw)) = value.split_first() else { continue };
        let replacement = format!("{}{}", if sign == b'<' { '!' } else { '#' }, crate::password::sha256_hex(pw));
        out.push(Edit { span, replacement });
    }
    // `requirepass x` / `masterauth x` (redis.conf), `CONFIG SET requirepass x …`.
    let secret = |w: &[u8]| w.eq_ignore_ascii_case(b"requirepass") || w.eq_ignore_ascii_case(b"masterauth");
    for l in &a.document.lines {
        let (from, pairs) = match (a.document.kind, l.shape) {
            (Kind::Config, Shape::Other { .. }) => (l.span, false),
            (Kind::Commands, Shape::Command { args }) => (args, true),
            _ => continue,
        };
        let Ok(args) = split_args(&text.as_bytes()[from.start..from.end], from.start) else { continue };
        if pairs {
            if args.len() < 4
                || !args[0].bytes.eq_ignore_ascii_case(b"config")
                || !args[1].bytes.eq_ignore_ascii_case(b"set")
            {
                continue;
            }
            for pair in args[2..].chunks(2) {
                if let [k, v] = pair
                    && secret(&k.bytes)
                {
                    out.push(Edit { span: v.span, replacement: "REDACTED".into() });
                }
            }
        } else if args.first().is_some_and(|w| secret(&w.bytes)) {
            out.extend(args[1..].iter().map(|v| Edit { span: v.span, replacement: "REDACTED".into() }));
        }
    }
    crate::sort::sort_by_key(&mut out, |e| (e.span.start, e.span.end));
    out
}

/// Applies every safe fix ("Harden").
pub fn harden(text: &str, findings: &[Finding]) -> String {
    let fixes: Vec<&Fix> = findings.iter().filter_map(|f| f.fix.as_ref()).filter(|f| f.safe).collect();
    apply(text, &fixes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::acl::Ctx as Settings;
    use crate::engine::rules::apply_user_rule;
    use crate::engine::token::SourceMap;

    /// The first audit's quadratic search (one scan of the later steps per step): what
    /// `undone_steps` must equal.
    fn undone_by(profile: &Profile, steps: &[Step], i: usize, same_line: impl Fn(&Step) -> bool) -> Option<usize> {
        let s = &steps[i];
        let later = || {
            steps
                .iter()
                .enumerate()
                .skip(i + 1)
                .filter(|(_, t)| same_line(t) && (t.scope == s.scope || (t.scope == 0 && s.scope == 0)))
        };
        let user_level = |t: &Step| t.scope == 0;
        let find = |pred: &dyn Fn(&Op) -> bool| later().find(|(_, t)| pred(&t.op)).map(|(j, _)| j);
        match &s.op {
            Op::On | Op::Off => find(&|o| matches!(o, Op::On | Op::Off | Op::Reset)),
            Op::Sanitize { .. } => find(&|o| matches!(o, Op::Sanitize { .. } | Op::Reset)),
            Op::Nopass => find(&|o| matches!(o, Op::Resetpass | Op::Reset | Op::Password { add: true, .. })),
            Op::Password { add: true, digest, .. } => find(&|o| match o {
                Op::Nopass | Op::Resetpass | Op::Reset => true,
                Op::Password { add: false, digest: d, .. } => d == digest,
                _ => false,
            }),
            Op::Selector { .. } => find(&|o| matches!(o, Op::ClearSelectors | Op::Reset)),
            Op::Key { .. } => later()
                .find(|(_, t)| matches!(t.op, Op::AllKeys | Op::ResetKeys) || (t.op == Op::Reset && user_level(s)))
                .map(|(j, _)| j),
            Op::AllKeys => {
                later().find(|(_, t)| t.op == Op::ResetKeys || (t.op == Op::Reset && user_level(s))).map(|(j, _)| j)
            }
            Op::Channel { .. } => later()
                .find(|(_, t)| {
                    matches!(t.op, Op::AllChannels | Op::ResetChannels) || (t.op == Op::Reset && user_level(s))
                })
                .map(|(j, _)| j),
            Op::AllChannels => {
                later().find(|(_, t)| t.op == Op::ResetChannels || (t.op == Op::Reset && user_level(s))).map(|(j, _)| j)
            }
            Op::AllDbs | Op::ResetDbs | Op::Dbs { .. } => later()
                .find(|(_, t)| {
                    matches!(t.op, Op::AllDbs | Op::ResetDbs | Op::Dbs { .. }) || (t.op == Op::Reset && user_level(s))
                })
                .map(|(j, _)| j),
            Op::Commands(Effect::FirstArg(id, _)) => later()
                .find(|(_, t)| match &t.op {
                    Op::Commands(e) => e.covers(profile, *id),
                    Op::Reset => user_level(s),
                    _ => false,
                })
                .map(|(j, _)| j),
            Op::Commands(e) => {
                // Undone when later rules together touch every command this one touched.
                let mine = e.touched(profile);
                let mut union = Bitmap::default();
                for (j, t) in later() {
                    let theirs = match &t.op {
                        Op::Commands(e2) => e2.touched(profile),
                        Op::Reset if user_level(s) => Bitmap::ALL,
                        _ => continue,
                    };
                    for (w, x) in union.0.iter_mut().zip(theirs.0) {
                        *w |= x;
                    }
                    if mine.is_subset(&union) {
                        return Some(j);
                    }
                }
                None
            }
            _ => None,
        }
    }

    #[test]
    fn undone_steps_equal_the_search_of_every_later_step() {
        const RULES: &[&str] = &[
            "on",
            "off",
            "nopass",
            "resetpass",
            "reset",
            ">a",
            ">b",
            "<a",
            "#0000000000000000000000000000000000000000000000000000000000000000",
            "sanitize-payload",
            "skip-sanitize-payload",
            "~a",
            "~b",
            "%R~a",
            "allkeys",
            "resetkeys",
            "&a",
            "allchannels",
            "resetchannels",
            "+@all",
            "-@all",
            "+get",
            "-get",
            "+@read",
            "-@write",
            "+@string",
            "+select|0",
            "+client",
            "-client|list",
            "+client|list",
            "(~x +get)",
            "(+@all ~y)",
            "clearselectors",
            "+@keyspace",
            "-@dangerous",
            // Database rules (refused, so absent, on the profiles without them).
            "alldbs",
            "resetdbs",
            "db=0",
            "db=1,2",
            "(~x db=3 +get)",
        ];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        for profile in crate::commands::PROFILES {
            let ctx = Settings { profile, pubsub_all: false };
            for _ in 0..300 {
                let mut u = User::new(b"u", &ctx);
                let n = next(30);
                for k in 0..n {
                    let r = RULES[next(RULES.len())];
                    // Spans give each rule a line (three rules per line) for the redis-cli grouping.
                    let map = SourceMap::verbatim(Span::new(k * 10, k * 10 + 1));
                    let _ = apply_user_rule(&mut u, r.as_bytes(), &map, &ctx);
                }
                let steps = &u.trail;
                let line = |s: &Step| s.span.map(|s| s.start / 30);
                let all = undone_steps(profile, steps, |t| Some((t.scope, 0)));
                let lines = undone_steps(profile, steps, |t| Some((t.scope, line(t)?)));
                for i in 0..steps.len() {
                    assert_eq!(all[i], undone_by(profile, steps, i, |_| true), "{i} of {steps:?}");
                    let same = |t: &Step| t.span.is_some() && line(t) == line(&steps[i]);
                    if steps[i].span.is_some() {
                        assert_eq!(lines[i], undone_by(profile, steps, i, same), "{i} of {steps:?}");
                    }
                }
            }
        }
    }

    /// The first `apply` (every edit compared with every taken one): what the ordered-set
    /// version must equal.
    fn apply_by_scanning(text: &str, fixes: &[&Fix]) -> String {
        let mut order: Vec<&Fix> = fixes.to_vec();
        crate::sort::sort_by_key(&mut order, |f| f.edits.iter().map(|e| (e.span.start, e.span.end)).min());
        let clash = |a: &Edit, b: &Edit| a.span.start < b.span.end && b.span.start < a.span.end;
        let mut taken: Vec<&Edit> = Vec::new();
        for f in order {
            let fits = f.edits.iter().all(|e| {
                e.span.start <= e.span.end
                    && text.is_char_boundary(e.span.start)
                    && text.is_char_boundary(e.span.end)
                    && !taken.iter().any(|t| clash(t, e))
            });
            if fits {
                taken.extend(&f.edits);
            }
        }
        crate::sort::sort_by_key(&mut taken, |e| (e.span.start, e.span.end));
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for e in taken {
            if e.span.start < at {
                continue;
            }
            out.push_str(&text[at..e.span.start]);
            out.push_str(&e.replacement);
            at = e.span.end;
        }
        out.push_str(&text[at..]);
        out
    }

    #[test]
    fn apply_equals_comparing_every_edit() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        let text = "user a on >pw ~k:* +@all é\nuser b off #ab -@all\n";
        for _ in 0..3000 {
            let fixes: Vec<Fix> = (0..next(8))
                .map(|f| Fix {
                    title: String::new(),
                    edits: (0..1 + next(3))
                        .map(|e| {
                            let a = next(text.len() + 2);
                            let b = if next(3) == 0 { a } else { a + next(6) };
                            Edit { span: Span::new(a, b), replacement: format!("<{f}.{e}>") }
                        })
                        .collect(),
                    safe: true,
                })
                .collect();
            let refs: Vec<&Fix> = fixes.iter().collect();
            assert_eq!(apply(text, &refs), apply_by_scanning(text, &refs), "{fixes:?}");
        }
    }

    fn strip(kind: Option<crate::Kind>, text: &str) -> String {
        let a = crate::analyze(text, &crate::Options { kind, ..crate::Options::new(Profile::default_profile()) });
        apply(
            text,
            &secrets(&a, text)
                .iter()
                .map(|e| Fix { title: String::new(), edits: vec![e.clone()], safe: true })
                .collect::<Vec<_>>()
                .iter()
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn secrets_are_the_plaintext_passwords_and_requirepass() {
        use crate::password::sha256_hex as h;
        assert_eq!(
            strip(None, "user app on >secret <old ~app:* +get\n"),
            format!("user app on #{} !{} ~app:* +get\n", h(b"secret"), h(b"old"))
        );
        // redis.conf quoting: the hash is of the unquoted password.
        assert_eq!(
            strip(None, "requirepass \"pw with space\"\nuser app on \">a b\" ~x +get\n"),
            format!("requirepass REDACTED\nuser app on #{} ~x +get\n", h(b"a b"))
        );
        assert_eq!(
            strip(None, "ACL SETUSER app on >pw\nCONFIG SET requirepass hunter2 maxmemory 1gb\n"),
            format!("ACL SETUSER app on #{}\nCONFIG SET requirepass REDACTED maxmemory 1gb\n", h(b"pw"))
        );
        // Rules the model has no step for: a refused SETUSER, a duplicate line.
        assert_eq!(
            strip(None, "ACL SETUSER app on >pw +nosuch\n"),
            format!("ACL SETUSER app on #{} +nosuch\n", h(b"pw"))
        );
        assert_eq!(strip(None, "user a on\nuser a >pw\n"), format!("user a on\nuser a #{}\n", h(b"pw")));
        let text = "user app on #abc nopass\n";
        assert_eq!(strip(None, text), text);
    }

    #[test]
    fn groups_gather_a_users_findings_about_one_rule() {
        let text = "user default on nopass ~* &* +@all\n# a comment\nuser app on >pw ~* +@all\n";
        let a = crate::analyze(text, &crate::Options::new(Profile::default_profile()));
        let f = lint(&a, text);
        let g = groups(&f);
        assert_eq!(g.iter().map(|g| g.findings.len()).sum::<usize>(), f.len(), "every finding in one group");
        assert!(g.len() < f.len());
        // Errors first, and the line that stops the file loading first of all.
        assert_eq!(f[g[0].findings[0]].code, "load-error");
        assert!(g.windows(2).all(|w| w[0].severity >= w[1].severity));
        let plus_all = text.rfind("+@all").unwrap();
        let app: Vec<&Group> = g
            .iter()
            .filter(|g| g.user.as_deref() == Some("app") && g.span.is_some_and(|s| s.start == plus_all))
            .collect();
        assert_eq!(app.len(), 1);
        assert!(app[0].findings.len() >= 2, "{:?}", app[0].findings.iter().map(|&i| f[i].code).collect::<Vec<_>>());
    }
}
