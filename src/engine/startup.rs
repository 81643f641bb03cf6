//! Server start-up from a configuration file: how `user`, `requirepass`, `aclfile` and
//! `acl-pubsub-default` lines combine, and the exact fatal errors and log lines.

use super::acl::{Ctx, User};
use super::rules::{Reason, apply_user_rule};
use super::server::{AclLoad, Server, load_acl_file, merge_selectors};
use super::token::{SourceMap, Token};
use crate::bytes::{c_str, is_c_space, lossy};
use crate::commands::Profile;
use crate::input::split::{Arg, SplitError, split_args};
use crate::span::Span;
use serde::Serialize;

/// How start-up ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "lowercase")]
pub enum Startup {
    /// The server runs.
    Running,
    /// The config file is refused: the `*** FATAL CONFIG FILE ERROR ***` block.
    Fatal { line: usize, output: Vec<String> },
    /// A log line, then exit status 1 (timestamps left out).
    Exit { log: Vec<String> },
    /// The server segfaults while loading the ACL file.
    Crash { line: usize, would_say: String },
}

/// `serverLog` formats into a 1024-byte buffer: longer lines are cut at 1023 bytes.
pub(crate) fn log_line(s: String) -> String {
    const MAX: usize = 1023;
    if s.len() <= MAX {
        return s;
    }
    String::from_utf8_lossy(&s.as_bytes()[..MAX]).into_owned()
}

impl Startup {
    /// Start-up with an ACL file as `aclfile`: it runs, exits logging the deprecation
    /// warnings and the `ACL LOAD` errors, or crashes.
    pub fn of_acl_file(load: &AclLoad, file: &str, product: &str) -> Startup {
        match (load.crash(), load.error_text(file)) {
            (Some(c), Some(t)) => Startup::Crash { line: c.line, would_say: t },
            (None, Some(t)) => {
                let mut log: Vec<String> = load.users.iter().flat_map(|u| u.log.iter().cloned()).collect();
                log.push(format!("Aborting {product} startup because of ACL errors: {t}"));
                Startup::Exit { log: log.into_iter().map(log_line).collect() }
            }
            _ => Startup::Running,
        }
    }
}

/// A config `user` line kept for loading (`UsersToLoad`).
#[derive(Debug, Clone)]
pub struct ConfUser {
    pub name: Vec<u8>,
    pub name_span: Option<Span>,
    /// The merged rules.
    pub rules: Vec<Token>,
    pub line: usize,
    pub line_span: Span,
}

/// Everything start-up produced.
#[derive(Debug, Clone)]
pub struct StartupResult<'p> {
    pub outcome: Startup,
    /// The users after start-up (only meaningful when `Running`; otherwise the state when it
    /// stopped, for the simulator).
    pub server: Server<'p>,
    pub conf_users: Vec<ConfUser>,
    /// `aclfile` value and its line span.
    pub aclfile: Option<(Vec<u8>, Span)>,
    /// `requirepass` lines in force (value, span of the value).
    pub requirepass: Option<(Vec<u8>, Span)>,
    /// The ACL file's load result, when one was given.
    pub acl_load: Option<AclLoad>,
    /// (line, span) of the first fatal problem, for diagnostics.
    pub fatal_at: Option<(usize, Span, FatalKind)>,
}

/// What stopped start-up, in detail.
#[derive(Debug, Clone, PartialEq)]
pub enum FatalKind {
    UnbalancedQuotes,
    BadDirective,
    Rule { token: Vec<u8>, reason: Reason },
    Unmatched { token: Vec<u8> },
    Duplicate { name: Vec<u8> },
    UsersAndAclfile,
    StartupRule { token: Vec<u8>, reason: Reason },
    StartupUsername { name: Vec<u8> },
    AclFile,
}

fn tokens(args: &[Arg]) -> Vec<Token> {
    args.iter().map(Token::of_arg).collect()
}

/// Starts a server with `conf` (the text of redis.conf) and, if it sets `aclfile`, with
/// `acl_file` as that file's content.
pub fn start<'p>(profile: &'p Profile, conf: &str, acl_file: Option<&str>) -> StartupResult<'p> {
    let mut res = start_inner(profile, conf, acl_file);
    if let Startup::Exit { log } = &mut res.outcome {
        *log = std::mem::take(log).into_iter().map(log_line).collect();
    }
    res
}

fn start_inner<'p>(profile: &'p Profile, conf: &str, acl_file: Option<&str>) -> StartupResult<'p> {
    let b = &profile.texts;
    let fatal_block = |n: usize, line: &[u8], err: String| Startup::Fatal {
        line: n,
        output: vec![
            format!("*** FATAL CONFIG FILE ERROR ({}) ***", b.fatal_banner),
            format!("Reading the configuration file, at line {n}"),
            format!(">>> '{}'", lossy(line)),
            err,
        ],
    };
    let mut res = StartupResult {
        outcome: Startup::Running,
        server: Server::new(profile),
        conf_users: Vec::new(),
        aclfile: None,
        requirepass: None,
        acl_load: None,
        fatal_at: None,
    };
    let mut pubsub_all = false;
    let mut offset = 0;
    for (i, raw) in conf.as_bytes().split(|&c| c == b'\n').enumerate() {
        let n = i + 1;
        let base = offset;
        offset += raw.len() + 1;
        let trim = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
        let Some(start) = raw.iter().position(|c| !trim(c)) else {
            continue;
        };
        let end = raw.iter().rposition(|c| !trim(c)).map_or(start, |e| e + 1);
        let line = &raw[start..end];
        let line_span = Span::new(base + start, base + end);
        if line[0] == b'#' {
            continue;
        }
        let args = match split_args(line, base + start) {
            Ok(a) => a,
            Err(e) => {
                let at = match e {
                    SplitError::Unbalanced { at } | SplitError::AfterQuote { at } => at,
                };
                res.outcome = fatal_block(n, line, "Unbalanced quotes in configuration line".into());
                res.fatal_at = Some((n, Span::new(at, line_span.end), FatalKind::UnbalancedQuotes));
                return res;
            }
        };
        if args.is_empty() {
            continue;
        }
        let directive = args[0].bytes.to_ascii_lowercase();
        let value = |args: &[Arg]| -> Option<(Vec<u8>, Span)> {
            (args.len() == 2).then(|| (args[1].bytes.clone(), args[1].span))
        };
        let bad = |res: &mut StartupResult, err: &str| {
            res.outcome = fatal_block(n, line, err.to_string());
            res.fatal_at = Some((n, line_span, FatalKind::BadDirective));
        };
        match directive.as_slice() {
            b"user" if args.len() >= 2 => {
                let argv = tokens(&args);
                let name = &argv[1];
                // The loader reports `argv[k]` of the *whole line* with `k` counted among
                // the merged rules: usually the username. We print what it prints.
                let shown = |k: usize| lossy(c_str(&argv[k.min(argv.len() - 1)].bytes));
                if res.conf_users.iter().any(|u| u.name == name.bytes) {
                    res.outcome = fatal_block(
                        n,
                        line,
                        format!("Error in user declaration '{}': {}", shown(1), Reason::DuplicateUser.server_text()),
                    );
                    res.fatal_at =
                        Some((n, name.span().unwrap_or(line_span), FatalKind::Duplicate { name: name.bytes.clone() }));
                    return res;
                }
                let merged = match merge_selectors(&argv[2..], profile) {
                    Ok(m) => m,
                    Err(u) => {
                        res.outcome = fatal_block(
                            n,
                            line,
                            format!("Error in user declaration '{}': {}", shown(u.open), b.conf_unmatched_paren_reason),
                        );
                        let tok = &argv[2 + u.open];
                        res.fatal_at = Some((
                            n,
                            tok.span().unwrap_or(line_span),
                            FatalKind::Unmatched { token: tok.bytes.clone() },
                        ));
                        return res;
                    }
                };
                let ctx = Ctx { profile, pubsub_all };
                let mut fake = User::new(b"", &ctx);
                for (j, tok) in merged.iter().enumerate() {
                    if let Err(reason) = apply_user_rule(&mut fake, &tok.bytes, &tok.map, &ctx)
                        && reason != Reason::UnknownCommand
                    {
                        res.outcome = fatal_block(
                            n,
                            line,
                            format!("Error in user declaration '{}': {}", shown(j), reason.server_text()),
                        );
                        res.fatal_at = Some((
                            n,
                            tok.span().unwrap_or(line_span),
                            FatalKind::Rule { token: tok.bytes.clone(), reason },
                        ));
                        return res;
                    }
                }
                res.conf_users.push(ConfUser {
                    name: name.bytes.clone(),
                    name_span: name.span(),
                    rules: merged,
                    line: n,
                    line_span,
                });
            }
            b"requirepass" | b"aclfile" | b"acl-pubsub-default" if args.len() != 2 => {
                bad(&mut res, "wrong number of arguments");
                return res;
            }
            b"requirepass" => res.requirepass = value(&args),
            b"aclfile" => res.aclfile = value(&args),
            b"acl-pubsub-default" => {
                let v = args[1].bytes.to_ascii_lowercase();
                match v.as_slice() {
                    b"allchannels" => pubsub_all = true,
                    b"resetchannels" => pubsub_all = false,
                    _ => {
                        bad(&mut res, "argument(s) must be one of the following: allchannels, resetchannels");
                        return res;
                    }
                }
            }
            b"user" => {
                bad(&mut res, "Bad directive or wrong number of arguments");
                return res;
            }
            // Other directives are not simulated.
            _ => {}
        }
    }
    res.server.ctx.pubsub_all = pubsub_all;
    let ctx = res.server.ctx;
    if let Some((pw, _)) = &res.requirepass {
        let default = res.server.users.get_mut(b"default".as_slice()).expect("default exists");
        let none = SourceMap::none();
        let _ = apply_user_rule(default, b"resetpass", &none, &ctx);
        let op = if pw.is_empty() { b"nopass".to_vec() } else { [b">".as_slice(), pw].concat() };
        let _ = apply_user_rule(default, &op, &none, &ctx);
    }
    let exit = |res: &mut StartupResult, log: String, at: Option<(usize, Span, FatalKind)>| {
        res.outcome = Startup::Exit { log: vec![log] };
        res.fatal_at = at;
    };
    if res.aclfile.is_some() && !res.conf_users.is_empty() {
        let u = &res.conf_users[0];
        let at = Some((u.line, u.line_span, FatalKind::UsersAndAclfile));
        let log = format!(
            "Configuring {p} with users defined in {c} and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your {c}, but not both.",
            p = profile.product.name(),
            c = b.conf_name
        );
        exit(&mut res, log, at);
        return res;
    }
    for cu in res.conf_users.clone() {
        if cu.name.iter().any(|&c| c == 0 || is_c_space(c)) {
            res.outcome = Startup::Exit {
                log: vec![
                    "Spaces not allowed in ACL usernames".into(),
                    "Critical error while loading ACLs. Exiting.".into(),
                ],
            };
            res.fatal_at = Some((
                cu.line,
                cu.name_span.unwrap_or(cu.line_span),
                FatalKind::StartupUsername { name: cu.name.clone() },
            ));
            return res;
        }
        let mut user = match res.server.users.get(&cu.name) {
            Some(existing) => {
                // Only `default` can already exist: it is reset first.
                let mut u = existing.clone();
                let _ = apply_user_rule(&mut u, b"reset", &SourceMap::none(), &ctx);
                u
            }
            None => User::new(&cu.name, &ctx),
        };
        for tok in &cu.rules {
            if let Err(reason) = apply_user_rule(&mut user, &tok.bytes, &tok.map, &ctx) {
                res.outcome = Startup::Exit {
                    log: vec![
                        format!(
                            "Error loading ACL rule '{}' for the user named '{}': {}",
                            lossy(c_str(&tok.bytes)),
                            lossy(c_str(&cu.name)),
                            reason.server_text()
                        ),
                        "Critical error while loading ACLs. Exiting.".into(),
                    ],
                };
                res.fatal_at = Some((
                    cu.line,
                    tok.span().unwrap_or(cu.line_span),
                    FatalKind::StartupRule { token: tok.bytes.clone(), reason },
                ));
                return res;
            }
        }
        res.server.users.insert(cu.name.clone(), user);
    }
    if let (Some((path, span)), Some(text)) = (res.aclfile.clone(), acl_file) {
        let load = load_acl_file(text.as_bytes(), 0, &ctx);
        let file = lossy(&path);
        res.outcome = Startup::of_acl_file(&load, &file, profile.product.name());
        match &res.outcome {
            Startup::Crash { line, .. } => res.fatal_at = Some((*line, span, FatalKind::AclFile)),
            Startup::Exit { .. } => res.fatal_at = Some((0, span, FatalKind::AclFile)),
            _ => res.server.install(&load),
        }
        res.acl_load = Some(load);
    }
    res
}
