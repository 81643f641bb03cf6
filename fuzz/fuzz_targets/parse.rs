//! Any text, as every kind of input and for every server version: parsing, applying,
//! describing, highlighting and linting must never panic or hang, and every span must lie
//! inside the text on character boundaries.
#![no_main]

use aclplay::{Kind, Options, PROFILES, analyze};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let kinds = [None, Some(Kind::AclFile), Some(Kind::Config), Some(Kind::Commands), Some(Kind::Listing)];
    for profile in PROFILES {
        for kind in kinds {
            let opts = Options { kind, acl_file: Some(text), ..Options::new(profile) };
            let a = analyze(text, &opts);
            for d in &a.diagnostics {
                if let Some(s) = d.span {
                    assert!(s.start <= s.end && s.end <= text.len(), "diagnostic span {s:?} outside the text");
                    assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
                }
                let _ = d.to_string();
            }
            for r in &a.users {
                let _ = a.acl_list(&r.user);
                let _ = aclplay::verdicts::describe::getuser(&r.user, profile);
                let _ = aclplay::verdicts::summary::sentences(&aclplay::verdicts::summary::user(&r.user, profile));
            }
            for (s, _) in aclplay::input::highlight::highlight(text, &a.document) {
                assert!(s.start <= s.end && s.end <= text.len(), "highlight span {s:?} outside the text");
            }
            let findings = aclplay::audit::lint(&a, text);
            for f in &findings {
                for s in &f.spans {
                    assert!(s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
                }
            }
            // Fixes must produce text (their edits stay inside the input).
            let hardened = aclplay::audit::harden(text, &findings);
            let _ = analyze(&hardened, &opts);
        }
    }
});
