//! The security audit: a pass over the applied model (beside evaluate and describe) that
//! finds what is unsafe, against the practice our users follow: authentication always,
//! `default` off, one user per application limited to its keys and without dangerous
//! commands, long random passwords stored as hashes.

use crate::analysis::{Analysis, Outcome, Status};
use crate::commands::CmdId;
use crate::commands::table::CommandDef;
use crate::commands::{Bitmap, Profile};
use crate::diagnostics::Severity;
use crate::engine::acl::{Effect, Op, Sanitize, Selector, Step, User};
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
    lines: crate::span::LineIndex,
}

impl Ctx<'_> {
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
            user: user.map(|u| String::from_utf8_lossy(&u.name).into_owned()),
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
            _ => src.to_string(),
        }
    }
    fn line_of(&self, s: Span) -> usize {
        self.lines.line_of(s.start)
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Names of the allowed commands of a category (bits only), over all selectors.
fn allowed_in(u: &User, profile: &Profile, cat: &str) -> Vec<CmdId> {
    let Some(c) = profile.table.category_index(cat.as_bytes()) else {
        return Vec::new();
    };
    let mask = profile.category_mask(c);
    (0..profile.table.commands().len() as CmdId)
        .filter(|&id| mask.get(id) && !profile.command(id).container && u.selectors.iter().any(|s| s.commands.get(id)))
        .collect()
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

fn may_run_any(s: &Selector, profile: &Profile, pred: impl Fn(&CommandDef) -> bool) -> bool {
    profile.table.commands().iter().enumerate().any(|(i, c)| s.commands.get(i as CmdId) && pred(c))
}

/// Runs every check.
pub fn lint(a: &Analysis, text: &str) -> Vec<Finding> {
    let mut cx = Ctx { a, text, out: Vec::new(), lines: crate::span::LineIndex::new(text) };
    default_user(&mut cx);
    for r in &a.users {
        let u = &r.user;
        if r.status == Status::Builtin {
            continue;
        }
        passwords(&mut cx, u);
        commands(&mut cx, u);
        keys_and_channels(&mut cx, u);
        order_traps(&mut cx, u);
        misc(&mut cx, u);
    }
    server_problems(&mut cx);
    config(&mut cx);
    let mut out = cx.out;
    crate::sort::sort_by_key(&mut out, |f| (f.spans.first().map_or(0, |s| s.start), std::cmp::Reverse(f.severity)));
    out
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

fn commands(cx: &mut Ctx, u: &User) {
    let profile = cx.a.profile;
    let dangerous = allowed_in(u, profile, "dangerous");
    let admin = allowed_in(u, profile, "admin");
    // +@all without -@dangerous, per selector scope.
    for (scope, sel) in scopes(u) {
        let last_all =
            u.trail.iter().rposition(|s| s.scope == scope && matches!(s.op, Op::Commands(Effect::All(_)) | Op::Reset));
        let Some(i) = last_all else { continue };
        let step = &u.trail[i];
        let (Op::Commands(Effect::All(true)), Some(span)) = (&step.op, step.span) else {
            continue;
        };
        // A dangerous command that a later rule of the same selector sets or clears is that
        // rule's doing (`+@all -@dangerous +flushall`: `dangerous-commands` reports it), and
        // the fix, `-@dangerous` right after `+@all`, would not change it.
        let mut later = Bitmap::default();
        for t in u.trail[i + 1..].iter().filter(|t| t.scope == scope) {
            if let Op::Commands(e) = &t.op {
                for (w, x) in later.0.iter_mut().zip(e.touched(profile).0) {
                    *w |= x;
                }
            }
        }
        let sel_dangerous: Vec<CmdId> =
            dangerous.iter().copied().filter(|&id| sel.is_some_and(|s| s.commands.get(id)) && !later.get(id)).collect();
        if sel_dangerous.is_empty() {
            continue;
        }
        cx.push(
            "all-commands",
            format!("`{}` allows every command, including {}", cx.src(span), names(profile, &sel_dangerous, 6)),
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

fn keys_and_channels(cx: &mut Ctx, u: &User) {
    let profile = cx.a.profile;
    let is_admin = !allowed_in(u, profile, "admin").is_empty();
    if is_admin {
        return;
    }
    for (scope, sel) in scopes(u) {
        let Some(sel) = sel else { continue };
        let origin =
            |pred: fn(&Op) -> bool| u.trail.iter().rev().find(|s| s.scope == scope && pred(&s.op)).and_then(|s| s.span);
        // `~*` and `allkeys` set the all-keys flag; `%RW~*`, `%R~*` or `~**` are patterns
        // that match every key all the same.
        let every = |p: &[u8]| !p.is_empty() && p.iter().all(|&b| b == b'*');
        let wide = sel.keys.iter().find(|k| every(&k.pattern));
        if (sel.all_keys || wide.is_some()) && may_run_any(sel, profile, CommandDef::has_keys) {
            let (span, how) = match wide {
                Some(k) if !sel.all_keys => (
                    k.origin,
                    match (k.read, k.write) {
                        (true, false) => " (to read)",
                        (false, true) => " (to write)",
                        _ => "",
                    },
                ),
                _ => (origin(|o| *o == Op::AllKeys), ""),
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
        if sel.all_channels && may_run_any(sel, profile, CommandDef::has_channels) {
            let span = origin(|o| *o == Op::AllChannels);
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

/// Which later step undoes `steps[i]`, if any.
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
            .find(|(_, t)| matches!(t.op, Op::AllChannels | Op::ResetChannels) || (t.op == Op::Reset && user_level(s)))
            .map(|(j, _)| j),
        Op::AllChannels => {
            later().find(|(_, t)| t.op == Op::ResetChannels || (t.op == Op::Reset && user_level(s))).map(|(j, _)| j)
        }
        // Each database rule replaces the databases before it, as `reset` does (`alldbs`).
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

fn order_traps(cx: &mut Ctx, u: &User) {
    let profile = cx.a.profile;
    let steps = &u.trail;
    // Across separate redis-cli commands, a later `reset` or rule is deliberate editing.
    let per_line = cx.a.document.kind == Kind::Commands;
    let mut dead_scopes: Vec<u32> = Vec::new();
    for i in 0..steps.len() {
        let s = &steps[i];
        if dead_scopes.contains(&s.scope) {
            continue;
        }
        let Some(span) = s.span else { continue };
        let line = cx.line_of(span);
        let same_line = |t: &Step| !per_line || t.span.is_some_and(|ts| cx.line_of(ts) == line);
        let Some(j) = undone_by(profile, steps, i, same_line) else {
            continue;
        };
        if let Op::Selector { scope } = s.op {
            dead_scopes.push(scope);
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
                let spans: Vec<Span> = steps[..=j]
                    .iter()
                    .filter(|t| matches!(&t.op, Op::Password { digest: d, .. } if d == digest))
                    .filter_map(|t| t.span)
                    .collect();
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
                    cx.src(span),
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
                cx.push("suspicious-pattern", format!("`{}`: {why}", cx.src(span)), "check the pattern; `\\[` matches a literal `[`", Some(u), vec![span], None);
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
            "acl::unmatched-paren-crash" | "acl::list-crash" | "acl::no-permission-pattern" => cx.push(
                "server-crash",
                format!("this makes {} crash: {}", a.profile.name, d.message()),
                "fix the rule: a crash takes the server down for every client",
                None,
                d.span.into_iter().collect(),
                None,
            ),
            "acl::duplicate-user" => cx.push(
                "duplicate-user",
                d.message(),
                "merge the definitions into one; the server refuses the whole file (or config)",
                None,
                d.span.into_iter().collect(),
                None,
            ),
            _ => {}
        }
    }
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
        // Edits of one fix may still overlap each other; the first wins.
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

/// Applies every safe fix ("Harden").
pub fn harden(text: &str, findings: &[Finding]) -> String {
    let fixes: Vec<&Fix> = findings.iter().filter_map(|f| f.fix.as_ref()).filter(|f| f.safe).collect();
    apply(text, &fixes)
}
