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

/// Encodes a table compactly (see `Table::decode` in src/table.rs for the layout): the
/// playground ships both tables, and packed bytes weigh a fraction of static structs.
fn generate(file: &Path, ident: &str, out: &mut String) {
    let text = std::fs::read_to_string(file).expect("read command table");
    let t: TableFile = serde_json::from_str(&text).expect("parse command table");
    assert!(t.commands.len() < 1023, "the 1024-bit command bitmap is full");
    // The playground (wasm32) shows no command prose: leaving it out saves ~20 KB gzip.
    let prose = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32");
    let index_of = |name: &str| t.commands.iter().position(|c| c.name == name).expect("parent exists");
    let mut strings = String::new();
    let string = |s: &str, strings: &mut String| -> (u32, u32) {
        let at = strings.find(s).unwrap_or_else(|| {
            strings.push_str(s);
            strings.len() - s.len()
        });
        (at as u32, s.len() as u32)
    };
    let mut blob: Vec<u8> = Vec::new();
    let u16le = |v: u32, blob: &mut Vec<u8>| {
        assert!(v <= 0xffff, "value {v} does not fit 16 bits");
        blob.extend_from_slice(&(v as u16).to_le_bytes());
    };
    let i8b = |v: i64, blob: &mut Vec<u8>| blob.push(i8::try_from(v).expect("fits a byte") as u8);
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
        let (sub_start, sub_end) = match (subs.first(), subs.last()) {
            (Some(&a), Some(&b)) => {
                assert_eq!(b + 1 - a, subs.len(), "subcommands of `{}` are contiguous", c.name);
                (a, b + 1)
            }
            _ => (0, 0),
        };
        let (off, len) = string(&c.name, &mut strings);
        u16le(off, &mut blob);
        blob.push(u8::try_from(len).expect("short name"));
        u16le(parent.map_or(0xffff, |p| p as u32), &mut blob);
        blob.push(u8::from(c.container));
        u16le(sub_start as u32, &mut blob);
        u16le(sub_end as u32, &mut blob);
        i8b(c.arity as i64, &mut blob);
        blob.extend_from_slice(&bits(&c.flags, COMMAND_FLAGS, "command flag", &c.name).to_le_bytes());
        let cats = c
            .categories
            .iter()
            .fold(0u32, |acc, n| acc | 1 << t.categories.iter().position(|x| x == n).expect("category listed"));
        blob.extend_from_slice(&cats.to_le_bytes());
        blob.push(u8::try_from(c.key_specs.len()).expect("few key specs"));
        for ks in &c.key_specs {
            u16le(bits(&ks.flags, KEY_FLAGS, "key-spec flag", &c.name), &mut blob);
            match ks.begin_search.kind.as_str() {
                "index" => {
                    blob.push(0);
                    i8b(int(&ks.begin_search.spec, "index"), &mut blob);
                }
                "keyword" => {
                    blob.push(1);
                    i8b(int(&ks.begin_search.spec, "startfrom"), &mut blob);
                    let (off, len) = string(ks.begin_search.spec["keyword"].as_str().expect("keyword"), &mut strings);
                    u16le(off, &mut blob);
                    blob.push(len as u8);
                }
                _ => blob.push(2),
            }
            let f = &ks.find_keys.spec;
            match ks.find_keys.kind.as_str() {
                "range" => {
                    blob.push(0);
                    for k in ["lastkey", "keystep", "limit"] {
                        i8b(int(f, k), &mut blob);
                    }
                }
                "keynum" => {
                    blob.push(1);
                    for k in ["keynumidx", "firstkey", "keystep"] {
                        i8b(int(f, k), &mut blob);
                    }
                }
                _ => blob.push(2),
            }
        }
        for p in [&c.summary, &c.group] {
            let (off, len) = if prose { string(p, &mut strings) } else { (0, 0) };
            u16le(off, &mut blob);
            u16le(len, &mut blob);
        }
    }
    writeln!(
        out,
        "pub static {ident}: Table = Table::new({:?}, {:?}, &{:?}, {}, {:?}, {:?});",
        t.server,
        t.version,
        t.categories,
        t.commands.len(),
        strings,
        BytesLit(&blob)
    )
    .unwrap();
}

/// A byte-string literal.
struct BytesLit<'a>(&'a [u8]);

impl std::fmt::Debug for BytesLit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("b\"")?;
        for &b in self.0 {
            write!(f, "\\x{b:02x}")?;
        }
        f.write_str("\"")
    }
}

fn main() {
    let mut out = String::new();
    for (file, ident) in [("data/redis-7.0.json", "REDIS_7_0"), ("data/valkey-8.1.json", "VALKEY_8_1")] {
        println!("cargo::rerun-if-changed={file}");
        generate(Path::new(file), ident, &mut out);
    }
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=CARGO_CFG_TARGET_ARCH");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("tables.rs");
    std::fs::write(dest, out).unwrap();
}
