//! `aclplay verify --scratch`: replays whole cases on the server with temporary users
//! named `aclplay-verify-<random>-…`, and removes every one of them whatever happens: at
//! the end of each batch, at the end of the run, when the run fails (a broken connection
//! is replaced by a fresh one), when it panics (a guard that sweeps on drop) and on
//! Ctrl-C (the handler asks the run to stop after its batch; a third Ctrl-C leaves at
//! once, naming what is left). Nothing else on the server is written: no `ACL LOAD`, no
//! `ACL SAVE`, no `CONFIG SET`.

use super::{Args, Session, Stop, code, got, stop};
use aclplay::Profile;
use aclplay::corpus::CaseInput;
use aclplay::review::sample::generated_cases;
use aclplay::review::verify::{
    CasePlan, ScratchReport, Skipped, Verification, batch_commands, batch_differences, plan_case, relisting_case,
    skip_reason, upstream_applies,
};
use aclplay_client::{Reopen, Reply};
use std::io::Read;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The inputs of the servers' own ACL test scenarios (the union of every version's
/// `tests/corpus/<id>-upstream` inputs without the answers; each version replays those
/// [`upstream_applies`] gives it, and `tests/verify.rs` checks they are its corpus's),
/// compressed into the binary: an installed `aclplay` has no repository to read them from.
static UPSTREAM: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/verify/upstream.jsonl.gz"));

/// The embedded upstream scenarios of `profile`.
pub fn upstream_cases(profile: &Profile) -> Vec<CaseInput> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(UPSTREAM).read_to_string(&mut text).expect("the embedded scenarios decompress");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<CaseInput>(l).expect("the embedded scenarios parse"))
        .filter(|c| upstream_applies(c, profile))
        .collect()
}

/// Ctrl-C presses seen (the handler is installed once, for `--scratch` only).
static INTERRUPTS: AtomicUsize = AtomicUsize::new(0);
static PREFIX: OnceLock<String> = OnceLock::new();

fn install_handler(prefix: &str) -> Result<(), Stop> {
    let _ = PREFIX.set(prefix.to_string());
    ctrlc::set_handler(|| {
        let n = INTERRUPTS.fetch_add(1, Ordering::SeqCst) + 1;
        let prefix = PREFIX.get().map_or("aclplay-verify-", String::as_str);
        if n >= 3 {
            eprintln!("interrupted three times: leaving now; remove what is left with ACL DELUSER ({prefix}*)");
            std::process::exit(i32::from(code::INTERRUPTED));
        }
        eprintln!("interrupted: removing the temporary users ({prefix}*) first; Ctrl-C twice more to leave them");
    })
    .map_err(|e| stop(code::BROKEN, format!("cannot catch Ctrl-C ({e}), so --scratch could not clean up after it")))
}

fn interrupted() -> bool {
    INTERRUPTS.load(Ordering::SeqCst) > 0
}

/// Deletes every user whose name starts with the prefix: through a fresh connection (the
/// run's may be the thing that broke), until `ACL USERS` shows none.
struct Guard {
    reopen: Reopen,
    prefix: String,
    removed: usize,
    done: bool,
}

impl Guard {
    /// The number of users deleted and those still there.
    fn sweep(&mut self) -> Result<Vec<String>, String> {
        let mut last = String::new();
        for _ in 0..3 {
            let mut c = match self.reopen.open() {
                Ok(c) => c,
                Err(e) => {
                    last = format!("cannot connect to clean up: {e}");
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    continue;
                }
            };
            let ours = |c: &mut aclplay_client::Conn| -> Result<Vec<Vec<u8>>, String> {
                let r = c.command(&["ACL", "USERS"]).map_err(|e| format!("ACL USERS: {e}"))?;
                let names = r.as_array().ok_or_else(|| format!("ACL USERS answered {r}"))?;
                Ok(names
                    .iter()
                    .filter_map(|n| if let Reply::Bulk(Some(b)) = n { Some(b.clone()) } else { None })
                    .filter(|n| n.starts_with(self.prefix.as_bytes()))
                    .collect())
            };
            let found = ours(&mut c)?;
            for chunk in found.chunks(500) {
                let args: Vec<&[u8]> =
                    [b"ACL".as_slice(), b"DELUSER"].into_iter().chain(chunk.iter().map(Vec::as_slice)).collect();
                let r = c.command(&args).map_err(|e| format!("ACL DELUSER: {e}"))?;
                self.removed += r.as_int().unwrap_or(0) as usize;
            }
            let left = ours(&mut c)?;
            self.done = true;
            return Ok(left.iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect());
        }
        Err(last)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if !self.done {
            match self.sweep() {
                Ok(left) if left.is_empty() => {
                    eprintln!("removed the temporary users ({}*); none is left", self.prefix)
                }
                Ok(left) => eprintln!("could not remove temporary users: {}", left.join(", ")),
                Err(e) => eprintln!("could not remove the temporary users ({}*): {e}", self.prefix),
            }
        }
    }
}

/// How many cases travel in one pipeline (their users exist until the batch's
/// `ACL DELUSER`).
const BATCH: usize = 32;

/// Replays the scratch cases, and sets the `relist` lines again (those that did not read
/// back), adding what differs to `report`.
pub fn run(
    s: &mut Session,
    profile: &'static Profile,
    args: &Args,
    seed: u64,
    relist: &[Vec<u8>],
    report: &mut Verification,
) -> Result<(), Stop> {
    let r = s.command("CONFIG GET acl-pubsub-default", &[b"CONFIG", b"GET", b"acl-pubsub-default"])?;
    let pubsub = r
        .as_array()
        .and_then(|a| a.get(1))
        .and_then(Reply::text)
        .ok_or_else(|| stop(code::BROKEN, format!("CONFIG GET acl-pubsub-default answered {r}")))?;
    let mut id = [0u8; 4];
    getrandom::fill(&mut id).map_err(|e| stop(code::BROKEN, format!("no randomness for the users' prefix: {e}")))?;
    let prefix = format!("aclplay-verify-{}-", aclplay::bytes::hex(&id));
    install_handler(&prefix)?;
    let mut guard = Guard { reopen: s.conn.reopener(), prefix: prefix.clone(), removed: 0, done: false };
    let mut scratch = ScratchReport { prefix: prefix.clone(), ..ScratchReport::default() };
    let outcome = replay(s, profile, args, seed, &pubsub, &prefix, &mut scratch, report)
        .and_then(|()| relisting(s, profile, &pubsub, &prefix, relist, &mut scratch, report));
    let swept = guard.sweep();
    scratch.removed += guard.removed;
    match swept {
        Ok(left) => scratch.left = left,
        Err(e) => {
            let why = format!("could not remove the temporary users ({prefix}*): {e}; remove them with ACL DELUSER");
            return Err(stop(
                code::LEFT_BEHIND,
                match outcome {
                    Err(first) => format!("{}\n{why}", first.message),
                    Ok(()) => why,
                },
            ));
        }
    }
    let removed = format!("removed its {} temporary users ({prefix}*); none is left", scratch.removed);
    match outcome {
        Err(first) if !scratch.left.is_empty() => Err(stop(
            code::LEFT_BEHIND,
            format!("{}\ncould not remove temporary users: {}", first.message, scratch.left.join(", ")),
        )),
        Err(first) => Err(Stop { code: first.code, message: format!("{}\n{removed}", first.message) }),
        Ok(()) => {
            report.scratch = Some(scratch);
            Ok(())
        }
    }
}

/// Sets each user's `ACL LIST` line again on a temporary user: where the server lists it
/// as the engine does, the line's difference is the server's own (it does not read its
/// line back to itself either) and moves to `report.unstable`.
fn relisting(
    s: &mut Session,
    profile: &'static Profile,
    pubsub: &str,
    prefix: &str,
    lines: &[Vec<u8>],
    scratch: &mut ScratchReport,
    report: &mut Verification,
) -> Result<(), Stop> {
    let style = profile.behavior.list_style;
    for (n, line) in lines.iter().enumerate() {
        if interrupted() {
            return Err(stop(code::INTERRUPTED, "interrupted"));
        }
        let Some(case) = relisting_case(line) else { continue };
        let original = case.user.clone();
        let plan = plan_case(&case, &format!("{prefix}r{n}-{original}"), profile, pubsub);
        let batch = std::slice::from_ref(&plan);
        let cmds = batch_commands(batch);
        let replies = s.pipeline("setting an ACL LIST line again", &cmds, cmds.len())?;
        let gots: Vec<_> = replies.iter().map(got).collect();
        let diffs = batch_differences(batch, &gots, style);
        let r = s.command("ACL DELUSER", &[b"ACL", b"DELUSER", plan.case.user.as_bytes()])?;
        scratch.removed += r.as_int().unwrap_or(0) as usize;
        scratch.relisted += 1;
        if diffs.is_empty() {
            let at = report.differences.iter().position(
                |d| matches!(&d.subject, aclplay::review::verify::Subject::AclList { user } if *user == original),
            );
            if let Some(i) = at {
                report.unstable.push(report.differences.remove(i));
            }
        } else {
            report.differences.extend(diffs);
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn replay(
    s: &mut Session,
    profile: &'static Profile,
    args: &Args,
    seed: u64,
    pubsub: &str,
    prefix: &str,
    scratch: &mut ScratchReport,
    report: &mut Verification,
) -> Result<(), Stop> {
    let mut plans: Vec<CasePlan> = Vec::new();
    let upstream = upstream_cases(profile);
    let generated = generated_cases(profile, seed, args.cases);
    for (n, case) in upstream.iter().chain(&generated).enumerate() {
        if let Some(why) = skip_reason(case, pubsub) {
            scratch.skipped.push(Skipped { id: case.id.clone(), why });
            continue;
        }
        plans.push(plan_case(case, &format!("{prefix}{n}-{}", case.user), profile, pubsub));
    }
    scratch.upstream = upstream.len() - scratch.skipped.len();
    scratch.generated = generated.len();
    let style = profile.behavior.list_style;
    for batch in plans.chunks(BATCH) {
        if interrupted() {
            return Err(stop(code::INTERRUPTED, "interrupted"));
        }
        let cmds = batch_commands(batch);
        let replies = s.pipeline("a scratch case", &cmds, cmds.len())?;
        let gots: Vec<_> = replies.iter().map(got).collect();
        report.differences.extend(batch_differences(batch, &gots, style));
        let del: Vec<Vec<u8>> = [b"ACL".to_vec(), b"DELUSER".to_vec()]
            .into_iter()
            .chain(batch.iter().map(|p| p.case.user.as_bytes().to_vec()))
            .collect();
        let r = s.command("ACL DELUSER", &del.iter().map(Vec::as_slice).collect::<Vec<_>>())?;
        scratch.removed += r.as_int().unwrap_or(0) as usize;
    }
    if interrupted() {
        return Err(stop(code::INTERRUPTED, "interrupted"));
    }
    Ok(())
}
