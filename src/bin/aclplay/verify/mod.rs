//! `aclplay verify URL`: does aclplay agree with the user's own server? Connects,
//! authenticates, finds the server's version and profile, then puts the questions of
//! `aclplay::review::verify` to it and renders the differences. Read-only unless
//! `--scratch` (see `scratch.rs`). The engine's side is the library's; this is the I/O.

mod render;
mod scratch;

use aclplay::Profile;
use aclplay::review::verify::{
    BeginShape, CommandShape, FindShape, Got, ServerSays, TableShape, Verification, dryrun_differences, key_spec_text,
    listing_differences, plan_users, sort_flags, table_diff,
};
use aclplay_client::table::{Identity, read_table};
use aclplay_client::tls::{Tls, Verify};
use aclplay_client::{Conn, ConnectError, Reply, RespError};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

pub use render::{json, markdown, text};

/// The exit codes of `aclplay verify` beyond 0 (agrees), 1 (differs), 2 (usage) and 3
/// (a file cannot be read); README.md and `--help` list them.
pub mod code {
    pub const DNS: u8 = 4;
    pub const REFUSED: u8 = 5;
    pub const TIMEOUT: u8 = 6;
    pub const TLS: u8 = 7;
    pub const AUTH: u8 = 8;
    pub const NOPERM: u8 = 9;
    pub const BROKEN: u8 = 10;
    pub const LEFT_BEHIND: u8 = 11;
    pub const INTERRUPTED: u8 = 130;
}

/// The help text's list of exit codes.
pub const EXIT_CODES: &str = "Exit codes: 0 the server and aclplay agree on everything; 1 something differs (each \
    difference is printed); 2 bad usage; 3 --cacert cannot be read; 4 the host name does not resolve; 5 the \
    connection is refused; 6 no answer within --timeout; 7 the TLS handshake fails (an untrusted certificate, or \
    not a TLS port); 8 authentication fails (NOAUTH, WRONGPASS); 9 the user lacks a permission verify needs; 10 \
    the connection breaks or the server answers something unexpected; 11 --scratch could not remove every \
    temporary user; 130 interrupted (Ctrl-C), after --scratch removed its users.";

/// Why verify stopped before it could compare: a message (with its help) and an exit code.
pub struct Stop {
    pub code: u8,
    pub message: String,
}

fn stop(code: u8, message: impl Into<String>) -> Stop {
    Stop { code, message: message.into() }
}

/// `verify`'s options.
pub struct Args<'a> {
    pub url: &'a str,
    pub scratch: bool,
    pub cacert: Option<&'a str>,
    pub insecure: bool,
    pub timeout: f64,
    pub samples: usize,
    pub cases: usize,
    pub seed: Option<u64>,
    /// `--server` as given on the command line (forces the profile).
    pub server: Option<&'a str>,
}

/// A password, never printed (`Debug` hides it).
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The server to connect to, from the URL.
#[derive(Debug)]
pub struct Target {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<Secret>,
}

impl Target {
    /// `redis://[user[:password]@]host[:port][/db]` or `rediss://…` (TLS).
    pub fn parse(url: &str) -> Result<Target, String> {
        let u = url::Url::parse(url).map_err(|e| format!("`{}` is not a URL: {e}", redact(url)))?;
        let tls = match u.scheme() {
            "redis" => false,
            "rediss" => true,
            s => {
                return Err(format!("`{s}://` is not a server URL: use redis://host:port or rediss://host:port (TLS)"));
            }
        };
        let host = match u.host() {
            Some(url::Host::Ipv6(a)) => a.to_string(),
            Some(h) => h.to_string(),
            None => return Err("the URL names no host: redis://host:port".into()),
        };
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let user = (!u.username().is_empty()).then(|| decode(u.username()));
        let password = u.password().map(|p| Secret(decode(p)));
        Ok(Target { tls, host, port: u.port().unwrap_or(6379), user, password })
    }

    /// The URL without its password.
    pub fn shown(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        let user = self.user.as_ref().map(|u| format!("{u}@")).unwrap_or_default();
        format!("{}://{user}{host}:{}", if self.tls { "rediss" } else { "redis" }, self.port)
    }
}

/// A URL as given, with any password replaced (for error messages).
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => match url.rsplit_once('@') {
            Some((_, host)) => format!("…@{host}"),
            None => url.to_string(),
        },
    }
}

/// The CLI's exit code for a connection failure.
fn connect_stop(e: ConnectError) -> Stop {
    let code = match &e {
        ConnectError::Dns { .. } => code::DNS,
        ConnectError::Refused { .. } => code::REFUSED,
        ConnectError::Timeout { .. } => code::TIMEOUT,
        ConnectError::Tls { .. } => code::TLS,
        ConnectError::Io { .. } => code::BROKEN,
    };
    stop(code, e.to_string())
}

/// A failure after connecting.
fn resp_stop(what: &str, e: RespError, timeout: Duration) -> Stop {
    if e.is_timeout() {
        return stop(code::TIMEOUT, format!("{what}: no answer within {} s (--timeout)", timeout.as_secs_f64()));
    }
    stop(code::BROKEN, format!("{what}: {e}"))
}

pub fn got(r: &Reply) -> Got {
    match r {
        Reply::Simple(b) => Got::Status(b.clone()),
        Reply::Error(b) => Got::Error(b.clone()),
        Reply::Bulk(b) => Got::Bulk(b.clone()),
        Reply::Array(Some(v)) if v.iter().all(|x| matches!(x, Reply::Bulk(Some(_)))) => Got::Lines(
            v.iter().filter_map(|x| if let Reply::Bulk(Some(b)) = x { Some(b.clone()) } else { None }).collect(),
        ),
        other => Got::Other(other.to_string()),
    }
}

/// A connected, authenticated session, and who it is.
pub struct Session {
    pub conn: Conn,
    pub me: String,
    pub timeout: Duration,
}

impl Session {
    fn command(&mut self, what: &str, args: &[&[u8]]) -> Result<Reply, Stop> {
        self.conn.command(args).map_err(|e| resp_stop(what, e, self.timeout))
    }

    /// Sends `cmds` in pipelines of at most `batch`, returning every reply in order.
    pub fn pipeline(&mut self, what: &str, cmds: &[Vec<Vec<u8>>], batch: usize) -> Result<Vec<Reply>, Stop> {
        let mut out = Vec::with_capacity(cmds.len());
        for chunk in cmds.chunks(batch.max(1)) {
            let replies = self.conn.pipeline(chunk).map_err(|e| resp_stop(what, e.error, self.timeout))?;
            out.extend(replies);
        }
        Ok(out)
    }
}

fn is_noauth(r: &Reply) -> bool {
    matches!(r, Reply::Error(b) if b.starts_with(b"NOAUTH"))
}

/// The password to use when the URL gives none: `REDISCLI_AUTH`, else a prompt without
/// echo when stdin is a terminal.
fn password_for(t: &Target, user: &str) -> Result<Option<Secret>, Stop> {
    if let Ok(p) = std::env::var("REDISCLI_AUTH") {
        return Ok(Some(Secret(p)));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    rpassword::prompt_password(format!("password for `{user}` at {}: ", t.shown()))
        .map(|p| Some(Secret(p)))
        .map_err(|e| stop(code::AUTH, format!("cannot read the password from the terminal: {e}")))
}

const NO_PASSWORD_HELP: &str = "give it as redis://user:password@host:port, in REDISCLI_AUTH, or type it at the \
    prompt (run from a terminal)";

/// Connects and authenticates.
pub fn open(t: &Target, args: &Args) -> Result<Session, Stop> {
    let timeout = Duration::from_secs_f64(args.timeout);
    let tls = match (t.tls, args.cacert, args.insecure) {
        (false, Some(_), _) | (false, _, true) => {
            return Err(stop(2, "--cacert and --insecure are for TLS: use a rediss:// URL"));
        }
        (false, ..) => None,
        (true, Some(_), true) => return Err(stop(2, "--cacert and --insecure cannot be used together")),
        (true, Some(file), false) => {
            let pem = std::fs::read(file).map_err(|e| stop(3, format!("cannot read `{file}`: {e}")))?;
            Some(Tls::new(&Verify::CaPem(pem)).map_err(|e| stop(code::TLS, format!("`{file}`: {e}")))?)
        }
        (true, None, insecure) => {
            if insecure {
                eprintln!(
                    "warning: --insecure: the server's certificate is NOT checked; anyone between you and {} can \
                     read and change this session, the password included",
                    t.shown()
                );
            }
            Some(Tls::new(if insecure { &Verify::Insecure } else { &Verify::System }).map_err(|e| stop(code::TLS, e))?)
        }
    };
    let conn = Conn::open(&t.host, t.port, timeout, tls.as_ref()).map_err(connect_stop)?;
    let mut s = Session { conn, me: t.user.clone().unwrap_or_else(|| "default".into()), timeout };
    let mut password = match &t.password {
        Some(p) => Some(Secret(p.0.clone())),
        None if t.user.is_some() => password_for(t, &s.me)?,
        None => None,
    };
    if password.is_none() && t.user.is_none() {
        // The default user may need no password: ask, and authenticate only if told to.
        let r = s.command("PING", &[b"PING"])?;
        if !is_noauth(&r) {
            return Ok(s);
        }
        password = password_for(t, "default")?;
        if password.is_none() {
            return Err(stop(
                code::AUTH,
                format!("the server needs a password (it says: {}); {NO_PASSWORD_HELP}", r.text().unwrap_or_default()),
            ));
        }
    }
    let pass = password.map(|p| p.0).unwrap_or_default();
    let r = s.conn.auth(&s.me, &pass).map_err(|e| resp_stop("AUTH", e, timeout))?;
    if !r.is_ok() {
        let said = r.text().unwrap_or_default();
        let help = if pass.is_empty() { format!("; no password was given: {NO_PASSWORD_HELP}") } else { String::new() };
        return Err(stop(code::AUTH, format!("authentication as `{}` failed: the server says: {said}{help}", s.me)));
    }
    Ok(s)
}

/// The commands verify needs, as `(what, the probe for ACL DRYRUN)`, and the rule that
/// grants them.
fn needed(scratch: bool) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut v = vec![
        ("INFO", vec!["INFO", "server"]),
        ("ACL CAT", vec!["ACL", "CAT"]),
        ("ACL LIST", vec!["ACL", "LIST"]),
        ("ACL DRYRUN", vec!["ACL", "DRYRUN", "default", "PING"]),
        ("COMMAND", vec!["COMMAND"]),
        ("COMMAND DOCS", vec!["COMMAND", "DOCS"]),
    ];
    if scratch {
        v.extend([
            ("ACL SETUSER", vec!["ACL", "SETUSER", "aclplay-verify-probe"]),
            ("ACL DELUSER", vec!["ACL", "DELUSER", "aclplay-verify-probe"]),
            ("ACL USERS", vec!["ACL", "USERS"]),
            ("CONFIG GET", vec!["CONFIG", "GET", "acl-pubsub-default"]),
        ]);
    }
    v
}

/// Checks that the session may run every command verify needs, asking the server itself
/// (`ACL DRYRUN <me> …`, which runs nothing). Without `ACL DRYRUN` the read-only ones are
/// simply tried.
fn check_permissions(s: &mut Session, scratch: bool) -> Result<(), Stop> {
    let needs = needed(scratch);
    let me = s.me.clone();
    let asks: Vec<Vec<Vec<u8>>> = needs
        .iter()
        .map(|(_, probe)| {
            ["ACL", "DRYRUN", me.as_str()].iter().chain(probe).map(|a| a.as_bytes().to_vec()).collect::<Vec<_>>()
        })
        .collect();
    let replies = s.pipeline("ACL DRYRUN", &asks, 64)?;
    let mut missing: Vec<String> = Vec::new();
    if replies.iter().all(|r| matches!(r, Reply::Error(b) if b.starts_with(b"NOPERM"))) {
        missing.push(format!("ACL DRYRUN (the server says: {})", replies[0].text().unwrap_or_default()));
        // Read-only probes, run for real; the writing ones cannot be checked this way.
        for (what, probe) in needs.iter().filter(|(w, _)| !w.starts_with("ACL DRYRUN") && !w.contains("USER")) {
            let args: Vec<&[u8]> = probe.iter().map(|a| a.as_bytes()).collect();
            let r = s.command(what, &args)?;
            if let Reply::Error(b) = &r
                && b.starts_with(b"NOPERM")
            {
                missing.push(format!("{what} (the server says: {})", r.text().unwrap_or_default()));
            }
        }
    } else {
        for ((what, _), r) in needs.iter().zip(&replies) {
            if !r.is_ok() {
                missing.push(format!("{what} (the server says: {})", r.text().unwrap_or_default()));
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let grant = if scratch {
        "+info +acl|cat +acl|list +acl|dryrun +command +acl|setuser +acl|deluser +acl|users +config|get"
    } else {
        "+info +acl|cat +acl|list +acl|dryrun +command"
    };
    Err(stop(
        code::NOPERM,
        format!(
            "the user `{me}` may not run what verify needs:\n  {}\n  help: grant it with `ACL SETUSER {me} {grant}` \
             (all read-only{})",
            missing.join("\n  "),
            if scratch { ", but for --scratch's ACL SETUSER / DELUSER of its own temporary users" } else { "" }
        ),
    ))
}

/// What the server says it is: `INFO server`, else `HELLO`.
fn identity(s: &mut Session) -> Result<ServerSays, Stop> {
    let r = s.command("INFO server", &[b"INFO", b"server"])?;
    if let Some(id) = r.text().filter(|_| !r.is_error()).as_deref().and_then(Identity::from_info) {
        return Ok(ServerSays { product: id.product, version: id.version });
    }
    let h = s.command("HELLO", &[b"HELLO"])?;
    let field = |k: &[u8]| {
        h.as_array()?.chunks(2).find(|c| c.len() == 2 && matches!(&c[0], Reply::Bulk(Some(b)) if b == k))?[1].text()
    };
    match (field(b"server"), field(b"version")) {
        (Some(product), Some(version)) => Ok(ServerSays { product, version }),
        _ => Err(stop(
            code::NOPERM,
            format!(
                "cannot tell the server's version: INFO server says {} and HELLO says {}",
                r.text().unwrap_or_else(|| r.to_string()),
                h.text().unwrap_or_else(|| h.to_string())
            ),
        )),
    }
}

/// `Redis` for `redis`: the product as people write it.
pub fn product_name(p: &str) -> String {
    let mut c = p.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The profile to answer as: `--server` when given (with a note when the server says it
/// is another version), else [`Profile::resolve`] of what the server says.
fn choose(says: &ServerSays, forced: Option<&str>) -> (&'static Profile, Option<String>) {
    let id = format!("{}-{}", says.product, says.version);
    if let Some(f) = forced {
        let p = Profile::by_id(f).expect("clap checked the id");
        let own = Profile::by_id(&id);
        let note = (own != Some(p)).then(|| {
            let it = product_name(&says.product);
            format!("answering as {} (--server), though the server says it is {it} {}", p.name, says.version)
        });
        return (p, note);
    }
    let r = Profile::resolve(&id);
    (r.profile, r.note)
}

/// The server's command table in the terms of [`TableShape`].
fn shape(t: &aclplay_formats::table::CommandTable) -> TableShape {
    use aclplay_formats::table::SpecPart;
    fn begin(p: &SpecPart) -> BeginShape<'_> {
        match p.kind.as_str() {
            "index" => BeginShape::Index(p.spec.int("index").unwrap_or(0)),
            "keyword" => BeginShape::Keyword {
                keyword: p.spec.str("keyword").unwrap_or(""),
                startfrom: p.spec.int("startfrom").unwrap_or(0),
            },
            _ => BeginShape::Unknown,
        }
    }
    let find = |p: &SpecPart| {
        let i = |k: &str| p.spec.int(k).unwrap_or(0);
        match p.kind.as_str() {
            "range" => FindShape::Range { lastkey: i("lastkey"), keystep: i("keystep"), limit: i("limit") },
            "keynum" => FindShape::Keynum { keynumidx: i("keynumidx"), firstkey: i("firstkey"), keystep: i("keystep") },
            _ => FindShape::Unknown,
        }
    };
    TableShape {
        categories: t.categories.clone(),
        commands: t
            .commands
            .iter()
            .map(|c| CommandShape {
                name: c.name.clone(),
                arity: c.arity,
                flags: sort_flags(c.flags.iter().cloned()),
                categories: c.categories.clone(),
                key_specs: c
                    .key_specs
                    .iter()
                    .map(|k| key_spec_text(k.flags.iter().cloned(), begin(&k.begin_search), find(&k.find_keys)))
                    .collect(),
            })
            .collect(),
    }
}

fn fresh_seed() -> u64 {
    let mut b = [0u8; 8];
    // The clock is a fine seed when the OS has no randomness to give.
    if getrandom::fill(&mut b).is_err() {
        return std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    }
    u64::from_le_bytes(b)
}

/// Runs `aclplay verify`: the report, or why it stopped.
pub fn run(args: &Args) -> Result<Verification, Stop> {
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        return Err(stop(2, format!("--timeout must be a positive number of seconds, not `{}`", args.timeout)));
    }
    let target = Target::parse(args.url).map_err(|m| stop(2, m))?;
    let mut s = open(&target, args)?;
    let says = identity(&mut s)?;
    let (profile, note) = choose(&says, args.server);
    check_permissions(&mut s, args.scratch)?;
    let seed = args.seed.unwrap_or_else(fresh_seed);

    let live = read_table(&mut s.conn).map_err(|e| stop(code::BROKEN, format!("reading the command table: {e}")))?;
    let table = table_diff(&TableShape::of_profile(profile), &shape(&live));

    let list = s.command("ACL LIST", &[b"ACL", b"LIST"])?;
    let Got::Lines(lines) = got(&list) else {
        return Err(stop(code::BROKEN, format!("ACL LIST answered {list}")));
    };
    let plans = plan_users(profile, &lines, seed, args.samples);
    let mut differences = listing_differences(profile, &plans);
    let asks: Vec<Vec<Vec<u8>>> = plans
        .iter()
        .flat_map(|p| {
            p.questions.iter().map(|(argv, _)| {
                [b"ACL".to_vec(), b"DRYRUN".to_vec(), p.name.clone()].into_iter().chain(argv.iter().cloned()).collect()
            })
        })
        .collect();
    let replies = s.pipeline("ACL DRYRUN", &asks, 1000)?;
    let gots: Vec<Got> = replies.iter().map(got).collect();
    differences.extend(dryrun_differences(&plans, &gots));
    let mut report = Verification {
        target: target.shown(),
        server: says,
        profile: profile.id,
        profile_name: profile.name,
        note,
        seed,
        table,
        users: plans.len(),
        dryruns: asks.len(),
        scratch: None,
        differences,
        unstable: Vec::new(),
    };
    if args.scratch {
        // The lines that did not read back: the server is asked how it reads them.
        let relist: Vec<Vec<u8>> = plans
            .iter()
            .filter(|p| {
                report.differences.iter().any(|d| {
                    matches!(&d.subject, aclplay::review::verify::Subject::AclList { user } if user.as_bytes() == p.name.as_slice())
                })
            })
            .map(|p| p.line.clone())
            .collect();
        scratch::run(&mut s, profile, args, seed, &relist, &mut report)?;
    }
    Ok(report)
}

/// The exit code of a finished verification.
pub fn exit(v: &Verification) -> ExitCode {
    match &v.scratch {
        Some(s) if !s.left.is_empty() => ExitCode::from(code::LEFT_BEHIND),
        _ if v.agrees() => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    }
}
