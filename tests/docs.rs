//! The docs that are data: README.md's table of server profiles is rendered from the
//! registry (`data/servers/`) and the engine's tables, and must match it.
//! `ACLPLAY_UPDATE_DOCS=1 cargo test --test docs` rewrites it.

use aclplay::PROFILES;
use aclplay_formats::registry::load_dir;
use std::path::Path;

const BEGIN: &str = "<!-- profiles:begin -->\n";
const END: &str = "<!-- profiles:end -->";

/// A switch as the table shows it: booleans by name when set, others as `name: value`.
fn switches(b: &aclplay_formats::registry::Behavior) -> String {
    let v = serde_json::to_value(b).unwrap();
    let mut out = Vec::new();
    for (k, v) in v.as_object().unwrap() {
        match v {
            serde_json::Value::Bool(true) => out.push(format!("`{k}`")),
            serde_json::Value::Bool(false) => {}
            other => out.push(format!("`{k}`: {}", other.as_str().unwrap_or_default())),
        }
    }
    out.join(", ")
}

fn table() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let entries = load_dir(&root.join("data/servers")).unwrap();
    let mut s = String::from(
        "| id | product and exact version | the oracle comes from | commands | categories | behaviour switches |\n\
         | --- | --- | --- | ---: | ---: | --- |\n",
    );
    for e in &entries {
        let p = PROFILES.iter().find(|p| p.id == e.id).expect("the engine has every registry version");
        let default = if e.default { " (default)" } else { "" };
        s.push_str(&format!(
            "| `{}`{default} | {} | {} | {} | {} | {} |\n",
            e.id,
            e.name(),
            e.oracle_source(),
            p.table.commands().len(),
            p.table.categories.len(),
            switches(&e.behavior)
        ));
    }
    s
}

#[test]
fn readme_lists_every_profile() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme.find(BEGIN).expect("README.md has the profiles markers") + BEGIN.len();
    let end = readme[start..].find(END).expect("README.md has the end marker") + start;
    let want = table();
    if readme[start..end] != want {
        if std::env::var_os("ACLPLAY_UPDATE_DOCS").is_some() {
            std::fs::write(&path, format!("{}{want}{}", &readme[..start], &readme[end..])).unwrap();
            return;
        }
        panic!("README.md's profiles table is stale; run ACLPLAY_UPDATE_DOCS=1 cargo test --test docs:\n{want}");
    }
}
