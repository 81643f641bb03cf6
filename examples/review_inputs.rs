//! The inputs of `scripts/bench-review.sh` (BENCHMARKS.md, "Review"): in the directory
//! given, `old.acl` (the benchmark workload's 10,000 users, benches/support/workload.rs),
//! `new.acl` (the same with every tenth user edited: a key pattern added, `+@dangerous`,
//! `-@write`, or `resetkeys` and another pattern) and `monitor.txt` (1,000,000 lines as
//! `redis-cli MONITOR > file` writes them: 50 clients, strings, hashes, lists, streams,
//! pub/sub, scripts with their `[0 lua]` lines, and keys that quote). Deterministic.

#[path = "../benches/support/workload.rs"]
mod workload;

use std::io::Write;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("a directory"));
    std::fs::create_dir_all(&dir).unwrap();
    let w = workload::build(aclplay_oracle::ServerId::default_id());
    std::fs::write(dir.join("old.acl"), &w.file).unwrap();
    let edits = [" ~extra:*", " +@dangerous", " -@write", " resetkeys ~bench:*"];
    let new: String = w
        .file
        .lines()
        .enumerate()
        .map(|(i, l)| if i % 10 == 0 { format!("{l}{}\n", edits[(i / 10) % edits.len()]) } else { format!("{l}\n") })
        .collect();
    std::fs::write(dir.join("new.acl"), new).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("monitor.txt")).unwrap());
    writeln!(out, "OK").unwrap();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut n = 1;
    let mut t = 1_764_000_000_000_000u64;
    while n < 1_000_000 {
        let c = next() % 50;
        let k = next() % 5000;
        let addr = format!("10.0.{}.{}:{}", c / 10, c % 10 + 1, 40000 + c);
        let app = ["web", "api", "jobs", "cache", "stats"][(c % 5) as usize];
        t += next() % 300;
        let ts = format!("{}.{:06}", t / 1_000_000, t % 1_000_000);
        let line = |args: &[String]| -> String {
            let q: Vec<String> = args.iter().map(|a| format!("\"{a}\"")).collect();
            format!("{ts} [0 {addr}] {}", q.join(" "))
        };
        let s = |v: &str| v.to_string();
        let l = match next() % 12 {
            0 => line(&[s("GET"), format!("{app}:obj:{k}")]),
            1 => line(&[s("SET"), format!("{app}:obj:{k}"), s("value"), s("EX"), s("60")]),
            2 => line(&[s("HSET"), format!("{app}:user:{k}"), s("name"), format!("n{k}")]),
            3 => line(&[s("HGETALL"), format!("{app}:user:{k}")]),
            4 => line(&[s("LPUSH"), format!("{app}:queue"), format!("job{k}")]),
            5 => line(&[s("BRPOP"), format!("{app}:queue"), s("1")]),
            6 => line(&[s("XADD"), format!("{app}:events"), s("*"), s("k"), format!("{k}")]),
            7 => line(&[s("PUBLISH"), format!("{app}.news"), s("hello")]),
            8 => line(&[s("MGET"), format!("{app}:obj:{k}"), format!("{app}:obj:{}", k + 1)]),
            9 => line(&[s("INCR"), format!("{app}:count:{}", k % 10)]),
            10 => {
                // A script: the EVAL, then the command it runs (`[0 lua]`).
                let eval = line(&[s("EVAL"), s("return redis.call('incr', KEYS[1])"), s("1"), format!("{app}:hits")]);
                writeln!(out, "{eval}").unwrap();
                n += 1;
                format!("{ts} [0 lua] \"incr\" \"{app}:hits\"")
            }
            _ => line(&[s("SET"), format!("{app}:bin:\\x00\\xff{k}"), s("a\\\"b\\\\c\\n")]),
        };
        writeln!(out, "{l}").unwrap();
        n += 1;
    }
    out.flush().unwrap();
    eprintln!("wrote {}/old.acl, new.acl ({} users) and monitor.txt ({n} lines)", dir.display(), w.users.len());
}
