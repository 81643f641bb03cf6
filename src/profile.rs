//! Server profiles: one server version = its command table + a few behaviour switches.
//! Adding a version means recording a table (`aclplay-record tables`) and filling in one
//! [`Behavior`]; the evaluator itself is shared.

use crate::table::{self, CmdId, Index, Table};
use std::sync::OnceLock;

/// How `ACL LIST` / `ACL GETUSER` print a selector's command rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStyle {
    /// Redis 7.0: rebuilt from the command bitmap (categories inferred greedily).
    Bitmap,
    /// Redis ≥ 7.2 / Valkey: the rules as written, minus superseded ones.
    AsWritten,
}

/// Text of `ACL DRYRUN` denials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenialStyle {
    /// `This user has no permissions to …` with key/channel text cut at a NUL byte.
    ThisUser,
    /// `User <name> has no permissions to …`, binary-safe.
    UserName,
}

/// The behaviour differences between server versions.
#[derive(Debug)]
pub struct Behavior {
    pub list_style: ListStyle,
    pub denial: DenialStyle,
    /// New users (and `default`) start with `sanitize-payload`.
    pub new_user_sanitize_payload: bool,
    /// A `(` token met while a selector is open restarts the selector (7.0) instead of
    /// being joined into it (7.2+).
    pub nested_paren_restarts_selector: bool,
    /// A first-arg rule containing whitespace or an unparsable quote is accepted but makes
    /// the next `ACL LIST` / `GETUSER` / `SAVE` abort the server.
    pub firstarg_whitespace_crashes_list: bool,
    /// "Redis" / "Valkey", as in `Aborting Redis startup …`.
    pub product: &'static str,
    /// As in `*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***`.
    pub fatal_banner: &'static str,
    /// As in `… users defined in redis.conf …`.
    pub conf_name: &'static str,
    /// Reason printed for an unmatched `(` in a config-file `user` line (a stale errno).
    pub conf_unmatched_paren_reason: &'static str,
    /// `ACL LOAD` on a server without `aclfile`.
    pub no_aclfile_error: &'static str,
}

/// One server version.
pub struct Profile {
    /// Stable id used on the command line and in share links: `redis-7.0`, `valkey-8.1`.
    pub id: &'static str,
    /// Human name: `Redis 7.0.15`.
    pub name: &'static str,
    pub table: &'static Table,
    pub behavior: Behavior,
    index: OnceLock<Index>,
    masks: OnceLock<Vec<crate::acl::Bitmap>>,
    closures: OnceLock<Vec<CategoryClosure>>,
}

/// What `±@category` changes in a selector, precomputed per category.
#[derive(Debug, Clone, Default)]
pub(crate) struct CategoryClosure {
    /// The command bits it sets or clears: members and the subcommands of members.
    pub(crate) bits: crate::acl::Bitmap,
    /// The commands whose allowed first-args it drops (each member it applies to).
    pub(crate) first_args: crate::acl::Bitmap,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

impl PartialEq for Profile {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

pub static REDIS_7_0: Profile = Profile {
    id: "redis-7.0",
    name: "Redis 7.0.15",
    table: &table::REDIS_7_0,
    behavior: Behavior {
        list_style: ListStyle::Bitmap,
        denial: DenialStyle::ThisUser,
        new_user_sanitize_payload: false,
        nested_paren_restarts_selector: true,
        firstarg_whitespace_crashes_list: false,
        product: "Redis",
        fatal_banner: "Redis 7.0.15",
        conf_name: "redis.conf",
        conf_unmatched_paren_reason: "Unknown command or category name in ACL",
        no_aclfile_error: "This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.",
    },
    index: OnceLock::new(),
    masks: OnceLock::new(),
    closures: OnceLock::new(),
};

pub static VALKEY_8_1: Profile = Profile {
    id: "valkey-8.1",
    name: "Valkey 8.1.8",
    table: &table::VALKEY_8_1,
    behavior: Behavior {
        list_style: ListStyle::AsWritten,
        denial: DenialStyle::UserName,
        new_user_sanitize_payload: true,
        nested_paren_restarts_selector: false,
        firstarg_whitespace_crashes_list: true,
        product: "Valkey",
        fatal_banner: "Version 8.1.8",
        conf_name: "valkey.conf",
        conf_unmatched_paren_reason: "Wrong format",
        no_aclfile_error: "This instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a configuration file set) in order to store users in the configuration.",
    },
    index: OnceLock::new(),
    masks: OnceLock::new(),
    closures: OnceLock::new(),
};

/// Every profile, the default first.
pub static PROFILES: [&Profile; 2] = [&REDIS_7_0, &VALKEY_8_1];

impl Profile {
    /// Finds a profile by id (`redis-7.0`, `valkey-8.1`).
    pub fn by_id(id: &str) -> Option<&'static Profile> {
        PROFILES.iter().copied().find(|p| p.id == id)
    }

    #[inline]
    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::new(self.table))
    }

    /// Case-insensitive exact lookup of a full name (`get`, `config|get`).
    pub fn lookup(&self, name: &[u8]) -> Option<CmdId> {
        self.index().get(name)
    }

    /// The server's rule-side lookup (`ACLLookupCommand`): `cmd` or `container|sub`,
    /// case-insensitive. Since the table holds full names, `get|x` or `config|get|x`
    /// are simply unknown.
    pub fn lookup_rule_name(&self, name: &[u8]) -> Option<CmdId> {
        self.lookup(name)
    }

    /// The command a command line runs (`lookupCommand`): a container with a
    /// further argument means that subcommand; `None` when unknown.
    pub fn lookup_argv(&self, argv: &[&[u8]]) -> Option<CmdId> {
        self.command_of(argv).map(|(id, _)| id)
    }

    /// [`Profile::lookup_argv`] with the command's definition.
    #[inline]
    pub(crate) fn command_of(&self, argv: &[&[u8]]) -> Option<(CmdId, &'static table::CommandDef)> {
        // argv[0] names a top-level command: `config|get` typed as a command is unknown.
        let ix = self.index();
        let id = ix.part(table::NONE, argv.first()?)?;
        let c = &ix.commands[id as usize];
        match argv.get(1) {
            Some(sub) if c.container => ix.part(id, sub).map(|s| (s, &ix.commands[s as usize])),
            _ => Some((id, c)),
        }
    }

    /// Per category, the commands and subcommands that carry it themselves.
    pub fn category_mask(&self, cat: usize) -> &crate::acl::Bitmap {
        &self.masks.get_or_init(|| {
            (0..self.table.categories.len())
                .map(|c| {
                    let mut m = crate::acl::Bitmap::default();
                    for (i, cmd) in self.table.commands().iter().enumerate() {
                        if cmd.in_category(c) {
                            m.set(i as CmdId, true);
                        }
                    }
                    m
                })
                .collect()
        })[cat]
    }

    /// What `±@cat` changes (`ACLSetSelectorCommandBitsForCategory`), computed once.
    pub(crate) fn category_closure(&self, cat: usize) -> &CategoryClosure {
        &self
            .closures
            .get_or_init(|| (0..self.table.categories.len()).map(|c| crate::acl::category_closure(self, c)).collect())
            [cat]
    }

    pub fn command(&self, id: CmdId) -> &'static table::CommandDef {
        self.table.command(id)
    }
}
