//! The semantic diff: two ACL lines (split at the first newline) on every profile must
//! never panic; every witness must be confirmed by the engine's DRYRUN (new allows, old
//! denies for a widening; the reverse for a narrowing); a user diffed with itself has no
//! change in access.
#![no_main]

use aclplay::review::diff::{Class, Input, diff};
use aclplay::{Kind, Options, PROFILES, analyze};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_once('\n').unwrap_or((text, ""));
    if a.len() + b.len() > 300 {
        return;
    }
    let (old, new) = (format!("user u {a}\n"), format!("user u {b}\n"));
    for profile in PROFILES {
        let opts = Options { kind: Some(Kind::AclFile), ..Options::new(profile) };
        let (oa, na) = (analyze(&old, &opts), analyze(&new, &opts));
        let d = diff(Input { analysis: &oa, text: &old }, Input { analysis: &na, text: &new });
        for c in d.users.iter().flat_map(|u| &u.changes) {
            let Some(w) = c.witness.as_ref().filter(|w| w.dryrun) else { continue };
            let argv: Vec<&[u8]> = w.bytes.iter().map(Vec::as_slice).collect();
            let (o, n) = (oa.dryrun(b"u", &argv).is_ok(), na.dryrun(b"u", &argv).is_ok());
            match c.class {
                Class::Widens if matches!(c.what, aclplay::review::diff::What::UserAdded) => assert!(n),
                Class::Widens => assert!(n && !o, "{c:?}"),
                Class::Narrows if matches!(c.what, aclplay::review::diff::What::UserRemoved) => assert!(o),
                Class::Narrows => assert!(o && !n, "{c:?}"),
                Class::Neutral => {}
            }
        }
        let same = diff(Input { analysis: &oa, text: &old }, Input { analysis: &oa, text: &old });
        assert!(same.no_change_in_access(), "{same:?}");
    }
});
