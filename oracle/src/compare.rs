//! Field-by-field comparison of a recorded case with another answer (the
//! engine's, or a second recording).

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::record::CaseRecord;
use crate::server::ServerId;

/// Fields that carry the server's answer. Missing and `null` are equal;
/// a missing boolean is `false`.
pub const COMPARED_FIELDS: &[&str] = &[
    "setuser",
    "pre_setuser",
    "acl_list_norm",
    "acl_list",
    "getuser",
    "dryrun",
    "dryrun_kind",
    "aclload",
    "aclload_crash",
    "list_crash",
];

/// One disagreement.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    pub field: String,
    pub expected: Value,
    pub actual: Value,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:\n    server: {}\n    other:  {}",
            self.field,
            crate::json::to_line(&self.expected),
            crate::json::to_line(&self.actual)
        )
    }
}

fn field(v: &Value, k: &str) -> Value {
    let x = v.get(k).cloned().unwrap_or(Value::Null);
    if matches!(k, "aclload_crash" | "list_crash") && x.is_null() { Value::Bool(false) } else { x }
}

/// An ACL LIST line as one sorted token multiset per selector (the
/// parentheses are taken off so the last token of a selector compares
/// like any other).
fn tokens(v: &Value) -> Option<Vec<Vec<String>>> {
    let mut groups: Vec<Vec<String>> = vec![Vec::new()];
    for t in v.as_str()?.split(' ') {
        let mut t = t;
        if let Some(rest) = t.strip_prefix('(') {
            groups.push(Vec::new());
            t = rest;
        }
        groups.last_mut().expect("non-empty").push(t.to_string());
    }
    for g in groups.iter_mut().skip(1) {
        if let Some(last) = g.last_mut()
            && last.ends_with(')')
        {
            last.pop();
        }
    }
    for g in &mut groups {
        g.sort();
    }
    Some(groups)
}

/// Compares two case objects (any JSON with the corpus field names).
/// `expected` is the server's record. For redis-7.0 the raw `acl_list` is
/// compared as a multiset of tokens (its order is hash-seeded); for Valkey
/// it must match exactly. A side that lacks `acl_list` entirely is
/// only checked through `acl_list_norm`.
pub fn compare_values(id: ServerId, expected: &Value, actual: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    for &k in COMPARED_FIELDS {
        let (e, a) = (field(expected, k), field(actual, k));
        let same = if k == "acl_list" {
            if actual.get("acl_list").is_none() {
                true
            } else if !id.list_order_is_random() {
                e == a
            } else {
                tokens(&e) == tokens(&a) && e.is_null() == a.is_null()
            }
        } else {
            e == a
        };
        if !same {
            out.push(Difference { field: k.to_string(), expected: e, actual: a });
        }
    }
    out
}

/// [`compare_values`] for two records.
pub fn compare_records(id: ServerId, expected: &CaseRecord, actual: &CaseRecord) -> Vec<Difference> {
    compare_values(id, &to_value(expected), &to_value(actual))
}

fn to_value<T: Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// A readable report for one case (empty string when equal).
pub fn describe(case_id: &str, diffs: &[Difference]) -> String {
    if diffs.is_empty() {
        return String::new();
    }
    let mut s = format!("case {case_id}: {} difference(s)\n", diffs.len());
    for d in diffs {
        s.push_str("  ");
        s.push_str(&d.to_string());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_equals_missing_and_lists_compare_as_token_sets() {
        let e = json!({"setuser": "OK", "acl_list": "user a on +get +set", "acl_list_norm": "user a on +get +set", "aclload": null, "aclload_crash": false});
        let a = json!({"setuser": "OK", "acl_list": "user a on +set +get", "acl_list_norm": "user a on +get +set"});
        let by_order = |random| ServerId::all().find(|id| id.list_order_is_random() == random).unwrap();
        assert!(compare_values(by_order(true), &e, &a).is_empty());
        let d = compare_values(by_order(false), &e, &a);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "acl_list");
        let b = json!({"setuser": "ERR x", "aclload_crash": true});
        let d = compare_values(by_order(true), &e, &b);
        let fields: Vec<&str> = d.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["setuser", "acl_list_norm", "aclload_crash"]);
        assert!(describe("c1", &d).contains("setuser"));
    }
}
