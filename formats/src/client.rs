//! What a client logged in as a user sees (`tests/corpus/<id>-client.jsonl.gz`): one
//! recorded case per line, in the shape the engine's `verdicts::client` answers too, and
//! the script and function both sides run (so that their error texts, which name them,
//! are the same).

use serde::{Deserialize, Serialize};

/// The script of the script view: it calls the command line given as its arguments, so
/// that `EVAL` itself declares no key (`EVAL <script> 0 <argv…>`).
pub const EVAL_SCRIPT: &str = "return redis.call(unpack(ARGV))";

/// The function of the function view, `FCALL aclplay_call 0 <argv…>`.
pub const FCALL_FUNCTION: &str = "aclplay_call";

/// The library that holds [`FCALL_FUNCTION`] (`FUNCTION LOAD`, by an administrator).
pub const FCALL_LIBRARY: &str = "#!lua name=aclplay\nredis.register_function('aclplay_call', function(keys, args) return redis.call(unpack(args)) end)";

/// One `ACL LOG` entry, without what changes from run to run (age, client info, entry
/// id, timestamps).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub count: u64,
    /// `command`, `key`, `channel`, `database` (the `auth` entries are not ours).
    pub reason: String,
    /// `toplevel`, `multi`, `lua`.
    pub context: String,
    /// The command's full name, the key or channel, or the database argument.
    pub object: String,
    pub username: String,
}

/// A command sent inside `MULTI`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiRecord {
    /// `MULTI`'s reply (`OK`, or its refusal: then nothing else is sent).
    pub multi: String,
    /// The command's reply at queue time: `QUEUED` or the refusal.
    #[serde(default)]
    pub queued: Option<String>,
    /// `EXEC`'s reply after a refusal (`EXECABORT …`); `null` when the command was
    /// queued (the recorder then closes the connection: an allowed command is never run).
    #[serde(default)]
    pub exec: Option<String>,
    /// The `ACL LOG` entries these wrote, newest first.
    #[serde(default)]
    pub log: Vec<LogEntry>,
}

/// One case: a user's rules, a command line, and what a client logged in as the user is
/// told. A reply is `null` where the command is allowed: it would run, and neither the
/// recorder nor the engine runs an allowed command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRecord {
    pub id: String,
    #[serde(default)]
    pub tags: String,
    pub user: String,
    /// Earlier `ACL SETUSER` argument lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre: Option<Vec<Vec<String>>>,
    /// The arguments of `ACL SETUSER <user> …` (accepted: the recorder keeps only those).
    pub setuser_args: Vec<String>,
    pub command: Vec<String>,
    /// `ACL DRYRUN <user> <command…>`, asked by an administrator.
    pub dryrun: String,
    /// The command's reply on a connection authenticated as the user.
    #[serde(default)]
    pub run: Option<String>,
    #[serde(default)]
    pub run_log: Vec<LogEntry>,
    /// The command inside `MULTI`; `null` for the transaction commands themselves
    /// (`MULTI`, `EXEC`, `DISCARD`, `WATCH`, `QUIT`, `RESET` act at once).
    #[serde(default)]
    pub multi: Option<MultiRecord>,
    /// `EVAL <EVAL_SCRIPT> 0 <command…>`'s reply.
    #[serde(default)]
    pub eval: Option<String>,
    #[serde(default)]
    pub eval_log: Vec<LogEntry>,
    /// `FCALL aclplay_call 0 <command…>`'s reply.
    #[serde(default)]
    pub fcall: Option<String>,
    #[serde(default)]
    pub fcall_log: Vec<LogEntry>,
}

/// Full names of the commands that act at once inside `MULTI` instead of being queued
/// (`processCommand`'s list), so the MULTI view leaves them out.
pub const TRANSACTION_COMMANDS: &[&str] = &["multi", "exec", "discard", "watch", "quit", "reset"];
