//! Locating, starting, restarting and stopping private oracle servers.

use std::fmt;
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::str::FromStr;
use std::sync::{Condvar, Mutex, OnceLock};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::resp::{Conn, Reply};
use aclplay_formats::registry::{Behavior, Entry, ListStyle, load_dir};

/// A server version of the registry (`data/servers/<id>.toml`): a small handle to its
/// entry, read once per process from the same files the engine is built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerId(u8);

/// The registry, read once (the process stops with a clear message when it cannot be).
pub fn registry() -> &'static [Entry] {
    static REGISTRY: OnceLock<Vec<Entry>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let root = repo_root().expect("aclplay-oracle: cannot find the repository root (a workspace Cargo.toml)");
        load_dir(&root.join("data/servers")).unwrap_or_else(|e| panic!("aclplay-oracle: the server registry: {e}"))
    })
}

impl ServerId {
    /// Every server version, in registry order.
    pub fn all() -> impl Iterator<Item = ServerId> {
        (0..registry().len()).map(|i| ServerId(i as u8))
    }

    /// The registry's default version.
    pub fn default_id() -> ServerId {
        ServerId::all().find(|id| id.entry().default).expect("the registry has a default")
    }

    /// Its registry entry.
    pub fn entry(self) -> &'static Entry {
        &registry()[self.0 as usize]
    }

    /// `redis-7.0` / `valkey-8.1`.
    pub fn as_str(self) -> &'static str {
        &self.entry().id
    }

    /// The exact version the oracle must be.
    pub fn expected_version(self) -> &'static str {
        &self.entry().version
    }

    /// The behaviour switches of this version.
    pub fn behavior(self) -> &'static Behavior {
        &self.entry().behavior
    }

    /// Environment variable that overrides the binary location:
    /// `ACLPLAY_SERVER_REDIS_7_0`.
    pub fn env_var(self) -> String {
        format!("ACLPLAY_SERVER_{}", self.as_str().to_ascii_uppercase().replace(['-', '.'], "_"))
    }

    /// `redis` / `valkey` (INFO's server_name).
    pub fn server_name(self) -> &'static str {
        self.entry().product.id()
    }

    /// Redis 7.0 prints a selector's single-command rules in the order of a hash table
    /// seeded per process (`ACLDescribeSelectorCommandRules` walking the bitmap): those
    /// tokens are compared as a set.
    pub fn list_order_is_random(self) -> bool {
        self.behavior().list_style == ListStyle::Bitmap
    }
}

impl fmt::Display for ServerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ServerId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServerId::all().find(|id| id.as_str() == s || id.entry().aliases.iter().any(|a| a == s)).ok_or_else(|| {
            let known: Vec<&str> = ServerId::all().map(ServerId::as_str).collect();
            format!("unknown server id {s:?} (known: {})", known.join(", "))
        })
    }
}

/// The repository root: the nearest ancestor holding a workspace Cargo.toml,
/// searched from `$CARGO_MANIFEST_DIR` (run time, then this crate's build
/// time) and the current directory.
pub fn repo_root() -> Option<PathBuf> {
    let mut starts: Vec<PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("CARGO_MANIFEST_DIR") {
        starts.push(PathBuf::from(d));
    }
    starts.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    if let Ok(d) = std::env::current_dir() {
        starts.push(d);
    }
    for start in starts {
        for dir in start.ancestors() {
            let toml = dir.join("Cargo.toml");
            if let Ok(text) = fs::read_to_string(&toml)
                && text.lines().any(|l| l.trim() == "[workspace]")
            {
                return Some(dir.to_path_buf());
            }
        }
    }
    None
}

/// `<repo>/data/tables/<table>`, the committed command table.
pub fn table_path(id: ServerId) -> Option<PathBuf> {
    repo_root().map(|r| r.join("data/tables").join(&id.entry().table))
}

/// The server binary: `$ACLPLAY_SERVER_<ID>`, else the launcher that
/// `scripts/install-oracles.sh` writes, `<repo>/.oracle/<id>/server`.
fn locate(id: ServerId) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os(id.env_var()) {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        return Err(format!("{id}: {}={} does not name a file", id.env_var(), p.display()));
    }
    let hint = "run `bash scripts/install-oracles.sh`";
    let root =
        repo_root().ok_or_else(|| format!("{id}: cannot find the repository root to look in .oracle/; {hint}"))?;
    let p = root.join(id.entry().oracle_launcher());
    if p.is_file() {
        Ok(p)
    } else {
        Err(format!("{id}: {} not found and {} not set; {hint}", p.display(), id.env_var()))
    }
}

fn check_version(id: ServerId, bin: &Path) -> Result<(), String> {
    let out = Command::new(bin)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{id}: cannot run {} --version: {e}", bin.display()))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // "Redis server v=7.0.15 sha=..." / "Valkey server v=8.1.8 sha=..."
    let version = text.split_whitespace().find_map(|w| w.strip_prefix("v=")).unwrap_or("");
    if version == id.expected_version() {
        Ok(())
    } else {
        Err(format!(
            "{id}: {} reports version {:?} but {} is required (output: {:?}); \
             point {} at the right binary or run `bash scripts/install-oracles.sh`",
            bin.display(),
            version,
            id.expected_version(),
            text.trim(),
            id.env_var()
        ))
    }
}

/// The binary for `id` if it exists and has the expected version. The answer
/// is cached for the process.
pub fn available(id: ServerId) -> Result<PathBuf, String> {
    static CACHE: OnceLock<Vec<OnceLock<Result<PathBuf, String>>>> = OnceLock::new();
    CACHE.get_or_init(|| ServerId::all().map(|_| OnceLock::new()).collect())[id.0 as usize]
        .get_or_init(|| {
            let bin = locate(id)?;
            check_version(id, &bin)?;
            Ok(bin)
        })
        .clone()
}

/// True when tests must not skip for a missing oracle (`CI` or
/// `ACLPLAY_REQUIRE_ORACLES` set to anything but empty/`0`/`false`).
pub fn oracles_required() -> bool {
    ["CI", "ACLPLAY_REQUIRE_ORACLES"].iter().any(|v| {
        std::env::var(v).map(|s| !s.is_empty() && s != "0" && !s.eq_ignore_ascii_case("false")).unwrap_or(false)
    })
}

/// For tests: the binary, or `None` after printing a skip notice. Panics
/// instead of skipping when [`oracles_required`].
pub fn oracle_or_skip(id: ServerId, test: &str) -> Option<PathBuf> {
    match available(id) {
        Ok(p) => Some(p),
        Err(e) if oracles_required() => {
            panic!("{test}: oracle {id} required (CI / ACLPLAY_REQUIRE_ORACLES) but: {e}")
        }
        Err(e) => {
            // Written to the stderr handle, not via eprintln!, so that the
            // test harness does not swallow the notice of a passing test.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "SKIPPED {test}: oracle {id} unavailable: {e}");
            None
        }
    }
}

// ---------------------------------------------------------------------------
// Limit on concurrently running servers (the machines have 2 cores).

struct Slots {
    used: Mutex<usize>,
    cv: Condvar,
}

fn slots() -> &'static Slots {
    static S: OnceLock<Slots> = OnceLock::new();
    S.get_or_init(|| Slots { used: Mutex::new(0), cv: Condvar::new() })
}

fn max_servers() -> usize {
    std::env::var("ACLPLAY_MAX_SERVERS").ok().and_then(|s| s.parse().ok()).filter(|&n| n > 0).unwrap_or(2)
}

/// One unit of the per-process server budget; released on drop.
struct Slot;

impl Slot {
    fn acquire() -> Slot {
        let s = slots();
        let mut used = s.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used >= max_servers() {
            used = s.cv.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += 1;
        Slot
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let s = slots();
        let mut used = s.used.lock().unwrap_or_else(|e| e.into_inner());
        *used -= 1;
        s.cv.notify_one();
    }
}

// ---------------------------------------------------------------------------

/// How to start a server.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// Text of a config file, passed as the first argument. `<workdir>` in
    /// it is replaced by the server's directory. Command-line options come
    /// after it, so its line numbers are unchanged in error messages.
    pub config: Option<String>,
    /// Content of `<dir>/users.acl` at (re)start; `None` = empty file (no
    /// file at all when `aclfile_arg` is false).
    pub acl_file: Option<String>,
    /// Pass `--aclfile users.acl` (default true). Config scenarios that set
    /// users in the config file turn this off.
    pub aclfile_arg: bool,
    /// Extra `--name value` arguments, appended last.
    pub extra_args: Vec<String>,
    /// How long to wait for the first PING answer.
    pub startup_timeout: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            config: None,
            acl_file: None,
            aclfile_arg: true,
            extra_args: Vec::new(),
            startup_timeout: Duration::from_secs(20),
        }
    }
}

/// How a start attempt ended.
#[derive(Debug)]
pub enum Startup {
    /// The server answers (PING got any reply, NOAUTH included).
    Ok(Server),
    /// It exited by itself; `output` are its output lines with the
    /// `pid:role date time level ` prefixes removed.
    Exited { code: Option<i32>, output: Vec<String> },
    /// It was killed by a signal (segfault, abort).
    Crashed { signal: i32, output: Vec<String> },
}

/// A private server process in its own temporary directory. Dropping it
/// kills the process.
pub struct Server {
    id: ServerId,
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
    opts: ServerOptions,
    log_path: PathBuf,
    spawns: u32,
    _slot: Slot,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("id", &self.id)
            .field("port", &self.port)
            .field("pid", &self.pid())
            .field("dir", &self.dir.path())
            .finish()
    }
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot bind a port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| format!("cannot read port: {e}"))
}

enum SpawnEnd {
    Ready,
    Exited(ExitStatus),
}

impl Server {
    /// Starts a server and waits until it answers; any other outcome is an
    /// error that includes the server's output.
    pub fn start(id: ServerId, opts: ServerOptions) -> Result<Server, String> {
        match Server::launch(id, opts)? {
            Startup::Ok(s) => Ok(s),
            Startup::Exited { code, output } => {
                Err(format!("{id} exited at startup (code {code:?}):\n{}", output.join("\n")))
            }
            Startup::Crashed { signal, output } => {
                Err(format!("{id} crashed at startup (signal {signal}):\n{}", output.join("\n")))
            }
        }
    }

    /// Starts a server and reports how that went. `Err` only for problems
    /// of the environment (missing binary, timeout, I/O).
    pub fn launch(id: ServerId, opts: ServerOptions) -> Result<Startup, String> {
        let bin = available(id)?;
        let slot = Slot::acquire();
        let dir = tempfile::Builder::new()
            .prefix(&format!("aclplay-{}-", id.as_str()))
            .tempdir()
            .map_err(|e| format!("cannot create a temp dir: {e}"))?;
        let mut s = Server {
            id,
            bin,
            log_path: dir.path().join("server-0.log"),
            dir,
            port: 0,
            child: None,
            opts,
            spawns: 0,
            _slot: slot,
        };
        s.write_initial_files()?;
        match s.spawn_until_ready()? {
            SpawnEnd::Ready => Ok(Startup::Ok(s)),
            SpawnEnd::Exited(status) => {
                let raw = s.raw_log();
                Ok(match exit_signal(&status) {
                    Some(signal) => Startup::Crashed { signal, output: crash_lines(&raw) },
                    None => Startup::Exited { code: status.code(), output: startup_lines(&raw) },
                })
            }
        }
    }

    fn write_initial_files(&self) -> Result<(), String> {
        // Without --aclfile and without content, leave the file absent (a
        // config scenario may point `aclfile` at a missing file).
        if self.opts.aclfile_arg || self.opts.acl_file.is_some() {
            self.write_acl_file(self.opts.acl_file.as_deref().unwrap_or(""))?;
        }
        if let Some(conf) = &self.opts.config {
            let text = conf.replace("<workdir>", &self.dir.path().to_string_lossy());
            fs::write(self.conf_path(), text).map_err(|e| format!("cannot write config: {e}"))?;
        }
        Ok(())
    }

    fn conf_path(&self) -> PathBuf {
        self.dir.path().join("server.conf")
    }

    fn args(&self) -> Vec<String> {
        let mut a: Vec<String> = Vec::new();
        if self.opts.config.is_some() {
            a.push(self.conf_path().to_string_lossy().into_owned());
        }
        let port = self.port.to_string();
        let dir = self.dir.path().to_string_lossy().into_owned();
        for (k, v) in [
            ("--port", port.as_str()),
            ("--bind", "127.0.0.1"),
            ("--save", ""),
            ("--appendonly", "no"),
            ("--daemonize", "no"),
            ("--logfile", ""),
            ("--dir", dir.as_str()),
            // The crash report's memory test takes ~0.5 s per crash.
            ("--crash-memcheck-enabled", "no"),
        ] {
            a.push(k.into());
            a.push(v.into());
        }
        if self.opts.aclfile_arg {
            // Relative on purpose: ACL LOAD errors quote the configured name
            // (`users.acl:1: ...`), like the corpora.
            a.push("--aclfile".into());
            a.push("users.acl".into());
        }
        a.extend(self.opts.extra_args.iter().cloned());
        a
    }

    fn spawn_until_ready(&mut self) -> Result<SpawnEnd, String> {
        let mut last_err = String::new();
        for attempt in 0..6 {
            if self.port == 0 || attempt > 0 {
                self.port = free_port()?;
            }
            self.spawns += 1;
            self.log_path = self.dir.path().join(format!("server-{}.log", self.spawns));
            let log = fs::File::create(&self.log_path).map_err(|e| format!("cannot create log file: {e}"))?;
            let log2 = log.try_clone().map_err(|e| format!("cannot dup log file: {e}"))?;
            let child = Command::new(&self.bin)
                .args(self.args())
                .current_dir(self.dir.path())
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(log2)
                .spawn()
                .map_err(|e| format!("{}: cannot spawn {}: {e}", self.id, self.bin.display()))?;
            self.child = Some(child);
            match self.wait_ready()? {
                SpawnEnd::Exited(st) if self.raw_log().contains("Address already in use") => {
                    last_err = format!("port {} busy ({st})", self.port);
                    continue;
                }
                end => return Ok(end),
            }
        }
        Err(format!("{}: could not find a free port: {last_err}", self.id))
    }

    fn wait_ready(&mut self) -> Result<SpawnEnd, String> {
        let deadline = Instant::now() + self.opts.startup_timeout;
        loop {
            if let Some(st) = self.try_wait() {
                self.child = None;
                return Ok(SpawnEnd::Exited(st));
            }
            if let Ok(mut c) =
                Conn::connect_addr(std::net::SocketAddr::from(([127, 0, 0, 1], self.port)), Duration::from_millis(500))
                && let Ok(r) = c.command(&["PING"])
            {
                // PONG, or NOAUTH when default is protected: both mean "up".
                if matches!(r, Reply::Simple(_) | Reply::Error(_)) {
                    return Ok(SpawnEnd::Ready);
                }
            }
            if Instant::now() > deadline {
                self.kill();
                return Err(format!(
                    "{} did not answer PING within {:?}; output:\n{}",
                    self.id,
                    self.opts.startup_timeout,
                    self.raw_log()
                ));
            }
            sleep(Duration::from_millis(3));
        }
    }

    fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    pub fn id(&self) -> ServerId {
        self.id
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Pid of the running process (None once it is gone).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    /// The server's private directory (its cwd and `--dir`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `<dir>/users.acl`, the configured aclfile.
    pub fn acl_path(&self) -> PathBuf {
        self.dir.path().join("users.acl")
    }

    /// Replaces the content of `users.acl` (for ACL LOAD).
    pub fn write_acl_file(&self, text: &str) -> Result<(), String> {
        fs::write(self.acl_path(), text).map_err(|e| format!("cannot write users.acl: {e}"))
    }

    /// A new, unauthenticated connection.
    pub fn connect(&self) -> Result<Conn, String> {
        Conn::connect(self.port).map_err(|e| format!("{}: cannot connect: {e}", self.id))
    }

    /// The options in force (used again by [`Server::restart`]).
    pub fn options_mut(&mut self) -> &mut ServerOptions {
        &mut self.opts
    }

    /// True if the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.is_some() && self.try_wait().is_none()
    }

    /// After a lost connection: waits up to `timeout` for the process to
    /// exit and returns its status if it did (a crash), `None` if it is
    /// still running.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            self.child.as_ref()?;
            if let Some(st) = self.try_wait() {
                self.child = None;
                return Some(st);
            }
            if Instant::now() > deadline {
                return None;
            }
            sleep(Duration::from_millis(5));
        }
    }

    /// The current process's output, unprocessed.
    pub fn raw_log(&self) -> String {
        String::from_utf8_lossy(&fs::read(&self.log_path).unwrap_or_default()).into_owned()
    }

    /// The current process's output lines without timestamp/pid prefixes.
    pub fn log_lines(&self) -> Vec<String> {
        self.raw_log().split('\n').map(strip_log_prefix).collect()
    }

    /// Kills the process if it runs, rewrites `users.acl` from the options
    /// (a file that crashed the server must not crash it again), and starts
    /// again (same port when possible). Errors unless the server answers.
    pub fn restart(&mut self) -> Result<(), String> {
        self.kill();
        self.write_initial_files()?;
        match self.spawn_until_ready()? {
            SpawnEnd::Ready => Ok(()),
            SpawnEnd::Exited(st) => {
                Err(format!("{} did not come back after restart ({st}):\n{}", self.id, self.raw_log()))
            }
        }
    }

    /// Restarts with a given `users.acl` content and reports the startup
    /// outcome (the server keeps that file until the next restart). On
    /// failure the process is gone; call [`Server::restart`] to recover.
    pub fn restart_with_acl_file(&mut self, text: &str) -> Result<RestartOutcome, String> {
        self.kill();
        self.write_acl_file(text)?;
        match self.spawn_until_ready()? {
            SpawnEnd::Ready => Ok(RestartOutcome::Ok),
            SpawnEnd::Exited(st) => {
                let raw = self.raw_log();
                Ok(match exit_signal(&st) {
                    Some(signal) => RestartOutcome::Crashed { signal, output: crash_lines(&raw) },
                    None => RestartOutcome::Exited { code: st.code(), output: startup_lines(&raw) },
                })
            }
        }
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Kills the process (SIGKILL) and reaps it. Also done on drop.
    pub fn stop(&mut self) {
        self.kill();
    }
}

/// Like [`Startup`] for a restart of an existing [`Server`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestartOutcome {
    Ok,
    Exited { code: Option<i32>, output: Vec<String> },
    Crashed { signal: i32, output: Vec<String> },
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn exit_signal(st: &ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    st.signal()
}

/// Removes the `16853:M 28 Nov 2026 02:03:52.167 # ` prefix of a log line
/// (pid, role, date, time, level), leaving other lines as they are.
pub fn strip_log_prefix(line: &str) -> String {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let parts: Vec<&str> = line.splitn(7, ' ').collect();
    let looks_prefixed = parts.len() == 7
        && parts[0]
            .split_once(':')
            .is_some_and(|(pid, role)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) && role.len() == 1)
        && parts[1].bytes().all(|b| b.is_ascii_digit())
        && parts[2].len() == 3
        && parts[3].len() == 4
        && parts[3].bytes().all(|b| b.is_ascii_digit())
        && parts[4].contains(':')
        && matches!(parts[5], "." | "-" | "*" | "#");
    if looks_prefixed { parts[6].to_string() } else { line.to_string() }
}

/// Banner and environment lines every start prints; they say nothing about
/// the configuration under test.
const NOISE: &[&str] = &[
    "oO0OoO0OoO0Oo",
    "Redis version=",
    "Valkey version=",
    "Configuration loaded",
    "monotonic clock:",
    "Running mode=",
    "Server initialized",
    "WARNING Memory overcommit",
    "WARNING: The TCP backlog",
    "Ready to accept connections",
    "Warning: no config file specified",
    "Server started,",
    "WARNING: Changing databases number",
    "WARNING you have Transparent Huge Pages",
    "WARNING: 32 bit instance",
];

/// Startup output of a server that exited: every non-empty line without
/// its log prefix, minus the banner noise.
pub fn startup_lines(raw: &str) -> Vec<String> {
    raw.split('\n')
        .map(strip_log_prefix)
        .filter(|l| !l.trim().is_empty() && !NOISE.iter().any(|n| l.starts_with(n)))
        .collect()
}

/// The deterministic part of a crash report: the "crashed by signal" and
/// assertion lines (stack traces carry addresses that change every run).
pub fn crash_lines(raw: &str) -> Vec<String> {
    raw.split('\n')
        .map(strip_log_prefix)
        .filter(|l| l.contains("crashed by signal") || l.contains("ASSERTION FAILED") || l.starts_with("==> "))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_prefixes() {
        assert_eq!(
            strip_log_prefix("16853:M 28 Nov 2026 02:03:52.167 # Critical error. Exiting."),
            "Critical error. Exiting."
        );
        assert_eq!(strip_log_prefix("7:C 1 Jan 2026 00:00:00.000 * x y"), "x y");
        assert_eq!(strip_log_prefix(">>> 'user alice on badrule'"), ">>> 'user alice on badrule'");
        assert_eq!(strip_log_prefix("a b c d e f g"), "a b c d e f g");
    }

    #[test]
    fn ids_round_trip() {
        for id in ServerId::all() {
            assert_eq!(id.as_str().parse::<ServerId>().unwrap(), id);
            for a in &id.entry().aliases {
                assert_eq!(a.parse::<ServerId>().unwrap(), id);
            }
        }
        assert!("redis".parse::<ServerId>().unwrap_err().contains("known: "));
    }
}
