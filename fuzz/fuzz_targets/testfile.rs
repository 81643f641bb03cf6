//! Test files (`aclplay test`): any text must parse without a panic, every span (of an
//! expectation, its parts and its errors) must lie inside the text on char boundaries,
//! and running the file against small rules (the first line) must not panic either.
#![no_main]

use aclplay::workshop::testfile::{Check, parse};
use aclplay::workshop::{Rules, run};
use aclplay::{Kind, Options, PROFILES, analyze};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (rules, tests) = text.split_once('\n').unwrap_or(("user app on ~app:* +@all", text));
    let file = parse(tests);
    let inside = |s: aclplay::span::Span| {
        assert!(s.start <= s.end && s.end <= tests.len(), "span {s:?} outside the text");
        assert!(tests.is_char_boundary(s.start) && tests.is_char_boundary(s.end), "span {s:?} splits a char");
    };
    for e in &file.errors {
        inside(e.span);
        let _ = (e.to_string(), e.help(), e.code());
    }
    for e in &file.expectations {
        inside(e.span);
        match &e.check {
            Check::Dryrun { user, command, .. } => {
                inside(user.span);
                inside(*command);
            }
            Check::Accepted { user, .. } | Check::List { user, .. } => inside(user.span),
            Check::Audit { user, .. } => user.iter().for_each(|u| inside(u.span)),
            Check::Load { .. } => {}
        }
    }
    for profile in PROFILES {
        let a = analyze(rules, &Options { kind: Some(Kind::AclFile), ..Options::new(profile) });
        let r = run(&file, &Rules::new(rules, &a));
        for x in &r.results {
            let _ = x.actual.text();
        }
    }
});
