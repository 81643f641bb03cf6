//! The engine against the real servers on the same work, in one run, reported as ratios.
//!
//! Per server version (redis-7.0, valkey-8.1), with the workload of
//! `benches/support/workload.rs` (10,000-user ACL file, 100,000 DRYRUN command lines):
//!
//! * ACL file: the server's `ACL LOAD` round trip (file already written; reconnecting
//!   after it is not timed) and its own `INFO commandstats` time, against the engine's
//!   `aclplay::analyze` of the file text (parse + apply + verdict) and the wall time of
//!   `aclplay check FILE` (process start included; hyperfine when installed).
//! * DRYRUN: the server answering 100,000 `ACL DRYRUN`s pipelined over one connection
//!   (connect not timed; the request is encoded beforehand, written by one thread while
//!   another counts complete replies), and its own `INFO commandstats` time, against
//!   `Analysis::dryrun` over the pre-split argvs; and the
//!   same command lines all run as one user, against `aclplay dryrun --user U --commands
//!   FILE` end to end (process start and reading the 10,000-user file included).
//!
//! Before timing, every answer is checked: the server's `ACL LOAD` replies `OK` and the
//! engine agrees; all DRYRUN replies of the engine and of the CLI equal the server's.
//! Server and engine samples alternate round by round, so that noise on this shared
//! machine hits both sides alike.
//!
//! Usage (or `scripts/bench.sh`, which builds the binary first):
//!
//! ```text
//! cargo build --release --bin aclplay
//! cargo run --release --example side_by_side -- [--server redis-7.0|valkey-8.1]
//!     [--quick] [--aclplay target/release/aclplay] [--markdown OUT.md]
//!     [--update BENCHMARKS.md]
//! ```
//!
//! `--update FILE` rewrites only the text between `<!-- engine:measured:begin -->` and
//! `<!-- engine:measured:end -->` in FILE.

#[path = "../benches/support/workload.rs"]
mod workload;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aclplay::analyze;
use aclplay::verdicts::ReplyKind;
use aclplay_oracle::{Conn, Reply, Server, ServerId, ServerOptions};
use workload::Workload;

struct Args {
    servers: Vec<ServerId>,
    quick: bool,
    aclplay: PathBuf,
    markdown: Option<PathBuf>,
    update: Option<PathBuf>,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        servers: ServerId::all().collect(),
        quick: false,
        aclplay: repo_root().join("target/release/aclplay"),
        markdown: None,
        update: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--server" => a.servers = vec![value()?.parse()?],
            "--quick" => a.quick = true,
            "--aclplay" => a.aclplay = PathBuf::from(value()?),
            "--markdown" => a.markdown = Some(PathBuf::from(value()?)),
            "--update" => a.update = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                return Err("usage: side_by_side [--server ID] [--quick] [--aclplay BIN] [--markdown OUT] \
                            [--update BENCHMARKS.md]"
                    .into());
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(a)
}

// ---------------------------------------------------------------------------------------
// Samples

#[derive(Clone, Default)]
struct Samples(Vec<f64>);

impl Samples {
    fn push(&mut self, d: Duration) {
        self.0.push(d.as_secs_f64());
    }
    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }
    fn median(&self) -> f64 {
        median(&self.0)
    }
    fn min(&self) -> f64 {
        self.sorted()[0]
    }
    fn max(&self) -> f64 {
        *self.sorted().last().unwrap()
    }
    /// (max - min) / median: how noisy the samples were.
    fn spread(&self) -> f64 {
        (self.max() - self.min()) / self.median()
    }
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// The median of round-by-round ratios a[i] / b[i].
fn paired(a: &Samples, b: &Samples) -> f64 {
    let r: Vec<f64> = a.0.iter().zip(&b.0).map(|(x, y)| x / y).collect();
    median(&r)
}

fn ms(s: f64) -> String {
    if s >= 1.0 { format!("{s:.2} s") } else { format!("{:.2} ms", s * 1e3) }
}

// ---------------------------------------------------------------------------------------
// Whole-command timing

/// Wall-time samples of a command: hyperfine (`-N`, no shell) when installed, else a
/// spawn loop. Output goes to /dev/null.
fn wall(cmd: &[String], warmup: usize, runs: usize, tool: &mut String) -> Samples {
    let json = std::env::temp_dir().join(format!("aclplay-bench-{}.json", std::process::id()));
    let line = cmd.join(" ");
    let hf = Command::new("hyperfine")
        .args(["-N", "-i", "--style", "none", "--warmup", &warmup.to_string(), "--runs", &runs.to_string()])
        .arg("--export-json")
        .arg(&json)
        .arg(&line)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status();
    if let Ok(st) = hf
        && st.success()
        && let Ok(text) = std::fs::read_to_string(&json)
    {
        let _ = std::fs::remove_file(&json);
        let v: serde_json::Value = serde_json::from_str(&text).expect("hyperfine JSON");
        let times = v["results"][0]["times"].as_array().expect("times");
        *tool = "hyperfine".into();
        return Samples(times.iter().map(|t| t.as_f64().unwrap()).collect());
    }
    *tool = "spawn loop".into();
    let mut s = Samples::default();
    for i in 0..warmup + runs {
        let t = Instant::now();
        let st = Command::new(&cmd[0]).args(&cmd[1..]).stdout(Stdio::null()).stderr(Stdio::null()).status();
        let d = t.elapsed();
        st.expect("run the command");
        if i >= warmup {
            s.push(d);
        }
    }
    s
}

// ---------------------------------------------------------------------------------------
// Server helpers

fn commandstat(conn: &mut Conn, name: &str) -> Option<(u64, u64)> {
    let r = conn.command(&["INFO", "commandstats"]).ok()?;
    let text = r.text()?;
    let line = text.lines().find(|l| l.starts_with(&format!("cmdstat_{name}:")))?;
    let field =
        |k: &str| line.split([':', ',']).find_map(|kv| kv.strip_prefix(k)?.strip_prefix('=')?.parse::<u64>().ok());
    Some((field("calls")?, field("usec")?))
}

fn reset_stats(conn: &mut Conn) {
    let r = conn.command(&["CONFIG", "RESETSTAT"]).expect("CONFIG RESETSTAT");
    assert!(r.is_ok(), "CONFIG RESETSTAT: {r}");
}

/// The RESP encoding of a pipeline, made before timing.
fn encode(cmds: &[Vec<&[u8]>]) -> Vec<u8> {
    let mut out = Vec::new();
    for c in cmds {
        out.extend_from_slice(format!("*{}\r\n", c.len()).as_bytes());
        for a in c {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// The length of the first complete reply in `b` (simple, error, integer or bulk), if
/// it is all there.
fn reply_len(b: &[u8]) -> Result<Option<usize>, String> {
    let Some(nl) = b.iter().position(|&c| c == b'\n') else { return Ok(None) };
    match b[0] {
        b'+' | b'-' | b':' => Ok(Some(nl + 1)),
        b'$' => {
            let n: i64 = std::str::from_utf8(&b[1..nl - 1])
                .ok()
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| format!("bad bulk header {:?}", String::from_utf8_lossy(&b[..nl])))?;
            let total = if n < 0 { nl + 1 } else { nl + 1 + n as usize + 2 };
            Ok((b.len() >= total).then_some(total))
        }
        other => Err(format!("unexpected reply type {:?}", other as char)),
    }
}

/// The server answering a pre-encoded pipeline of `n` commands on a fresh connection
/// (connecting is not timed): one thread writes the bytes while this one reads until
/// `n` replies are complete, looking only at the framing. So the client's own work
/// (encoding, building reply objects) stays out of the server's time.
fn timed_pipeline(port: u16, req: &[u8], n: usize) -> Result<Duration, String> {
    use std::io::{Read, Write};
    let stream = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let mut reader = stream;
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut chunk = vec![0u8; 1 << 18];
    let t = Instant::now();
    std::thread::scope(|scope| -> Result<(), String> {
        let w = scope.spawn(move || writer.write_all(req));
        let (mut pos, mut seen) = (0, 0);
        while seen < n {
            let k = reader.read(&mut chunk).map_err(|e| e.to_string())?;
            if k == 0 {
                return Err(format!("connection closed after {seen} of {n} replies"));
            }
            buf.extend_from_slice(&chunk[..k]);
            while let Some(len) = reply_len(&buf[pos..])? {
                pos += len;
                seen += 1;
            }
            if pos > (1 << 20) {
                buf.drain(..pos);
                pos = 0;
            }
        }
        w.join().map_err(|_| "writer panicked".to_string())?.map_err(|e| e.to_string())
    })?;
    Ok(t.elapsed())
}

fn same(server: &Reply, engine: &aclplay::verdicts::Reply) -> bool {
    let t = engine.text.as_bytes();
    match (server, engine.kind) {
        (Reply::Simple(b), ReplyKind::Ok) | (Reply::Bulk(Some(b)), ReplyKind::Denied) => b == t,
        (Reply::Error(b), ReplyKind::Error) => b == t,
        _ => false,
    }
}

fn reply_line(r: &Reply) -> Vec<u8> {
    match r {
        Reply::Simple(b) | Reply::Error(b) | Reply::Bulk(Some(b)) => b.clone(),
        other => other.to_string().into_bytes(),
    }
}

// ---------------------------------------------------------------------------------------

struct Row {
    what: String,
    samples: Samples,
    note: String,
}

/// `server / engine`: how many times faster the engine side is.
struct Ratio {
    what: String,
    ratio: f64,
    /// The median of round-by-round ratios (for interleaved measurements).
    paired: Option<f64>,
    /// The aim from the issue, if this ratio has one.
    aim: Option<f64>,
}

impl Ratio {
    fn text(&self, bold: bool) -> String {
        let b = if bold { "**" } else { "" };
        let mut t = format!("{}: {b}{:.2}×{b}", self.what, self.ratio);
        if let Some(p) = self.paired {
            t.push_str(&format!(" (median of paired rounds {p:.2}×)"));
        }
        if let Some(aim) = self.aim {
            let verdict = if self.ratio >= aim { "met" } else { "MISSED" };
            t.push_str(&format!(" — aim ≥ {aim}×: {verdict}"));
        }
        t
    }
}

struct Report {
    id: ServerId,
    title: String,
    rows: Vec<Row>,
    ratios: Vec<Ratio>,
    checks: Vec<String>,
}

impl Report {
    fn row(&mut self, what: &str, samples: Samples, note: impl Into<String>) {
        self.rows.push(Row { what: what.into(), samples, note: note.into() });
    }
    fn ratio(&mut self, what: &str, ratio: f64, paired: Option<f64>, aim: Option<f64>) {
        self.ratios.push(Ratio { what: what.into(), ratio, paired, aim });
    }
}

fn run(id: ServerId, args: &Args) -> Result<Report, String> {
    let (load_rounds, dry_rounds, cli_check_runs, cli_dry_runs) =
        if args.quick { (5, 3, 5, 3) } else { (21, 15, 21, 15) };
    eprintln!("{id}: building the workload …");
    let w: Workload = workload::build(id);
    let opts = w.options();
    let refs = w.argv_refs();
    let mut rep = Report {
        id,
        title: format!(
            "{} — {} users, {:.2} MB ACL file ({} generated lines refused by the engine and left out); {} DRYRUNs",
            w.profile.name,
            w.users.len(),
            w.file.len() as f64 / 1e6,
            w.refused,
            refs.len()
        ),
        rows: Vec::new(),
        ratios: Vec::new(),
        checks: Vec::new(),
    };

    // The engine's verdict.
    let analysis = analyze(&w.file, &opts);
    if !workload::load_ok(&analysis) {
        return Err(format!("{id}: the engine does not load the workload file: {:?}", analysis.outcome));
    }

    let mut server = Server::start(id, ServerOptions { acl_file: Some(String::new()), ..Default::default() })?;
    server.write_acl_file(&w.file)?;
    let acl_path = server.acl_path();
    let mut conn = server.connect()?;

    // ---- ACL LOAD ----------------------------------------------------------------
    eprintln!("{id}: ACL LOAD vs analyze ({load_rounds} rounds) …");
    let load = |conn: &mut Conn| -> Result<Duration, String> {
        let t = Instant::now();
        let r = conn.command(&["ACL", "LOAD"]).map_err(|e| format!("ACL LOAD: {e}"))?;
        let d = t.elapsed();
        if !r.is_ok() {
            return Err(format!("{id}: ACL LOAD of the workload replied {r}"));
        }
        Ok(d)
    };
    load(&mut conn)?; // warm-up; also the check that the server says OK
    rep.checks.push("server ACL LOAD replied OK; the engine's verdict is OK too".into());
    conn = server.connect()?;
    let users = conn.command(&["ACL", "USERS"]).map_err(|e| e.to_string())?;
    let n_users = users.as_array().map_or(0, <[Reply]>::len);
    if n_users != w.users.len() + 1 {
        return Err(format!("{id}: the server has {n_users} users after ACL LOAD"));
    }
    drop(analysis);
    std::hint::black_box(analyze(&w.file, &opts)); // warm-up
    reset_stats(&mut conn);
    let (mut srv, mut eng) = (Samples::default(), Samples::default());
    for _ in 0..load_rounds {
        srv.push(load(&mut conn)?);
        conn = server.connect()?; // a successful LOAD may close clients; not timed
        let t = Instant::now();
        let a = std::hint::black_box(analyze(std::hint::black_box(&w.file), &opts));
        drop(a);
        eng.push(t.elapsed());
    }
    let (calls, usec) = commandstat(&mut conn, "acl|load").ok_or("no acl|load commandstats")?;
    let srv_own = usec as f64 / 1e6 / load_rounds as f64;
    let mut tool = String::new();
    let check_cmd: Vec<String> = vec![
        args.aclplay.display().to_string(),
        "--server".into(),
        id.as_str().into(),
        "check".into(),
        acl_path.display().to_string(),
    ];
    let out = Command::new(&check_cmd[0]).args(&check_cmd[1..]).output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || !stdout.contains("ACL LOAD: OK") {
        return Err(format!("{id}: `aclplay check` disagrees: {}\n{stdout}", out.status));
    }
    rep.checks.push("`aclplay check` says `ACL LOAD: OK` (exit 0)".into());
    eprintln!("{id}: aclplay check wall time …");
    let cli = wall(&check_cmd, 2, cli_check_runs, &mut tool);
    rep.row("server `ACL LOAD` (round trip)", srv.clone(), format!("{load_rounds} rounds"));
    rep.row(
        "server `ACL LOAD` (own time, INFO commandstats)",
        Samples(vec![srv_own]),
        format!("mean of {calls} calls"),
    );
    rep.row("engine `analyze()` of the file", eng.clone(), format!("{load_rounds} rounds, interleaved"));
    rep.row("`aclplay check FILE` (wall, process start incl.)", cli.clone(), format!("{tool}, {} runs", cli.0.len()));
    rep.ratio(
        "ACL LOAD round trip / engine analyze()",
        srv.median() / eng.median(),
        Some(paired(&srv, &eng)),
        Some(1.0),
    );
    rep.ratio("ACL LOAD own time / engine analyze()", srv_own / eng.median(), None, None);
    rep.ratio("ACL LOAD round trip / `aclplay check` wall", srv.median() / cli.median(), None, None);

    // ---- DRYRUN, many users --------------------------------------------------------
    eprintln!("{id}: checking {} DRYRUN replies …", refs.len());
    let analysis = analyze(&w.file, &opts);
    let cmds: Vec<Vec<&[u8]>> = refs
        .iter()
        .map(|(u, argv)| {
            let mut c: Vec<&[u8]> = vec![b"ACL", b"DRYRUN", u];
            c.extend(argv);
            c
        })
        .collect();
    let replies = conn.pipeline(&cmds).map_err(|e| e.to_string())?;
    let mut wrong = Vec::new();
    let mut kinds = [0usize; 3];
    for ((u, argv), r) in refs.iter().zip(&replies) {
        let e = analysis.dryrun(u, argv);
        kinds[e.kind as usize] += 1;
        if !same(r, &e) {
            wrong.push(format!(
                "  {} {:?}: server {r}, engine {:?}",
                String::from_utf8_lossy(u),
                argv.iter().map(|a| String::from_utf8_lossy(a)).collect::<Vec<_>>(),
                e.text
            ));
        }
    }
    if !wrong.is_empty() {
        return Err(format!(
            "{id}: {} of {} DRYRUN replies differ:\n{}",
            wrong.len(),
            refs.len(),
            wrong.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
        ));
    }
    rep.checks.push(format!(
        "all {} engine DRYRUN replies equal the server's ({} OK, {} denied, {} errors)",
        refs.len(),
        kinds[0],
        kinds[1],
        kinds[2]
    ));
    eprintln!("{id}: DRYRUN ×{} ({dry_rounds} rounds) …", refs.len());
    let engine_all = |a: &aclplay::Analysis| {
        let t = Instant::now();
        for (u, argv) in &refs {
            std::hint::black_box(a.dryrun(std::hint::black_box(u), std::hint::black_box(argv)));
        }
        t.elapsed()
    };
    engine_all(&analysis); // warm-up
    let req = encode(&cmds);
    timed_pipeline(server.port(), &req, cmds.len())?; // warm-up
    reset_stats(&mut conn);
    let (mut srv, mut eng) = (Samples::default(), Samples::default());
    for _ in 0..dry_rounds {
        srv.push(timed_pipeline(server.port(), &req, cmds.len())?);
        eng.push(engine_all(&analysis));
    }
    // Per round; DRYRUNs refused for their arity (no command given) are not in the stats.
    let (calls, usec) = commandstat(&mut conn, "acl|dryrun").ok_or("no acl|dryrun commandstats")?;
    let srv_own = usec as f64 / 1e6 / dry_rounds as f64;
    rep.row(
        &format!("server {} `ACL DRYRUN`s pipelined (round trip)", refs.len()),
        srv.clone(),
        format!("{dry_rounds} rounds"),
    );
    rep.row(
        "server DRYRUNs (own time, INFO commandstats)",
        Samples(vec![srv_own]),
        format!("mean of {dry_rounds} rounds ({} calls each)", calls / dry_rounds as u64),
    );
    rep.row(
        &format!("engine {} × `Analysis::dryrun`", refs.len()),
        eng.clone(),
        format!("{dry_rounds} rounds, interleaved"),
    );
    rep.ratio("DRYRUNs pipelined / engine", srv.median() / eng.median(), Some(paired(&srv, &eng)), Some(10.0));
    rep.ratio("DRYRUNs server own time / engine", srv_own / eng.median(), None, None);

    // ---- DRYRUN through the CLI: the same lines, one user ------------------------------
    let user = w.users[w.cli_user].as_bytes();
    let argvs = w.cli_argvs();
    let text = workload::commands_file(&argvs);
    for (line, argv) in text.lines().zip(&argvs) {
        let back: Vec<Vec<u8>> = aclplay::input::split::split_args(line.as_bytes(), 0)
            .expect("quoted")
            .into_iter()
            .map(|a| a.bytes)
            .collect();
        assert!(back.iter().map(Vec::as_slice).eq(argv.iter().copied()), "quoting round trip of {line:?}");
    }
    let cmd_path = server.dir().join("commands.txt");
    std::fs::write(&cmd_path, &text).map_err(|e| e.to_string())?;
    let cmds1: Vec<Vec<&[u8]>> = argvs
        .iter()
        .map(|argv| {
            let mut c: Vec<&[u8]> = vec![b"ACL", b"DRYRUN", user];
            c.extend(argv);
            c
        })
        .collect();
    let replies = conn.pipeline(&cmds1).map_err(|e| e.to_string())?;
    let dry_cmd: Vec<String> = vec![
        args.aclplay.display().to_string(),
        "--server".into(),
        id.as_str().into(),
        "dryrun".into(),
        acl_path.display().to_string(),
        "--user".into(),
        w.users[w.cli_user].clone(),
        "--commands".into(),
        cmd_path.display().to_string(),
    ];
    let out = Command::new(&dry_cmd[0]).args(&dry_cmd[1..]).output().map_err(|e| e.to_string())?;
    let lines: Vec<&[u8]> = out.stdout.split(|&b| b == b'\n').collect();
    let lines = &lines[..lines.len().saturating_sub(1)];
    let differ = replies.iter().zip(lines).filter(|(r, l)| reply_line(r) != **l).count();
    if lines.len() != replies.len() || differ > 0 {
        return Err(format!(
            "{id}: `aclplay dryrun --commands` printed {} lines for {} commands, {differ} differ from the server",
            lines.len(),
            replies.len()
        ));
    }
    let ok = replies.iter().filter(|r| r.is_ok()).count();
    rep.checks.push(format!(
        "`aclplay dryrun --user {} --commands` prints the server's reply for all {} lines ({ok} OK)",
        w.users[w.cli_user],
        argvs.len()
    ));
    eprintln!("{id}: DRYRUN as one user, CLI …");
    let (mut srv1, mut eng1) = (Samples::default(), Samples::default());
    let req1 = encode(&cmds1);
    for _ in 0..dry_rounds {
        srv1.push(timed_pipeline(server.port(), &req1, cmds1.len())?);
        let t = Instant::now();
        for argv in &argvs {
            std::hint::black_box(analysis.dryrun(user, argv));
        }
        eng1.push(t.elapsed());
    }
    let cli = wall(&dry_cmd, 1, cli_dry_runs, &mut tool);
    let who = &w.users[w.cli_user];
    rep.row(
        &format!("server {} DRYRUNs as `{who}`, pipelined", argvs.len()),
        srv1.clone(),
        format!("{dry_rounds} rounds"),
    );
    rep.row(
        &format!("engine {} × `Analysis::dryrun` as `{who}`", argvs.len()),
        eng1.clone(),
        format!("{dry_rounds} rounds, interleaved"),
    );
    rep.row(
        "`aclplay dryrun --commands FILE` (wall: start, load the 10k-user file, answer, print)",
        cli.clone(),
        format!("{tool}, {} runs", cli.0.len()),
    );
    rep.ratio(
        "one-user DRYRUNs pipelined / engine",
        srv1.median() / eng1.median(),
        Some(paired(&srv1, &eng1)),
        Some(10.0),
    );
    rep.ratio(
        "one-user DRYRUNs pipelined / `aclplay dryrun --commands` wall",
        srv1.median() / cli.median(),
        None,
        None,
    );
    drop(conn);
    server.stop();
    Ok(rep)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn render_text(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "== {}: {} ==", r.id, r.title);
    let _ = writeln!(s, "{:<78} {:>10} {:>10} {:>10} {:>7}", "", "median", "min", "max", "spread");
    for row in &r.rows {
        let x = &row.samples;
        let _ = writeln!(
            s,
            "{:<78} {:>10} {:>10} {:>10} {:>6.0}%  {}",
            row.what,
            ms(x.median()),
            ms(x.min()),
            ms(x.max()),
            x.spread() * 100.0,
            row.note
        );
    }
    for r in &r.ratios {
        let _ = writeln!(s, "  ratio {}", r.text(false));
    }
    for c in &r.checks {
        let _ = writeln!(s, "  checked: {c}");
    }
    s
}

fn render_markdown(reports: &[Report], cmdline: &str, load_before: &str, load_after: &str) -> String {
    let mut s = String::new();
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let _ = writeln!(
        s,
        "Measured {date} with `{cmdline}` on a shared, noisy machine: {cores} cores ({cpu}); load average {load_before} before, {load_after} after. Server and engine samples alternate round by round; \"spread\" is (max − min) / median; a ratio is the server's time ÷ the engine's (above 1: the engine is faster).\n"
    );
    for r in reports {
        let _ = writeln!(s, "**{}**: {}\n", r.id, r.title);
        let _ = writeln!(s, "| measurement | median | min | max | spread | samples |");
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---|");
        for row in &r.rows {
            let x = &row.samples;
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {:.0}% | {} |",
                row.what,
                ms(x.median()),
                ms(x.min()),
                ms(x.max()),
                x.spread() * 100.0,
                row.note
            );
        }
        let _ = writeln!(s);
        for r in &r.ratios {
            let _ = writeln!(s, "- {}", r.text(true));
        }
        for c in &r.checks {
            let _ = writeln!(s, "- checked: {c}");
        }
        let _ = writeln!(s);
    }
    s
}

const BEGIN: &str = "<!-- engine:measured:begin -->";
const END: &str = "<!-- engine:measured:end -->";

/// Replaces the text between the markers (and nothing else) in `path`.
fn update(path: &Path, body: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (Some(b), Some(e)) = (text.find(BEGIN), text.find(END)) else {
        return Err(format!("{}: markers {BEGIN} / {END} not found; nothing written", path.display()));
    };
    let new = format!("{}{BEGIN}\n{body}{}", &text[..b], &text[e..]);
    std::fs::write(path, new).map_err(|e| format!("{}: {e}", path.display()))
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if !args.aclplay.is_file() {
        eprintln!(
            "{} not found: run `cargo build --release --bin aclplay` (or scripts/bench.sh)",
            args.aclplay.display()
        );
        std::process::exit(2);
    }
    let before = loadavg();
    let mut reports = Vec::new();
    for &id in &args.servers {
        if let Err(e) = aclplay_oracle::available(id) {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
        match run(id, &args) {
            Ok(r) => {
                print!("{}", render_text(&r));
                reports.push(r);
            }
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
    }
    let after = loadavg();
    println!("load average: {before} before, {after} after");
    let cmdline = std::env::var("ACLPLAY_BENCH_CMD").unwrap_or_else(|_| {
        let a: Vec<String> = std::env::args().skip(1).collect();
        format!("cargo run --release --example side_by_side -- {}", a.join(" ")).trim_end().to_string()
    });
    let md = render_markdown(&reports, &cmdline, &before, &after);
    if let Some(p) = &args.markdown {
        std::fs::write(p, &md).expect("write markdown");
    }
    if let Some(p) = &args.update
        && let Err(e) = update(p, &md)
    {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
