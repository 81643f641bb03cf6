//! Answering recorded cases (`aclplay batch`, the corpus replays): one
//! [`CaseInput`] in, the engine's [`CaseRecord`] out, in the shape the oracle records
//! from a live server (`aclplay_formats::corpus`; see `tests/corpus/README.md`).

use crate::commands::Profile;
use crate::engine::server::Server;
use crate::engine::token::Token;
use crate::verdicts::client::record_of;
use crate::verdicts::describe::{acl_list_line, getuser, list_crash};
use crate::verdicts::dryrun::dryrun_in;
use crate::verdicts::reply::ReplyKind;
pub use aclplay_formats::client::{ClientRecord, MultiRecord};
pub use aclplay_formats::corpus::{CaseInput, CaseRecord, acl_line};

fn tokens(args: &[String]) -> Vec<Token> {
    args.iter().map(|a| Token::plain(a.as_bytes())).collect()
}

/// Runs one case on a fresh simulated server: the `pre` SETUSERs, the SETUSER, then
/// DRYRUN, LIST and GETUSER of the user, and (for a case an ACL file can express, without
/// `pre`) `ACL LOAD` of that one line on another fresh server.
pub fn run_case(case: &CaseInput, profile: &Profile) -> CaseRecord {
    let mut server = Server::new(profile);
    if let Some(v) = case.server_config.as_ref().and_then(|c| c.get("acl-pubsub-default")) {
        server.ctx.pubsub_all = v == "allchannels";
    }
    let name = case.user.as_bytes();
    let mut rec = CaseRecord::of(case);
    rec.pre_setuser = case.pre.as_ref().map(|pre| {
        pre.iter()
            .map(|args| server.setuser(name, None, &tokens(args)).map_or_else(|e| e.reply(), |()| "OK".into()))
            .collect()
    });
    rec.setuser = case
        .setuser_args
        .as_ref()
        .map(|args| server.setuser(name, None, &tokens(args)).map_or_else(|e| e.reply(), |()| "OK".into()));
    let user = server.user(name);
    rec.list_crash = user.is_some_and(|u| list_crash(u, profile).is_some());
    let argv: Vec<&[u8]> = case.command.iter().map(|a| a.as_bytes()).collect();
    let reply = dryrun_in(profile, name, user, &argv, case.db.map_or(0, i64::from));
    rec.dryrun_kind = Some(
        match reply.kind {
            ReplyKind::Ok => "ok",
            ReplyKind::Denied => "denied",
            ReplyKind::Error => "error",
        }
        .into(),
    );
    rec.dryrun = Some(reply.text.into());
    if let (Some(line), None) = (&rec.acl, &case.pre) {
        let mut fresh = Server::new(profile);
        fresh.ctx.pubsub_all = server.ctx.pubsub_all;
        let (load, reply) = fresh.acl_load(format!("{line}\n").as_bytes(), "users.acl");
        rec.aclload_crash = load.crash().is_some();
        rec.aclload = Some((!rec.aclload_crash).then_some(reply));
    }
    if let Some(u) = user.filter(|_| !rec.list_crash) {
        let line = String::from_utf8_lossy(&acl_list_line(u, profile)).into_owned();
        rec.acl_list_norm = Some(line.clone());
        rec.acl_list = Some(line);
        rec.getuser = Some(getuser(u, profile));
    }
    rec
}

/// Answers a recorded client case (`tests/corpus/<id>-client.jsonl.gz`, recorded by
/// `aclplay-record client`): the same SETUSERs on a fresh simulated server, DRYRUN, then
/// what a client logged in as the user is told, under the recorder's rule (an allowed
/// command is never run: see [`crate::verdicts::client::record_of`]). Only the input
/// fields of `case` are read.
pub fn run_client_case(case: &ClientRecord, profile: &Profile) -> ClientRecord {
    let mut server = Server::new(profile);
    let name = case.user.as_bytes();
    for args in case.pre.iter().flatten().chain(std::iter::once(&case.setuser_args)) {
        // A refused SETUSER leaves the user as it was, as on the server.
        let _ = server.setuser(name, None, &tokens(args));
    }
    let user = server.user(name);
    let argv: Vec<&[u8]> = case.command.iter().map(|a| a.as_bytes()).collect();
    let mut rec = ClientRecord {
        dryrun: dryrun_in(profile, name, user, &argv, 0).text.into(),
        run: None,
        run_log: Vec::new(),
        multi: None,
        eval: None,
        eval_log: Vec::new(),
        fcall: None,
        fcall_log: Vec::new(),
        ..case.clone()
    };
    let Some(user) = user else { return rec };
    let ok = |a: &[&[u8]]| dryrun_in(profile, name, Some(user), a, 0).is_ok();
    if let Some(v) = record_of(profile, user, &argv, ok) {
        (rec.run, rec.run_log) = (v.run.reply, v.run.log);
        rec.multi = v.multi.map(|m| MultiRecord { multi: m.multi, queued: m.queued, exec: m.exec, log: m.log });
        (rec.eval, rec.eval_log) = (v.eval.reply, v.eval.log);
        (rec.fcall, rec.fcall_log) = (v.fcall.reply, v.fcall.log);
    }
    rec
}
