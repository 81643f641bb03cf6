//! One recorded case of the corpora (`tests/corpus/<id>-cases.jsonl`, `…-upstream`):
//! what was asked ([`CaseInput`]: earlier `ACL SETUSER`s, one `ACL SETUSER`, one
//! `ACL DRYRUN`) and every answer ([`CaseRecord`]). The oracle records them from a live
//! server; the engine (`aclplay batch`, the corpus replays) answers the same inputs in
//! the same shape, so that the two compare field by field.

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// One case to answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseInput {
    #[serde(default)]
    pub id: String,
    /// Comma-separated tags (`random,selectors`, `profile:app`).
    #[serde(default)]
    pub tags: String,
    /// Provenance note (upstream-tests corpora only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Never `default` (an ACL LOAD would replace it).
    pub user: String,
    /// Arguments of `ACL SETUSER <user> ...`; `None` = no SETUSER at all.
    #[serde(default)]
    pub setuser_args: Option<Vec<String>>,
    /// Earlier SETUSER calls on the same user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre: Option<Vec<Vec<String>>>,
    /// CONFIG values in force during the case (`acl-pubsub-default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_config: Option<BTreeMap<String, String>>,
    /// The database the connection asking `ACL DRYRUN` has selected (`SELECT` first),
    /// which database rules check; absent: 0, a new connection's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db: Option<u32>,
    /// argv given to `ACL DRYRUN <user> ...`.
    pub command: Vec<String>,
}

/// `ACL GETUSER` as an object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetUser {
    pub flags: Vec<String>,
    pub passwords: Vec<String>,
    /// Root selector commands (Redis 7.0's hash-ordered tokens sorted, see the oracle's
    /// `normalize`).
    pub commands: String,
    pub keys: String,
    pub channels: String,
    /// `alldbs`, `db=0,2` or empty (`resetdbs`): versions with database rules only, so
    /// the records of the others stay as they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub databases: Option<String>,
    pub selectors: Vec<SelectorInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectorInfo {
    pub commands: String,
    pub keys: String,
    pub channels: String,
    /// As [`GetUser::databases`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub databases: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Keeps `null` distinct from a missing field (`Some(None)` vs `None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// One answered case; the fields and their order are the corpus format, plus
/// `list_crash` (ACL LIST/GETUSER kills the server).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub id: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub user: String,
    /// The equivalent ACL-file line ([`acl_line`]), or null when not representable.
    #[serde(default)]
    pub acl: Option<String>,
    #[serde(default)]
    pub setuser_args: Option<Vec<String>>,
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_config: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db: Option<u32>,
    /// `OK` or the error line; null without SETUSER.
    #[serde(default)]
    pub setuser: Option<String>,
    #[serde(default)]
    pub acl_list: Option<String>,
    #[serde(default)]
    pub acl_list_norm: Option<String>,
    #[serde(default)]
    pub getuser: Option<GetUser>,
    #[serde(default)]
    pub dryrun: Option<String>,
    /// `ok` | `denied` | `error`.
    #[serde(default)]
    pub dryrun_kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_setuser: Option<Vec<String>>,
    /// Absent when not applicable; `Some(None)` (null) when LOAD crashed.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub aclload: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub aclload_crash: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub list_crash: bool,
}

impl CaseRecord {
    /// A record of `input` with no answers yet.
    pub fn of(input: &CaseInput) -> CaseRecord {
        CaseRecord {
            id: input.id.clone(),
            tags: input.tags.clone(),
            source: input.source.clone(),
            user: input.user.clone(),
            acl: acl_line(&input.user, input.setuser_args.as_deref()),
            setuser_args: input.setuser_args.clone(),
            command: input.command.clone(),
            pre: input.pre.clone(),
            server_config: input.server_config.clone(),
            db: input.db,
            setuser: None,
            acl_list: None,
            acl_list_norm: None,
            getuser: None,
            dryrun: None,
            dryrun_kind: None,
            pre_setuser: None,
            aclload: None,
            aclload_crash: false,
            list_crash: false,
        }
    }

    /// The record as one corpus line (no newline).
    #[cfg(feature = "files")]
    pub fn to_line(&self) -> String {
        crate::json::to_line(self)
    }
}

/// C `isspace()` plus NUL: bytes a username or a file token cannot hold.
fn is_c_space_or_nul(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '\0')
}

/// The ACL-file line equivalent to `ACL SETUSER user args...`, or `None` when the file
/// syntax cannot express it: no SETUSER, an empty username or one with whitespace/NUL, a
/// non-selector argument with whitespace/NUL, or a selector argument with a newline/NUL
/// (the file is split into lines, and read as C strings) or with a token inside that
/// opens another selector (Redis 7.0 restarts an open selector there, where SETUSER saw
/// one argument).
pub fn acl_line(user: &str, setuser_args: Option<&[String]>) -> Option<String> {
    let args = setuser_args?;
    if user.is_empty() || user.chars().any(is_c_space_or_nul) {
        return None;
    }
    for a in args {
        let selector = a.len() >= 2 && a.starts_with('(') && a.ends_with(')');
        let bad = if selector {
            a.contains(['\n', '\0']) || a.split(' ').skip(1).any(|t| t.starts_with('(') && !t.ends_with(')'))
        } else {
            a.chars().any(is_c_space_or_nul)
        };
        if bad {
            return None;
        }
    }
    let mut line = format!("user {user}");
    for a in args {
        line.push(' ');
        line.push_str(a);
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn acl_line_rules() {
        assert_eq!(acl_line("u", Some(&s(&["on", "(~a b)", ""]))).as_deref(), Some("user u on (~a b) "));
        assert_eq!(acl_line("u", None), None);
        assert_eq!(acl_line("", Some(&s(&["on"]))), None);
        assert_eq!(acl_line("a b", Some(&[])), None);
        assert_eq!(acl_line("u", Some(&s(&[" () "]))), None);
        assert_eq!(acl_line("u", Some(&s(&["~a\tb"]))), None);
        assert_eq!(acl_line("u", Some(&s(&["(~a\nb)"]))), None);
        assert_eq!(acl_line("u", Some(&s(&[">a b"]))), None);
        assert_eq!(acl_line("u", Some(&[])).as_deref(), Some("user u"));
        assert_eq!(acl_line("u", Some(&s(&["(~a (~b c)"]))), None);
        assert!(acl_line("u", Some(&s(&["(~a (~b)"]))).is_some());
    }
}
