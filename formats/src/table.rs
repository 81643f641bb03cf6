//! A command table as recorded from a live server (`data/tables/<id>.json`, written by
//! `aclplay-record tables`): `ACL CAT`'s categories in order, then every command and
//! subcommand with what `COMMAND INFO` and `COMMAND DOCS` say of it. Containers are
//! followed by their subcommands, both sorted by name.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt::Write as _;

pub use crate::flags::{COMMAND_FLAGS, KEY_FLAGS};

/// The whole table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommandTable {
    /// `redis` or `valkey`.
    pub server: String,
    pub version: String,
    /// ACL categories in `ACL CAT` order (without `@`).
    pub categories: Vec<String>,
    /// Containers are followed by their subcommands.
    pub commands: Vec<CommandInfo>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One command or subcommand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommandInfo {
    /// Lowercase full name (`config|get`).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub container: bool,
    pub arity: i64,
    pub flags: Vec<String>,
    /// ACL categories without `@`, in table order.
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_specs: Vec<KeySpec>,
    /// Which databases `ACLSelectorCheckCmd` checks for it, on versions with database
    /// rules: recorded through `ACL DRYRUN` (absent: none, or a version without them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db: Option<DbAccess>,
    pub summary: String,
    pub group: String,
}

/// The databases a command needs a selector to allow, besides those its arguments name
/// (`SELECT 2`, `MOVE k 2`, …), as `ACL DRYRUN` shows them: a user restricted to
/// database 1 is refused it in database 0 (`current`), and a user restricted to
/// database 0 too (`all`: every database must be allowed, as for FLUSHALL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DbAccess {
    Current,
    All,
}

/// A key specification as COMMAND INFO reports it (without `notes`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeySpec {
    pub flags: Vec<String>,
    pub begin_search: SpecPart,
    pub find_keys: SpecPart,
}

/// `{"type": "...", "spec": {...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpecPart {
    #[serde(rename = "type")]
    pub kind: String,
    pub spec: SpecArgs,
}

/// The spec's fields in the server's order (a map type would sort them).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SpecArgs(pub Vec<(String, Value)>);

impl SpecArgs {
    pub fn get(&self, k: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v)
    }
    pub fn int(&self, k: &str) -> Option<i64> {
        self.get(k).and_then(Value::as_i64)
    }
    pub fn str(&self, k: &str) -> Option<&str> {
        self.get(k).and_then(Value::as_str)
    }
}

impl Serialize for SpecArgs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for SpecArgs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SpecArgs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key-spec argument map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<SpecArgs, A::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = m.next_entry::<String, Value>()? {
                    v.push((k, val));
                }
                Ok(SpecArgs(v))
            }
        }
        d.deserialize_map(V)
    }
}

impl CommandInfo {
    pub fn has_flag(&self, f: &str) -> bool {
        self.flags.iter().any(|x| x == f)
    }
    pub fn has_category(&self, c: &str) -> bool {
        self.categories.iter().any(|x| x == c)
    }
    /// The part after `|` for a subcommand, else the name.
    pub fn short_name(&self) -> &str {
        self.name.rsplit('|').next().unwrap_or(&self.name)
    }
}

impl CommandTable {
    /// Parses the committed JSON.
    pub fn parse(text: &str) -> Result<CommandTable, String> {
        serde_json::from_str(text).map_err(|e| format!("bad command table: {e}"))
    }

    /// Reads a table file.
    pub fn load(path: &std::path::Path) -> Result<CommandTable, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        CommandTable::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Looks a command up by lowercase full name.
    pub fn get(&self, name: &str) -> Option<&CommandInfo> {
        self.commands.iter().find(|c| c.name == name)
    }

    pub fn top_level(&self) -> impl Iterator<Item = &CommandInfo> {
        self.commands.iter().filter(|c| c.parent.is_none())
    }

    pub fn subcommands<'a>(&'a self, parent: &'a str) -> impl Iterator<Item = &'a CommandInfo> {
        self.commands.iter().filter(move |c| c.parent.as_deref() == Some(parent))
    }

    /// The committed layout: header fields one per line, one compact
    /// command object per line, trailing newline.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("{\n");
        let _ = writeln!(out, " \"server\": {},", json_str(&self.server));
        let _ = writeln!(out, " \"version\": {},", json_str(&self.version));
        let _ = writeln!(out, " \"categories\": {},", crate::json::to_line(&self.categories));
        out.push_str(" \"commands\": [\n");
        for (i, c) in self.commands.iter().enumerate() {
            let line = serde_json::to_string(c).expect("serialisable");
            out.push_str("  ");
            out.push_str(&line);
            if i + 1 < self.commands.len() {
                out.push(',');
            }
            out.push('\n');
        }
        out.push_str(" ]\n}\n");
        out
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}
