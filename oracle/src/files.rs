//! Recording whole ACL files (ACL LOAD and startup) and config-file
//! scenarios (startup with `user` / `requirepass` / `aclfile` lines).
//!
//! To keep an administrative connection whatever the file does to
//! `default`, a line for the user [`ADMIN_USER`] is appended after the
//! file's last line (so the file's own line numbers do not move), the
//! recorder authenticates as that user, and that user is filtered out of
//! every user list it reports.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::normalize::normalize_acl_list;
use crate::record::reply_text;
use crate::resp::{Conn, Reply};
use crate::server::{RestartOutcome, Server, ServerId, ServerOptions, Startup};

/// The recorder's own user (never part of a recorded answer).
pub const ADMIN_USER: &str = "aclplay-oracle";
const ADMIN_PASS: &str = "aclplay-oracle-admin-7f3c9e1d5b2a48c6a0e4f8d2b6c1e3a5";

/// The ACL-file line defining the recorder's user.
pub fn admin_line() -> String {
    format!("user {ADMIN_USER} on >{ADMIN_PASS} ~* &* +@all")
}

/// `text` followed by the admin line (after a `\n` if `text` needs one).
pub fn with_admin(text: &str) -> String {
    let mut s = text.to_string();
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s.push_str(&admin_line());
    s.push('\n');
    s
}

fn is_admin_line(l: &str) -> bool {
    l.starts_with(&format!("user {ADMIN_USER} "))
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// An ACL file to load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileInput {
    pub id: String,
    #[serde(default)]
    pub tags: String,
    /// ACL file loaded before (so a failed LOAD shows these users kept);
    /// `None` = only the built-in `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preload: Option<String>,
    /// The file's text, byte for byte.
    pub file: String,
    /// Also start a server with this file as its aclfile (default true).
    #[serde(default = "yes")]
    pub startup: bool,
}

fn yes() -> bool {
    true
}

/// What the server did with an ACL file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    pub id: String,
    #[serde(default)]
    pub tags: String,
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preload: Option<String>,
    /// Reply of ACL LOAD (`OK` or the error line); null if it crashed.
    pub aclload: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub aclload_crash: bool,
    /// ACL LIST afterwards (normalised for redis-7.0, sorted); null after a
    /// crash.
    pub users_after: Option<Vec<String>>,
    /// ACL LIST killed the server (Valkey 8.1 first-arg with a quote).
    #[serde(default, skip_serializing_if = "is_false")]
    pub list_crash: bool,
    /// `ok` | `exit` | `crash`; absent when startup was not tried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_signal: Option<i32>,
    /// Output lines of a failed startup (prefixes stripped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_log: Option<Vec<String>>,
    /// ACL LIST after a successful startup (normalised, sorted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_users: Option<Vec<String>>,
}

fn user_list(id: ServerId, r: &Reply) -> Result<Vec<String>, String> {
    let a = r.as_array().ok_or_else(|| format!("ACL LIST: unexpected {r}"))?;
    let mut v: Vec<String> =
        a.iter().map(reply_text).filter(|l| !is_admin_line(l)).map(|l| normalize_acl_list(id, &l)).collect();
    v.sort();
    Ok(v)
}

fn admin_conn(server: &Server) -> Result<Conn, String> {
    let mut c = server.connect()?;
    let r = c.auth(ADMIN_USER, ADMIN_PASS).map_err(|e| format!("AUTH as {ADMIN_USER}: {e}"))?;
    if !r.is_ok() {
        return Err(format!("AUTH as {ADMIN_USER} refused: {r}"));
    }
    Ok(c)
}

/// Records [`FileInput`]s against one private server.
pub struct FileRecorder {
    server: Server,
    conn: Conn,
}

impl FileRecorder {
    pub fn new(id: ServerId) -> Result<FileRecorder, String> {
        let opts = ServerOptions { acl_file: Some(with_admin("")), ..Default::default() };
        let server = Server::start(id, opts)?;
        let conn = admin_conn(&server)?;
        Ok(FileRecorder { server, conn })
    }

    pub fn server_id(&self) -> ServerId {
        self.server.id()
    }

    /// ACL LIST without the recorder's user; `None` if it crashed the
    /// server (which is then restarted with only the recorder's user).
    fn list(&mut self) -> Result<Option<Vec<String>>, String> {
        match self.conn.command(&["ACL", "LIST"]) {
            Ok(r) => user_list(self.server.id(), &r).map(Some),
            Err(e) => {
                if self.server.wait_exit(Duration::from_secs(15)).is_none() {
                    return Err(format!("ACL LIST: lost the connection without a crash: {e}"));
                }
                self.server.restart_with_acl_file(&with_admin(""))?;
                self.conn = admin_conn(&self.server)?;
                Ok(None)
            }
        }
    }

    /// ACL LOAD of `text` + admin line. `Ok(None)` = the server crashed
    /// (it has been restarted).
    fn load(&mut self, text: &str) -> Result<Option<Reply>, String> {
        self.server.write_acl_file(&with_admin(text))?;
        match self.conn.command(&["ACL", "LOAD"]) {
            Ok(r) => {
                if r.is_ok() {
                    // A successful LOAD disconnects clients of replaced
                    // users, the recorder's own included.
                    self.conn = admin_conn(&self.server)?;
                }
                Ok(Some(r))
            }
            Err(e) => {
                if self.server.wait_exit(Duration::from_secs(15)).is_none() {
                    return Err(format!("ACL LOAD: lost the connection without a crash: {e}"));
                }
                self.server.restart()?;
                self.conn = admin_conn(&self.server)?;
                Ok(None)
            }
        }
    }

    pub fn record(&mut self, input: &FileInput) -> Result<FileRecord, String> {
        // Known starting state.
        let pre = input.preload.clone().unwrap_or_default();
        match self.load(&pre)? {
            Some(r) if r.is_ok() => {}
            other => {
                return Err(format!(
                    "{}: preload did not load: {}",
                    input.id,
                    other.map(|r| r.to_string()).unwrap_or("crash".into())
                ));
            }
        }
        let mut rec = FileRecord {
            id: input.id.clone(),
            tags: input.tags.clone(),
            file: input.file.clone(),
            preload: input.preload.clone(),
            aclload: None,
            aclload_crash: false,
            users_after: None,
            list_crash: false,
            startup: None,
            startup_signal: None,
            startup_log: None,
            startup_users: None,
        };
        match self.load(&input.file)? {
            Some(r) => {
                rec.aclload = Some(reply_text(&r));
                match self.list()? {
                    Some(u) => rec.users_after = Some(u),
                    None => rec.list_crash = true,
                }
            }
            None => rec.aclload_crash = true,
        }
        if input.startup {
            match self.server.restart_with_acl_file(&with_admin(&input.file))? {
                RestartOutcome::Ok => {
                    self.conn = admin_conn(&self.server)?;
                    rec.startup = Some("ok".into());
                    match self.list()? {
                        Some(u) => rec.startup_users = Some(u),
                        None => rec.list_crash = true,
                    }
                }
                RestartOutcome::Exited { output, .. } => {
                    rec.startup = Some("exit".into());
                    rec.startup_log = Some(output);
                }
                RestartOutcome::Crashed { signal, output } => {
                    rec.startup = Some("crash".into());
                    rec.startup_signal = Some(signal);
                    rec.startup_log = Some(output);
                }
            }
            if !matches!(rec.startup.as_deref(), Some("ok")) || rec.list_crash {
                self.server.restart()?;
                self.conn = admin_conn(&self.server)?;
            }
        }
        Ok(rec)
    }

    /// `ACL DRYRUN <user> <argv…>` for each command line, pipelined, against the users
    /// the server holds now (after the last [`FileRecorder::record`] of an input without
    /// `startup`: the file's users when it loaded, else what the server had): the reply
    /// texts, errors with their code.
    pub fn dryrun(&mut self, lines: &[(String, Vec<String>)]) -> Result<Vec<String>, String> {
        let cmds: Vec<Vec<&[u8]>> = lines
            .iter()
            .map(|(u, argv)| {
                let mut c: Vec<&[u8]> = vec![b"ACL", b"DRYRUN", u.as_bytes()];
                c.extend(argv.iter().map(|a| a.as_bytes()));
                c
            })
            .collect();
        let replies = self.conn.pipeline(&cmds).map_err(|e| format!("ACL DRYRUN: {e}"))?;
        Ok(replies.iter().map(reply_text).collect())
    }

    /// `AUTH <user> <password>` on a new connection (the recorder's own stays logged in
    /// as its admin user), against the users the server holds now: the reply text.
    pub fn auth(&mut self, user: &[u8], password: &[u8]) -> Result<String, String> {
        let mut c = self.server.connect()?;
        let r = c.command(&[&b"AUTH"[..], user, password]).map_err(|e| format!("AUTH: {e}"))?;
        Ok(reply_text(&r))
    }

    pub fn record_all(&mut self, inputs: &[FileInput]) -> Result<Vec<FileRecord>, String> {
        inputs.iter().map(|i| self.record(i)).collect()
    }
}

// ---------------------------------------------------------------------------
// Config scenarios.

/// A config-file scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfInput {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Config file text; `<workdir>` is replaced by the server directory.
    /// Written as `server.conf`; refer to an ACL file as `aclfile users.acl`.
    pub conf: String,
    /// Content of `users.acl` in the server directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl_file: Option<String>,
}

/// What starting with a config did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfRecord {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub conf: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl_file: Option<String>,
    /// `ok` | `exit` | `crash`.
    pub startup: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_signal: Option<i32>,
    /// Output lines of a failed startup (prefixes stripped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Vec<String>>,
    /// Replies to commands sent on a fresh, unauthenticated connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unauthenticated_probe: Option<BTreeMap<String, String>>,
    /// ACL LIST after startup (normalised, sorted, recorder user removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
}

fn conf_uses_aclfile(conf: &str) -> bool {
    conf.lines().any(|l| l.split_whitespace().next().is_some_and(|w| w.eq_ignore_ascii_case("aclfile")))
}

/// Starts a server with the scenario's config and records the outcome.
pub fn record_conf(id: ServerId, input: &ConfInput) -> Result<ConfRecord, String> {
    let uses_aclfile = conf_uses_aclfile(&input.conf);
    // Where the recorder's user can go without changing the scenario:
    // into the ACL file when the config reads one, else a config `user`.
    let (conf, acl_file, admin) = if uses_aclfile {
        match &input.acl_file {
            Some(a) => (input.conf.clone(), Some(with_admin(a)), true),
            None => (input.conf.clone(), None, false),
        }
    } else {
        let mut c = input.conf.clone();
        if !c.is_empty() && !c.ends_with('\n') {
            c.push('\n');
        }
        c.push_str(&admin_line());
        c.push('\n');
        (c, input.acl_file.clone(), true)
    };
    let opts = ServerOptions { config: Some(conf), acl_file, aclfile_arg: false, ..Default::default() };
    let mut rec = ConfRecord {
        id: input.id.clone(),
        note: input.note.clone(),
        conf: input.conf.clone(),
        acl_file: input.acl_file.clone(),
        startup: String::new(),
        startup_signal: None,
        output: None,
        unauthenticated_probe: None,
        users: None,
    };
    match Server::launch(id, opts)? {
        Startup::Ok(server) => {
            rec.startup = "ok".into();
            let mut c = server.connect()?;
            let ping = c.command(&["PING"]).map_err(|e| format!("PING: {e}"))?;
            rec.unauthenticated_probe = Some(BTreeMap::from([("PING".into(), reply_text(&ping))]));
            let mut conn = if admin { admin_conn(&server)? } else { c };
            let list = conn.command(&["ACL", "LIST"]).map_err(|e| format!("ACL LIST: {e}"))?;
            if list.as_array().is_some() {
                rec.users = Some(user_list(id, &list)?);
            }
        }
        Startup::Exited { output, .. } => {
            rec.startup = "exit".into();
            rec.output = Some(output);
        }
        Startup::Crashed { signal, output } => {
            rec.startup = "crash".into();
            rec.startup_signal = Some(signal);
            rec.output = Some(output);
        }
    }
    Ok(rec)
}

fn conf_header() -> &'static str {
    "port 7779\nbind 127.0.0.1\nsave \"\"\nappendonly no\ndir <workdir>\nlogfile \"\"\n"
}

/// A fixed, hand-written set of config scenarios.
pub fn conf_scenarios() -> Vec<ConfInput> {
    let h = conf_header();
    let c = |id: &str, note: &str, body: &str, acl: Option<&str>| ConfInput {
        id: id.to_string(),
        note: (!note.is_empty()).then(|| note.to_string()),
        conf: format!("{h}{body}"),
        acl_file: acl.map(str::to_string),
    };
    vec![
        c("conf-01", "requirepass only", "requirepass secret\n", None),
        c(
            "conf-02",
            "ACL file without default: requirepass is lost",
            "requirepass secret\naclfile users.acl\n",
            Some("user admin on >adminpw ~* &* +@all\n"),
        ),
        c(
            "conf-03",
            "ACL file with default overrides requirepass",
            "requirepass secret\naclfile users.acl\n",
            Some("user default on >filepw ~* &* +@all\nuser admin on >adminpw ~* &* +@all\n"),
        ),
        c(
            "conf-04",
            "config user lines use config tokenisation (quotes)",
            "user admin on >adminpw ~* &* +@all\nuser \"app\" on \">pw with space\" ~app:* \"(~x +get)\" +@read\nuser default off\n",
            None,
        ),
        c("conf-05", "bad rule: wrong argv index in the message", "user alice on badrule\n", None),
        c("conf-06", "duplicate user", "user alice on\nuser alice off\n", None),
        c("conf-07", "unknown command is found late", "user alice on +nosuch\nuser bob on\n", None),
        c("conf-08", "users in config and aclfile", "user alice on\naclfile users.acl\n", Some("user bob on\n")),
        c(
            "conf-09",
            "requirepass then user default",
            "requirepass secret\nuser default on nopass ~* &* +@all -flushall\nuser admin on >adminpw ~* &* +@all\n",
            None,
        ),
        c("conf-10", "unmatched parenthesis", "user alice on (~a +get\n", None),
        c("conf-11", "user default then requirepass", "user default on nopass ~* &* +@all\nrequirepass secret\n", None),
        c(
            "conf-12",
            "acl-pubsub-default allchannels before users",
            "acl-pubsub-default allchannels\nuser a on nopass +@all\nuser b on resetchannels &x\n",
            None,
        ),
        c(
            "conf-13",
            "acl-pubsub-default allchannels after users",
            "user a on nopass +@all\nacl-pubsub-default allchannels\n",
            None,
        ),
        c(
            "conf-14",
            "acl-pubsub-default allchannels with aclfile",
            "acl-pubsub-default allchannels\naclfile users.acl\n",
            Some("user a on nopass +@all\nuser b on resetchannels &x\n"),
        ),
        c(
            "conf-15",
            "EISDIR under allchannels in a config user",
            "acl-pubsub-default allchannels\nuser a on &x\n",
            None,
        ),
        c("conf-16", "uppercase USER keyword", "USER alice on nopass +@all\n", None),
        c("conf-17", "user keyword alone", "user\n", None),
        c("conf-18", "duplicate default", "user default on\nuser default off\n", None),
        c("conf-19", "aclfile with errors", "aclfile users.acl\n", Some("user a on +nosuch\nuser b on ~* ~x\n")),
        c(
            "conf-20",
            "aclfile that crashes (unmatched paren after rules)",
            "aclfile users.acl\n",
            Some("user a on (~x +get\n"),
        ),
        c("conf-21", "empty requirepass", "requirepass \"\"\n", None),
        c("conf-22", "selector in a config user", "user s on nopass ~a (~b +get) (+set ~c) +@read\n", None),
        c("conf-23", "default off without other users", "user default off\n", None),
        c("conf-24", "unknown category in config user", "user a on -@all +@nosuch\n", None),
        c("conf-25", "EEXIST in config user", "user a on allkeys ~x\n", None),
        c("conf-26", "bad hash in config user", "user a on #abc\n", None),
        c("conf-27", "missing aclfile", "aclfile users.acl\n", None),
        c(
            "conf-28",
            "requirepass and aclfile with restricted default",
            "requirepass secret\naclfile users.acl\n",
            Some("user default on nopass ~* &* +@all -flushall\n"),
        ),
        c(
            "conf-29",
            "database rules in config users (Valkey 9.1; a syntax error elsewhere)",
            "user a on nopass ~* +@all db=0,1 (db=2 ~x +get)\nuser b on nopass resetdbs \"db= 3,+4\"\n",
            None,
        ),
        c("conf-30", "a database id out of range in a config user", "user a on db=-1\n", None),
    ]
}

/// Records every scenario (one server at a time).
pub fn record_confs(id: ServerId, inputs: &[ConfInput]) -> Result<Vec<ConfRecord>, String> {
    inputs.iter().map(|i| record_conf(id, i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_line_goes_after_the_last_line() {
        assert_eq!(with_admin(""), format!("{}\n", admin_line()));
        assert_eq!(with_admin("user a\r"), format!("user a\r\n{}\n", admin_line()));
        assert_eq!(with_admin("user a\n"), format!("user a\n{}\n", admin_line()));
        assert!(conf_uses_aclfile("port 1\n  ACLFILE x\n"));
        assert!(!conf_uses_aclfile("user a\n"));
    }
}
