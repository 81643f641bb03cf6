//! An ACL (first line, SETUSER-style rules) and command lines (the rest): DRYRUN, its
//! explanation and key extraction must never panic, the explanation must agree with the
//! verdict, and the compiled users with the plain path, from database 0 and from another
//! database (what Valkey 9.1's database rules check).
#![no_main]

use aclplay::{Kind, Options, PROFILES, analyze};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (rules, commands) = text.split_once('\n').unwrap_or((text, "GET k"));
    let acl = format!("user u {rules}");
    for profile in PROFILES {
        let a = analyze(&acl, &Options { kind: Some(Kind::AclFile), ..Options::new(profile) });
        for line in commands.split('\n') {
            let Ok(args) = aclplay::input::split::split_args(line.as_bytes(), 0) else { continue };
            let argv: Vec<&[u8]> = args.iter().map(|x| x.bytes.as_slice()).collect();
            for name in [b"u".as_slice(), b"default", b"nobody"] {
                for db in [0, (data.len() % 16) as i64] {
                    let reply = a.dryrun_in(name, &argv, db);
                    assert_eq!(reply, aclplay::verdicts::dryrun_in(profile, name, a.user(name), &argv, db));
                    let e = a.explain_in(name, &argv, db);
                    assert_eq!(reply, e.reply);
                    assert_eq!(reply.is_ok(), e.allowed_by.is_some(), "verdict and explanation disagree");
                    let _ = e.deciding_span();
                }
            }
            if let Some((id, keys)) = profile.find_keys(&argv) {
                let _ = id;
                for k in keys {
                    assert!(k.pos < argv.len(), "key position outside the command line");
                }
            }
        }
    }
});
