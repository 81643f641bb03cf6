//! Time per input byte: the input, repeated into a large text both as many lines and as
//! one long line, must be parsed, analysed, highlighted, audited (and a fix applied) in
//! time proportional to its size. A case that takes superlinear time is a finding: the
//! bound below holds for linear work with a wide margin and fails for quadratic work at
//! this size.
#![no_main]

use aclplay::{Options, PROFILES, analyze};
use libfuzzer_sys::fuzz_target;
use std::time::Instant;

/// The size each shape is grown to.
const SIZE: usize = 192 * 1024;
/// Microseconds per byte of text, for everything together (linear work here takes well
/// under one).
const PER_BYTE_US: f64 = 25.0;

fn check(text: &str, what: &str) {
    let profile = &PROFILES[0];
    let t0 = Instant::now();
    let doc = aclplay::input::parse::parse(text, None);
    let tokens = aclplay::input::highlight::highlight(text, &doc);
    let a = analyze(text, &Options::new(profile));
    let findings = aclplay::audit::lint(&a, text);
    let _ = aclplay::audit::harden(text, &findings);
    let ix = aclplay::span::LineIndex::new(text);
    for (s, _) in tokens.iter().step_by(64) {
        let _ = ix.locate(text, s.start);
    }
    let us = t0.elapsed().as_secs_f64() * 1e6;
    let bound = PER_BYTE_US * text.len() as f64 + 50_000.0;
    assert!(us <= bound, "{what}: {us:.0} µs for {} bytes (bound {bound:.0} µs)", text.len());
}

fuzz_target!(|data: &[u8]| {
    let Ok(piece) = std::str::from_utf8(data) else { return };
    if piece.is_empty() || piece.len() > 512 {
        return;
    }
    // Many lines: the piece as lines of a file.
    let line = piece.replace('\n', " ");
    let lines = format!("{}\n", line).repeat(SIZE / (line.len() + 1) + 1);
    check(&lines, "many lines");
    // One long line: the piece's words, over and over, as one user's rules.
    let long = format!("user u on {}", format!("{line} ").repeat(SIZE / (line.len() + 1) + 1));
    check(&long, "one line");
});
