//! Replaying recorded server cases (`aclplay batch`): one JSON object in, the engine's
//! answers out, in the shape of the recorded corpora (see `tests/corpus/README.md`).

use crate::describe::{GetUser, acl_list_line, getuser};
use crate::dryrun::{ReplyKind, dryrun};
use crate::profile::Profile;
use crate::server::{Server, Token};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One case: earlier `ACL SETUSER`s (`pre`), one `ACL SETUSER`, then an `ACL DRYRUN`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CaseInput {
    #[serde(default)]
    pub id: String,
    pub user: String,
    /// `None`: no `ACL SETUSER` at all.
    pub setuser_args: Option<Vec<String>>,
    #[serde(default)]
    pub pre: Option<Vec<Vec<String>>>,
    /// `CONFIG SET` values in force, e.g. `acl-pubsub-default`.
    #[serde(default)]
    pub server_config: Option<BTreeMap<String, String>>,
    pub command: Vec<String>,
}

/// What the server answers to a [`CaseInput`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseOutput {
    pub id: String,
    /// The same user as one ACL-file line, or `None` when it cannot be written as one.
    pub acl: Option<String>,
    pub setuser: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_setuser: Option<Vec<String>>,
    /// `ACL LIST` line of the user (Redis 7.0's single-command tokens sorted by name).
    pub acl_list: Option<String>,
    /// The same line (the corpus' normalised form, which is how we print it).
    pub acl_list_norm: Option<String>,
    pub getuser: Option<GetUser>,
    pub dryrun: String,
    pub dryrun_kind: ReplyKind,
    /// `ACL LOAD` of a file holding just `acl`, when there is one and no `pre`.
    pub aclload: Option<String>,
    /// The server crashes on that `ACL LOAD`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub aclload_crash: bool,
    /// The server crashes on `ACL LIST` / `GETUSER` of the user.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub list_crash: bool,
}

fn is_space_or_nul(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0)
}

/// The ACL-file line that defines the same user, if the user can be written as one.
pub fn acl_line(user: &str, args: &[String]) -> Option<String> {
    if user.is_empty() || user.bytes().any(is_space_or_nul) {
        return None;
    }
    let representable =
        |a: &String| !a.bytes().any(is_space_or_nul) || (a.starts_with('(') && a.ends_with(')') && !a.contains('\0'));
    if !args.iter().all(representable) {
        return None;
    }
    let mut line = format!("user {user}");
    for a in args {
        line.push(' ');
        line.push_str(a);
    }
    Some(line)
}

fn tokens(args: &[String]) -> Vec<Token> {
    args.iter().map(|a| Token::plain(a.as_bytes())).collect()
}

/// Runs one case on a fresh simulated server.
pub fn run_case(case: &CaseInput, profile: &Profile) -> CaseOutput {
    let mut server = Server::new(profile);
    if let Some(v) = case.server_config.as_ref().and_then(|c| c.get("acl-pubsub-default")) {
        server.ctx.pubsub_all = v == "allchannels";
    }
    let name = case.user.as_bytes();
    let pre_setuser = case.pre.as_ref().map(|pre| {
        pre.iter()
            .map(|args| server.setuser(name, None, &tokens(args)).map_or_else(|e| e.reply(), |()| "OK".into()))
            .collect()
    });
    let setuser = case
        .setuser_args
        .as_ref()
        .map(|args| server.setuser(name, None, &tokens(args)).map_or_else(|e| e.reply(), |()| "OK".into()));
    let user = server.user(name);
    let list_crash = user.is_some_and(|u| crate::describe::list_crash(u, profile).is_some());
    let argv: Vec<&[u8]> = case.command.iter().map(|a| a.as_bytes()).collect();
    let reply = dryrun(profile, name, user, &argv);
    let acl = case.setuser_args.as_ref().and_then(|a| acl_line(&case.user, a));
    let mut aclload = None;
    let mut aclload_crash = false;
    if let (Some(line), None) = (&acl, &case.pre) {
        let mut fresh = Server::new(profile);
        fresh.ctx.pubsub_all = server.ctx.pubsub_all;
        let (load, reply) = fresh.acl_load(format!("{line}\n").as_bytes(), "users.acl");
        if load.crash().is_some() {
            aclload_crash = true;
        } else {
            aclload = Some(reply);
        }
    }
    let visible = user.filter(|_| !list_crash);
    CaseOutput {
        id: case.id.clone(),
        acl,
        setuser,
        pre_setuser,
        acl_list: visible.map(|u| String::from_utf8_lossy(&acl_list_line(u, profile)).into_owned()),
        acl_list_norm: visible.map(|u| String::from_utf8_lossy(&acl_list_line(u, profile)).into_owned()),
        getuser: visible.map(|u| getuser(u, profile)),
        dryrun: reply.text.into(),
        dryrun_kind: reply.kind,
        aclload,
        aclload_crash,
        list_crash,
    }
}
