//! `aclplay-record`: records what the oracle servers answer.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use aclplay_oracle::compare::{compare_values, describe};
use aclplay_oracle::files::{FileRecorder, conf_scenarios, record_confs};
use aclplay_oracle::record::{CaseInput, CaseRecorder, jsonl_lines, jsonl_writer, read_jsonl, write_jsonl};
use aclplay_oracle::table::{CommandTable, diff_tables, record_table_for};
use aclplay_oracle::{ServerId, generate_cases, generate_files, json, server};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "aclplay-record",
    about = "Ask the oracle servers of the registry (data/servers) and record their answers"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Record the command table into data/<server>.json (or compare with it).
    Tables {
        #[arg(long)]
        server: ServerId,
        /// Compare with the committed file; exit 1 with a summary if stale.
        #[arg(long)]
        check: bool,
        /// Write here instead of data/<server>.json.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Generate cases (or read them with --input) and record the answers.
    Cases {
        #[arg(long)]
        server: ServerId,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// JSONL(.gz) output; `.gz` compresses.
        #[arg(long)]
        out: PathBuf,
        /// Record these case inputs (JSONL, corpus lines work) instead of generating.
        #[arg(long)]
        input: Option<PathBuf>,
        /// Skip the ACL LOAD step.
        #[arg(long)]
        no_aclload: bool,
    },
    /// Write generated case inputs only (no server needed).
    GenCases {
        #[arg(long)]
        server: ServerId,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Generate multi-line ACL files and record ACL LOAD and startup.
    Files {
        #[arg(long)]
        server: ServerId,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 100)]
        count: usize,
        #[arg(long)]
        out: PathBuf,
        /// Do not try starting a server with each file.
        #[arg(long)]
        no_startup: bool,
    },
    /// Record the fixed config-file scenarios.
    Conf {
        #[arg(long)]
        server: ServerId,
        #[arg(long)]
        out: PathBuf,
    },
    /// Record `redis-cli MONITOR > OUT` while a mixed workload runs from several
    /// connections (the test data of `aclplay draft`).
    Monitor {
        #[arg(long)]
        server: ServerId,
        #[arg(long)]
        out: PathBuf,
    },
    /// Record `redis-cli ACL LOG` (raw, RESP2, RESP3) after the scenario's denied
    /// commands: `<OUT>-raw.txt`, `<OUT>-resp2.txt`, `<OUT>-resp3.txt` and the rules as
    /// `<OUT>-rules.acl`.
    AclLog {
        #[arg(long)]
        server: ServerId,
        #[arg(long)]
        out: PathBuf,
    },
    /// Generate cases and record what a client logged in as each user is told: the
    /// refused command at top level, inside MULTI, from EVAL/FCALL, and the ACL LOG
    /// entries (tests/corpus/<server>-client.jsonl.gz). Never runs an allowed command.
    Client {
        #[arg(long)]
        server: ServerId,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Records to write (cases the recorder cannot use are skipped).
        #[arg(long, default_value_t = 600)]
        count: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Compare two case JSONL files by id (first = server); exit 1 on differences.
    Compare {
        #[arg(long)]
        server: ServerId,
        expected: PathBuf,
        actual: PathBuf,
    },
}

fn load_table(id: ServerId) -> Result<CommandTable, String> {
    aclplay_oracle::table::load_table(id)
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.cmd {
        Cmd::Tables { server, check, out } => {
            let fresh = record_table_for(server)?.render();
            let path = match out {
                Some(p) => p,
                None => server::table_path(server).ok_or("cannot find the repository root")?,
            };
            if check {
                let committed = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                let diffs = diff_tables(&committed, &fresh);
                if diffs.is_empty() {
                    eprintln!("{}: up to date", path.display());
                    return Ok(ExitCode::SUCCESS);
                }
                eprintln!(
                    "{} is stale ({} difference(s)); run `aclplay-record tables --server {server}`:",
                    path.display(),
                    diffs.len()
                );
                for d in diffs.iter().take(50) {
                    eprintln!("  {d}");
                }
                return Ok(ExitCode::FAILURE);
            }
            std::fs::write(&path, fresh).map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        Cmd::Cases { server, seed, count, out, input, no_aclload } => {
            let cases: Vec<CaseInput> = match input {
                Some(p) => read_jsonl(&p)?,
                None => generate_cases(server, &load_table(server)?, seed, count),
            };
            let mut rec = CaseRecorder::new(server)?;
            rec.with_aclload = !no_aclload;
            let mut w = jsonl_writer(&out)?;
            let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
            let start = Instant::now();
            rec.record_each(&cases, |r| {
                *kinds.entry(r.dryrun_kind.clone().unwrap_or_default()).or_default() += 1;
                writeln!(w, "{}", r.to_line()).map_err(|e| e.to_string())
            })?;
            w.flush().map_err(|e| e.to_string())?;
            let secs = start.elapsed().as_secs_f64();
            let s = rec.stats();
            eprintln!(
                "{server}: {} cases in {secs:.2}s ({:.0}/s); dryrun kinds {kinds:?}; \
                 restarts {}, aclload crashes {}, list crashes {}",
                cases.len(),
                cases.len() as f64 / secs.max(1e-9),
                s.restarts,
                s.aclload_crashes,
                s.list_crashes
            );
        }
        Cmd::GenCases { server, seed, count, out } => {
            write_jsonl(&out, &generate_cases(server, &load_table(server)?, seed, count))?;
        }
        Cmd::Files { server, seed, count, out, no_startup } => {
            let mut inputs = generate_files(server, &load_table(server)?, seed, count);
            for i in &mut inputs {
                i.startup = !no_startup;
            }
            let mut rec = FileRecorder::new(server)?;
            let mut w = jsonl_writer(&out)?;
            let start = Instant::now();
            for i in &inputs {
                let r = rec.record(i)?;
                writeln!(w, "{}", json::to_line(&r)).map_err(|e| e.to_string())?;
            }
            w.flush().map_err(|e| e.to_string())?;
            eprintln!("{server}: {} files in {:.2}s", inputs.len(), start.elapsed().as_secs_f64());
        }
        Cmd::Monitor { server, out } => {
            let n = aclplay_oracle::monitor::record_monitor(server, &out)?;
            eprintln!("{server}: {n} lines in {}", out.display());
        }
        Cmd::AclLog { server, out } => {
            use aclplay_oracle::monitor::{ACL_LOG_RULES, acl_log_denials, record_acl_log};
            record_acl_log(server, ACL_LOG_RULES, &acl_log_denials(), &out)?;
            let mut rules = out.file_name().unwrap_or_default().to_os_string();
            rules.push("-rules.acl");
            std::fs::write(out.with_file_name(rules), ACL_LOG_RULES).map_err(|e| e.to_string())?;
            eprintln!("{server}: ACL LOG written next to {}", out.display());
        }
        Cmd::Client { server, seed, count, out } => {
            use aclplay_oracle::client_view::{ClientRecorder, suitable};
            // Drawn generously: cases that do not fit (another database, the default
            // user, a refused SETUSER) are skipped.
            let cases = generate_cases(server, &load_table(server)?, seed, count * 4);
            let mut rec = ClientRecorder::new(server)?;
            let mut w = jsonl_writer(&out)?;
            let (mut written, mut refused, mut multi_refused, mut scripts) = (0, 0, 0, 0);
            let start = Instant::now();
            for c in cases.iter().filter(|c| suitable(c)) {
                if written == count {
                    break;
                }
                let Some(r) = rec.record(c)? else { continue };
                refused += usize::from(r.run.is_some());
                multi_refused += usize::from(r.multi.as_ref().is_some_and(|m| m.exec.is_some()));
                scripts += usize::from(r.eval.is_some());
                writeln!(w, "{}", json::to_line(&r)).map_err(|e| e.to_string())?;
                written += 1;
            }
            w.flush().map_err(|e| e.to_string())?;
            eprintln!(
                "{server}: {written} client cases in {:.2}s: {refused} refused at top level, {multi_refused} \
                 refused at queue time, {scripts} scripts run",
                start.elapsed().as_secs_f64()
            );
            if written < count {
                return Err(format!("only {written} of {count} cases fit; raise the seed's draw"));
            }
        }
        Cmd::Conf { server, out } => {
            write_jsonl(&out, &record_confs(server, &conf_scenarios())?)?;
        }
        Cmd::Compare { server, expected, actual } => {
            let parse = |p: &PathBuf| -> Result<BTreeMap<String, serde_json::Value>, String> {
                jsonl_lines(p)?
                    .iter()
                    .map(|l| {
                        let v: serde_json::Value = serde_json::from_str(l).map_err(|e| e.to_string())?;
                        let id = v.get("id").and_then(|x| x.as_str()).unwrap_or("").to_string();
                        Ok((id, v))
                    })
                    .collect()
            };
            let (e, a) = (parse(&expected)?, parse(&actual)?);
            let mut bad = 0;
            for (id, ev) in &e {
                match a.get(id) {
                    None => {
                        bad += 1;
                        println!("case {id}: missing from {}", actual.display());
                    }
                    Some(av) => {
                        let d = compare_values(server, ev, av);
                        if !d.is_empty() {
                            bad += 1;
                            print!("{}", describe(id, &d));
                        }
                    }
                }
            }
            println!("{} cases, {bad} differing", e.len());
            return Ok(if bad == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE });
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("aclplay-record: {e}");
            ExitCode::from(2)
        }
    }
}
