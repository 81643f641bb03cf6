//! The permissions matrix (`aclplay matrix`, and the playground's view of it): users ×
//! the version's ACL categories, each cell all, some or none of the category's commands
//! (with the counts, and the commands behind it), the dangerous commands each user may
//! run, and its key and channel patterns per selector. A command counts as allowed when a
//! selector allows it whatever its arguments (its bit); one allowed only with given first
//! arguments (`+cmd|arg`) counts as partly allowed.

use crate::analysis::{Analysis, Status};
use crate::bytes::lossy;
use crate::commands::{CmdId, Profile};
use crate::engine::acl::User;
use serde::Serialize;

/// How much of a category a user may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    All,
    Some,
    None,
}

/// One user × one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub category: &'static str,
    pub level: Level,
    /// Commands of the category the user may run (any arguments).
    pub allowed: usize,
    /// Commands in the category.
    pub total: usize,
    /// The allowed commands, by name (what the cell expands to).
    pub commands: Vec<&'static str>,
    /// Commands allowed only with given first arguments (`select|0`).
    pub first_args: Vec<String>,
}

/// One selector's patterns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Patterns {
    /// 0 is the root selector.
    pub selector: usize,
    pub all_keys: bool,
    /// (pattern, read, write)
    pub keys: Vec<(String, bool, bool)>,
    pub all_channels: bool,
    pub channels: Vec<String>,
}

/// One user's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub user: String,
    pub enabled: bool,
    /// The server refuses the user's definition (the row shows it as written).
    pub rejected: bool,
    pub cells: Vec<Cell>,
    /// Dangerous commands it may run (the version's `@dangerous`).
    pub dangerous: Vec<&'static str>,
    pub patterns: Vec<Patterns>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    pub server: &'static str,
    /// The version's categories, in `ACL CAT` order.
    pub categories: Vec<&'static str>,
    pub rows: Vec<Row>,
}

/// Commands a user can run by name (not containers, except `COMMAND`, which runs alone).
fn runnable(p: &Profile, id: CmdId) -> bool {
    let c = p.command(id);
    !c.container || c.arity == -1 || c.arity == 1
}

/// Whether some selector allows `id` whatever its arguments.
fn allowed(u: &User, id: CmdId) -> bool {
    u.selectors.iter().any(|s| s.commands.get(id))
}

fn first_args(p: &Profile, u: &User, id: CmdId) -> Vec<String> {
    let mut out = Vec::new();
    for s in &u.selectors {
        for a in s.first_args_of(id) {
            let f = format!("{}|{}", p.command(id).name, lossy(a));
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// One user's cell for category `cat`.
pub fn cell(p: &'static Profile, u: &User, cat: usize) -> Cell {
    let ids: Vec<CmdId> =
        (0..p.table.commands().len() as CmdId).filter(|&i| runnable(p, i) && p.command(i).in_category(cat)).collect();
    let commands: Vec<&'static str> = ids.iter().filter(|&&i| allowed(u, i)).map(|&i| p.command(i).name).collect();
    let first: Vec<String> = ids.iter().filter(|&&i| !allowed(u, i)).flat_map(|&i| first_args(p, u, i)).collect();
    let level = if !ids.is_empty() && commands.len() == ids.len() {
        Level::All
    } else if commands.is_empty() && first.is_empty() {
        Level::None
    } else {
        Level::Some
    };
    Cell {
        category: p.table.categories[cat],
        level,
        allowed: commands.len(),
        total: ids.len(),
        commands,
        first_args: first,
    }
}

/// The row of one user.
pub fn row(p: &'static Profile, u: &User, rejected: bool) -> Row {
    let dangerous = p.table.category_index(b"dangerous");
    Row {
        user: lossy(&u.name),
        enabled: u.enabled,
        rejected,
        cells: (0..p.table.categories.len()).map(|c| cell(p, u, c)).collect(),
        dangerous: (0..p.table.commands().len() as CmdId)
            .filter(|&i| runnable(p, i) && dangerous.is_some_and(|d| p.command(i).in_category(d)) && allowed(u, i))
            .map(|i| p.command(i).name)
            .collect(),
        patterns: u
            .selectors
            .iter()
            .enumerate()
            .map(|(i, s)| Patterns {
                selector: i,
                all_keys: s.all_keys,
                keys: s.keys.iter().map(|k| (lossy(&k.pattern), k.read, k.write)).collect(),
                all_channels: s.all_channels,
                channels: s.channels.iter().map(|c| lossy(&c.pattern)).collect(),
            })
            .collect(),
    }
}

/// The matrix of every user of an analysis, in input order (the built-in `default` last
/// when the input does not define it).
pub fn matrix(a: &Analysis) -> Matrix {
    let p = a.profile;
    Matrix {
        server: p.id,
        categories: p.table.categories.to_vec(),
        rows: a.users.iter().map(|r| row(p, &r.user, matches!(r.status, Status::Rejected(_)))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, analyze};

    #[test]
    fn cells_count_the_categorys_commands() {
        let p = Profile::default_profile();
        let a = analyze("user app on nopass ~app:* +@read -keys +select|0\n", &Options::new(p));
        let m = matrix(&a);
        let row = &m.rows[0];
        let read = row.cells.iter().find(|c| c.category == "read").unwrap();
        assert_eq!(read.level, Level::Some);
        assert_eq!(read.allowed + 1, read.total, "all of @read but KEYS");
        assert!(!read.commands.contains(&"keys") && read.commands.contains(&"get"));
        let conn = row.cells.iter().find(|c| c.category == "connection").unwrap();
        assert!(conn.first_args.contains(&"select|0".to_string()) && conn.level == Level::Some);
        let admin = row.cells.iter().find(|c| c.category == "admin").unwrap();
        assert_eq!((admin.level, admin.allowed), (Level::None, 0));
        assert!(row.dangerous.contains(&"sort_ro") && !row.dangerous.contains(&"keys"));
        let def = &m.rows[1];
        assert_eq!(def.user, "default");
        assert!(def.cells.iter().all(|c| c.level == Level::All || c.total == 0));
    }
}
