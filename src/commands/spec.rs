//! What the server's command table says of a command, as data: its flags, and the key
//! specifications that locate its keys (`COMMAND INFO`).

/// Index of a command or subcommand in its table (also its bit in a [`Bitmap`]).
///
/// [`Bitmap`]: super::bitmap::Bitmap
pub type CmdId = u16;

/// Command flags as `COMMAND INFO` names them (bit positions are the order of
/// `aclplay_formats::table::COMMAND_FLAGS`).
pub mod flag {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const ADMIN: u32 = 1 << 2;
    pub const PUBSUB: u32 = 1 << 3;
    pub const NOSCRIPT: u32 = 1 << 4;
    pub const BLOCKING: u32 = 1 << 5;
    pub const FAST: u32 = 1 << 11;
    pub const NO_AUTH: u32 = 1 << 12;
    pub const NO_MANDATORY_KEYS: u32 = 1 << 14;
    pub const NO_MULTI: u32 = 1 << 16;
    pub const MOVABLEKEYS: u32 = 1 << 17;
}

/// Key-spec flags (bit positions are the order of `aclplay_formats::table::KEY_FLAGS`).
pub mod keyflag {
    pub const RO: u16 = 1 << 0;
    pub const RW: u16 = 1 << 1;
    pub const OW: u16 = 1 << 2;
    pub const RM: u16 = 1 << 3;
    pub const ACCESS: u16 = 1 << 4;
    pub const UPDATE: u16 = 1 << 5;
    pub const INSERT: u16 = 1 << 6;
    pub const DELETE: u16 = 1 << 7;
    pub const NOT_KEY: u16 = 1 << 8;
    pub const INCOMPLETE: u16 = 1 << 9;
    pub const VARIABLE_FLAGS: u16 = 1 << 10;

    /// Names in the order `COMMAND INFO` prints them.
    pub const NAMES: [(u16, &str); 11] = [
        (RO, "RO"),
        (RW, "RW"),
        (OW, "OW"),
        (RM, "RM"),
        (ACCESS, "access"),
        (UPDATE, "update"),
        (INSERT, "insert"),
        (DELETE, "delete"),
        (NOT_KEY, "not_key"),
        (INCOMPLETE, "incomplete"),
        (VARIABLE_FLAGS, "variable_flags"),
    ];
}

/// Where a key-spec starts looking for keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    Index(i32),
    Keyword(&'static str, i32),
    Unknown,
}

/// How a key-spec finds keys once it has started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Find {
    Range { lastkey: i32, keystep: i32, limit: i32 },
    Keynum { keynumidx: i32, firstkey: i32, keystep: i32 },
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    pub flags: u16,
    pub begin: Begin,
    pub find: Find,
}
