//! `aclplay`: what a Redis or Valkey server would answer to ACL rules, from a shell or CI.
//!
//! Exit codes: 0 success; 1 the input has errors (check, list), a command is not allowed
//! (dryrun), findings at or above `--deny` (lint), an expectation fails (test), a
//! challenge is not solved or a pack is not sound (challenge); 2 bad usage; 3 a file
//! cannot be read or is not UTF-8; `verify` has its own for connections and
//! authentication (`verify::EXIT_CODES`).

mod challenge;
mod compare;
mod diff;
mod draft;
mod matrix;
mod sarif;
mod test;
mod verify;

use aclplay::analysis::{Outcome, Status};
use aclplay::diagnostics::Severity;
use aclplay::input::document::Kind;
use aclplay::span::LineIndex;
use aclplay::visible;
use aclplay::{Analysis, Options, Profile, analyze};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::io::{BufRead, BufWriter, Read, Write};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "aclplay",
    version,
    about = "What a Redis or Valkey server would answer to ACL rules, and why",
    after_help = "Exit codes: 0 success; 1 the input has errors (check, list), a command is denied or unknown (dryrun, \
                  keys), a bad --bits (genpass), an unknown --user (explain), findings at or above --deny (lint), a \
                  decision that differs (compare), an expectation that fails (test), a challenge not solved or a \
                  pack that is not sound (challenge), a change caught by --fail-on (diff), or a captured command the \
                  draft denies (draft); 2 bad usage; 3 a file cannot be read or is not UTF-8, or a capture line is \
                  not MONITOR output (draft); verify has more (`aclplay verify --help`)."
)]
struct Cli {
    /// Server version to answer as (an id, or the full version: `redis-8.0.6`); a CI job
    /// can set it once in ACLPLAY_SERVER.
    #[arg(long, global = true, env = "ACLPLAY_SERVER", default_value = Profile::default_profile().id,
          value_parser = servers())]
    server: String,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(subcommand)]
    command: Cmd,
}

/// The registry's versions as `--server` values: the short id, and the full version as
/// an alias.
fn servers() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        aclplay::PROFILES.iter().map(|p| clap::builder::PossibleValue::new(p.id).aliases(p.aliases)),
    )
}

/// When `aclplay diff` exits 1.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// A change widens someone's access (or could not be decided).
    Widen,
    /// A change lets someone run a dangerous command (the version's `@dangerous`).
    Dangerous,
    /// Any change of access, wider or narrower.
    Any,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deny {
    Warning,
    Error,
}

/// The output formats of every command (each takes the ones that fit it).
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
    /// For a pull request comment.
    Markdown,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// JUnit XML, for CI dashboards.
    Junit,
    /// Comma-separated values, for spreadsheets.
    Csv,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Csv => "csv",
        }
    }
}

/// Fails unless `cmd` prints `format`.
fn formats(cmd: &str, format: Format, takes: &[Format]) -> Result<(), Fail> {
    if takes.contains(&format) {
        return Ok(());
    }
    let names: Vec<&str> = takes.iter().map(|f| f.name()).collect();
    Err(Fail::Usage(format!("`aclplay {cmd}` has no `--format {}`; it prints {}", format.name(), names.join(", "))))
}

/// Where the rules come from and how to read them.
#[derive(clap::Args)]
struct Input {
    /// ACL file, redis.conf, redis-cli commands or ACL LIST output; `-` reads stdin.
    file: String,
    /// Input kind (default: detected).
    #[arg(long, value_parser = ["acl-file", "config", "commands", "listing"])]
    kind: Option<String>,
    /// The `aclfile` name that ACL LOAD errors mention.
    #[arg(long, default_value = "users.acl")]
    aclfile_name: String,
    /// For a redis.conf that sets `aclfile`: the ACL file to load with it.
    #[arg(long)]
    aclfile: Option<String>,
    /// The server's `acl-pubsub-default`.
    #[arg(long, default_value = "resetchannels", value_parser = ["resetchannels", "allchannels"])]
    pubsub_default: String,
}

#[derive(Subcommand)]
enum Cmd {
    /// Check that the server accepts the input; print diagnostics.
    Check {
        #[command(flatten)]
        input: Input,
    },
    /// Print the users as `ACL LIST` would.
    List {
        #[command(flatten)]
        input: Input,
    },
    /// Answer `ACL DRYRUN` for a user: one command after `--`, or one per line of --commands.
    Dryrun {
        #[command(flatten)]
        input: Input,
        /// The user to test.
        #[arg(long)]
        user: String,
        /// File of commands, one redis-cli line each (`-` for stdin); blank lines, `#`
        /// comments and redis-cli prompts (`127.0.0.1:6379>`) are skipped.
        #[arg(long)]
        commands: Option<String>,
        /// Also say which rule, pattern and selector decided.
        #[arg(long)]
        explain: bool,
        /// Also say what a client logged in as the user is told: the reply when it runs
        /// the command (NOPERM texts differ from DRYRUN's), inside MULTI (and EXEC's
        /// answer), from EVAL/FCALL calling it, and the ACL LOG entries the server writes.
        #[arg(long)]
        as_client: bool,
        /// The database the connection asking ACL DRYRUN has selected, which database
        /// rules (Valkey 9.1's `db=`) check commands against.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..16))]
        db: u32,
        /// The command and its arguments.
        #[arg(last = true)]
        argv: Vec<String>,
    },
    /// Audit the input for unsafe settings (default user open, weak or plaintext passwords,
    /// dangerous commands, rules undone by later rules, …).
    Lint {
        #[command(flatten)]
        input: Input,
        /// Exit 1 when a finding is at least this severe.
        #[arg(long, value_enum, default_value_t = Deny::Error)]
        deny: Deny,
        /// Print SARIF 2.1.0 (for code-scanning tools): the same as `--format sarif`.
        #[arg(long)]
        sarif: bool,
        /// Apply every safe fix and print the hardened input instead.
        #[arg(long)]
        harden: bool,
    },
    /// Say in plain words what each user (or one) may do.
    Explain {
        #[command(flatten)]
        input: Input,
        #[arg(long)]
        user: Option<String>,
    },
    /// Where server versions answer the input differently: accepted or refused (with the
    /// exact error), `ACL LIST` lines, and `ACL DRYRUN` of command lines; nothing for what
    /// they answer alike. Exit 1 when a decision (accept/reject, allow/deny) differs.
    Compare {
        #[command(flatten)]
        input: Input,
        /// The versions to compare: `all`, or ids (and full versions) separated by commas.
        #[arg(long, default_value = "all")]
        servers: String,
        /// Run the command lines as this user only (default: every user the input defines).
        #[arg(long)]
        user: Option<String>,
        /// File of command lines to answer with `ACL DRYRUN`, one redis-cli line each (`-`
        /// for stdin).
        #[arg(long)]
        commands: Option<String>,
    },
    /// Does aclplay agree with YOUR server? Read-only unless --scratch.
    ///
    /// Connects to it and compares, as the profile of its version: its command table,
    /// every user's `ACL LIST` line read back by the engine,
    /// and `ACL DRYRUN` of command lines drawn for each user's rules (seeded). READ-ONLY:
    /// it runs INFO, ACL CAT, ACL LIST, ACL DRYRUN (which runs nothing), COMMAND and
    /// COMMAND DOCS, and writes nothing unless --scratch is given. The profile is the one of
    /// the version the server reports (the nearest, with a note, when aclplay has none);
    /// --server forces another.
    #[command(after_help = verify::EXIT_CODES)]
    Verify {
        /// redis://[user[:password]@]host[:port] or rediss://… (TLS). Without a password
        /// in the URL it is read from REDISCLI_AUTH, else asked for without echo (only
        /// when stdin is a terminal); it is never printed.
        url: String,
        /// FOR A SCRATCH SERVER ONLY: also replay the servers' own ACL test scenarios and
        /// generated cases with temporary users (`aclplay-verify-<random>-…`, always
        /// removed, on failure and Ctrl-C too). It runs ACL SETUSER, ACL DELUSER and
        /// CONFIG GET; never ACL LOAD, ACL SAVE or CONFIG SET.
        #[arg(long)]
        scratch: bool,
        /// For rediss://: trust the CA certificates of this PEM file (instead of the
        /// system's).
        #[arg(long, value_name = "FILE")]
        cacert: Option<String>,
        /// For rediss://: do NOT check the server's certificate (anyone on the path can
        /// read and change the session).
        #[arg(long)]
        insecure: bool,
        /// Seconds to wait to connect and for each reply.
        #[arg(long, value_name = "SECS", default_value_t = 5.0)]
        timeout: f64,
        /// ACL DRYRUN command lines drawn per user.
        #[arg(long, value_name = "N", default_value_t = 16)]
        samples: usize,
        /// With --scratch: generated cases besides the upstream scenarios.
        #[arg(long, value_name = "N", default_value_t = 300)]
        cases: usize,
        /// Seed of the drawn command lines and generated cases (default: random, printed).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Run a test file against the rules: each expectation (`app: GET app:1 => allow`,
    /// `user app => accepted`, …; docs/tests.md) asked as the server would answer once it
    /// has the rules. Exit 1 on any failure, an error in the test file, or coverage below
    /// --min-coverage.
    Test {
        #[command(flatten)]
        input: Input,
        /// The test file (`-` for stdin).
        tests: String,
        /// Run on these versions: `all`, or ids separated by commas (default: the test
        /// file's `servers`, else --server).
        #[arg(long)]
        servers: Option<String>,
        /// Also report the mutation coverage: the rules that no test pins down (removing
        /// them changes no verdict) and the users without tests.
        #[arg(long)]
        coverage: bool,
        /// Fail when fewer than N percent of the rules are pinned down (implies --coverage).
        #[arg(long, value_name = "N")]
        min_coverage: Option<f64>,
    },
    /// Challenges for workshops: the built-in track or a trainer pack (JSON,
    /// data/challenges/pack.schema.json).
    Challenge {
        #[command(subcommand)]
        action: ChallengeCmd,
    },
    /// What a change of rules does to each user's access, from the permissions the engine
    /// computes (not the text): users added and removed, logging in, commands gained and
    /// lost, command lines keys, channels and selectors now allow or deny — each widens,
    /// narrows or is neutral, with a command line that shows it.
    Diff {
        /// The rules before the change (any input kind; `-` reads stdin).
        old: String,
        /// The rules after the change.
        new: String,
        /// Input kind of both (default: detected for each).
        #[arg(long, value_parser = ["acl-file", "config", "commands", "listing"])]
        kind: Option<String>,
        /// The server's `acl-pubsub-default`.
        #[arg(long, default_value = "resetchannels", value_parser = ["resetchannels", "allchannels"])]
        pubsub_default: String,
        /// Two versions, `OLD,NEW`: the old rules on the first, the new on the second (an
        /// upgrade and a change at once). Default: both on `--server`.
        #[arg(long)]
        servers: Option<String>,
        /// Exit 1 when the change widens access, adds a dangerous command, or changes
        /// anything.
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
    },
    /// Users × ACL categories: all, some or none of each category's commands (with the
    /// counts), the dangerous commands each user may run, its key and channel patterns.
    Matrix {
        #[command(flatten)]
        input: Input,
    },
    /// Least-privilege rules from what an application really sent: a `redis-cli MONITOR`
    /// capture (one user per client, or as `--map` says), printed as an ACL file `ACL LOAD`
    /// accepts, then proved (every command seen replays as allowed) with a report on
    /// stderr. With `--acl-log`: each denial of an `ACL LOG` reply, the rule that made it
    /// fail and the smallest change that would allow it.
    Draft {
        /// The capture (`redis-cli MONITOR > file`), or the `ACL LOG` output; `-` reads stdin.
        capture: String,
        /// Read the input as `redis-cli ACL LOG` output (raw, RESP2 or RESP3 form).
        #[arg(long)]
        acl_log: bool,
        /// With `--acl-log`: the rules in force (any input kind).
        #[arg(long)]
        rules: Option<String>,
        /// Draft a client as a user: `ADDRESS=USER`, `IP=USER` or `CLIENT-NAME=USER`
        /// (repeatable). Default: the client's name (`CLIENT SETNAME`), else `client-<n>`.
        #[arg(long = "map", value_name = "CLIENT=USER")]
        map: Vec<String>,
        /// The byte between the parts of key names.
        #[arg(long, default_value = ":")]
        key_delimiter: String,
        /// Parts of a key name kept before the `*` (default: all but the last).
        #[arg(long)]
        key_depth: Option<usize>,
        /// One exact pattern per key seen (no generalisation).
        #[arg(long)]
        exact_keys: bool,
        /// Distinct keys a prefix needs before it becomes a `prefix*` pattern.
        #[arg(long, default_value_t = 2)]
        min_keys: usize,
        /// Use the SHA-256 of this environment variable's value as every user's password
        /// (`#<hash>`), or `USER=VAR` for one user (repeatable). Default: a placeholder.
        #[arg(long, value_name = "VAR|USER=VAR")]
        password_from_env: Vec<String>,
        /// Leave out `user default off`.
        #[arg(long)]
        keep_default: bool,
        /// Report invalid lines (on stderr) and go on, instead of stopping at the first.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// The keys the server finds in a command line, with their flags.
    Keys {
        #[arg(last = true, required = true)]
        argv: Vec<String>,
    },
    /// A random password like `ACL GENPASS` (hex).
    Genpass {
        #[arg(long)]
        bits: Option<String>,
    },
    /// The SHA-256 of a password read from stdin (for `#<hash>` rules).
    Hash,
    /// Replay recorded cases: JSON Lines on stdin, answers on stdout.
    Batch,
}

#[derive(Subcommand)]
enum ChallengeCmd {
    /// List the challenges of a pack (default: the built-in track).
    List {
        #[arg(long)]
        pack: Option<String>,
    },
    /// Show a challenge: story, goal, starter rules, visible checks, hints.
    Show {
        id: String,
        #[arg(long)]
        pack: Option<String>,
        /// Show this many hints.
        #[arg(long, default_value_t = 0)]
        hints: usize,
        /// Reveal the reference solution.
        #[arg(long)]
        solution: bool,
    },
    /// Check your rules (or, to find a hole, a file with one command line) against a
    /// challenge. Exit 1 until it is solved.
    Try {
        id: String,
        /// Your rules (`-` for stdin).
        work: String,
        #[arg(long)]
        pack: Option<String>,
        /// Also run the hidden checks.
        #[arg(long)]
        hidden: bool,
    },
    /// Check that a pack is sound: every reference solution passes all its checks and
    /// every starter fails at least one, on every version (default: the built-in track).
    /// Exit 1 on any problem.
    Check { pack: Option<String> },
}

enum Fail {
    Usage(String),
    Io(String),
    /// A message and an exit code of its own (`verify`'s connection and auth failures).
    Code(u8, String),
}

fn read_input(path: &str) -> Result<String, Fail> {
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| Fail::Io(format!("cannot read stdin: {e}")))?;
    } else {
        bytes = std::fs::read(path).map_err(|e| Fail::Io(format!("cannot read `{path}`: {e}")))?;
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
        let pos = LineIndex::new(&text).locate(&text, at);
        let name = if path == "-" { "<stdin>" } else { path };
        Fail::Io(format!("{name}:{}:{}: the input is not valid UTF-8", pos.line, pos.column))
    })
}

struct Loaded {
    name: String,
    text: String,
    analysis: Analysis,
}

fn load(input: &Input, profile: &'static Profile) -> Result<Loaded, Fail> {
    if input.file == "-" && input.aclfile.as_deref() == Some("-") {
        // The first reader would take all of stdin and leave the second an empty file.
        return Err(Fail::Usage("the input and `--aclfile` cannot both be `-` (stdin)".into()));
    }
    let text = read_input(&input.file)?;
    let acl_file = input.aclfile.as_deref().map(read_input).transpose()?;
    let kind = input.kind.as_deref().and_then(Kind::by_id);
    let opts = Options {
        kind,
        acl_filename: &input.aclfile_name,
        acl_file: acl_file.as_deref(),
        pubsub_all: input.pubsub_default == "allchannels",
        ..Options::new(profile)
    };
    let analysis = analyze(&text, &opts);
    let name = if input.file == "-" { "<stdin>".to_string() } else { input.file.clone() };
    Ok(Loaded { name, text, analysis })
}

fn print_json(v: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(v).expect("serialisable"));
}

fn report(l: &Loaded, format: Format, max: usize) {
    if format == Format::Json {
        return;
    }
    // Hidden characters would reorder the quoted source lines: shown masked (same offsets).
    let src = std::sync::Arc::new(miette::NamedSource::new(&l.name, visible::mask(&l.text).into_owned()));
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let handler = miette::GraphicalReportHandler::new_themed(if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    });
    for d in l.analysis.diagnostics.iter().take(max) {
        let mut out = String::new();
        let report = miette::Report::new(d.clone()).with_source_code(src.clone());
        let _ = handler.render_report(&mut out, report.as_ref());
        eprint!("{out}");
    }
    let n = l.analysis.diagnostics.len();
    if n > max {
        eprintln!("… and {} more", n - max);
    }
}

fn diagnostics_json(l: &Loaded) -> Vec<serde_json::Value> {
    let ix = LineIndex::new(&l.text);
    l.analysis
        .diagnostics
        .iter()
        .map(|d| {
            let mut v = serde_json::to_value(d).expect("serialisable");
            if let Some(pos) = d.location(&l.text, &ix) {
                v["line"] = pos.line.into();
                v["column"] = pos.column.into();
            }
            v
        })
        .collect()
}

/// The outcome in lines of text, hidden characters escaped.
fn outcome_text(a: &Analysis) -> Vec<String> {
    raw_outcome_text(a).into_iter().map(|l| visible::escape(&l).into_owned()).collect()
}

fn raw_outcome_text(a: &Analysis) -> Vec<String> {
    match &a.outcome {
        Outcome::AclLoad { reply, crash: true, .. } => {
            vec![format!("ACL LOAD: the server crashes (segfault) on this file; it would otherwise reply: {reply}")]
        }
        Outcome::AclLoad { reply, .. } => vec![format!("ACL LOAD: {reply}")],
        Outcome::Startup(s) => match s {
            aclplay::engine::startup::Startup::Running => vec!["start-up: the server starts".into()],
            aclplay::engine::startup::Startup::Fatal { output, .. } => {
                std::iter::once("start-up: the server refuses the config:".to_string())
                    .chain(output.iter().cloned())
                    .collect()
            }
            aclplay::engine::startup::Startup::Exit { log } => {
                std::iter::once("start-up: the server exits:".to_string()).chain(log.iter().cloned()).collect()
            }
            aclplay::engine::startup::Startup::Crash { would_say, .. } => {
                vec![format!(
                    "start-up: the server crashes (segfault) loading the ACL file; it would otherwise say: {would_say}"
                )]
            }
        },
        Outcome::Commands { replies } => replies
            .iter()
            .flat_map(|r| {
                let lines = r.reply.cli_lines();
                std::iter::once(format!("line {}:", r.line)).chain(lines.into_iter().map(|l| format!("  {l}")))
            })
            .collect(),
    }
}

fn check(l: &Loaded, format: Format) -> ExitCode {
    report(l, format, 50);
    let errors = l.analysis.has_errors();
    if format == Format::Json {
        print_json(&serde_json::json!({
            "kind": l.analysis.document.kind,
            "server": l.analysis.profile.id,
            "ok": !errors,
            "outcome": l.analysis.outcome,
            "diagnostics": diagnostics_json(l),
        }));
    } else {
        for line in outcome_text(&l.analysis) {
            println!("{line}");
        }
        let users = l.analysis.users.iter().filter(|u| u.status != Status::Builtin).count();
        println!(
            "{} as {} for {}: {} user(s), {} error(s)",
            l.name,
            l.analysis.document.kind.title(),
            l.analysis.profile.name,
            users,
            l.analysis.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
        );
    }
    if errors { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn list(l: &Loaded, format: Format) -> ExitCode {
    report(l, format, 50);
    let a = &l.analysis;
    let mut users: Vec<&aclplay::analysis::UserReport> = a.users.iter().collect();
    users.sort_by(|x, y| x.user.name.cmp(&y.user.name));
    if format == Format::Json {
        let v: Vec<serde_json::Value> = users
            .iter()
            .map(|r| {
                serde_json::json!({
                    "user": r.name(),
                    "status": r.status,
                    "acl_list": a.acl_list(&r.user),
                    "getuser": aclplay::verdicts::describe::getuser(&r.user, a.profile),
                })
            })
            .collect();
        print_json(&v);
    } else {
        for r in users {
            match a.acl_list(&r.user) {
                Some(line) => println!("{}", visible::escape(&line)),
                None => println!("# user {}: listing it crashes {}", visible::escape(&r.name()), a.profile.name),
            }
        }
    }
    if a.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// What `dryrun` says beside each reply.
#[derive(Clone, Copy)]
struct Answer {
    explain: bool,
    as_client: bool,
    db: i64,
}

fn dryrun(
    l: &Loaded,
    format: Format,
    user: &str,
    commands: Option<&str>,
    how: Answer,
    argv: &[String],
) -> Result<ExitCode, Fail> {
    let Answer { explain, as_client, db } = how;
    let a = &l.analysis;
    let name = user.as_bytes();
    let mut all_ok = true;
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    let answer = |argv: &[&[u8]], out: &mut BufWriter<std::io::StdoutLock>| -> bool {
        if explain || as_client || format == Format::Json {
            let e = a.explain_in(name, argv, db);
            let client = if as_client { a.client_view(name, argv) } else { None };
            if format == Format::Json {
                let mut v = serde_json::to_value(&e).expect("serialisable");
                if as_client {
                    v["client"] = serde_json::to_value(&client).expect("serialisable");
                }
                let _ = writeln!(out, "{v}");
            } else {
                let _ = writeln!(out, "{}", visible::escape(&e.reply.text));
                if explain {
                    for line in explain_lines(&e, &l.text) {
                        let _ = writeln!(out, "  {}", visible::escape(&line));
                    }
                }
                if let Some(c) = &client {
                    for line in client_lines(c) {
                        let _ = writeln!(out, "  {}", visible::escape(&line));
                    }
                }
            }
            e.reply.is_ok()
        } else {
            let r = a.dryrun_in(name, argv, db);
            let _ = writeln!(out, "{}", visible::escape(&r.text));
            r.is_ok()
        }
    };
    match commands {
        Some(path) => {
            let reader: Box<dyn BufRead> = if path == "-" {
                Box::new(std::io::BufReader::new(std::io::stdin()))
            } else {
                Box::new(std::io::BufReader::new(
                    std::fs::File::open(path).map_err(|e| Fail::Io(format!("cannot read `{path}`: {e}")))?,
                ))
            };
            for line in reader.split(b'\n') {
                let line = line.map_err(|e| Fail::Io(e.to_string()))?;
                let line = line.strip_suffix(b"\r").unwrap_or(&line);
                match aclplay::input::command_lines::split_line(line, 0) {
                    None => {}
                    Some((_, Ok(args))) => {
                        let v: Vec<&[u8]> = args.iter().map(|x| x.bytes.as_slice()).collect();
                        all_ok &= answer(&v, &mut out);
                    }
                    Some((_, Err(_))) => {
                        all_ok = false;
                        let _ = writeln!(out, "Invalid argument(s)");
                    }
                }
            }
        }
        None => {
            if argv.is_empty() {
                return Err(Fail::Usage("give a command after `--`, or `--commands <file>`".into()));
            }
            let v: Vec<&[u8]> = argv.iter().map(|x| x.as_bytes()).collect();
            all_ok &= answer(&v, &mut out);
        }
    }
    let _ = out.flush();
    Ok(if all_ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `--as-client`: what a client logged in as the user is told, one view a line, each
/// followed by the ACL LOG entries it writes.
fn client_lines(c: &aclplay::verdicts::client::ClientView) -> Vec<String> {
    let runs = "runs (allowed; its result is not simulated)";
    let mut out = Vec::new();
    let log = |out: &mut Vec<String>, entries: &[aclplay::verdicts::client::LogEntry]| {
        for e in entries {
            out.push(format!(
                "             ACL LOG: reason={} context={} object={:?} username={:?}{}",
                e.reason,
                e.context,
                e.object,
                e.username,
                if e.count > 1 { format!(" count={}", e.count) } else { String::new() }
            ));
        }
    };
    out.push(format!("as client:   {}", c.run.reply.as_deref().unwrap_or(runs)));
    log(&mut out, &c.run.log);
    match &c.multi {
        None => out.push("in MULTI:    not queued (it acts at once inside MULTI)".into()),
        Some(m) => {
            let mut line = format!("in MULTI:    MULTI: {}", m.multi);
            if let Some(q) = &m.queued {
                line.push_str(&format!(" / command: {q}"));
            }
            match (&m.queued, &m.exec) {
                (_, Some(e)) => line.push_str(&format!(" / EXEC: {e}")),
                (Some(_), None) => line.push_str(" / EXEC would run it"),
                (None, None) => {}
            }
            out.push(line);
            log(&mut out, &m.log);
        }
    }
    for (what, v) in [("EVAL", &c.eval), ("FCALL", &c.fcall)] {
        let reply = v.reply.as_deref().unwrap_or(runs);
        let outer = if v.outer { format!(" ({what} itself is refused)") } else { String::new() };
        out.push(format!("from {what}:{} {reply}{outer}", " ".repeat(6 - what.len())));
        log(&mut out, &v.log);
    }
    out
}

fn explain_lines(e: &aclplay::verdicts::Explanation, text: &str) -> Vec<String> {
    use aclplay::verdicts::CommandWhy;
    let ix = LineIndex::new(text);
    let at = |s: &Option<aclplay::span::Span>| {
        s.map(|s| {
            let p = ix.locate(text, s.start);
            format!(" (line {}, column {})", p.line, p.column)
        })
        .unwrap_or_default()
    };
    let mut out = Vec::new();
    for s in &e.selectors {
        let who =
            if s.index == 0 { "root permissions".to_string() } else { format!("selector {}{}", s.index, at(&s.span)) };
        let cmd = match &s.command {
            CommandWhy::NoAuth => "the command is never checked (no_auth)".to_string(),
            CommandWhy::Rule { rule, span, allows } => {
                format!("`{rule}`{} {} the command", at(span), if *allows { "allows" } else { "removes" })
            }
            CommandWhy::FirstArg { rule, span } => {
                format!("`{rule}`{} allows this first argument", at(span))
            }
            CommandWhy::Default => "no rule allows the command".to_string(),
        };
        if let Some((rule, span)) = &s.db_rule {
            let rule = if rule.is_empty() { "resetdbs" } else { rule };
            for d in &s.databases {
                let which = match (d.db, d.pos) {
                    (None, _) => "every database".to_string(),
                    (Some(db), 0) => format!("database {db} (the one it runs in)"),
                    (Some(db), pos) => format!("database {db} (argument {pos})"),
                };
                let verdict = if d.allowed { "allowed" } else { "refused" };
                out.push(format!("{who}: {which}: {verdict} by `{rule}`{}", at(span)));
            }
        }
        out.push(format!("{who}: {cmd}"));
        for k in s.keys.iter().chain(&s.channels) {
            let what = if s.channels.iter().any(|c| c.pos == k.pos) && !s.keys.iter().any(|x| x.pos == k.pos) {
                "channel"
            } else {
                "key"
            };
            let needs = if k.needs.is_empty() { String::new() } else { format!(" ({})", k.needs.join("+")) };
            let how = match (&k.matched, k.all) {
                (_, true) => "allowed: all".to_string(),
                (Some((p, span)), _) => format!("matches `{p}`{}", at(span)),
                (None, _) => "no pattern matches".to_string(),
            };
            out.push(format!("  {what} `{}`{needs}: {how}", k.value));
        }
    }
    if let Some(i) = e.allowed_by {
        out.push(format!(
            "decided by: {}",
            if i == 0 { "the root permissions".into() } else { format!("selector {i}") }
        ));
    }
    out
}

fn lint(l: &Loaded, format: Format, deny: Deny, sarif_out: bool, harden: bool) -> ExitCode {
    let findings = aclplay::audit::lint(&l.analysis, &l.text);
    if harden {
        print!("{}", aclplay::audit::harden(&l.text, &findings));
        return ExitCode::SUCCESS;
    }
    let ix = LineIndex::new(&l.text);
    let at = |s: &aclplay::span::Span| ix.locate(&l.text, s.start);
    if sarif_out {
        println!("{}", sarif::log(&l.name, &l.text, &findings));
    } else if format == Format::Json {
        let v: Vec<serde_json::Value> = findings
            .iter()
            .map(|f| {
                let mut v = serde_json::to_value(f).expect("serialisable");
                if let Some(s) = f.spans.first() {
                    let p = at(s);
                    v["line"] = p.line.into();
                    v["column"] = p.column.into();
                }
                v
            })
            .collect();
        print_json(&v);
    } else {
        for f in &findings {
            let place = f.spans.first().map(|s| {
                let p = at(s);
                format!("{}:{}:{}: ", l.name, p.line, p.column)
            });
            let sev = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            println!("{}{sev}[{}]: {}", place.unwrap_or_else(|| format!("{}: ", l.name)), f.code, f.message);
            println!("  help: {}", f.help);
            if let Some(fix) = &f.fix {
                println!("  fix{}: {}", if fix.safe { " (safe)" } else { "" }, fix.title);
            }
        }
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        println!(
            "{} error(s), {} warning(s), {} note(s)",
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info)
        );
    }
    let limit = match deny {
        Deny::Warning => Severity::Warning,
        Deny::Error => Severity::Error,
    };
    if findings.iter().any(|f| f.severity >= limit) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn explain(l: &Loaded, format: Format, user: Option<&str>) -> ExitCode {
    let a = &l.analysis;
    let users: Vec<_> = a.users.iter().filter(|r| user.is_none_or(|u| r.user.name == u.as_bytes())).collect();
    if users.is_empty() {
        eprintln!("error: no user `{}`", visible::escape(user.unwrap_or_default()));
        return ExitCode::from(1);
    }
    if format == Format::Json {
        let v: Vec<_> = users.iter().map(|r| aclplay::verdicts::summary::user(&r.user, a.profile)).collect();
        print_json(&v);
    } else {
        for r in users {
            let s = aclplay::verdicts::summary::user(&r.user, a.profile);
            println!("user {}:", visible::escape(&s.name));
            for line in aclplay::verdicts::summary::sentences(&s) {
                println!("  {line}");
            }
        }
    }
    ExitCode::SUCCESS
}

fn keys(profile: &Profile, format: Format, argv: &[String]) -> ExitCode {
    let v: Vec<&[u8]> = argv.iter().map(|x| x.as_bytes()).collect();
    match aclplay::verdicts::resolve(profile, &v) {
        Err(e) => {
            eprintln!("{}", visible::escape(&e.text));
            ExitCode::from(1)
        }
        Ok(r) => {
            let c = profile.command(r.id);
            let keys = if c.has_keys() { c.keys_of(&v, profile.behavior.keynum_last) } else { Vec::new() };
            let channels = if c.has_channels() { c.channels_of(v.len()) } else { Vec::new() };
            if format == Format::Json {
                let ks: Vec<_> = keys
                    .iter()
                    .map(|k| serde_json::json!({"pos": k.pos, "key": argv[k.pos], "flags": k.flag_names(), "read": k.needs_read(), "write": k.needs_write()}))
                    .collect();
                let cs: Vec<_> = channels
                    .iter()
                    .map(|&(p, pat)| serde_json::json!({"pos": p, "channel": argv[p], "pattern": pat}))
                    .collect();
                print_json(&serde_json::json!({"command": c.name, "keys": ks, "channels": cs}));
            } else {
                println!("command: {}", c.name);
                if keys.is_empty() && channels.is_empty() {
                    println!("no keys");
                }
                for k in &keys {
                    let mut needs = Vec::new();
                    if k.needs_read() {
                        needs.push("read");
                    }
                    if k.needs_write() {
                        needs.push("write");
                    }
                    let needs = if needs.is_empty() { "any key pattern".to_string() } else { needs.join("+") };
                    println!(
                        "key {} `{}`: flags [{}], needs {needs}",
                        k.pos,
                        visible::escape(&argv[k.pos]),
                        k.flag_names().join(" ")
                    );
                }
                for &(p, pat) in &channels {
                    println!(
                        "channel {p} `{}`{}",
                        visible::escape(&argv[p]),
                        if pat { " (pattern: must equal an ACL channel pattern)" } else { "" }
                    );
                }
            }
            ExitCode::SUCCESS
        }
    }
}

fn batch(profile: &'static Profile) -> Result<ExitCode, Fail> {
    let stdin = std::io::stdin();
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    for (i, line) in stdin.lock().split(b'\n').enumerate() {
        let line = line.map_err(|e| Fail::Io(format!("cannot read stdin: {e}")))?;
        let line = String::from_utf8(line)
            .map_err(|_| Fail::Io(format!("stdin line {}: the input is not valid UTF-8", i + 1)))?;
        if line.trim().is_empty() {
            continue;
        }
        let case: aclplay::corpus::CaseInput =
            serde_json::from_str(&line).map_err(|e| Fail::Usage(format!("stdin line {}: {e}", i + 1)))?;
        let got = aclplay::corpus::run_case(&case, profile);
        writeln!(out, "{}", serde_json::to_string(&got).expect("serialisable")).map_err(|e| Fail::Io(e.to_string()))?;
    }
    out.flush().map_err(|e| Fail::Io(e.to_string()))?;
    Ok(ExitCode::SUCCESS)
}

/// `--servers`: `all`, or a comma-separated list of ids and aliases.
fn server_list(arg: &str) -> Result<Vec<&'static Profile>, Fail> {
    if arg == "all" {
        return Ok(aclplay::PROFILES.iter().collect());
    }
    let mut out: Vec<&'static Profile> = Vec::new();
    for id in arg.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let p = Profile::parse(id).map_err(|e| Fail::Usage(e.to_string()))?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if out.is_empty() {
        return Err(Fail::Usage("`--servers` names no version".into()));
    }
    Ok(out)
}

fn compare_cmd(
    input: &Input,
    format: Format,
    servers: &str,
    user: Option<&str>,
    commands: Option<&str>,
) -> Result<ExitCode, Fail> {
    let profiles = server_list(servers)?;
    // The options and the text, read once; each version analyses them.
    let l = load(input, profiles[0])?;
    let commands_text = commands.map(read_input).transpose()?.unwrap_or_default();
    let lines = aclplay::input::command_lines::read(&commands_text);
    let acl_file = input.aclfile.as_deref().map(read_input).transpose()?;
    let opts = Options {
        kind: input.kind.as_deref().and_then(Kind::by_id),
        acl_filename: &input.aclfile_name,
        acl_file: acl_file.as_deref(),
        pubsub_all: input.pubsub_default == "allchannels",
        ..Options::new(profiles[0])
    };
    let c = aclplay::review::compare::compare(
        &l.text,
        &opts,
        &profiles,
        aclplay::review::compare::Commands { user, text: &commands_text, lines: &lines },
    );
    match format {
        Format::Json => print_json(&compare::json(&c, &l.text)),
        Format::Markdown => print!("{}", compare::markdown(&c, &l.name, &l.text)),
        _ => print!("{}", compare::text(&c, &l.name, &l.text)),
    }
    Ok(if c.decisions_differ() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The options for analysing `input` (on `profile`), with the ACL file read.
fn options_of<'a>(input: &'a Input, acl_file: Option<&'a str>, profile: &'static Profile) -> Options<'a> {
    Options {
        kind: input.kind.as_deref().and_then(Kind::by_id),
        acl_filename: &input.aclfile_name,
        acl_file,
        pubsub_all: input.pubsub_default == "allchannels",
        ..Options::new(profile)
    }
}

fn test_cmd(
    input: &Input,
    format: Format,
    profile: &'static Profile,
    tests_path: &str,
    servers: Option<&str>,
    coverage: bool,
    min_coverage: Option<f64>,
) -> Result<ExitCode, Fail> {
    if let Some(n) = min_coverage
        && !(0.0..=100.0).contains(&n)
    {
        return Err(Fail::Usage(format!("`--min-coverage {n}` is not a percentage (0 to 100)")));
    }
    let rules = read_input(&input.file)?;
    let tests = read_input(tests_path)?;
    let acl_file = input.aclfile.as_deref().map(read_input).transpose()?;
    let file = aclplay::workshop::parse(&tests);
    let requested = servers.map(server_list).transpose()?;
    let profiles = aclplay::workshop::run::versions(&file, requested.as_deref(), profile);
    if profiles.is_empty() {
        let pinned = file.servers.as_ref().map(|p| p.profiles.iter().map(|p| p.id).collect::<Vec<_>>().join(", "));
        return Err(Fail::Usage(format!(
            "`--servers` names none of the versions the test file is about ({})",
            pinned.unwrap_or_default()
        )));
    }
    let opts = options_of(input, acl_file.as_deref(), profile);
    let runs = aclplay::workshop::run_on(&file, &rules, &opts, &profiles);
    let covers: Vec<aclplay::workshop::coverage::Coverage> = if coverage {
        profiles
            .iter()
            .map(|&p| aclplay::workshop::coverage::coverage(&file, &rules, &Options { profile: p, ..opts }))
            .collect()
    } else {
        Vec::new()
    };
    let name = |p: &str| if p == "-" { "<stdin>".to_string() } else { p.to_string() };
    let (rules_name, tests_name) = (name(&input.file), name(tests_path));
    let src = test::Sources { rules_name: &rules_name, rules: &rules, tests_name: &tests_name, tests: &tests };
    match format {
        Format::Json => {
            let mut v = test::json(&src, &file, &runs);
            if coverage {
                v["coverage"] = covers.iter().map(|c| coverage_json(&src, &file, c)).collect();
            }
            print_json(&v);
        }
        Format::Junit => print!("{}", test::junit(&src, &file, &runs)),
        _ => {
            eprint!("{}", test::errors_text(&src, &file.errors));
            print!("{}", test::text(&src, &file, &runs));
            for c in &covers {
                print!("{}", coverage_text(&src, c));
            }
        }
    }
    let low = min_coverage.is_some_and(|n| covers.iter().any(|c| c.percent() < n));
    if low && format != Format::Json {
        eprintln!("error: coverage below --min-coverage {}%", min_coverage.unwrap_or_default());
    }
    let ok = file.is_ok() && runs.iter().all(aclplay::workshop::Run::passed) && !low;
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn challenge_cmd(action: ChallengeCmd, format: Format) -> Result<ExitCode, Fail> {
    let read = |p: &str| {
        read_input(p).map_err(|e| match e {
            Fail::Io(m) | Fail::Usage(m) | Fail::Code(_, m) => m,
        })
    };
    let pack_of = |p: Option<&str>| challenge::load(p, read).map_err(Fail::Io);
    Ok(match action {
        ChallengeCmd::List { pack } => {
            let l = pack_of(pack.as_deref())?;
            if format == Format::Json {
                let v: Vec<serde_json::Value> = l
                    .pack
                    .challenges
                    .iter()
                    .map(|c| serde_json::json!({"id": c.id, "title": c.title, "level": c.level, "mode": c.mode}))
                    .collect();
                print_json(&serde_json::json!({"id": l.pack.id, "title": l.pack.title, "challenges": v}));
            } else {
                print!("{}", challenge::list(&l));
            }
            ExitCode::SUCCESS
        }
        ChallengeCmd::Show { id, pack, hints, solution } => {
            let l = pack_of(pack.as_deref())?;
            let c = challenge::find(&l, &id).map_err(Fail::Usage)?;
            if format == Format::Json {
                let mut v = challenge::json(c);
                v["hidden"] = c.hidden.len().into();
                v["hints"] = c.hints.iter().take(hints).map(|h| h.to_string()).collect();
                if !solution {
                    v.as_object_mut().expect("an object").remove("solution");
                    v.as_object_mut().expect("an object").remove("intended");
                }
                print_json(&v);
            } else {
                print!("{}", challenge::show(c, hints, solution));
            }
            ExitCode::SUCCESS
        }
        ChallengeCmd::Try { id, work, pack, hidden } => {
            if pack.as_deref() == Some("-") && work == "-" {
                return Err(Fail::Usage("the pack and the work cannot both be `-` (stdin)".into()));
            }
            let l = pack_of(pack.as_deref())?;
            let c = challenge::find(&l, &id).map_err(Fail::Usage)?;
            let text = read_input(&work)?;
            let (out, solved) = challenge::try_work(c, &text, hidden);
            if format == Format::Json {
                print_json(&serde_json::json!({"challenge": c.id, "solved": solved, "report": out}));
            } else {
                print!("{out}");
            }
            if solved { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
        ChallengeCmd::Check { pack } => {
            let l = pack_of(pack.as_deref())?;
            let (out, ok) = challenge::check(&l);
            if format == Format::Json {
                let problems = aclplay::workshop::challenge::check_pack(&l.pack);
                print_json(&serde_json::json!({"pack": l.pack.id, "ok": ok, "problems": problems, "report": out}));
            } else {
                print!("{out}");
            }
            if ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
    })
}

/// `line:column` of a span of the rules.
fn rules_at(src: &test::Sources, s: aclplay::span::Span) -> (usize, usize) {
    let p = LineIndex::new(src.rules).locate(src.rules, s.start);
    (p.line, p.column)
}

fn coverage_text(src: &test::Sources, c: &aclplay::workshop::coverage::Coverage) -> String {
    use aclplay::workshop::coverage::UnitKind;
    let mut out = format!(
        "coverage on {}: {} of {} rules pinned down by a test ({:.1}%)\n",
        c.server,
        c.covered(),
        c.total(),
        c.percent()
    );
    for u in &c.users {
        let line = u.span.map(|s| rules_at(src, s).0).map(|l| format!(" (line {l})")).unwrap_or_default();
        if u.tests == 0 {
            out.push_str(&format!("  user {}{line}: no tests\n", u.user));
            continue;
        }
        out.push_str(&format!("  user {}{line}: {} of {} pinned down\n", u.user, u.covered(), u.units.len()));
        for unit in u.units.iter().filter(|x| !x.covered()) {
            let (l, col) = rules_at(src, unit.span);
            let what = match unit.kind {
                UnitKind::Rule => "rule",
                UnitKind::KeyPattern => "key pattern",
                UnitKind::ChannelPattern => "channel pattern",
                UnitKind::Selector => "selector",
            };
            out.push_str(&format!(
                "    {}:{l}:{col}: {what} `{}`: no test fails without it\n",
                src.rules_name, unit.text
            ));
        }
    }
    out
}

fn coverage_json(
    src: &test::Sources,
    file: &aclplay::workshop::TestFile,
    c: &aclplay::workshop::coverage::Coverage,
) -> serde_json::Value {
    let users: Vec<serde_json::Value> = c
        .users
        .iter()
        .map(|u| {
            let units: Vec<serde_json::Value> = u
                .units
                .iter()
                .map(|x| {
                    let (line, column) = rules_at(src, x.span);
                    serde_json::json!({
                        "kind": x.kind, "text": x.text, "line": line, "column": column,
                        "start": x.span.start, "end": x.span.end, "covered": x.covered(),
                        "pinned_by_line": x.pinned_by.map(|i| file.expectations[i].line),
                    })
                })
                .collect();
            serde_json::json!({"user": u.user, "tests": u.tests, "covered": u.covered(), "total": u.units.len(), "units": units})
        })
        .collect();
    serde_json::json!({
        "server": c.server, "covered": c.covered(), "total": c.total(), "percent": c.percent(),
        "untested_users": c.untested().map(|u| u.user.clone()).collect::<Vec<_>>(), "users": users,
    })
}

fn draft_acl_log(profile: &'static Profile, f: Format, log: &str, rules: Option<&str>) -> Result<ExitCode, Fail> {
    let Some(rules) = rules else {
        return Err(Fail::Usage(
            "`--acl-log` needs `--rules FILE`: the rules the denials are explained against".into(),
        ));
    };
    if log == "-" && rules == "-" {
        return Err(Fail::Usage("the log and `--rules` cannot both be `-` (stdin)".into()));
    }
    let bytes = draft::read_all(log).map_err(|e| Fail::Io(format!("cannot read `{log}`: {e}")))?;
    let name = if log == "-" { "<stdin>" } else { log };
    let (form, entries) = match aclplay::review::traffic::acl_log(&bytes) {
        Ok(x) => x,
        Err(e) => {
            let text = bytes.split(|&b| b == b'\n').nth(e.line - 1).unwrap_or_default();
            eprintln!("{:?}", miette::Report::new(draft::bad_line(name, e.line, text, &e.error)));
            return Ok(ExitCode::from(3));
        }
    };
    let input = Input {
        file: rules.to_string(),
        kind: None,
        aclfile_name: "users.acl".into(),
        aclfile: None,
        pubsub_default: "resetchannels".into(),
    };
    let l = load(&input, profile)?;
    let ds = aclplay::review::draft::denials(&entries, &l.analysis, &l.text);
    if f == Format::Json {
        print_json(&serde_json::json!({"form": form, "denials": ds}));
    } else {
        print!("{}", draft::denials_text(&ds, name, &l.name, &l.text));
    }
    Ok(ExitCode::SUCCESS)
}

fn diff_cmd(
    profile: &'static Profile,
    format: Format,
    files: [&String; 2],
    kind: Option<String>,
    pubsub_default: &str,
    servers: Option<&str>,
    fail_on: Option<FailOn>,
) -> Result<ExitCode, Fail> {
    if files.iter().all(|f| *f == "-") {
        return Err(Fail::Usage("OLD and NEW cannot both be `-` (stdin)".into()));
    }
    let profiles = match servers {
        None => [profile, profile],
        Some(s) => match server_list(s)?.as_slice() {
            [a, b] => [*a, *b],
            [a] => [*a, *a],
            _ => return Err(Fail::Usage("`--servers` takes two versions, `OLD,NEW`".into())),
        },
    };
    let input = |file: &String| Input {
        file: file.clone(),
        kind: kind.clone(),
        aclfile_name: "users.acl".into(),
        aclfile: None,
        pubsub_default: pubsub_default.to_string(),
    };
    let old = load(&input(files[0]), profiles[0])?;
    let new = load(&input(files[1]), profiles[1])?;
    for l in [&old, &new] {
        if l.analysis.has_errors() {
            eprintln!(
                "warning: {} has errors (`aclplay check {}` lists them); its users are compared as written",
                l.name, l.name
            );
        }
    }
    let d = aclplay::review::diff::diff(
        aclplay::review::diff::Input { analysis: &old.analysis, text: &old.text },
        aclplay::review::diff::Input { analysis: &new.analysis, text: &new.text },
    );
    let f = diff::Files { old: (&old.name, &old.text), new: (&new.name, &new.text) };
    match format {
        Format::Json => print_json(&diff::json(&d, &f)),
        Format::Markdown => print!("{}", diff::markdown(&d, &f)),
        Format::Sarif => println!("{}", diff::sarif(&d, &f)),
        _ => print!("{}", diff::text(&d, &f)),
    }
    let undecided = d.users.iter().any(|u| !u.undecided.is_empty());
    let fail = match fail_on {
        None => false,
        Some(FailOn::Widen) => d.widens() || undecided,
        Some(FailOn::Dangerous) => d.dangerous() || undecided,
        Some(FailOn::Any) => !d.no_change_in_access(),
    };
    Ok(if fail { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `--server` given on the command line (not the default): `verify` is then told which
/// profile to answer as instead of finding it.
fn run(cli: Cli, server_given: bool) -> Result<ExitCode, Fail> {
    let profile = Profile::by_id(&cli.server).expect("clap checked the id");
    let f = cli.format;
    const TJ: &[Format] = &[Format::Text, Format::Json];
    let (name, takes): (&str, &[Format]) = match &cli.command {
        Cmd::Check { .. } => ("check", TJ),
        Cmd::List { .. } => ("list", TJ),
        Cmd::Dryrun { .. } => ("dryrun", TJ),
        Cmd::Lint { .. } => ("lint", &[Format::Text, Format::Json, Format::Sarif]),
        Cmd::Explain { .. } => ("explain", TJ),
        Cmd::Compare { .. } => ("compare", &[Format::Text, Format::Json, Format::Markdown]),
        Cmd::Verify { .. } => ("verify", &[Format::Text, Format::Json, Format::Markdown]),
        Cmd::Test { .. } => ("test", &[Format::Text, Format::Json, Format::Junit]),
        Cmd::Challenge { .. } => ("challenge", TJ),
        Cmd::Diff { .. } => ("diff", &[Format::Text, Format::Json, Format::Markdown, Format::Sarif]),
        Cmd::Matrix { .. } => ("matrix", &[Format::Text, Format::Csv, Format::Markdown, Format::Json]),
        Cmd::Draft { .. } => ("draft", TJ),
        Cmd::Keys { .. } => ("keys", TJ),
        Cmd::Genpass { .. } => ("genpass", TJ),
        Cmd::Hash => ("hash", TJ),
        Cmd::Batch => ("batch", &[Format::Json]),
    };
    if !(name == "batch" && f == Format::Text) {
        formats(name, f, takes)?;
    }
    Ok(match cli.command {
        Cmd::Check { input } => check(&load(&input, profile)?, f),
        Cmd::List { input } => list(&load(&input, profile)?, f),
        Cmd::Dryrun { input, user, commands, explain, as_client, db, argv } => {
            if input.file == "-" && commands.as_deref() == Some("-") {
                // Reading the input would leave no commands: every answer would be missing.
                return Err(Fail::Usage("the input and `--commands` cannot both be `-` (stdin)".into()));
            }
            if as_client && db != 0 {
                return Err(Fail::Usage(
                    "`--as-client` answers for a new connection, in database 0: drop `--db`".into(),
                ));
            }
            let how = Answer { explain, as_client, db: i64::from(db) };
            dryrun(&load(&input, profile)?, f, &user, commands.as_deref(), how, &argv)?
        }
        Cmd::Lint { input, deny, sarif, harden } => {
            lint(&load(&input, profile)?, f, deny, sarif || f == Format::Sarif, harden)
        }
        Cmd::Explain { input, user } => explain(&load(&input, profile)?, f, user.as_deref()),
        Cmd::Compare { input, servers, user, commands } => {
            if input.file == "-" && commands.as_deref() == Some("-") {
                return Err(Fail::Usage("the input and `--commands` cannot both be `-` (stdin)".into()));
            }
            compare_cmd(&input, f, &servers, user.as_deref(), commands.as_deref())?
        }
        Cmd::Verify { url, scratch, cacert, insecure, timeout, samples, cases, seed } => {
            let args = verify::Args {
                url: &url,
                scratch,
                cacert: cacert.as_deref(),
                insecure,
                timeout,
                samples,
                cases,
                seed,
                server: server_given.then_some(cli.server.as_str()),
            };
            let v = verify::run(&args).map_err(|s| match s.code {
                2 => Fail::Usage(s.message),
                3 => Fail::Io(s.message),
                c => Fail::Code(c, s.message),
            })?;
            match f {
                Format::Json => print_json(&verify::json(&v)),
                Format::Markdown => print!("{}", verify::markdown(&v)),
                _ => print!("{}", verify::text(&v)),
            }
            verify::exit(&v)
        }
        Cmd::Test { input, tests, servers, coverage, min_coverage } => {
            if input.file == "-" && tests == "-" {
                return Err(Fail::Usage("the rules and the tests cannot both be `-` (stdin)".into()));
            }
            test_cmd(&input, f, profile, &tests, servers.as_deref(), coverage || min_coverage.is_some(), min_coverage)?
        }
        Cmd::Challenge { action } => challenge_cmd(action, f)?,
        Cmd::Diff { old, new, kind, pubsub_default, servers, fail_on } => {
            diff_cmd(profile, f, [&old, &new], kind, &pubsub_default, servers.as_deref(), fail_on)?
        }
        Cmd::Matrix { input } => {
            let l = load(&input, profile)?;
            report(&l, f, 20);
            let m = aclplay::review::matrix::matrix(&l.analysis);
            match f {
                Format::Json => print_json(&m),
                Format::Csv => print!("{}", matrix::csv(&m)),
                Format::Markdown => print!("{}", matrix::markdown(&m, &l.name)),
                _ => print!("{}", matrix::text(&m, &l.name)),
            }
            ExitCode::SUCCESS
        }
        Cmd::Draft {
            capture,
            acl_log,
            rules,
            map,
            key_delimiter,
            key_depth,
            exact_keys,
            min_keys,
            password_from_env,
            keep_default,
            skip_invalid,
        } => {
            if acl_log {
                return draft_acl_log(profile, f, &capture, rules.as_deref());
            }
            let delimiter = match key_delimiter.as_bytes() {
                [b] => *b,
                _ => return Err(Fail::Usage("`--key-delimiter` takes one byte".into())),
            };
            let mut opts = aclplay::review::draft::DraftOptions {
                delimiter,
                depth: key_depth,
                exact_keys,
                min_keys: min_keys.max(1),
                default_off: !keep_default,
                ..Default::default()
            };
            for m in &map {
                let (k, u) = m.split_once('=').ok_or_else(|| Fail::Usage(format!("`--map {m}`: write CLIENT=USER")))?;
                if u.is_empty() || u.bytes().any(|b| !b.is_ascii_graphic()) {
                    return Err(Fail::Usage(format!("`--map {m}`: `{u}` cannot be a user name in an ACL file")));
                }
                opts.map.push((k.to_string(), u.to_string()));
            }
            for p in &password_from_env {
                let (user, var) = match p.split_once('=') {
                    Some((u, v)) => (Some(u), v),
                    None => (None, p.as_str()),
                };
                let value = std::env::var_os(var)
                    .ok_or_else(|| Fail::Usage(format!("`--password-from-env`: `{var}` is not set")))?;
                let rule = format!("#{}", aclplay::password::sha256_hex(value.as_encoded_bytes()));
                match user {
                    Some(u) => opts.passwords.push((u.to_string(), rule)),
                    None => opts.default_password = Some(rule),
                }
            }
            let src = if capture == "-" {
                draft::Source::Memory(draft::read_all("-").map_err(|e| Fail::Io(format!("cannot read stdin: {e}")))?)
            } else {
                std::fs::metadata(&capture).map_err(|e| Fail::Io(format!("cannot read `{capture}`: {e}")))?;
                draft::Source::File(capture.clone())
            };
            let name = if capture == "-" { "<stdin>".to_string() } else { capture.clone() };
            match draft::draft(profile, &src, &name, opts, skip_invalid) {
                Err(e) => {
                    eprintln!("{:?}", miette::Report::new(*e));
                    ExitCode::from(3)
                }
                Ok((d, proof, loads, skipped)) => {
                    if f == Format::Json {
                        print_json(&draft::json(&d, &proof, loads, skipped));
                    } else {
                        print!("{}", d.acl_file());
                        eprint!("{}", draft::report(&d, &proof, loads, skipped));
                    }
                    if proof.refused_count > 0 || !loads { ExitCode::from(1) } else { ExitCode::SUCCESS }
                }
            }
        }
        Cmd::Keys { argv } => keys(profile, f, &argv),
        Cmd::Genpass { bits } => match aclplay::password::genpass_reply(bits.as_deref()) {
            Ok(p) if f == Format::Json => {
                print_json(&p);
                ExitCode::SUCCESS
            }
            Ok(p) => {
                println!("{p}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(1)
            }
        },
        Cmd::Hash => {
            let mut pw = Vec::new();
            std::io::stdin().read_to_end(&mut pw).map_err(|e| Fail::Io(format!("cannot read stdin: {e}")))?;
            // A trailing newline from `echo` or a terminal is not part of the password.
            let pw = pw.strip_suffix(b"\n").unwrap_or(&pw);
            let pw = pw.strip_suffix(b"\r").unwrap_or(pw);
            let hex = aclplay::password::sha256_hex(pw);
            if f == Format::Json {
                print_json(&hex);
            } else {
                println!("{hex}");
            }
            ExitCode::SUCCESS
        }
        Cmd::Batch => batch(profile)?,
    })
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let server_given = matches!(
        matches.value_source("server"),
        Some(clap::parser::ValueSource::CommandLine | clap::parser::ValueSource::EnvVariable)
    );
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match run(cli, server_given) {
        Ok(c) => c,
        Err(Fail::Usage(m)) => {
            eprintln!("error: {m}");
            ExitCode::from(2)
        }
        Err(Fail::Io(m)) => {
            eprintln!("error: {m}");
            ExitCode::from(3)
        }
        Err(Fail::Code(c, m)) => {
            eprintln!("error: {m}");
            ExitCode::from(c)
        }
    }
}
