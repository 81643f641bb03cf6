//! What a client logged in as the user is told, beside `ACL DRYRUN`'s reply: the
//! command's refusal at top level (`processCommand`: lookup, arity, protected commands,
//! `no_multi` inside `MULTI`, then the ACL check, whose `NOPERM` texts differ from DRYRUN's), inside `MULTI` (the
//! queue-time refusal and `EXEC`'s `EXECABORT`), from a script (`EVAL`/`FCALL` whose
//! `redis.call` is refused: `scriptCall`'s checks) and the `ACL LOG` entries each writes.
//!
//! An allowed command is not simulated (its result depends on data): its reply is
//! `None`, "it runs". The texts that differ between versions are the registry's
//! `[texts.client]` (`ClientTexts`); the checks are DRYRUN's own (`super::dryrun`), so
//! that the two cannot disagree about who may run what.

use super::dryrun::verdict;
use super::reply::Denial;
use crate::bytes::c_str;
use crate::commands::table::CommandDef;
use crate::commands::{Profile, flag};
use crate::engine::acl::User;
pub use aclplay_formats::client::{
    ClientRecord, EVAL_SCRIPT, FCALL_FUNCTION, FCALL_LIBRARY, LogEntry, MultiRecord, TRANSACTION_COMMANDS,
};
use serde::Serialize;

/// `processCommand`'s refusal of a protected command (`enable-debug-command` and
/// `enable-module-command` are `no` by default, so a loopback client is refused too).
/// The flag is not in `COMMAND INFO`: the commands are the ones the server's command
/// table marks `PROTECTED`, the same in every version aclplay knows.
const PROTECTED: &[(&str, &str, &str)] = &[
    ("debug", "DEBUG", "enable-debug-command"),
    ("module|load", "MODULE", "enable-module-command"),
    ("module|loadex", "MODULE", "enable-module-command"),
    ("module|unload", "MODULE", "enable-module-command"),
];

/// What `EXEC` answers after a refusal at queue time.
const EXECABORT: &str = "EXECABORT Transaction discarded because of previous errors.";
/// What a refusal of `EXEC` itself starts with (`execCommandAbort`), then the refusal
/// without its leading `-`.
const EXECABORT_BECAUSE: &str = "EXECABORT Transaction discarded because of: ";

/// Where a command was sent, as `ACL LOG` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    TopLevel,
    Multi,
    Lua,
}

impl Context {
    fn name(self) -> &'static str {
        match self {
            Context::TopLevel => "toplevel",
            Context::Multi => "multi",
            Context::Lua => "lua",
        }
    }
}

/// One reply and the `ACL LOG` entries it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    /// The reply, byte for byte; `None` when the command is allowed and would run.
    pub reply: Option<String>,
    /// For a script: whether `EVAL`/`FCALL` itself was refused (what the user needs
    /// before its `redis.call` is even checked).
    pub outer: bool,
    /// Newest first.
    pub log: Vec<LogEntry>,
}

/// The command sent inside `MULTI`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MultiView {
    /// `OK`, or `MULTI`'s own refusal (then the command is not sent inside it).
    pub multi: String,
    /// `QUEUED` or the queue-time refusal.
    pub queued: Option<String>,
    /// `EXEC`'s reply after a refusal; `None` when queued (EXEC would run it).
    pub exec: Option<String>,
    pub log: Vec<LogEntry>,
}

/// What a client logged in as the user sees when it sends a command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientView {
    pub run: View,
    /// `None` for the transaction commands, which act at once inside `MULTI`.
    pub multi: Option<MultiView>,
    /// `EVAL "return redis.call(unpack(ARGV))" 0 <argv…>`.
    pub eval: View,
    /// `FCALL aclplay_call 0 <argv…>` (a library that calls its arguments is loaded).
    pub fcall: View,
}

/// `ACL LOG` as the server keeps it: an entry equal in reason, context, object and user
/// to an earlier one counts it again and moves it to the front.
#[derive(Default)]
struct Log(Vec<LogEntry>);

impl Log {
    fn add(&mut self, e: LogEntry) {
        let same = |x: &LogEntry| {
            x.reason == e.reason && x.context == e.context && x.object == e.object && x.username == e.username
        };
        let entry = match self.0.iter().position(same) {
            Some(i) => {
                let mut old = self.0.remove(i);
                old.count += 1;
                old
            }
            None => e,
        };
        self.0.insert(0, entry);
    }
}

/// Why a command was refused before it ran.
enum Refusal {
    /// A check other than the ACL's: the message without `ERR ` (the server adds it).
    Error(Vec<u8>),
    /// `NOSUB` (see `Behavior::refuse_unsubscribe_when_not_subscribed`).
    NoSub(&'static str),
    /// The ACL check: what was denied and where.
    Acl(&'static CommandDef, Denial, usize),
}

/// `%u`, `%c`, `%a`, `%C` of a registry text filled in (one pass, so that a name holding
/// `%c` stays as it is).
fn fill(text: &str, user: &[u8], command: &str, arg: &[u8], upper: &[u8]) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() + 16);
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 1 < b.len() {
            let with: Option<&[u8]> = match b[i + 1] {
                b'u' => Some(user),
                b'c' => Some(command.as_bytes()),
                b'a' => Some(arg),
                b'C' => Some(upper),
                _ => None,
            };
            if let Some(w) = with {
                out.extend_from_slice(w);
                i += 2;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// `%.<n>s`: a C string, at most `n` bytes.
fn c_prefix(b: &[u8], n: usize) -> &[u8] {
    let s = c_str(b);
    &s[..s.len().min(n)]
}

/// What `rejectCommandFormat` does to a message: CR and LF made spaces.
fn map_newlines(mut b: Vec<u8>) -> Vec<u8> {
    for c in &mut b {
        if *c == b'\r' || *c == b'\n' {
            *c = b' ';
        }
    }
    b
}

fn text(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Whether argv[0] names a top-level container command (`isContainerCommandBySds`).
fn names_container(profile: &Profile, name: &[u8]) -> bool {
    profile.lookup(name).is_some_and(|id| {
        let c = profile.command(id);
        c.container && c.parent().is_none()
    })
}

/// `unknown subcommand '<arg>'. Try <COMMAND> HELP.` / `unknown command '<name>', with
/// args beginning with: '<arg>' …`, as `processCommand` prints them.
fn unknown(profile: &Profile, argv: &[&[u8]]) -> Vec<u8> {
    if argv.len() >= 2 && names_container(profile, argv[0]) {
        let mut s = b"unknown subcommand '".to_vec();
        s.extend_from_slice(c_prefix(argv[1], 128));
        s.extend_from_slice(b"'. Try ");
        s.extend(c_str(argv[0]).iter().map(u8::to_ascii_uppercase));
        s.extend_from_slice(b" HELP.");
        return s;
    }
    let mut args = Vec::new();
    for a in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        args.push(b'\'');
        args.extend_from_slice(c_prefix(a, 128 - args.len() + 1));
        args.extend_from_slice(b"' ");
    }
    let mut s = b"unknown command '".to_vec();
    s.extend_from_slice(c_prefix(argv[0], 128));
    s.extend_from_slice(b"', with args beginning with: ");
    s.extend_from_slice(&args);
    s
}

/// `processCommand`'s checks of a command line sent by the user, in its order: lookup,
/// arity, protected commands, `no_multi` inside `MULTI`, the ACL (in database 0, a new
/// connection's).
fn check(profile: &Profile, user: &User, argv: &[&[u8]], in_multi: bool) -> Result<(), Refusal> {
    let Some((id, c)) = profile.command_of(argv) else {
        return Err(Refusal::Error(unknown(profile, argv)));
    };
    if !c.arity_ok(argv.len()) {
        return Err(Refusal::Error(format!("wrong number of arguments for '{}' command", c.fullname).into_bytes()));
    }
    if let Some((_, shown, option)) = PROTECTED.iter().find(|p| p.0 == c.name) {
        return Err(Refusal::Error(
            format!(
                "{shown} command not allowed. If the {option} option is set to \"local\", you can run it from a \
                 local connection, otherwise you need to set this option in the configuration file, and then \
                 restart the server."
            )
            .into_bytes(),
        ));
    }
    if in_multi && c.has_flag(flag::NO_MULTI) {
        return Err(Refusal::Error(fill(profile.texts.client.multi_no_multi, b"", c.fullname, b"", b"")));
    }
    if let Some((kind, pos)) = verdict(
        &user.selectors,
        c,
        id,
        argv,
        0,
        profile.behavior.keynum_last,
        profile.behavior.string_match_nesting_limit,
    ) {
        return Err(Refusal::Acl(c, kind, pos));
    }
    // A new connection is a RESP2 client subscribed to nothing.
    if profile.behavior.refuse_unsubscribe_when_not_subscribed
        && matches!(c.name, "unsubscribe" | "punsubscribe" | "sunsubscribe")
    {
        return Err(Refusal::NoSub(c.name));
    }
    Ok(())
}

/// The `ACL LOG` entry of an ACL refusal (`addACLLogEntry`).
fn log_entry(user: &User, c: &CommandDef, kind: Denial, pos: usize, argv: &[&[u8]], ctx: Context) -> LogEntry {
    let (reason, object) = match kind {
        Denial::Command => ("command", c.fullname.to_string()),
        Denial::Key => ("key", crate::bytes::lossy(argv[pos])),
        Denial::Channel => ("channel", crate::bytes::lossy(argv[pos])),
        // Observed: the command's name at top level and in MULTI, argv[0] as the script
        // wrote it from a script (Valkey 9.1).
        Denial::Database if pos == 0 && ctx != Context::Lua => ("database", c.name.to_string()),
        Denial::Database => ("database", crate::bytes::lossy(argv[pos])),
    };
    LogEntry {
        count: 1,
        reason: reason.into(),
        context: ctx.name().into(),
        object,
        username: crate::bytes::lossy(&user.name),
    }
}

/// The reply to a refusal at top level or inside `MULTI`, logging an ACL refusal.
fn refused(profile: &Profile, user: &User, argv: &[&[u8]], r: Refusal, ctx: Context, log: &mut Log) -> String {
    let t = &profile.texts.client;
    let (code, msg, name): (&str, Vec<u8>, &str) = match r {
        Refusal::Error(m) => ("ERR ", m, argv_command_name(profile, argv)),
        Refusal::NoSub(name) => {
            ("NOSUB ", format!("'{name}' command executed not in subscribed mode").into_bytes(), name)
        }
        Refusal::Acl(c, kind, pos) => {
            log.add(log_entry(user, c, kind, pos, argv, ctx));
            let tpl = match kind {
                Denial::Command => t.noperm_command,
                Denial::Key => t.noperm_key,
                Denial::Channel => t.noperm_channel,
                Denial::Database => t.noperm_database,
            };
            // `-NOPERM %s`: the message is read as a C string.
            ("NOPERM ", c_str(&fill(tpl, &user.name, c.fullname, b"", b"")).to_vec(), c.name)
        }
    };
    let msg = map_newlines(msg);
    if name == "exec" {
        // `rejectCommand` of EXEC aborts the transaction with the refusal (`-ERR`'s code
        // is the one `addReplyError` would add, so it is not repeated).
        let code = if code == "ERR " { "" } else { code };
        return text([EXECABORT_BECAUSE.as_bytes(), code.as_bytes(), &msg].concat());
    }
    text([code.as_bytes(), &msg].concat())
}

/// The full name of the command a line runs, or "" when unknown.
fn argv_command_name(profile: &Profile, argv: &[&[u8]]) -> &'static str {
    profile.command_of(argv).map_or("", |(_, c)| c.name)
}

/// The top-level view.
fn top_level(profile: &Profile, user: &User, argv: &[&[u8]]) -> View {
    let mut log = Log::default();
    let reply =
        check(profile, user, argv, false).err().map(|r| refused(profile, user, argv, r, Context::TopLevel, &mut log));
    View { reply, outer: false, log: log.0 }
}

/// The view inside `MULTI`: `MULTI`, the command, then `EXEC` after a refusal.
fn in_multi(profile: &Profile, user: &User, argv: &[&[u8]]) -> Option<MultiView> {
    if TRANSACTION_COMMANDS.contains(&argv_command_name(profile, argv)) {
        return None;
    }
    let mut log = Log::default();
    let multi: &[&[u8]] = &[b"MULTI"];
    if let Err(r) = check(profile, user, multi, false) {
        let multi = refused(profile, user, multi, r, Context::TopLevel, &mut log);
        return Some(MultiView { multi, queued: None, exec: None, log: log.0 });
    }
    let Err(r) = check(profile, user, argv, true) else {
        return Some(MultiView { multi: "OK".into(), queued: Some("QUEUED".into()), exec: None, log: log.0 });
    };
    let queued = refused(profile, user, argv, r, Context::Multi, &mut log);
    let exec_argv: &[&[u8]] = &[b"EXEC"];
    let exec = match check(profile, user, exec_argv, true) {
        Ok(()) => EXECABORT.to_string(),
        Err(r) => refused(profile, user, exec_argv, r, Context::Multi, &mut log),
    };
    Some(MultiView { multi: "OK".into(), queued: Some(queued), exec: Some(exec), log: log.0 })
}

/// The view from a script: `head` (`EVAL <script> 0` or `FCALL <function> 0`) with the
/// command line as its arguments, then `scriptCall`'s checks of the inner call: lookup,
/// arity, `noscript`, the ACL.
fn script(profile: &Profile, user: &User, head: [&[u8]; 3], argv: &[&[u8]], suffix: &str) -> View {
    let mut log = Log::default();
    let outer: Vec<&[u8]> = head.iter().copied().chain(argv.iter().copied()).collect();
    if let Err(r) = check(profile, user, &outer, false) {
        let reply = refused(profile, user, &outer, r, Context::TopLevel, &mut log);
        return View { reply: Some(reply), outer: true, log: log.0 };
    }
    let t = &profile.texts.client;
    let msg: Option<Vec<u8>> = match profile.command_of(argv) {
        None if argv.len() >= 2 && names_container(profile, argv[0]) => {
            let upper: Vec<u8> = c_str(argv[0]).iter().map(u8::to_ascii_uppercase).collect();
            Some(fill(t.script_unknown_subcommand, b"", "", c_prefix(argv[1], 128), &upper))
        }
        None => Some(t.script_unknown_command.as_bytes().to_vec()),
        Some((_, c)) if !c.arity_ok(argv.len()) => Some(t.script_wrong_arity.as_bytes().to_vec()),
        Some((_, c)) if c.has_flag(flag::NOSCRIPT) => Some(t.script_noscript.as_bytes().to_vec()),
        Some((id, c)) => verdict(
            &user.selectors,
            c,
            id,
            argv,
            0,
            profile.behavior.keynum_last,
            profile.behavior.string_match_nesting_limit,
        )
        .map(|(kind, pos)| {
            log.add(log_entry(user, c, kind, pos, argv, Context::Lua));
            let tpl = match kind {
                Denial::Command => t.script_command,
                Denial::Key => t.script_key,
                Denial::Channel => t.script_channel,
                Denial::Database => t.script_database,
            };
            fill(tpl, &user.name, c.fullname, b"", b"")
        }),
    };
    let reply = msg.map(|m| text([b"ERR ".as_slice(), &map_newlines(m), suffix.as_bytes()].concat()));
    View { reply, outer: false, log: log.0 }
}

/// What a client logged in as `user` sees when it sends `argv` (on a new connection, in
/// database 0); `None` for an empty line (the server ignores it).
pub fn client_view(profile: &Profile, user: &User, argv: &[&[u8]]) -> Option<ClientView> {
    if argv.is_empty() {
        return None;
    }
    let t = &profile.texts.client;
    Some(ClientView {
        run: top_level(profile, user, argv),
        multi: in_multi(profile, user, argv),
        eval: script(profile, user, [b"EVAL", EVAL_SCRIPT.as_bytes(), b"0"], argv, t.eval_error_suffix),
        fcall: script(profile, user, [b"FCALL", FCALL_FUNCTION.as_bytes(), b"0"], argv, t.fcall_error_suffix),
    })
}

/// The view as the recorder records it (`aclplay-record client`), which never runs an
/// allowed command: the top-level view only when DRYRUN refuses the line (`dryrun_ok`
/// false), each script view only when DRYRUN refuses the line or the `EVAL`/`FCALL`
/// line itself.
pub fn record_of(
    profile: &Profile,
    user: &User,
    argv: &[&[u8]],
    dryrun_ok: impl Fn(&[&[u8]]) -> bool,
) -> Option<ClientView> {
    let mut v = client_view(profile, user, argv)?;
    let line_ok = dryrun_ok(argv);
    if line_ok {
        v.run = View { reply: None, outer: false, log: Vec::new() };
    }
    for (head, view) in [
        ([b"EVAL".as_slice(), EVAL_SCRIPT.as_bytes(), b"0"], &mut v.eval),
        ([b"FCALL".as_slice(), FCALL_FUNCTION.as_bytes(), b"0"], &mut v.fcall),
    ] {
        let outer: Vec<&[u8]> = head.iter().copied().chain(argv.iter().copied()).collect();
        if line_ok && dryrun_ok(&outer) {
            *view = View { reply: None, outer: false, log: Vec::new() };
        }
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::PROFILES;
    use crate::engine::server::Server;
    use crate::engine::token::Token;

    fn user_with(profile: &'static Profile, rules: &[&str]) -> User {
        let mut s = Server::new(profile);
        let tokens: Vec<Token> = rules.iter().map(|r| Token::plain(r.as_bytes())).collect();
        s.setuser(b"u", None, &tokens).unwrap();
        s.user(b"u").unwrap().clone()
    }

    #[test]
    fn unknown_command_args_stop_at_128_bytes() {
        let long = vec![b'c'; 130];
        let argv: [&[u8]; 4] = [b"UNKNOWNCMD", b"a\nb", &long, b"d"];
        let got = text(map_newlines(unknown(&PROFILES[0], &argv)));
        // The live servers' text: `'a b' ` is 6 bytes, then 122 of the c's.
        let want = format!("unknown command 'UNKNOWNCMD', with args beginning with: 'a b' '{}' ", "c".repeat(122));
        assert_eq!(got, want);
    }

    #[test]
    fn a_repeated_log_entry_counts_again_and_moves_first() {
        let e = |object: &str| LogEntry {
            count: 1,
            reason: "key".into(),
            context: "toplevel".into(),
            object: object.into(),
            username: "u".into(),
        };
        let mut log = Log::default();
        for o in ["b", "c", "b"] {
            log.add(e(o));
        }
        assert_eq!(log.0, vec![LogEntry { count: 2, ..e("b") }, e("c")]);
    }

    #[test]
    fn allowed_commands_run_and_denied_ones_are_refused_everywhere() {
        for profile in PROFILES {
            let u = user_with(profile, &["+@all", "-set", "~a*"]);
            let get: [&[u8]; 2] = [b"GET", b"a1"];
            let v = client_view(profile, &u, &get).unwrap();
            assert_eq!((v.run.reply, v.eval.reply.as_deref()), (None, None));
            assert_eq!(v.multi.unwrap().queued.as_deref(), Some("QUEUED"));
            let set: [&[u8]; 3] = [b"SET", b"a1", b"v"];
            let v = client_view(profile, &u, &set).unwrap();
            let run = v.run.reply.unwrap();
            assert!(run.starts_with("NOPERM ") && run.contains("'set'"), "{profile:?}: {run}");
            assert_eq!(v.run.log[0].context, "toplevel");
            let m = v.multi.unwrap();
            assert_eq!((m.queued.as_deref(), m.exec.as_deref()), (Some(run.as_str()), Some(EXECABORT)));
            assert_eq!(m.log[0].context, "multi");
            let eval = v.eval.reply.unwrap();
            assert!(eval.starts_with("ERR ") && eval.ends_with(profile.texts.client.eval_error_suffix), "{eval}");
            assert_eq!((v.eval.outer, v.eval.log[0].context.as_str()), (false, "lua"));
        }
    }
}
