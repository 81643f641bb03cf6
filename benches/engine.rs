//! Criterion benchmarks of the engine alone (no servers needed): the workload of
//! `benches/support/workload.rs` (a 10,000-user ACL file and 100,000 DRYRUN command
//! lines per server version) plus micro benchmarks of the hot parts.
//!
//! `cargo bench --bench engine` (all), `cargo bench --bench engine -- dryrun` (a group).
//! The side-by-side comparison with the real servers is `examples/side_by_side.rs`.

#[path = "support/workload.rs"]
mod workload;

use std::hint::black_box;
use std::time::Duration;

use aclplay::analyze;
use aclplay::bytes::glob;
use aclplay::verdicts::{describe, dryrun};
use aclplay_oracle::ServerId;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn workloads() -> Vec<workload::Workload> {
    ServerId::all().map(workload::build).collect()
}

fn engine(c: &mut Criterion) {
    let ws = workloads();

    let mut g = c.benchmark_group("analyze");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for w in &ws {
        let opts = w.options();
        assert!(workload::load_ok(&analyze(&w.file, &opts)));
        g.throughput(Throughput::Elements(w.users.len() as u64));
        g.bench_function(BenchmarkId::new("10k-user-file", w.id), |b| b.iter(|| analyze(black_box(&w.file), &opts)));
    }
    g.finish();

    let mut g = c.benchmark_group("dryrun");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for w in &ws {
        let a = analyze(&w.file, &w.options());
        let refs = w.argv_refs();
        g.throughput(Throughput::Elements(refs.len() as u64));
        g.bench_function(BenchmarkId::new("100k-lines-10k-users", w.id), |b| {
            b.iter(|| {
                for (u, argv) in &refs {
                    black_box(a.dryrun(black_box(u), black_box(argv)));
                }
            })
        });
        let user = w.users[w.cli_user].as_bytes();
        let one = w.cli_argvs();
        g.throughput(Throughput::Elements(one.len() as u64));
        g.bench_function(BenchmarkId::new("100k-lines-one-user", w.id), |b| {
            b.iter(|| {
                for argv in &one {
                    black_box(a.dryrun(user, black_box(argv)));
                }
            })
        });
    }
    g.finish();

    // Micro benchmarks, on pieces of the same workload.
    let w = &ws[0];
    let a = analyze(&w.file, &w.options());
    let profile = w.profile;
    let resolved: Vec<(&'static aclplay::commands::table::CommandDef, Vec<&[u8]>)> = w
        .argv_refs()
        .into_iter()
        .filter_map(|(_, argv)| {
            let r = dryrun::resolve(profile, &argv).ok()?;
            let c = profile.command(r.id);
            c.has_keys().then_some((c, argv))
        })
        .collect();

    let mut g = c.benchmark_group("micro");
    g.throughput(Throughput::Elements(resolved.len() as u64));
    g.bench_function("keys_of/workload-lines-with-keys", |b| {
        b.iter(|| {
            for (c, argv) in &resolved {
                black_box(c.keys_of(black_box(argv), profile.behavior.keynum_last));
            }
        })
    });

    // Every (key pattern, key) pair the workload's DRYRUNs would test.
    let mut pairs: Vec<(&[u8], &[u8])> = Vec::new();
    for (u, argv) in w.argv_refs() {
        let Some(user) = a.user(u) else { continue };
        let Ok(r) = dryrun::resolve(profile, &argv) else { continue };
        let c = profile.command(r.id);
        if !c.has_keys() {
            continue;
        }
        for k in c.keys_of(&argv, profile.behavior.keynum_last) {
            for s in &user.selectors {
                for p in &s.keys {
                    pairs.push((&p.pattern, argv[k.pos]));
                }
            }
        }
    }
    let matched = pairs.iter().filter(|(p, s)| glob::matches(p, s)).count();
    assert!(matched > 0 && matched < pairs.len());
    g.throughput(Throughput::Elements(pairs.len() as u64));
    g.bench_function("glob/workload-pattern-key-pairs", |b| {
        b.iter(|| pairs.iter().filter(|(p, s)| glob::matches(black_box(p), black_box(s))).count())
    });
    let nasty: [(&[u8], &[u8]); 4] = [
        (b"*a*a*a*a*a*a*b", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac"),
        (b"tenant1:*:[0-9]*:*", b"tenant1:orders:12345:items:lines"),
        (b"*rate*", b"api:ratelimit:user:42"),
        (b"news.[a-c]*", b"news.sports"),
    ];
    g.throughput(Throughput::Elements(nasty.len() as u64));
    g.bench_function("glob/backtracking-and-classes", |b| {
        b.iter(|| nasty.iter().filter(|(p, s)| glob::matches(black_box(p), black_box(s))).count())
    });

    // ACL LIST lines: 7.0 infers categories from the bitmap; Valkey prints rules as written.
    for w in &ws {
        let a = analyze(&w.file, &w.options());
        let users: Vec<&aclplay::engine::acl::User> = a.users.iter().map(|r| &r.user).collect();
        g.throughput(Throughput::Elements(users.len() as u64));
        g.bench_function(BenchmarkId::new("acl_list_line/10k-users", w.id), |b| {
            b.iter(|| {
                for u in &users {
                    black_box(describe::acl_list_line(black_box(u), w.profile));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
