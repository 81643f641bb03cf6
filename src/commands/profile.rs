//! Server profiles: one server version = its command table, the texts it prints and its
//! behaviour switches, all from the registry (`data/servers/<id>.toml`, compiled in by
//! `build.rs`). The engine is shared: it reads a switch through the profile
//! (`profile.behavior.list_style`), never a product name or a version. A profile's table
//! is decoded with the same switches (how the server finds some commands' keys and
//! databases depends on them).

use super::bitmap::Bitmap;
use super::index::Index;
use super::spec::CmdId;
use super::table::{self, Table};
pub use aclplay_formats::registry::{Behavior, DenialStyle, ListStyle, Product, Texts};
use std::sync::OnceLock;

/// One server version.
pub struct Profile {
    /// Stable id used on the command line and in share links: `redis-8.0`.
    pub id: &'static str,
    /// Human name with the exact version: `Redis 8.0.6`.
    pub name: &'static str,
    pub product: Product,
    /// The exact version its oracle reports: `8.0.6`.
    pub version: &'static str,
    /// Other ids that name it (`redis-8.0.6`).
    pub aliases: &'static [&'static str],
    pub table: &'static Table,
    pub texts: Texts<&'static str>,
    pub behavior: Behavior,
    index: OnceLock<Index>,
    masks: OnceLock<Vec<Bitmap>>,
    closures: OnceLock<Vec<CategoryClosure>>,
    run_denials: OnceLock<Vec<&'static str>>,
}

/// What `±@category` changes in a selector (`ACLSetSelectorCommandBitsForCategory`),
/// precomputed per category.
#[derive(Debug, Clone, Default)]
pub struct CategoryClosure {
    /// The command bits it sets or clears: members and the subcommands of members.
    pub bits: Bitmap,
    /// The commands whose allowed first-args it drops (each member it applies to).
    pub first_args: Bitmap,
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

mod generated {
    use super::{Behavior, Product, Profile, Texts};
    #[allow(unused_imports)]
    use aclplay_formats::registry::{DenialStyle::*, ListStyle::*};
    include!(concat!(env!("OUT_DIR"), "/registry.rs"));
}

/// Every profile, in registry order (Redis, then Valkey, oldest first).
pub static PROFILES: &[Profile] = &generated::PROFILES;

/// Why an id names no profile: the message lists the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown server version `{given}`; known: {}", known())]
pub struct UnknownProfile {
    pub given: String,
}

fn known() -> String {
    PROFILES.iter().map(|p| p.id).collect::<Vec<_>>().join(", ")
}

impl Profile {
    #[allow(clippy::too_many_arguments)]
    pub(crate) const fn new(
        id: &'static str,
        name: &'static str,
        product: Product,
        version: &'static str,
        aliases: &'static [&'static str],
        table: &'static Table,
        texts: Texts<&'static str>,
        behavior: Behavior,
    ) -> Profile {
        Profile {
            id,
            name,
            product,
            version,
            aliases,
            table,
            texts,
            behavior,
            index: OnceLock::new(),
            masks: OnceLock::new(),
            closures: OnceLock::new(),
            run_denials: OnceLock::new(),
        }
    }

    /// The registry's default (the CLI's `--server` and the playground's first choice).
    pub fn default_profile() -> &'static Profile {
        &PROFILES[generated::DEFAULT]
    }

    /// Finds a profile by id (`redis-8.0`) or alias (`redis-8.0.6`).
    pub fn by_id(id: &str) -> Option<&'static Profile> {
        PROFILES.iter().find(|p| p.id == id || p.aliases.contains(&id))
    }

    /// [`Profile::by_id`], with an error that lists the known ids.
    pub fn parse(id: &str) -> Result<&'static Profile, UnknownProfile> {
        Profile::by_id(id).ok_or_else(|| UnknownProfile { given: id.to_string() })
    }

    #[inline]
    pub(crate) fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::new(self.table))
    }

    /// Case-insensitive exact lookup of a full name (`get`, `config|get`): also the
    /// server's rule-side lookup (`ACLLookupCommand`), since the table holds full names
    /// (`get|x` or `config|get|x` are simply unknown).
    pub fn lookup(&self, name: &[u8]) -> Option<CmdId> {
        self.index().get(name)
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
    pub fn category_mask(&self, cat: usize) -> &Bitmap {
        &self.masks.get_or_init(|| {
            (0..self.table.categories.len())
                .map(|c| {
                    let mut m = Bitmap::default();
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

    /// What `±@cat` changes, computed once: the walk
    /// `ACLSetSelectorCommandBitsForCategory` does, recorded (every top-level command and
    /// every subcommand in the category, each with its subcommands).
    pub fn category_closure(&self, cat: usize) -> &CategoryClosure {
        &self.closures.get_or_init(|| (0..self.table.categories.len()).map(|c| self.walk_category(c)).collect())[cat]
    }

    fn walk_category(&self, cat: usize) -> CategoryClosure {
        let mut m = CategoryClosure::default();
        let mut perm = |id: CmdId| {
            m.first_args.set(id, true);
            m.bits.apply(&self.with_subcommands(id), true);
        };
        for top in self.table.top_level() {
            let c = self.command(top);
            if c.in_category(cat) {
                perm(top);
            }
            for sub in c.subcommands() {
                if self.command(sub).in_category(cat) {
                    perm(sub);
                }
            }
        }
        m
    }

    /// The command and its subcommands (what `±cmd` changes).
    pub fn with_subcommands(&self, id: CmdId) -> Bitmap {
        let mut m = Bitmap::default();
        m.set(id, true);
        for sub in self.command(id).subcommands() {
            m.set(sub, true);
        }
        m
    }

    /// The command a command line runs and the keys the server finds in it (what
    /// `aclplay keys` reports). `None` when the command is unknown or has the wrong number
    /// of arguments: the server checks arity before it looks for keys.
    pub fn find_keys(&self, argv: &[&[u8]]) -> Option<(CmdId, Vec<super::keys::KeyRef>)> {
        let (id, c) = self.command_of(argv)?;
        c.arity_ok(argv.len()).then(|| (id, if c.has_keys() { c.keys_of(argv) } else { Vec::new() }))
    }

    pub fn command(&self, id: CmdId) -> &'static table::CommandDef {
        self.table.command(id)
    }

    /// The DRYRUN denial of each command that does not name the user, built by `build`
    /// on first use (`verdicts::reply` writes them; the profile keeps them).
    pub(crate) fn run_denials(&self, build: impl FnOnce() -> Vec<&'static str>) -> &[&'static str] {
        self.run_denials.get_or_init(build)
    }
}
