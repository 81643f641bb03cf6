//! The traffic parsers of `aclplay draft`: any bytes as MONITOR lines and as an `ACL LOG`
//! reply must parse or fail with an offset inside the line, never panic; what parses
//! drafts rules the engine loads, and every line drafted replays as allowed.
#![no_main]

use aclplay::review::draft::{DraftOptions, Drafter, Prover};
use aclplay::review::traffic::{acl_log, monitor_line};
use aclplay::{Options, Profile, analyze};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let profile = Profile::default_profile();
    let mut d = Drafter::new(profile, DraftOptions::default());
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    for (i, l) in lines.iter().enumerate() {
        match monitor_line(l) {
            Ok(Some(m)) => d.add(i + 1, m),
            Ok(None) => {}
            Err(e) => assert!(e.offset <= l.len(), "offset outside the line"),
        }
    }
    let draft = d.finish();
    let mut p = Prover::new(&draft);
    assert!(p.loads(), "the draft does not load:\n{}", draft.acl_file());
    for (i, l) in lines.iter().enumerate() {
        if let Ok(Some(m)) = monitor_line(l) {
            p.add(i + 1, m);
        }
    }
    let proof = p.finish();
    assert_eq!(proof.refused_count, 0, "{:?}", proof.refused);
    match acl_log(data) {
        Ok((_, entries)) => {
            let a = analyze("user u on nopass ~a:* +get\n", &Options::new(profile));
            let _ = aclplay::review::draft::denials(&entries, &a, "user u on nopass ~a:* +get\n");
        }
        Err(e) => assert!(e.line >= 1 && e.line <= lines.len()),
    }
});
