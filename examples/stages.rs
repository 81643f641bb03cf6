//! Times each stage the playground runs on a text (split into lines, parse, analyze,
//! highlight, audit, Harden, one fix, the per-user summaries), at two sizes of the same
//! shape, and prints the growth: a stage whose time grows much faster than its input
//! (ratio well above 2 for twice the input) is superlinear.
//!
//! `cargo run --release --example stages [-- SHAPE [BYTES]]`; the shapes are
//! benches/support/shapes.rs (also what `cargo bench --bench pipeline` times at 1 MB).

#[path = "../benches/support/shapes.rs"]
mod shapes;

use aclplay::{Options, Profile, analyze};
use shapes::{SHAPES, input};
use std::time::Instant;

/// The result and the fastest of three runs, in milliseconds (the machine is shared).
fn time<T>(f: impl Fn() -> T) -> (T, f64) {
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..3 {
        let t0 = Instant::now();
        let r = f();
        best = best.min(t0.elapsed().as_secs_f64() * 1000.0);
        out = Some(r);
    }
    (out.expect("ran"), best)
}

fn stages(text: &str, profile: &'static Profile) -> Vec<(&'static str, f64)> {
    let opts = Options::new(profile);
    let mut out = Vec::new();
    let (_, ms) = time(|| aclplay::span::LineIndex::new(text));
    out.push(("line index", ms));
    let (_, ms) = time(|| aclplay::input::parse::parse(text, None));
    out.push(("parse", ms));
    let (a, ms) = time(|| analyze(text, &opts));
    out.push(("analyze", ms));
    let (_, ms) = time(|| aclplay::input::highlight::highlight(text, &a.document));
    out.push(("highlight", ms));
    let (f, ms) = time(|| aclplay::audit::lint(&a, text));
    out.push(("audit", ms));
    let (_, ms) = time(|| aclplay::audit::harden(text, &f));
    out.push(("harden", ms));
    let (_, ms) = time(|| {
        let fix: Vec<&aclplay::audit::Fix> = f.iter().filter_map(|x| x.fix.as_ref()).take(1).collect();
        aclplay::audit::apply(text, &fix)
    });
    out.push(("one fix", ms));
    let (_, ms) = time(|| {
        for r in a.users.iter().take(100) {
            let s = aclplay::verdicts::summary::user(&r.user, profile);
            let _ = aclplay::verdicts::summary::sentences(&s);
            let _ = a.acl_list(&r.user);
        }
    });
    out.push(("100 cards", ms));
    out.push(("(findings)", f.len() as f64));
    out.push(("(diagnostics)", a.diagnostics.len() as f64));
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shapes: Vec<&str> = match args.first() {
        Some(s) => vec![s.as_str()],
        None => SHAPES.to_vec(),
    };
    let bytes: usize = args.get(1).and_then(|b| b.parse().ok()).unwrap_or(500_000);
    let profile = Profile::default_profile();
    for shape in shapes {
        let small = input(shape, bytes);
        let big = input(shape, bytes * 2);
        let a = stages(&small, profile);
        let b = stages(&big, profile);
        println!("{shape}: {} → {} bytes", small.len(), big.len());
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            let flag =
                if *y > 3.0 * x.max(0.05) && *y > 5.0 && !name.starts_with('(') { "  ← superlinear" } else { "" };
            println!("  {name:<14} {x:>10.2} {y:>10.2}  ×{:.1}{flag}", y / x.max(1e-9));
        }
    }
}
