//! A live server's command table, read the way `aclplay-record tables` records it
//! (`COMMAND`, `COMMAND DOCS`, `ACL CAT` cross-checked per category) into the recorded
//! format (`aclplay_formats::table`), and the server's identity from `INFO server`.

use std::collections::{BTreeSet, HashMap};

use aclplay_formats::table::{CommandInfo, CommandTable, KeySpec, SpecArgs, SpecPart};
use serde_json::Value;

use crate::resp::{Conn, Reply};

/// What a server says it is (`INFO server`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// `redis` or `valkey`: `server_name` (Valkey), else `redis`.
    pub product: String,
    /// `valkey_version` for Valkey (whose `redis_version` is a compatibility number),
    /// else `redis_version`.
    pub version: String,
}

impl Identity {
    /// Reads `INFO server` text; `None` without a version field.
    pub fn from_info(info: &str) -> Option<Identity> {
        let field = |k: &str| {
            info.lines()
                .find_map(|l| l.trim_end_matches('\r').strip_prefix(k)?.strip_prefix(':'))
                .map(|v| v.trim().to_string())
        };
        let valkey = field("valkey_version");
        let product = field("server_name").unwrap_or_else(|| if valkey.is_some() { "valkey" } else { "redis" }.into());
        let version =
            if product == "valkey" { valkey.or_else(|| field("redis_version")) } else { field("redis_version") }?;
        Some(Identity { product, version })
    }
}

fn text(r: &Reply) -> Result<String, String> {
    r.text().ok_or_else(|| format!("expected a string, got {r}"))
}

fn array(r: &Reply) -> Result<&[Reply], String> {
    r.as_array().ok_or_else(|| format!("expected an array, got {r}"))
}

fn strings(r: &Reply) -> Result<Vec<String>, String> {
    array(r)?.iter().map(text).collect()
}

/// A RESP2 flat map (`[k1, v1, k2, v2, ...]`) as ordered pairs.
fn pairs(r: &Reply) -> Result<Vec<(String, &Reply)>, String> {
    let a = array(r)?;
    if a.len() % 2 != 0 {
        return Err(format!("odd-length map {r}"));
    }
    a.chunks(2).map(|c| Ok((text(&c[0])?, &c[1]))).collect()
}

fn lookup<'a>(m: &'a [(String, &'a Reply)], k: &str) -> Option<&'a Reply> {
    m.iter().find(|(n, _)| n == k).map(|(_, v)| *v)
}

fn spec_part(r: &Reply) -> Result<SpecPart, String> {
    let m = pairs(r)?;
    let kind = text(lookup(&m, "type").ok_or("spec part without type")?)?;
    let spec = match lookup(&m, "spec") {
        Some(s) => SpecArgs(
            pairs(s)?
                .into_iter()
                .map(|(k, v)| {
                    let val = match v {
                        Reply::Int(i) => Value::from(*i),
                        other => Value::from(text(other)?),
                    };
                    Ok((k, val))
                })
                .collect::<Result<_, String>>()?,
        ),
        None => SpecArgs::default(),
    };
    Ok(SpecPart { kind, spec })
}

fn key_spec(r: &Reply) -> Result<KeySpec, String> {
    let m = pairs(r)?;
    Ok(KeySpec {
        flags: strings(lookup(&m, "flags").ok_or("key spec without flags")?)?,
        begin_search: spec_part(lookup(&m, "begin_search").ok_or("no begin_search")?)?,
        find_keys: spec_part(lookup(&m, "find_keys").ok_or("no find_keys")?)?,
    })
}

struct RawCmd {
    name: String,
    arity: i64,
    flags: Vec<String>,
    categories: Vec<String>,
    key_specs: Vec<KeySpec>,
    subs: Vec<RawCmd>,
}

fn raw_cmd(r: &Reply) -> Result<RawCmd, String> {
    let a = array(r)?;
    if a.len() < 10 {
        return Err(format!("COMMAND entry too short: {r}"));
    }
    let name = text(&a[0])?.to_ascii_lowercase();
    let arity = a[1].as_int().ok_or_else(|| format!("{name}: bad arity"))?;
    let flags = strings(&a[2])?;
    let categories = strings(&a[6])?.into_iter().map(|c| c.trim_start_matches('@').to_string()).collect();
    let key_specs = array(&a[8])?.iter().map(key_spec).collect::<Result<_, _>>().map_err(|e| format!("{name}: {e}"))?;
    let subs = array(&a[9])?.iter().map(raw_cmd).collect::<Result<_, _>>()?;
    Ok(RawCmd { name, arity, flags, categories, key_specs, subs })
}

struct Doc {
    summary: String,
    group: String,
}

fn collect_docs(r: &Reply, out: &mut HashMap<String, Doc>) -> Result<(), String> {
    for (name, doc) in pairs(r)? {
        let m = pairs(doc)?;
        let get = |k: &str| lookup(&m, k).and_then(Reply::text).unwrap_or_default();
        out.insert(name.to_ascii_lowercase(), Doc { summary: get("summary").trim().to_string(), group: get("group") });
        if let Some(subs) = lookup(&m, "subcommands") {
            collect_docs(subs, out)?;
        }
    }
    Ok(())
}

/// One command whose error reply is an error too.
pub fn cmd(conn: &mut Conn, args: &[&str]) -> Result<Reply, String> {
    let r = conn.command(args).map_err(|e| format!("{}: {e}", args.join(" ")))?;
    if r.is_error() {
        return Err(format!("{}: {r}", args.join(" ")));
    }
    Ok(r)
}

/// Reads the command table from a server, cross-checking each command's categories
/// against `ACL CAT <category>`. Every command is read-only (`INFO`, `ACL CAT`, `COMMAND`,
/// `COMMAND DOCS`). A command without a `COMMAND DOCS` entry (some module commands) gets
/// an empty summary and group.
pub fn read_table(conn: &mut Conn) -> Result<CommandTable, String> {
    let info = text(&cmd(conn, &["INFO", "server"])?)?;
    let Identity { product: server_name, version } = Identity::from_info(&info).ok_or("INFO server has no version")?;

    let categories = strings(&cmd(conn, &["ACL", "CAT"])?)?;
    let cat_pos: HashMap<&str, usize> = categories.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();

    let raw: Vec<RawCmd> = array(&cmd(conn, &["COMMAND"])?)?.iter().map(raw_cmd).collect::<Result<_, _>>()?;
    let mut docs = HashMap::new();
    collect_docs(&cmd(conn, &["COMMAND", "DOCS"])?, &mut docs)?;

    let mut top: Vec<&RawCmd> = raw.iter().collect();
    top.sort_by(|a, b| a.name.cmp(&b.name));
    let mut commands = Vec::new();
    for t in top {
        let mut subs: Vec<&RawCmd> = t.subs.iter().collect();
        subs.sort_by(|a, b| a.name.cmp(&b.name));
        let container = !subs.is_empty();
        commands.push(info_from(t, None, container, &cat_pos, &docs)?);
        for s in subs {
            commands.push(info_from(s, Some(&t.name), false, &cat_pos, &docs)?);
        }
    }

    // Cross-check: ACL CAT <cat> must list exactly the commands carrying it.
    let mut problems = Vec::new();
    for cat in &categories {
        let listed: BTreeSet<String> =
            strings(&cmd(conn, &["ACL", "CAT", cat])?)?.into_iter().map(|s| s.to_ascii_lowercase()).collect();
        let carried: BTreeSet<String> =
            commands.iter().filter(|c| c.has_category(cat)).map(|c| c.name.clone()).collect();
        for n in listed.difference(&carried) {
            problems.push(format!("ACL CAT {cat} lists {n}, COMMAND INFO does not"));
        }
        for n in carried.difference(&listed) {
            problems.push(format!("COMMAND INFO gives {n} @{cat}, ACL CAT does not"));
        }
    }
    if !problems.is_empty() {
        return Err(format!("category cross-check failed:\n  {}", problems.join("\n  ")));
    }

    Ok(CommandTable { server: server_name, version, categories, commands })
}

fn info_from(
    r: &RawCmd,
    parent: Option<&str>,
    container: bool,
    cat_pos: &HashMap<&str, usize>,
    docs: &HashMap<String, Doc>,
) -> Result<CommandInfo, String> {
    let mut cats: Vec<(usize, String)> = Vec::new();
    for c in &r.categories {
        let pos = *cat_pos.get(c.as_str()).ok_or_else(|| format!("{}: category {c} not in ACL CAT", r.name))?;
        cats.push((pos, c.clone()));
    }
    cats.sort();
    let none = Doc { summary: String::new(), group: String::new() };
    let doc = docs.get(&r.name).unwrap_or(&none);
    Ok(CommandInfo {
        name: r.name.clone(),
        parent: parent.map(str::to_string),
        container,
        arity: r.arity,
        flags: r.flags.clone(),
        categories: cats.into_iter().map(|(_, c)| c).collect(),
        key_specs: r.key_specs.clone(),
        db: None,
        summary: doc.summary.clone(),
        group: doc.group.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_from_info() {
        let redis = "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n";
        assert_eq!(Identity::from_info(redis), Some(Identity { product: "redis".into(), version: "7.0.15".into() }));
        let valkey = "# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.1.8\r\n";
        assert_eq!(Identity::from_info(valkey), Some(Identity { product: "valkey".into(), version: "8.1.8".into() }));
        assert_eq!(Identity::from_info("# Server\r\n"), None);
    }
}
