//! `aclplay`: what a Redis or Valkey server would answer to ACL rules, from a shell or CI.
//!
//! Exit codes: 0 success; 1 the input has errors (check, list), a command is not allowed
//! (dryrun), or findings at or above `--deny` (lint); 2 bad usage; 3 a file cannot be
//! read or is not UTF-8.

mod sarif;

use aclplay::analysis::{Outcome, Status};
use aclplay::diagnostics::Severity;
use aclplay::input::document::Kind;
use aclplay::span::LineIndex;
use aclplay::visible;
use aclplay::{Analysis, Options, Profile, analyze};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{BufRead, BufWriter, Read, Write};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "aclplay",
    version,
    about = "What a Redis or Valkey server would answer to ACL rules, and why",
    after_help = "Exit codes: 0 success; 1 the input has errors (check, list), a command is denied or unknown (dryrun, \
                  keys), a bad --bits (genpass), an unknown --user (explain), or findings at or above --deny (lint); \
                  2 bad usage; 3 a file cannot be read or is not UTF-8."
)]
struct Cli {
    /// Server version to answer as (an id, or the full version: `redis-8.0.6`).
    #[arg(long, global = true, default_value = Profile::default_profile().id, value_parser = servers())]
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

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deny {
    Warning,
    Error,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
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
        /// File of commands, one redis-cli line each (`-` for stdin).
        #[arg(long)]
        commands: Option<String>,
        /// Also say which rule, pattern and selector decided.
        #[arg(long)]
        explain: bool,
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
        /// Print SARIF 2.1.0 (for code-scanning tools) instead of text or JSON.
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

enum Fail {
    Usage(String),
    Io(String),
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

fn dryrun(
    l: &Loaded,
    format: Format,
    user: &str,
    commands: Option<&str>,
    explain: bool,
    argv: &[String],
) -> Result<ExitCode, Fail> {
    let a = &l.analysis;
    let name = user.as_bytes();
    let mut all_ok = true;
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    let answer = |argv: &[&[u8]], out: &mut BufWriter<std::io::StdoutLock>| -> bool {
        if explain || format == Format::Json {
            let e = a.explain(name, argv);
            if format == Format::Json {
                let _ = writeln!(out, "{}", serde_json::to_string(&e).expect("serialisable"));
            } else {
                let _ = writeln!(out, "{}", visible::escape(&e.reply.text));
                for line in explain_lines(&e, &l.text) {
                    let _ = writeln!(out, "  {}", visible::escape(&line));
                }
            }
            e.reply.is_ok()
        } else {
            let r = a.dryrun(name, argv);
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
                match aclplay::input::split::split_args(line, 0) {
                    Ok(args) if args.is_empty() => {}
                    Ok(args) => {
                        let v: Vec<&[u8]> = args.iter().map(|x| x.bytes.as_slice()).collect();
                        all_ok &= answer(&v, &mut out);
                    }
                    Err(_) => {
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
            let keys = if c.has_keys() { c.keys_of(&v) } else { Vec::new() };
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

fn run(cli: Cli) -> Result<ExitCode, Fail> {
    let profile = Profile::by_id(&cli.server).expect("clap checked the id");
    let f = cli.format;
    Ok(match cli.command {
        Cmd::Check { input } => check(&load(&input, profile)?, f),
        Cmd::List { input } => list(&load(&input, profile)?, f),
        Cmd::Dryrun { input, user, commands, explain, argv } => {
            if input.file == "-" && commands.as_deref() == Some("-") {
                // Reading the input would leave no commands: every answer would be missing.
                return Err(Fail::Usage("the input and `--commands` cannot both be `-` (stdin)".into()));
            }
            dryrun(&load(&input, profile)?, f, &user, commands.as_deref(), explain, &argv)?
        }
        Cmd::Lint { input, deny, sarif, harden } => lint(&load(&input, profile)?, f, deny, sarif, harden),
        Cmd::Explain { input, user } => explain(&load(&input, profile)?, f, user.as_deref()),
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
    match run(Cli::parse()) {
        Ok(c) => c,
        Err(Fail::Usage(m)) => {
            eprintln!("error: {m}");
            ExitCode::from(2)
        }
        Err(Fail::Io(m)) => {
            eprintln!("error: {m}");
            ExitCode::from(3)
        }
    }
}
