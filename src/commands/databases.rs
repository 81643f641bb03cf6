//! Which databases a command line uses, as the per-database ACL rules see them (Valkey
//! 9.1's `ACLSelectorCheckCmd`): the database the command runs in or every database
//! (recorded per command in the table, [`DbAccess`]), and the databases its arguments
//! name (the server's per-command functions for SELECT, SWAPDB, MOVE and COPY,
//! [`DbArgs`]).

use crate::bytes::c_str;
use crate::bytes::int::string2ll;

/// The databases a command needs besides those its arguments name (the table's `db`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbAccess {
    /// None: PING, SELECT, SWAPDB, PUBLISH, CONFIG …
    None,
    /// The database it runs in: every command with keys, read or write flags, or
    /// `@keyspace` (GET, SCAN, DBSIZE, FLUSHDB, LOLWUT …), as recorded.
    Current,
    /// Every database (FLUSHALL, CLUSTER FLUSHSLOT, …): `alldbs`, or `db=` listing each
    /// of the server's databases (`db=0,…,15`; more ids do not matter).
    All,
}

/// The server's number of databases (`databases`, 16 by default, as the oracles run):
/// an argument outside `0..DATABASES` names no database, and the command fails before it
/// could use one.
pub const DATABASES: i64 = 16;

/// Where a command's arguments name databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DbArgs {
    None,
    /// `SELECT <db>`.
    Select,
    /// `SWAPDB <db> <db>`.
    Swapdb,
    /// `MOVE <key> <db>`.
    Move,
    /// `COPY <src> <dst> [DB <db>] [REPLACE]`, options in any order and repeated.
    Copy,
}

/// The [`DbArgs`] of a command by name (on versions with database rules).
pub(crate) fn db_args(name: &str) -> DbArgs {
    match name {
        "select" => DbArgs::Select,
        "swapdb" => DbArgs::Swapdb,
        "move" => DbArgs::Move,
        "copy" => DbArgs::Copy,
        _ => DbArgs::None,
    }
}

/// A database argument as the commands read it (`getIntFromObject`: the strict integer
/// parser, then an `int`), if it names one of the server's databases.
fn database(arg: &[u8]) -> Option<i64> {
    string2ll(arg).filter(|&v| i32::try_from(v).is_ok() && (0..DATABASES).contains(&v))
}

/// Visits the databases `argv`'s arguments name, in order, as (argv index, id); `f`
/// returns whether to go on. Nothing is visited when the command would fail on its
/// arguments (an argument that is not a database, an unknown COPY option, a `DB`
/// without a value): the server's functions then report no database at all. `argv` must
/// satisfy the command's arity. Returns whether every database was visited.
pub(crate) fn visit_db_args(plan: DbArgs, argv: &[&[u8]], mut f: impl FnMut(usize, i64) -> bool) -> bool {
    match plan {
        DbArgs::None => true,
        DbArgs::Select => database(argv[1]).is_none_or(|d| f(1, d)),
        DbArgs::Move => database(argv[2]).is_none_or(|d| f(2, d)),
        DbArgs::Swapdb => match (database(argv[1]), database(argv[2])) {
            (Some(a), Some(b)) => f(1, a) && f(2, b),
            _ => true,
        },
        DbArgs::Copy => {
            if !copy_options(argv, |_, _| true) {
                return true;
            }
            copy_options(argv, f)
        }
    }
}

/// COPY's options from argv[3] on, visiting each `DB <db>`; false when they do not parse
/// (or `f` stopped).
fn copy_options(argv: &[&[u8]], mut f: impl FnMut(usize, i64) -> bool) -> bool {
    let mut j = 3;
    while j < argv.len() {
        let a = c_str(argv[j]);
        if a.eq_ignore_ascii_case(b"replace") {
            j += 1;
            continue;
        }
        if !a.eq_ignore_ascii_case(b"db") || j + 1 >= argv.len() {
            return false;
        }
        let Some(d) = database(argv[j + 1]) else { return false };
        if !f(j + 1, d) {
            return false;
        }
        j += 2;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dbs(plan: DbArgs, line: &str) -> Vec<(usize, i64)> {
        let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        let mut out = Vec::new();
        visit_db_args(plan, &argv, |p, d| {
            out.push((p, d));
            true
        });
        out
    }

    #[test]
    fn arguments_naming_databases() {
        // Each pinned against Valkey 9.1.2 (ACL DRYRUN of a user with `db=0` in database 0).
        assert_eq!(dbs(DbArgs::Select, "SELECT 15"), [(1, 15)]);
        for no in ["SELECT 16", "SELECT -1", "SELECT 01", "SELECT +1", "SELECT 1.0", "SELECT -0", "SELECT x"] {
            assert_eq!(dbs(DbArgs::Select, no), [], "{no}");
        }
        assert_eq!(dbs(DbArgs::Swapdb, "SWAPDB 1 2"), [(1, 1), (2, 2)]);
        assert_eq!(dbs(DbArgs::Swapdb, "SWAPDB 1 16"), []);
        assert_eq!(dbs(DbArgs::Swapdb, "SWAPDB x 1"), []);
        assert_eq!(dbs(DbArgs::Move, "MOVE k 3"), [(2, 3)]);
        assert_eq!(dbs(DbArgs::Copy, "COPY a b"), []);
        assert_eq!(dbs(DbArgs::Copy, "COPY a b db 1 REPLACE DB 2"), [(4, 1), (7, 2)]);
        assert_eq!(dbs(DbArgs::Copy, "COPY a b REPLACE REPLACE DB 1"), [(6, 1)]);
        for no in ["COPY a b DB", "COPY a b DB 1 DB", "COPY a b DB x DB 1", "COPY a b x DB 1", "COPY a b DB 3 x"] {
            assert_eq!(dbs(DbArgs::Copy, no), [], "{no}");
        }
    }
}
