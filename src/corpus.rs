//! Answering recorded cases (`aclplay batch`, the corpus replays): one
//! [`CaseInput`] in, the engine's [`CaseRecord`] out, in the shape the oracle records
//! from a live server (`aclplay_formats::corpus`; see `tests/corpus/README.md`).

use crate::commands::Profile;
use crate::engine::server::Server;
use crate::engine::token::Token;
use crate::verdicts::describe::{acl_list_line, getuser, list_crash};
use crate::verdicts::dryrun::dryrun_in;
use crate::verdicts::reply::ReplyKind;
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
