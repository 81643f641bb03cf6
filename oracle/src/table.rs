//! The command table (`data/tables/<id>.json`, its format in `aclplay_formats::table`):
//! recording it from a live server, and comparing it with the committed one.

use std::collections::{BTreeMap, BTreeSet};

pub use aclplay_client::table::read_table;
pub use aclplay_formats::table::{CommandInfo, CommandTable, DbAccess, KeySpec, SpecArgs, SpecPart};

use aclplay_client::resp::{Conn, Reply};
use aclplay_client::table::cmd;

use crate::server::{Server, ServerId};

/// Reads `data/tables/<table>` of a server version from the repository.
pub fn load_table(id: ServerId) -> Result<CommandTable, String> {
    let p = crate::server::table_path(id).ok_or_else(|| "cannot find the repository root".to_string())?;
    CommandTable::load(&p)
}

/// Reads the command table of a running private server ([`aclplay_client::table::read_table`]).
pub fn record_table(server: &Server) -> Result<CommandTable, String> {
    let mut conn = server.connect()?;
    let mut table = read_table(&mut conn)?;
    if server.id().behavior().set_selector_database_rules {
        record_db_access(&mut conn, &mut table.commands)?;
    }
    Ok(table)
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
