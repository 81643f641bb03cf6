//! A text and edits of it (the rest of the input, three bytes each: where, how much to
//! remove, what to insert): `Tracked` must equal `analyze` and `highlight` of the text
//! after every edit, and never panic.
#![no_main]

use aclplay::analysis::tracked::{Tracked, TrackedOptions};
use aclplay::{Options, PROFILES, analyze};
use libfuzzer_sys::fuzz_target;

/// Pieces an edit inserts (an edit byte picks one).
const PIECES: &[&str] = &["\n", " ", "user ", "a", "+get", "~k:*", "(", ")", "#", "\r", "é", "+gett", "\u{202e}", "user a on\n"];

fuzz_target!(|data: &[u8]| {
    let cut = data.iter().position(|&b| b == 0xff).unwrap_or(data.len());
    let Ok(text) = std::str::from_utf8(&data[..cut]) else { return };
    let edits = data.get(cut + 1..).unwrap_or_default();
    for profile in PROFILES {
        let mut t = Tracked::new(text.to_string(), TrackedOptions::new(profile, None));
        for e in edits.chunks_exact(3) {
            let cur = t.text().to_string();
            let mut at = e[0] as usize * cur.len() / 256;
            while !cur.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + (e[1] % 8) as usize).min(cur.len());
            while !cur.is_char_boundary(end) {
                end -= 1;
            }
            let next = format!("{}{}{}", &cur[..at], PIECES[e[2] as usize % PIECES.len()], &cur[end.max(at)..]);
            t.set_text(next);
            let want = analyze(t.text(), &Options::new(profile));
            let got = t.analysis();
            assert_eq!(got.document, want.document);
            assert_eq!(got.diagnostics, want.diagnostics);
            assert_eq!(got.outcome, want.outcome);
            assert_eq!(got.users.len(), want.users.len());
            for (g, w) in got.users.iter().zip(&want.users) {
                assert_eq!((&g.user, g.span, &g.status), (&w.user, w.span, &w.status));
            }
            assert_eq!(t.tokens(), aclplay::input::highlight::highlight(t.text(), &want.document).as_slice());
        }
    }
});
