//! The flag names `COMMAND INFO` reports, shared by the recorded tables (`table`),
//! their packed form and the engine (which compares a live server's table with its own).

/// The command flags `COMMAND INFO` reports, in the order of their bits in the packed
/// tables (`packed`, and the engine's `commands::table::flag`).
pub const COMMAND_FLAGS: &[&str] = &[
    "write",
    "readonly",
    "admin",
    "pubsub",
    "noscript",
    "blocking",
    "loading",
    "stale",
    "skip_monitor",
    "skip_slowlog",
    "asking",
    "fast",
    "no_auth",
    "may_replicate",
    "no_mandatory_keys",
    "no_async_loading",
    "no_multi",
    "movablekeys",
    "allow_busy",
    "module",
    "denyoom",
    "sentinel",
    "only_sentinel",
    "skip_commandlog",
    "touches_arbitrary_keys",
];

/// Key-spec flags, in the order of their bits (the engine's `commands::table::keyflag`).
pub const KEY_FLAGS: &[&str] =
    &["RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"];
