//! What the parser found: the kind of input and the shape of each line, with byte spans.
//! Nothing here knows about pest.

use crate::span::Span;
use serde::{Deserialize, Serialize};

/// The kinds of text people paste.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An ACL file (`aclfile`, `ACL LOAD`, `ACL SAVE`): `user <name> <rules…>` lines,
    /// split on single spaces, no comments.
    AclFile,
    /// A redis.conf / valkey.conf: `user`, `requirepass`, `aclfile`, `acl-pubsub-default`
    /// lines (config quoting), comments; other directives are not simulated.
    Config,
    /// redis-cli input: `ACL SETUSER …`, `ACL DELUSER …`, `CONFIG SET acl-pubsub-default …`,
    /// `ACL DRYRUN …`, `ACL LIST`, … (one command per line, redis-cli quoting).
    Commands,
    /// redis-cli's display of `ACL LIST`: `1) "user default on nopass ~* &* +@all"`.
    Listing,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::AclFile, Kind::Config, Kind::Commands, Kind::Listing];

    pub fn id(self) -> &'static str {
        match self {
            Kind::AclFile => "acl-file",
            Kind::Config => "config",
            Kind::Commands => "commands",
            Kind::Listing => "listing",
        }
    }

    pub fn by_id(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == id)
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::AclFile => "ACL file",
            Kind::Config => "redis.conf",
            Kind::Commands => "redis-cli commands",
            Kind::Listing => "ACL LIST output",
        }
    }
}

/// The shape of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Only whitespace.
    Blank,
    /// Starts with `#` (after whitespace).
    Comment,
    /// `N) "…"`: `quoted` is the quoted string, quotes included.
    Listing { quoted: Span },
    /// A server command; `args` runs from the command name (after any prompt or
    /// `redis-cli` prefix) to the end of the line.
    Command { args: Span },
    /// Anything else; `word` is its first word.
    Other { word: Span },
}

/// One line of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// 1-based.
    pub number: usize,
    /// The line without its `\n`.
    pub span: Span,
    pub shape: Shape,
}

/// The parsed input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub kind: Kind,
    /// The kind was guessed (not given by the user).
    pub detected: bool,
    pub lines: Vec<Line>,
}

/// redis.conf directives that tell a config file apart from an ACL file (the common ones;
/// only `user`, `requirepass`, `aclfile` and `acl-pubsub-default` are simulated).
pub const CONFIG_DIRECTIVES: &[&str] = &[
    "requirepass",
    "aclfile",
    "acl-pubsub-default",
    "masterauth",
    "masteruser",
    "port",
    "bind",
    "protected-mode",
    "daemonize",
    "pidfile",
    "logfile",
    "loglevel",
    "dir",
    "dbfilename",
    "save",
    "appendonly",
    "appendfilename",
    "maxmemory",
    "maxmemory-policy",
    "maxclients",
    "timeout",
    "tcp-keepalive",
    "databases",
    "include",
    "rename-command",
    "replicaof",
    "slaveof",
    "tls-port",
    "tls-cert-file",
    "tls-key-file",
    "tls-ca-cert-file",
    "unixsocket",
    "supervised",
    "cluster-enabled",
    "enable-debug-command",
    "enable-module-command",
    "enable-protected-configs",
    "acllog-max-len",
    "io-threads",
    "loadmodule",
    "notify-keyspace-events",
    "hz",
    "lazyfree-lazy-eviction",
    "repl-diskless-sync",
    "min-replicas-to-write",
];
