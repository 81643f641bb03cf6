//! The workshop's budget: a test file re-run, and its mutation coverage, as a trainee
//! types. 200 DRYRUN expectations (and a `user`/`list` line per user) over a 50-user ACL
//! file drawn by the oracle's generator (`tests/support/workshop.rs`, fixed seed).
//! `cargo bench --bench workshop`; figures in BENCHMARKS.md.

#[path = "../tests/support/workshop.rs"]
mod generated;

use aclplay::workshop::coverage::{Method, coverage_with};
use aclplay::workshop::{Rules, parse, run};
use aclplay::{Kind, Options, Profile, analyze};
use aclplay_oracle::table::load_table;
use aclplay_oracle::{ServerId, generate_workload};
use criterion::{Criterion, criterion_group, criterion_main};

const USERS: usize = 50;
const PER_USER: usize = 4;
const SEED: u64 = 50_200;

fn workshop(c: &mut Criterion) {
    let id = ServerId::default_id();
    let profile = Profile::by_id(id.as_str()).unwrap();
    let table = load_table(id).unwrap();
    let users = generate_workload(id, &table, SEED, USERS * 2, PER_USER);
    let mut g = generated::generate(profile, &users[..USERS], SEED, false);
    // Keep 50 users whatever the generator's refusals.
    let mut extra = USERS;
    while g.users.len() < USERS && extra < users.len() {
        extra += 1;
        g = generated::generate(profile, &users[..extra], SEED, false);
    }
    let dryruns = g.tests.lines().filter(|l| l.contains(": ") && !l.starts_with('#')).count();
    let opts = Options { kind: Some(Kind::AclFile), ..Options::new(profile) };
    let file = parse(&g.tests);
    let a = analyze(&g.rules, &opts);
    let cov = coverage_with(&file, &g.rules, &opts, Method::Auto);
    eprintln!(
        "workshop workload: {} users, {} expectations ({dryruns} DRYRUN), {} rule units, {} covered",
        g.users.len(),
        file.expectations.len(),
        cov.total(),
        cov.covered()
    );
    let mut grp = c.benchmark_group("workshop");
    grp.bench_function("parse tests", |b| b.iter(|| parse(&g.tests)));
    grp.bench_function("analyze rules + run tests", |b| {
        b.iter(|| {
            let a = analyze(&g.rules, &opts);
            run(&file, &Rules::new(&g.rules, &a))
        })
    });
    grp.bench_function("run tests", |b| b.iter(|| run(&file, &Rules::new(&g.rules, &a))));
    grp.bench_function("coverage", |b| b.iter(|| coverage_with(&file, &g.rules, &opts, Method::Auto)));
    grp.sample_size(10);
    grp.bench_function("coverage, whole text per mutant", |b| {
        b.iter(|| coverage_with(&file, &g.rules, &opts, Method::WholeText))
    });
    grp.finish();
}

criterion_group!(benches, workshop);
criterion_main!(benches);
