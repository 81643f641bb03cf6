//! Criterion benchmarks of every stage the playground runs, on 1 MB inputs of each shape
//! (benches/support/shapes.rs): parse, analyze, highlight, audit, Harden, and the edit of
//! one line through `analysis::tracked` (what a keystroke costs). `examples/stages.rs`
//! prints the same stages at two sizes, to show each is linear.
//!
//! `cargo bench --bench pipeline` (all), `cargo bench --bench pipeline -- audit` (a stage).

#[path = "support/shapes.rs"]
mod shapes;

use aclplay::analysis::tracked::{Tracked, TrackedOptions};
use aclplay::{Options, Profile, analyze};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const MB: usize = 1 << 20;

fn pipeline(c: &mut Criterion) {
    let profile = Profile::default_profile();
    let opts = Options::new(profile);
    let inputs: Vec<(&str, String)> = shapes::SHAPES.iter().map(|&s| (s, shapes::input(s, MB))).collect();
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    for (shape, text) in &inputs {
        g.throughput(Throughput::Bytes(text.len() as u64));
        let a = analyze(text, &opts);
        let findings = aclplay::audit::lint(&a, text);
        g.bench_function(BenchmarkId::new("parse", shape), |b| {
            b.iter(|| aclplay::input::parse::parse(black_box(text), None))
        });
        g.bench_function(BenchmarkId::new("analyze", shape), |b| b.iter(|| analyze(black_box(text), &opts)));
        g.bench_function(BenchmarkId::new("highlight", shape), |b| {
            b.iter(|| aclplay::input::highlight::highlight(black_box(text), &a.document))
        });
        g.bench_function(BenchmarkId::new("audit", shape), |b| b.iter(|| aclplay::audit::lint(black_box(&a), text)));
        g.bench_function(BenchmarkId::new("harden", shape), |b| {
            b.iter(|| aclplay::audit::harden(black_box(text), &findings))
        });
        // A keystroke in the middle of the text, and back.
        let mid = text[..text.len() / 2].rfind(' ').unwrap_or(0);
        let typed = format!("{}x{}", &text[..mid], &text[mid..]);
        let mut t = Tracked::new(text.clone(), TrackedOptions::new(profile, None));
        g.bench_function(BenchmarkId::new("keystroke", shape), |b| {
            b.iter(|| {
                t.set_text(typed.clone());
                t.set_text(text.clone());
            })
        });
    }
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
