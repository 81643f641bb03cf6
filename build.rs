//! Turns the recorded command tables (`data/*.json`, written by `aclplay-record tables`
//! from a live server) into static Rust data, so the engine needs no JSON parser and
//! no start-up work in the browser.

use serde::Deserialize;
use std::fmt::Write as _;
use std::path::Path;

#[derive(Deserialize)]
struct TableFile {
    server: String,
    version: String,
    categories: Vec<String>,
    commands: Vec<Cmd>,
}

#[derive(Deserialize)]
struct Cmd {
    name: String,
    parent: Option<String>,
    #[serde(default)]
    container: bool,
    arity: i32,
    flags: Vec<String>,
    categories: Vec<String>,
    #[serde(default)]
    key_specs: Vec<KeySpec>,
    summary: String,
    group: String,
}

#[derive(Deserialize)]
struct KeySpec {
    flags: Vec<String>,
    begin_search: Search,
    find_keys: Search,
}

#[derive(Deserialize)]
struct Search {
    #[serde(rename = "type")]
    kind: String,
    spec: serde_json::Map<String, serde_json::Value>,
}

// Must match the constants in src/table.rs.
const COMMAND_FLAGS: &[&str] = &[
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
const KEY_FLAGS: &[&str] =
    &["RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"];

fn int(spec: &serde_json::Map<String, serde_json::Value>, key: &str) -> i64 {
    spec.get(key).and_then(|v| v.as_i64()).unwrap_or_else(|| panic!("key spec field `{key}` missing"))
}

fn bits(names: &[String], table: &[&str], what: &str, cmd: &str) -> u32 {
    names.iter().fold(0, |acc, n| {
        let i = table
            .iter()
            .position(|t| t == n)
            .unwrap_or_else(|| panic!("unknown {what} `{n}` on `{cmd}`: add it to build.rs and src/table.rs"));
        acc | 1 << i
    })
}

fn generate(file: &Path, ident: &str, out: &mut String) {
    let text = std::fs::read_to_string(file).expect("read command table");
    let t: TableFile = serde_json::from_str(&text).expect("parse command table");
    assert!(t.commands.len() < 1023, "the 1024-bit command bitmap is full");
    let index_of = |name: &str| t.commands.iter().position(|c| c.name == name).expect("parent exists");
    let cat_bits = |c: &Cmd| -> u32 {
        c.categories
            .iter()
            .fold(0, |acc, n| acc | 1 << t.categories.iter().position(|x| x == n).expect("category listed"))
    };
    writeln!(out, "pub static {ident}: Table = Table {{").unwrap();
    writeln!(out, "  server: {:?}, version: {:?},", t.server, t.version).unwrap();
    writeln!(out, "  categories: &{:?},", t.categories).unwrap();
    writeln!(out, "  commands: &[").unwrap();
    for (i, c) in t.commands.iter().enumerate() {
        let parent = c.parent.as_deref().map(index_of);
        if let Some(p) = parent {
            assert!(p < i, "subcommand `{}` must follow its container", c.name);
        }
        let subs: Vec<usize> = t
            .commands
            .iter()
            .enumerate()
            .filter(|(_, s)| s.parent.as_deref() == Some(c.name.as_str()))
            .map(|(j, _)| j)
            .collect();
        let sub_range = match (subs.first(), subs.last()) {
            (Some(&a), Some(&b)) => {
                assert_eq!(b + 1 - a, subs.len(), "subcommands of `{}` are contiguous", c.name);
                (a, b + 1)
            }
            _ => (0, 0),
        };
        let mut specs = String::new();
        for ks in &c.key_specs {
            let begin = match ks.begin_search.kind.as_str() {
                "index" => format!("Begin::Index({})", int(&ks.begin_search.spec, "index")),
                "keyword" => format!(
                    "Begin::Keyword({:?}, {})",
                    ks.begin_search.spec["keyword"].as_str().expect("keyword"),
                    int(&ks.begin_search.spec, "startfrom")
                ),
                _ => "Begin::Unknown".to_string(),
            };
            let find = match ks.find_keys.kind.as_str() {
                "range" => format!(
                    "Find::Range {{ lastkey: {}, keystep: {}, limit: {} }}",
                    int(&ks.find_keys.spec, "lastkey"),
                    int(&ks.find_keys.spec, "keystep"),
                    int(&ks.find_keys.spec, "limit")
                ),
                "keynum" => format!(
                    "Find::Keynum {{ keynumidx: {}, firstkey: {}, keystep: {} }}",
                    int(&ks.find_keys.spec, "keynumidx"),
                    int(&ks.find_keys.spec, "firstkey"),
                    int(&ks.find_keys.spec, "keystep")
                ),
                _ => "Find::Unknown".to_string(),
            };
            write!(
                specs,
                "KeySpec {{ flags: {}, begin: {begin}, find: {find} }},",
                bits(&ks.flags, KEY_FLAGS, "key-spec flag", &c.name)
            )
            .unwrap();
        }
        // The playground (wasm32) shows no command prose: leaving it out saves ~20 KB gzip.
        let prose = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32");
        writeln!(
            out,
            "    CommandDef {{ name: {:?}, parent: {}, container: {}, subs: ({}, {}), arity: {}, flags: {}, categories: {}, key_specs: &[{specs}], summary: {:?}, group: {:?} }},",
            c.name,
            parent.map_or("NONE".to_string(), |p| p.to_string()),
            c.container,
            sub_range.0,
            sub_range.1,
            c.arity,
            bits(&c.flags, COMMAND_FLAGS, "command flag", &c.name),
            cat_bits(c),
            if prose { c.summary.as_str() } else { "" },
            if prose { c.group.as_str() } else { "" }
        )
        .unwrap();
    }
    writeln!(out, "  ],\n}};").unwrap();
}

fn main() {
    let mut out = String::new();
    for (file, ident) in [("data/redis-7.0.json", "REDIS_7_0"), ("data/valkey-8.1.json", "VALKEY_8_1")] {
        println!("cargo::rerun-if-changed={file}");
        generate(Path::new(file), ident, &mut out);
    }
    println!("cargo::rerun-if-changed=build.rs");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("tables.rs");
    std::fs::write(dest, out).unwrap();
}
