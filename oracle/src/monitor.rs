//! Recording what an application sends, the way people capture it: `redis-cli MONITOR >
//! file` (the version's own redis-cli, from the same packages as its oracle) while a
//! realistic mixed workload runs from several connections — strings, hashes, lists,
//! streams, pub/sub, scripts, transactions, blocking commands, binary keys — and
//! `redis-cli ACL LOG` in its three renderings after denied commands.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use crate::resp::{Conn, Reply};
use crate::server::{Server, ServerId, ServerOptions, repo_root};

/// The version's own `redis-cli` (`.oracle/<id>/root/usr/bin/redis-cli`), if it reports
/// the server's exact version.
pub fn redis_cli(id: ServerId) -> Result<PathBuf, String> {
    let root = repo_root().ok_or("cannot find the repository root")?;
    let p = root.join(".oracle").join(id.as_str()).join("root/usr/bin/redis-cli");
    if !p.is_file() {
        return Err(format!("{id}: no redis-cli at {}", p.display()));
    }
    let out = Command::new(&p).arg("--version").output().map_err(|e| format!("{}: {e}", p.display()))?;
    let v = String::from_utf8_lossy(&out.stdout);
    // "redis-cli 7.0.15"
    if v.split_whitespace().nth(1) != Some(id.expected_version()) {
        return Err(format!("{id}: {} is {v:?}, not {}", p.display(), id.expected_version()));
    }
    Ok(p)
}

fn send(c: &mut Conn, args: &[&[u8]]) -> Result<Reply, String> {
    c.command(args)
        .map_err(|e| format!("{:?}: {e}", args.iter().map(|a| String::from_utf8_lossy(a)).collect::<Vec<_>>()))
}

fn named(server: &Server, name: &str) -> Result<Conn, String> {
    let mut c = server.connect()?;
    send(&mut c, &[b"CLIENT", b"SETNAME", name.as_bytes()])?;
    Ok(c)
}

/// The workload: six named connections at once.
fn workload(server: &Server) -> Result<(), String> {
    let s = |x: &str| x.as_bytes().to_vec();
    thread::scope(|sc| -> Result<(), String> {
        let mut jobs: Vec<thread::ScopedJoinHandle<Result<(), String>>> = Vec::new();
        // A web front end: sessions, user hashes, page counters.
        jobs.push(sc.spawn(|| {
            let mut c = named(server, "web")?;
            for i in 0..40 {
                let k = format!("web:session:{i}");
                send(&mut c, &[b"SET", k.as_bytes(), b"token", b"EX", b"300"])?;
                send(&mut c, &[b"GET", format!("web:session:{}", i % 7).as_bytes()])?;
                let u = format!("web:user:{}", i % 10);
                send(&mut c, &[b"HSET", u.as_bytes(), b"name", format!("n{i}").as_bytes(), b"visits", b"0"])?;
                send(&mut c, &[b"HINCRBY", u.as_bytes(), b"visits", b"1"])?;
                send(&mut c, &[b"HGETALL", u.as_bytes()])?;
                send(&mut c, &[b"MGET", b"web:session:1", b"web:session:2"])?;
                send(&mut c, &[b"INCR", b"web:page:home"])?;
                send(&mut c, &[b"TTL", k.as_bytes()])?;
            }
            Ok(())
        }));
        // A job worker: a list queue, a stream with a consumer group, transactions.
        jobs.push(sc.spawn(|| {
            let mut c = named(server, "worker")?;
            send(&mut c, &[b"XGROUP", b"CREATE", b"jobs:stream", b"workers", b"0", b"MKSTREAM"])?;
            for i in 0..25 {
                send(&mut c, &[b"LPUSH", b"jobs:queue", format!("job{i}").as_bytes()])?;
                send(&mut c, &[b"BRPOP", b"jobs:queue", b"1"])?;
                send(&mut c, &[b"XADD", b"jobs:stream", b"*", b"n", format!("{i}").as_bytes()])?;
                let r = send(
                    &mut c,
                    &[b"XREADGROUP", b"GROUP", b"workers", b"w1", b"COUNT", b"1", b"STREAMS", b"jobs:stream", b">"],
                )?;
                // [[stream, [[id, fields]]]]
                let id = r
                    .as_array()
                    .and_then(|a| a.first())
                    .and_then(|s| s.as_array())
                    .and_then(|s| s.get(1))
                    .and_then(|m| m.as_array())
                    .and_then(|m| m.first())
                    .and_then(|e| e.as_array())
                    .and_then(|e| e.first())
                    .and_then(Reply::text);
                if let Some(id) = id {
                    send(&mut c, &[b"XACK", b"jobs:stream", b"workers", id.as_bytes()])?;
                }
                send(&mut c, &[b"WATCH", b"jobs:lock"])?;
                send(&mut c, &[b"GET", b"jobs:lock"])?;
                send(&mut c, &[b"MULTI"])?;
                send(&mut c, &[b"INCR", b"jobs:stats:done"])?;
                send(&mut c, &[b"LPUSH", b"jobs:done", format!("job{i}").as_bytes()])?;
                send(&mut c, &[b"EXEC"])?;
                send(&mut c, &[b"SET", format!("jobs:result:{i}").as_bytes(), b"ok", b"PX", b"60000"])?;
                if i % 5 == 0 {
                    send(&mut c, &[b"LPUSH", b"jobs:urgent", format!("u{i}").as_bytes()])?;
                }
            }
            send(&mut c, &[b"LPUSH", b"jobs:urgent", b"last"])?;
            Ok(())
        }));
        // A blocked consumer of urgent jobs.
        jobs.push(sc.spawn(|| {
            let mut c = named(server, "urgent")?;
            for _ in 0..4 {
                send(&mut c, &[b"BLPOP", b"jobs:urgent", b"2"])?;
                send(&mut c, &[b"BLMOVE", b"jobs:urgent", b"jobs:taken", b"LEFT", b"RIGHT", b"1"])?;
            }
            Ok(())
        }));
        // A listener: channels and a pattern (subscribed before the notifier starts).
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
        jobs.push(sc.spawn(move || {
            let mut c = named(server, "listener")?;
            send(&mut c, &[b"SUBSCRIBE", b"news.sports", b"news.weather"])?;
            c.read_reply().map_err(|e| e.to_string())?;
            send(&mut c, &[b"PSUBSCRIBE", b"alerts.*"])?;
            let _ = ready_tx.send(());
            for _ in 0..12 {
                c.read_reply().map_err(|e| e.to_string())?;
            }
            Ok(())
        }));
        jobs.push(sc.spawn(move || {
            let mut c = named(server, "notifier")?;
            ready_rx.recv_timeout(Duration::from_secs(10)).map_err(|e| e.to_string())?;
            for i in 0..4 {
                send(&mut c, &[b"PUBLISH", b"news.sports", format!("goal {i}").as_bytes()])?;
                send(&mut c, &[b"PUBLISH", b"news.weather", b"rain"])?;
                send(&mut c, &[b"PUBLISH", b"alerts.disk", b"90%"])?;
            }
            Ok(())
        }));
        // Reports: scripts (EVAL, SCRIPT LOAD + EVALSHA), and keys with binary bytes.
        jobs.push(sc.spawn(move || {
            let mut c = named(server, "reporter")?;
            let sha = send(&mut c, &[b"SCRIPT", b"LOAD", b"return redis.call('incr', KEYS[1])"])?
                .text()
                .ok_or("SCRIPT LOAD gave no sha")?;
            for i in 0..10 {
                send(&mut c, &[b"EVALSHA", sha.as_bytes(), b"1", b"stats:hits"])?;
                send(
                    &mut c,
                    &[
                        b"EVAL",
                        b"redis.call('hset', KEYS[1], 'last', ARGV[1]); return redis.call('hget', KEYS[1], 'last')",
                        b"1",
                        b"stats:report",
                        format!("{i}").as_bytes(),
                    ],
                )?;
                send(&mut c, &[b"EVAL_RO", b"return redis.call('get', KEYS[1])", b"1", b"stats:hits"])?;
                send(&mut c, &[b"ZADD", b"stats:top", format!("{i}").as_bytes(), format!("page{i}").as_bytes()])?;
                send(&mut c, &[b"ZREVRANGE", b"stats:top", b"0", b"2", b"WITHSCORES"])?;
                send(&mut c, &[b"PFADD", b"stats:visitors", format!("v{}", i % 4).as_bytes()])?;
                send(&mut c, &[b"PFCOUNT", b"stats:visitors"])?;
            }
            send(&mut c, &[&s("SET"), b"stats:bin\x00\xff\"x\\ \n", b"v\r\n\x07"])?;
            send(&mut c, &[b"GET", b"stats:bin\x00\xff\"x\\ \n"])?;
            Ok(())
        }));
        for j in jobs {
            j.join().map_err(|_| "a workload thread panicked".to_string())??;
        }
        Ok(())
    })
}

/// Runs the workload on a fresh server while `redis-cli MONITOR > out` records it.
/// Returns the number of lines recorded.
pub fn record_monitor(id: ServerId, out: &Path) -> Result<usize, String> {
    let cli = redis_cli(id)?;
    let server = Server::start(id, ServerOptions::default())?;
    let file = std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut child = Command::new(&cli)
        .args(["-h", "127.0.0.1", "-p", &server.port().to_string(), "MONITOR"])
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", cli.display()))?;
    // MONITOR is on when the server counts a monitor client.
    let mut admin = server.connect()?;
    let mut on = false;
    for _ in 0..200 {
        let list = send(&mut admin, &[b"CLIENT", b"LIST"])?.text().unwrap_or_default();
        if list.lines().any(|l| l.contains("cmd=monitor")) {
            on = true;
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let result = if on { workload(&server) } else { Err("redis-cli MONITOR did not start".into()) };
    thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    result?;
    let text = std::fs::read(out).map_err(|e| e.to_string())?;
    Ok(text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count())
}

/// The `ACL LOG` scenario: rules, and commands each denied for one reason (a command,
/// a dangerous command, a key, a key's rights, a channel, a wrong password).
pub const ACL_LOG_RULES: &str = "user default off
user cache on >cachepw ~cache:* resetchannels -@all +get +set
user app on >apppw ~app:* &app:* +@all -@dangerous
user ro on >ropw %R~* resetchannels -@all +get +set +@connection
";

/// `(user, password, command)` of the scenario, in order.
pub fn acl_log_denials() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    vec![
        ("cache", "cachepw", vec!["DEL", "cache:1"]),
        ("cache", "cachepw", vec!["GET", "app:1"]),
        ("cache", "cachepw", vec!["FLUSHALL"]),
        ("app", "apppw", vec!["KEYS", "*"]),
        ("app", "apppw", vec!["SET", "other:1", "x"]),
        ("app", "apppw", vec!["PUBLISH", "news", "x"]),
        ("app", "apppw", vec!["CONFIG", "GET", "maxmemory"]),
        ("ro", "ropw", vec!["SET", "ro:1", "x"]),
        ("ro", "ropw", vec!["HSET", "ro:h", "f", "v"]),
        ("cache", "wrong-password", vec!["PING"]),
    ]
}

/// Loads `rules` (plus an admin line), runs each `(user, password, argv)` authenticated
/// as that user (each is expected to be denied), then writes what `redis-cli ACL LOG`
/// prints: redirected (`<stem>-raw.txt`), on a terminal (`--no-raw`, `<stem>-resp2.txt`)
/// and with RESP3 (`-3 --no-raw`, `<stem>-resp3.txt`).
pub fn record_acl_log(
    id: ServerId,
    rules: &str,
    denied: &[(&str, &str, Vec<&str>)],
    stem: &Path,
) -> Result<(), String> {
    let cli = redis_cli(id)?;
    let admin = "user aclplay-log on >aclplay-log-admin ~* &* +@all\n";
    let server = Server::start(id, ServerOptions { acl_file: Some(format!("{rules}{admin}")), ..Default::default() })?;
    for (user, pass, argv) in denied {
        let mut c = server.connect()?;
        let _ = c.auth(user, pass).map_err(|e| e.to_string())?;
        let _ = c.command(argv).map_err(|e| e.to_string())?;
    }
    for (suffix, args) in [("raw", vec![]), ("resp2", vec!["--no-raw"]), ("resp3", vec!["-3", "--no-raw"])] {
        let out = Command::new(&cli)
            .args(["-h", "127.0.0.1", "-p", &server.port().to_string(), "--user", "aclplay-log"])
            .args(&args)
            .args(["ACL", "LOG"])
            // The password from the environment, as redis-cli's docs advise.
            .env("REDISCLI_AUTH", "aclplay-log-admin")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        let mut name = stem.file_name().unwrap_or_default().to_os_string();
        name.push(format!("-{suffix}.txt"));
        std::fs::write(stem.with_file_name(name), &out.stdout).map_err(|e| e.to_string())?;
    }
    Ok(())
}
