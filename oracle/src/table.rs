//! The command table (`data/tables/<id>.json`, its format in `aclplay_formats::table`):
//! recording it from a live server, and comparing it with the committed one.

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use aclplay_formats::table::{CommandInfo, CommandTable, DbAccess, KeySpec, SpecArgs, SpecPart};
use serde_json::Value;

use crate::resp::{Conn, Reply};
use crate::server::{Server, ServerId};

/// Reads `data/tables/<table>` of a server version from the repository.
pub fn load_table(id: ServerId) -> Result<CommandTable, String> {
    let p = crate::server::table_path(id).ok_or_else(|| "cannot find the repository root".to_string())?;
    CommandTable::load(&p)
}

// ---------------------------------------------------------------------------
// Recording.

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

fn cmd(conn: &mut Conn, args: &[&str]) -> Result<Reply, String> {
    let r = conn.command(args).map_err(|e| format!("{}: {e}", args.join(" ")))?;
    if r.is_error() {
        return Err(format!("{}: {r}", args.join(" ")));
    }
    Ok(r)
}

/// Reads the command table from a running server, cross-checking each
/// command's categories against `ACL CAT <category>`.
pub fn record_table(server: &Server) -> Result<CommandTable, String> {
    let mut conn = server.connect()?;
    let info = text(&cmd(&mut conn, &["INFO", "server"])?)?;
    let field = |k: &str| info.lines().find_map(|l| l.strip_prefix(&format!("{k}:"))).map(|v| v.trim().to_string());
    let server_name = field("server_name").unwrap_or_else(|| "redis".to_string());
    let version = if server_name == "valkey" { field("valkey_version") } else { field("redis_version") }
        .ok_or("INFO server has no version")?;

    let categories = strings(&cmd(&mut conn, &["ACL", "CAT"])?)?;
    let cat_pos: HashMap<&str, usize> = categories.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();

    let raw: Vec<RawCmd> = array(&cmd(&mut conn, &["COMMAND"])?)?.iter().map(raw_cmd).collect::<Result<_, _>>()?;
    let mut docs = HashMap::new();
    collect_docs(&cmd(&mut conn, &["COMMAND", "DOCS"])?, &mut docs)?;

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
            strings(&cmd(&mut conn, &["ACL", "CAT", cat])?)?.into_iter().map(|s| s.to_ascii_lowercase()).collect();
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
    if server.id().behavior().set_selector_database_rules {
        record_db_access(&mut conn, &mut commands)?;
    }

    Ok(CommandTable { server: server_name, version, categories, commands })
}

/// The databases each command needs (`CommandInfo::db`), asked of `ACL DRYRUN` in
/// database 0: a user allowed every command, key and channel but only database 1 is
/// refused the commands that use the database they run in, and one allowed database 0
/// is still refused those that need every database (it would need `db=` to list all of
/// them, or `alldbs`). Arguments are `x`, which names no
/// database, so that only the command itself decides.
fn record_db_access(conn: &mut Conn, commands: &mut [CommandInfo]) -> Result<(), String> {
    const ONLY_1: &str = "aclplay-db-probe-1";
    const ONLY_0: &str = "aclplay-db-probe-0";
    for (user, db) in [(ONLY_1, "db=1"), (ONLY_0, "db=0")] {
        cmd(conn, &["ACL", "SETUSER", user, "reset", "on", "nopass", "~*", "&*", "+@all", db])?;
    }
    if !cmd(conn, &["SELECT", "0"])?.is_ok() {
        return Err("SELECT 0 failed".into());
    }
    for c in commands.iter_mut().filter(|c| !c.container) {
        let mut argv: Vec<&str> = c.name.split('|').collect();
        while argv.len() < c.arity.unsigned_abs() as usize {
            argv.push("x");
        }
        let denied = |conn: &mut Conn, user: &str| -> Result<bool, String> {
            let mut line = vec!["ACL", "DRYRUN", user];
            line.extend(&argv);
            let r = conn.command(&line).map_err(|e| format!("{}: {e}", line.join(" ")))?;
            let text = r.text().unwrap_or_default();
            match r {
                Reply::Simple(_) => Ok(false),
                Reply::Bulk(_) if text.starts_with(&format!("User {user} has no permissions to access database ")) => {
                    Ok(true)
                }
                other => Err(format!("{}: unexpected {other}", line.join(" "))),
            }
        };
        c.db = match (denied(conn, ONLY_1)?, denied(conn, ONLY_0)?) {
            (false, false) => None,
            (true, false) => Some(DbAccess::Current),
            (true, true) => Some(DbAccess::All),
            (false, true) => return Err(format!("{}: refused in database 0 with db=0 but not with db=1", c.name)),
        };
    }
    cmd(conn, &["ACL", "DELUSER", ONLY_1, ONLY_0])?;
    Ok(())
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
    let doc = docs.get(&r.name).ok_or_else(|| format!("{}: no COMMAND DOCS entry", r.name))?;
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

/// Starts a private server, records its table and stops it.
pub fn record_table_for(id: ServerId) -> Result<CommandTable, String> {
    let server = Server::start(id, Default::default())?;
    record_table(&server)
}

/// Human-readable differences between a committed and a fresh rendering.
pub fn diff_tables(committed: &str, fresh: &str) -> Vec<String> {
    if committed == fresh {
        return Vec::new();
    }
    let mut out = Vec::new();
    let (a, b) = match (CommandTable::parse(committed), CommandTable::parse(fresh)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) => return vec![format!("committed file does not parse: {e}")],
        (_, Err(e)) => return vec![format!("fresh table does not parse: {e}")],
    };
    for (what, x, y) in [("server", &a.server, &b.server), ("version", &a.version, &b.version)] {
        if x != y {
            out.push(format!("{what}: committed {x:?}, server {y:?}"));
        }
    }
    if a.categories != b.categories {
        out.push(format!("categories: committed {:?}, server {:?}", a.categories, b.categories));
    }
    let am: BTreeMap<&str, &CommandInfo> = a.commands.iter().map(|c| (c.name.as_str(), c)).collect();
    let bm: BTreeMap<&str, &CommandInfo> = b.commands.iter().map(|c| (c.name.as_str(), c)).collect();
    for (n, c) in &am {
        match bm.get(n) {
            None => out.push(format!("removed: {n}")),
            Some(d) if d != c => {
                let ca = serde_json::to_value(c).unwrap_or_default();
                let cb = serde_json::to_value(d).unwrap_or_default();
                let mut fields = Vec::new();
                if let (Some(x), Some(y)) = (ca.as_object(), cb.as_object()) {
                    for k in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                        if x.get(k) != y.get(k) {
                            fields.push(k.as_str());
                        }
                    }
                }
                out.push(format!("changed: {n} ({})", fields.join(", ")));
            }
            _ => {}
        }
    }
    for n in bm.keys() {
        if !am.contains_key(n) {
            out.push(format!("added: {n}"));
        }
    }
    let order_a: Vec<&str> = a.commands.iter().map(|c| c.name.as_str()).collect();
    let order_b: Vec<&str> = b.commands.iter().map(|c| c.name.as_str()).collect();
    if out.is_empty() && order_a != order_b {
        out.push("command order differs".into());
    }
    if out.is_empty() {
        out.push("layout differs (same content; re-record to fix formatting)".into());
    }
    out
}
