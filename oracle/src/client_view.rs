//! Recording what a client logged in as a user is told (`aclplay-record client`,
//! `tests/corpus/<id>-client.jsonl.gz`): on a private server, each case's user gets its
//! rules, then `on` and a known password so that a second connection can log in as it.
//! Neither changes a verdict: `ACL DRYRUN` and the run-time checks read only the
//! selectors (commands, keys, channels, databases), never the `on`/`off` flag or the
//! passwords, and both come after the case's rules so that a `reset` in them cannot
//! undo the login.
//!
//! Only what cannot run a command is sent: the command at top level only when DRYRUN
//! refuses it; `MULTI`, the command, then `EXEC` only when the command was refused at
//! queue time (a queued one is dropped with the connection); `EVAL`/`FCALL` only when DRYRUN refuses
//! the command they call or the `EVAL`/`FCALL` line itself. `ACL LOG` is read and reset
//! after each.

use crate::record::reply_text;
use crate::resp::{Conn, Reply};
use crate::server::{Server, ServerId, ServerOptions};
pub use aclplay_formats::client::{
    ClientRecord, EVAL_SCRIPT, FCALL_FUNCTION, FCALL_LIBRARY, LogEntry, MultiRecord, TRANSACTION_COMMANDS,
};
use aclplay_formats::corpus::CaseInput;

/// The password the recorder gives each case's user.
pub const PASSWORD: &str = "aclplay-client-view";

/// Records client views against one private server.
pub struct ClientRecorder {
    server: Server,
    admin: Conn,
}

fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// Whether a generated case fits: a user that can log in (not `default`), a new
/// connection's database, no server configuration, a SETUSER and a command.
pub fn suitable(c: &CaseInput) -> bool {
    c.user != "default"
        && c.db.unwrap_or(0) == 0
        && c.server_config.is_none()
        && c.setuser_args.is_some()
        && !c.command.is_empty()
}

/// `ACL LOG` entries, newest first, without the volatile fields.
fn log_entries(r: &Reply) -> Result<Vec<LogEntry>, String> {
    let entries = r.as_array().ok_or_else(|| format!("ACL LOG: unexpected {r}"))?;
    entries
        .iter()
        .map(|e| {
            let a = e.as_array().ok_or_else(|| format!("ACL LOG entry: unexpected {e}"))?;
            let field = |k: &str| {
                a.chunks(2).find(|p| p.len() == 2 && reply_text(&p[0]) == k).map(|p| &p[1]).ok_or(format!("no {k}"))
            };
            Ok(LogEntry {
                count: field("count")?.as_int().ok_or("count")? as u64,
                reason: reply_text(field("reason")?),
                context: reply_text(field("context")?),
                object: reply_text(field("object")?),
                username: reply_text(field("username")?),
            })
        })
        .collect()
}

impl ClientRecorder {
    /// Starts a private server for `id` and loads the library of the function view.
    pub fn new(id: ServerId) -> Result<ClientRecorder, String> {
        let server = Server::start(id, ServerOptions::default())?;
        let mut admin = server.connect()?;
        let r = admin.command(&["FUNCTION", "LOAD", "REPLACE", FCALL_LIBRARY]).map_err(err("FUNCTION LOAD"))?;
        if r.is_error() {
            return Err(format!("FUNCTION LOAD: {}", reply_text(&r)));
        }
        Ok(ClientRecorder { server, admin })
    }

    fn admin<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Reply, String> {
        self.admin.command(args).map_err(err("admin connection"))
    }

    /// A new connection logged in as `user`.
    fn login(&self, user: &str) -> Result<Conn, String> {
        let mut c = self.server.connect()?;
        let r = c.command(&[b"AUTH".as_slice(), user.as_bytes(), PASSWORD.as_bytes()]).map_err(err("AUTH"))?;
        if !r.is_ok() {
            return Err(format!("AUTH as {user:?}: {}", reply_text(&r)));
        }
        Ok(c)
    }

    /// The log the last steps wrote, then `ACL LOG RESET`.
    fn take_log(&mut self) -> Result<Vec<LogEntry>, String> {
        let entries = log_entries(&self.admin(&["ACL", "LOG"])?)?;
        self.admin(&["ACL", "LOG", "RESET"])?;
        Ok(entries)
    }

    fn dryrun_ok(&mut self, user: &str, argv: &[&[u8]]) -> Result<(bool, String), String> {
        let mut a: Vec<&[u8]> = vec![b"ACL", b"DRYRUN", user.as_bytes()];
        a.extend_from_slice(argv);
        let r = self.admin(&a)?;
        Ok((r.is_ok(), reply_text(&r)))
    }

    /// Records one case; `None` when its SETUSER is refused (there is no user to log in
    /// as with those rules).
    pub fn record(&mut self, c: &CaseInput) -> Result<Option<ClientRecord>, String> {
        if !suitable(c) {
            return Ok(None);
        }
        let user = c.user.as_str();
        self.admin(&["ACL", "DELUSER", user])?;
        let args = c.setuser_args.as_ref().expect("suitable");
        for pre in c.pre.iter().flatten() {
            let a: Vec<&str> = ["ACL", "SETUSER", user].into_iter().chain(pre.iter().map(String::as_str)).collect();
            self.admin(&a)?;
        }
        let a: Vec<&str> = ["ACL", "SETUSER", user].into_iter().chain(args.iter().map(String::as_str)).collect();
        if !self.admin(&a)?.is_ok() {
            return Ok(None);
        }
        let login = format!(">{PASSWORD}");
        let r = self.admin(&["ACL", "SETUSER", user, "on", &login])?;
        if !r.is_ok() {
            return Err(format!("case {}: ACL SETUSER {user:?} on >…: {}", c.id, reply_text(&r)));
        }
        self.admin(&["ACL", "LOG", "RESET"])?;
        let argv: Vec<&[u8]> = c.command.iter().map(|a| a.as_bytes()).collect();
        let (line_ok, dryrun) = self.dryrun_ok(user, &argv)?;
        let mut rec = ClientRecord {
            id: c.id.clone(),
            tags: c.tags.clone(),
            user: c.user.clone(),
            pre: c.pre.clone(),
            setuser_args: args.clone(),
            command: c.command.clone(),
            dryrun,
            run: None,
            run_log: Vec::new(),
            multi: None,
            eval: None,
            eval_log: Vec::new(),
            fcall: None,
            fcall_log: Vec::new(),
        };
        if !line_ok {
            let mut conn = self.login(user)?;
            rec.run = Some(reply_text(&conn.command(&argv).map_err(err("the command"))?));
            drop(conn);
            rec.run_log = self.take_log()?;
        }
        let name = c.command[0].to_ascii_lowercase();
        if !TRANSACTION_COMMANDS.contains(&name.as_str()) {
            rec.multi = Some(self.multi(user, &argv)?);
        }
        for (head, fcall) in [
            ([b"EVAL".as_slice(), EVAL_SCRIPT.as_bytes(), b"0"], false),
            ([b"FCALL".as_slice(), FCALL_FUNCTION.as_bytes(), b"0"], true),
        ] {
            let outer: Vec<&[u8]> = head.iter().copied().chain(argv.iter().copied()).collect();
            if line_ok && self.dryrun_ok(user, &outer)?.0 {
                continue;
            }
            let mut conn = self.login(user)?;
            let reply = reply_text(&conn.command(&outer).map_err(err("the script"))?);
            drop(conn);
            let log = self.take_log()?;
            if fcall {
                (rec.fcall, rec.fcall_log) = (Some(reply), log);
            } else {
                (rec.eval, rec.eval_log) = (Some(reply), log);
            }
        }
        Ok(Some(rec))
    }

    /// `MULTI`, the command, then `EXEC` only when the command was refused (a queued one
    /// is dropped with the connection, so it never runs).
    fn multi(&mut self, user: &str, argv: &[&[u8]]) -> Result<MultiRecord, String> {
        let mut conn = self.login(user)?;
        let m = conn.command(&["MULTI"]).map_err(err("MULTI"))?;
        let mut rec = MultiRecord { multi: reply_text(&m), queued: None, exec: None, log: Vec::new() };
        if m.is_ok() {
            let q = conn.command(argv).map_err(err("the queued command"))?;
            // A queued command is dropped with the connection (not DISCARD, which the
            // user may not be allowed, and whose refusal would be logged).
            if !matches!(&q, Reply::Simple(s) if s == b"QUEUED") {
                rec.exec = Some(reply_text(&conn.command(&["EXEC"]).map_err(err("EXEC"))?));
            }
            rec.queued = Some(reply_text(&q));
        }
        drop(conn);
        rec.log = self.take_log()?;
        Ok(rec)
    }
}
