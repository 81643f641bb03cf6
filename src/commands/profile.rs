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
pub use aclplay_formats::registry::{
    Behavior, ClientTexts, DenialStyle, KeyPermissions, KeynumLast, ListStyle, Product, Texts,
};
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
    use super::{Behavior, ClientTexts, Product, Profile, Texts};
    #[allow(unused_imports)]
    use aclplay_formats::registry::{DenialStyle::*, KeyPermissions::*, KeynumLast::*, ListStyle::*};
    include!(concat!(env!("OUT_DIR"), "/registry.rs"));
}

/// Every profile, in registry order (Redis, then Valkey, oldest first).
pub static PROFILES: &[Profile] = &generated::PROFILES;

/// The profile [`Profile::resolve`] chose, and why when it is not the one named.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub profile: &'static Profile,
    /// Set when the id named no known profile: which one answers, and why.
    pub note: Option<String>,
}

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

    /// The profile to answer as for an id or version that may be unknown (a share link
    /// or a file from a newer aclplay, a server we have no profile for): the exact one
    /// when known; else the same product's newest version not newer than it (or its
    /// oldest, for an older one), with the sentence that says so. `redis-8.4`,
    /// `redis-8.4.0`, `valkey 9.2.1` and `8.0.6` (Redis) are all understood.
    pub fn resolve(id: &str) -> Resolved {
        if let Some(p) = Profile::by_id(id) {
            return Resolved { profile: p, note: None };
        }
        let t = id.trim().to_ascii_lowercase();
        let (product, version) = match t.split_once(['-', ' ']) {
            Some(("redis", v)) => (Product::Redis, v),
            Some(("valkey", v)) => (Product::Valkey, v),
            _ if t.starts_with(|c: char| c.is_ascii_digit()) => (Product::Redis, t.as_str()),
            _ => {
                let d = Profile::default_profile();
                let note =
                    format!("`{id}` names no server version aclplay knows; answering as {}, the default", d.name);
                return Resolved { profile: d, note: Some(note) };
            }
        };
        let key = |v: &str| v.split('.').map(|p| p.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>();
        let want = key(version);
        let same: Vec<&'static Profile> = PROFILES.iter().filter(|p| p.product == product).collect();
        // A release line we know, at another patch level (`redis-8.0.2`): that line.
        let line = same.iter().find(|p| key(p.version).get(..2) == want.get(..2) && want.len() >= 2);
        let older = same.iter().filter(|p| key(p.version) <= want).max_by_key(|p| key(p.version));
        let (p, why) = match (line, older) {
            (Some(p), _) => (*p, "the same release line"),
            (None, Some(p)) => (*p, "the nearest older version aclplay knows"),
            (None, None) => match same.iter().min_by_key(|p| key(p.version)) {
                Some(p) => (*p, "the oldest version aclplay knows"),
                None => (Profile::default_profile(), "the default"),
            },
        };
        Resolved {
            profile: p,
            note: Some(format!("aclplay has no profile for `{id}`; answering as {}, {why}", p.name)),
        }
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
        c.arity_ok(argv.len())
            .then(|| (id, if c.has_keys() { c.keys_of(argv, self.behavior.keynum_last) } else { Vec::new() }))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_versions_resolve_to_the_nearest_with_a_note() {
        for p in PROFILES {
            let r = Profile::resolve(p.id);
            assert!(r.profile == p && r.note.is_none());
            assert!(Profile::resolve(p.aliases[0]).profile == p);
            // Another patch level of a known line: that line.
            let (major_minor, _) = p.version.rsplit_once('.').unwrap();
            let other = format!("{}-{major_minor}.99", p.product.id());
            let r = Profile::resolve(&other);
            assert!(r.profile == p, "{other} → {}", r.profile.id);
            let note = r.note.unwrap();
            assert!(
                note.contains(&format!("`{other}`")) && note.contains(p.name) && note.contains("same release line")
            );
        }
        for product in [Product::Redis, Product::Valkey] {
            let same: Vec<&Profile> = PROFILES.iter().filter(|p| p.product == product).collect();
            let newest = same
                .iter()
                .max_by_key(|p| p.version.split('.').map(|x| x.parse::<u32>().unwrap()).collect::<Vec<_>>())
                .unwrap();
            let r = Profile::resolve(&format!("{} 99.1.0", product.id()));
            assert!(r.profile == *newest && r.note.unwrap().contains("nearest older"));
            let r = Profile::resolve(&format!("{}-0.1", product.id()));
            assert!(r.profile.product == product && r.note.unwrap().contains("oldest"));
        }
        let r = Profile::resolve("memcached-1.6");
        assert!(r.profile == Profile::default_profile() && r.note.unwrap().contains("the default"));
        assert_eq!(
            Profile::parse("x").unwrap_err().to_string(),
            format!("unknown server version `x`; known: {}", known())
        );
    }
}
