//! A redis-cli session on a fresh simulated server: each command line's reply, the users
//! it leaves, and diagnostics for the lines the server refuses. The session is one
//! connection: `SELECT` changes the database its `ACL DRYRUN` lines are asked from.

use super::report::{Analysis, CommandReply, Options, Outcome, Status, UserReport};
use super::value::Value;
use crate::bytes::{c_str, lossy};
use crate::commands::Profile;
use crate::diagnostics::{Diagnostic, Problem};
use crate::engine::acl::User;
use crate::engine::rules::apply_user_rule;
use crate::engine::server::{Server, SetuserError};
use crate::engine::token::{SourceMap, Token};
use crate::input::document::Shape;
use crate::input::split::split_args;
use crate::span::Span;
use crate::verdicts::describe::{acl_list_line, getuser};
use crate::verdicts::dryrun;
use crate::verdicts::reply::ReplyKind;

/// Runs redis-cli lines one after another on a fresh server.
pub(super) fn run(a: &mut Analysis, text: &str, opts: &Options) {
    let mut server = Server::new(opts.profile);
    server.ctx.pubsub_all = opts.pubsub_all;
    let mut db = 0;
    let mut replies = Vec::new();
    let mut defined_at: Vec<(Vec<u8>, Span)> = Vec::new();
    let lines = a.document.lines.clone();
    for l in &lines {
        let args_span = match l.shape {
            Shape::Command { args } => args,
            Shape::Blank | Shape::Comment => continue,
            Shape::Listing { .. } | Shape::Other { .. } => {
                a.diagnostics.push(Diagnostic::new(Problem::UnknownLine, Some(l.span), None));
                continue;
            }
        };
        let raw = &text.as_bytes()[args_span.start..args_span.end];
        let argv = match split_args(raw, args_span.start) {
            Ok(v) => v,
            Err(_) => {
                a.diagnostics.push(Diagnostic::new(
                    Problem::UnbalancedQuotes,
                    Some(args_span),
                    Some("Invalid argument(s)".into()),
                ));
                continue;
            }
        };
        let toks: Vec<Token> = argv.iter().map(Token::of_arg).collect();
        let reply = run_command(&mut server, &mut db, &toks, a, l.span, &mut defined_at);
        replies.push(CommandReply { line: l.number, span: l.span, reply });
    }
    for (name, u) in &server.users {
        let span = defined_at.iter().rev().find(|(n, _)| n == name).map(|(_, s)| *s);
        let status = if span.is_some() { Status::Accepted } else { Status::Builtin };
        a.users.push(UserReport { user: u.clone(), span, status });
    }
    a.outcome = Outcome::Commands { replies };
}

fn arity_error(a: &mut Analysis, span: Span, name: &str) -> Value {
    let msg = format!("ERR wrong number of arguments for '{name}' command");
    a.diagnostics.push(Diagnostic::new(Problem::Arity, Some(span), Some(msg.clone())));
    Value::Error(msg)
}

/// `SELECT <db>` on the session's connection: the server's replies (the strict integer
/// parser, then an `int`, then the 16 databases).
fn select(db: &mut i64, arg: &[u8]) -> Value {
    let Some(v) = crate::bytes::int::string2ll(arg) else {
        return Value::Error("ERR value is not an integer or out of range".into());
    };
    if i32::try_from(v).is_err() {
        return Value::Error("ERR value is out of range, value must between -2147483648 and 2147483647".into());
    }
    if !(0..crate::commands::databases::DATABASES).contains(&v) {
        return Value::Error("ERR DB index is out of range".into());
    }
    *db = v;
    Value::Status("OK".into())
}

fn run_command(
    server: &mut Server,
    db: &mut i64,
    argv: &[Token],
    a: &mut Analysis,
    line: Span,
    defined_at: &mut Vec<(Vec<u8>, Span)>,
) -> Value {
    let lower = |i: usize| argv.get(i).map(|t| t.bytes.to_ascii_lowercase()).unwrap_or_default();
    let text = lossy;
    let profile = server.ctx.profile;
    match (lower(0).as_slice(), lower(1).as_slice()) {
        (b"acl", b"setuser") => {
            let Some(name) = argv.get(2) else { return arity_error(a, line, "acl|setuser") };
            match server.setuser(&name.bytes, name.span(), &argv[3..]) {
                Ok(()) => {
                    defined_at.push((name.bytes.clone(), line));
                    Value::Status("OK".into())
                }
                Err(e) => {
                    let problem = match &e {
                        SetuserError::BadUsername { .. } => Problem::BadUsername { name: name.bytes.clone() },
                        SetuserError::Unmatched { token, .. } => Problem::Unmatched { token: token.clone(), crash: false },
                        SetuserError::Rule { token, reason, .. } => Problem::Rule { token: token.clone(), reason: *reason },
                    };
                    a.diagnostics.push(Diagnostic::new(problem, e.span().or(Some(line)), Some(e.reply())));
                    Value::Error(e.reply())
                }
            }
        }
        (b"acl", b"deluser") => {
            if argv.len() < 3 {
                return arity_error(a, line, "acl|deluser");
            }
            let mut n = 0;
            for t in &argv[2..] {
                match server.deluser(&t.bytes) {
                    Ok(k) => n += k as i64,
                    Err(e) => return Value::Error(e),
                }
            }
            Value::Int(n)
        }
        (b"acl", b"dryrun") => {
            if argv.len() < 4 {
                return arity_error(a, line, "acl|dryrun");
            }
            let cmd: Vec<&[u8]> = argv[3..].iter().map(|t| t.bytes.as_slice()).collect();
            let r = dryrun::dryrun_in(profile, &argv[2].bytes, server.user(&argv[2].bytes), &cmd, *db);
            match r.kind {
                ReplyKind::Ok => Value::Status(r.text.into()),
                ReplyKind::Denied => Value::Bulk(r.text.into()),
                ReplyKind::Error => Value::Error(r.text.into()),
            }
        }
        (b"acl", b"list") => Value::Array(
            server.users.values().map(|u| Value::Bulk(text(&acl_list_line(u, profile)))).collect(),
        ),
        (b"acl", b"users") => Value::Array(server.users.keys().map(|n| Value::Bulk(text(n))).collect()),
        (b"acl", b"whoami") => Value::Bulk("default".into()),
        (b"acl", b"getuser") => {
            let Some(name) = argv.get(2) else { return arity_error(a, line, "acl|getuser") };
            match server.user(&name.bytes) {
                None => Value::Nil,
                Some(u) => getuser_value(u, profile),
            }
        }
        (b"acl", b"cat") => match argv.get(2) {
            None => Value::Array(profile.table.categories.iter().map(|c| Value::Bulk(c.to_string())).collect()),
            Some(c) => match profile.table.category_index(&c.bytes) {
                None => Value::Error(format!("ERR Unknown category '{}'", text(c_str(&c.bytes)))),
                Some(i) => Value::Array(
                    profile
                        .table
                        .commands()
                        .iter()
                        .filter(|x| x.in_category(i))
                        .map(|x| Value::Bulk(x.name.to_string()))
                        .collect(),
                ),
            },
        },
        (b"acl", b"genpass") => {
            let bits = argv.get(2).map(|t| text(&t.bytes));
            match crate::password::genpass_reply(bits.as_deref()) {
                Ok(p) => Value::Bulk(p),
                Err(e) => Value::Error(e),
            }
        }
        (b"acl", b"load") | (b"acl", b"save") => Value::Error(format!("ERR {}", profile.texts.no_aclfile_error)),
        (b"select", _) => match argv {
            [_, arg] => select(db, &arg.bytes),
            _ => arity_error(a, line, "select"),
        },
        (b"config", b"set") if argv.len() == 4 && lower(2) == b"acl-pubsub-default" => match lower(3).as_slice() {
            b"allchannels" => {
                server.ctx.pubsub_all = true;
                Value::Status("OK".into())
            }
            b"resetchannels" => {
                server.ctx.pubsub_all = false;
                Value::Status("OK".into())
            }
            _ => Value::Error(
                "ERR CONFIG SET failed (possibly related to argument 'acl-pubsub-default') - argument(s) must be one of the following: allchannels, resetchannels".into(),
            ),
        },
        (b"config", b"set") if argv.len() == 4 && lower(2) == b"requirepass" => {
            let ctx = server.ctx;
            let d = server.users.get_mut(b"default".as_slice()).expect("default exists");
            let none = SourceMap::none();
            let _ = apply_user_rule(d, b"resetpass", &none, &ctx);
            let pw = &argv[3].bytes;
            let op = if pw.is_empty() { b"nopass".to_vec() } else { [b">".as_slice(), pw].concat() };
            let _ = apply_user_rule(d, &op, &none, &ctx);
            Value::Status("OK".into())
        }
        _ => {
            let shown: Vec<u8> = argv.iter().take(2).map(|t| t.bytes.clone()).collect::<Vec<_>>().join(&b' ');
            a.diagnostics.push(Diagnostic::new(Problem::NotSimulated { command: shown }, Some(line), None));
            Value::Status("(not simulated)".into())
        }
    }
}

fn getuser_value(u: &User, profile: &Profile) -> Value {
    let g = getuser(u, profile);
    let b = |s: &str| Value::Bulk(s.to_string());
    // `databases` comes after `channels` on versions with database rules.
    let dbs = |d: &Option<String>| d.iter().flat_map(|d| [b("databases"), b(d)]).collect::<Vec<_>>();
    let sel = |s: &crate::verdicts::describe::SelectorInfo| {
        let mut v = vec![b("commands"), b(&s.commands), b("keys"), b(&s.keys), b("channels"), b(&s.channels)];
        v.extend(dbs(&s.databases));
        Value::Array(v)
    };
    let mut v = vec![
        b("flags"),
        Value::Array(g.flags.iter().map(|f| b(f)).collect()),
        b("passwords"),
        Value::Array(g.passwords.iter().map(|p| b(p)).collect()),
        b("commands"),
        b(&g.commands),
        b("keys"),
        b(&g.keys),
        b("channels"),
        b(&g.channels),
    ];
    v.extend(dbs(&g.databases));
    v.push(b("selectors"));
    v.push(Value::Array(g.selectors.iter().map(sel).collect()));
    Value::Array(v)
}

#[cfg(test)]
mod tests {
    use crate::analysis::{Options, Outcome, Value, analyze};
    use crate::commands::Profile;
    use crate::input::Kind;

    fn replies(id: &str, text: &str) -> Vec<Value> {
        let a = analyze(text, &Options { kind: Some(Kind::Commands), ..Options::new(Profile::by_id(id).unwrap()) });
        let Outcome::Commands { replies } = a.outcome else { panic!("a session") };
        replies.into_iter().map(|r| r.reply).collect()
    }

    #[test]
    fn select_moves_the_session_and_its_dryruns() {
        // Each reply as redis-cli gets it from the live 9.1.2 (and 7.0.15 for SELECT's errors).
        let text = "ACL SETUSER u on nopass ~* +@all db=2\nACL DRYRUN u GET k\nSELECT 2\nACL DRYRUN u GET k\n\
                    SELECT 16\nSELECT -1\nSELECT 01\nSELECT 2147483648\nSELECT\nACL DRYRUN u GET k\n";
        let r = replies("valkey-9.1", text);
        let denied = Value::Bulk("User u has no permissions to access database GET".into());
        let err = |s: &str| Value::Error(s.into());
        assert_eq!(r[1], denied);
        assert_eq!((&r[2], &r[3]), (&Value::Status("OK".into()), &Value::Status("OK".into())));
        assert_eq!(r[4], err("ERR DB index is out of range"));
        assert_eq!(r[5], err("ERR DB index is out of range"));
        assert_eq!(r[6], err("ERR value is not an integer or out of range"));
        assert_eq!(r[7], err("ERR value is out of range, value must between -2147483648 and 2147483647"));
        assert_eq!(r[8], err("ERR wrong number of arguments for 'select' command"));
        // A refused SELECT leaves the session where it was.
        assert_eq!(r[9], Value::Status("OK".into()));
        // Without database rules the rule is refused and SELECT changes nothing else.
        let r = replies("redis-7.0", "SELECT 3\nSELECT x\n");
        assert_eq!((&r[0], &r[1]), (&Value::Status("OK".into()), &err("ERR value is not an integer or out of range")));
    }
}
