//! What an analysis is given ([`Options`]) and what it holds ([`Analysis`]): the users
//! as the input defines them ([`UserReport`], with whether the server accepts each), what
//! the server does with the input as a whole ([`Outcome`]), and the diagnostics; the
//! verdicts are asked of it ([`Analysis::dryrun`], [`Analysis::explain`]).

use super::value::Value;
use crate::commands::Profile;
use crate::diagnostics::Diagnostic;
use crate::engine::acl::User;
use crate::engine::startup::Startup;
use crate::input::document::{Document, Kind};
use crate::span::Span;
use crate::verdicts::compiled::Compiled;
use crate::verdicts::describe::{acl_list_line, list_crash};
use crate::verdicts::{dryrun, explain};

/// What to analyse the text as.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub profile: &'static Profile,
    /// `None`: detect.
    pub kind: Option<Kind>,
    /// The `aclfile` name that `ACL LOAD` errors mention.
    pub acl_filename: &'a str,
    /// For a redis.conf that sets `aclfile`: that file's text.
    pub acl_file: Option<&'a str>,
    /// `acl-pubsub-default allchannels` (for ACL files and commands).
    pub pubsub_all: bool,
}

impl Options<'_> {
    pub fn new(profile: &'static Profile) -> Options<'static> {
        Options { profile, kind: None, acl_filename: "users.acl", acl_file: None, pubsub_all: false }
    }
}

/// The reply to one line of redis-cli input.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommandReply {
    pub line: usize,
    pub span: Span,
    pub reply: Value,
}

/// What the server does with the input as a whole.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    /// `ACL LOAD` of the file (also what start-up with it as `aclfile` does).
    AclLoad { reply: String, crash: bool, startup: Startup },
    /// Start-up with the config.
    Startup(Startup),
    /// One reply per command line.
    Commands { replies: Vec<CommandReply> },
}

/// Whether the server accepts a user's definition.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "kebab-case")]
pub enum Status {
    Accepted,
    /// Refused, with the server's words.
    Rejected(String),
    /// The server crashes on it.
    Crash(String),
    /// Accepted, but listing it crashes the server.
    ListCrash,
    /// Not defined in the input: the server's built-in user.
    Builtin,
}

/// Whose users the server holds once it has the input ([`Analysis::served`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Served {
    /// The input's users.
    Input,
    /// A fresh server's: `ACL LOAD` refused the file.
    Fresh,
    /// None: the server is down.
    Down(Down),
}

/// Why the server is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Down {
    /// It crashed on the input.
    Crashed,
    /// It refused to start with the configuration.
    NotStarted,
}

/// One user as the input defines it.
#[derive(Debug, Clone)]
pub struct UserReport {
    pub user: User,
    /// Where it is defined (the line, or the last `ACL SETUSER` of it).
    pub span: Option<Span>,
    pub status: Status,
}

impl UserReport {
    pub fn name(&self) -> String {
        String::from_utf8_lossy(&self.user.name).into_owned()
    }
}

/// Everything about one text.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub profile: &'static Profile,
    pub document: Document,
    pub options_pubsub_all: bool,
    /// The users, in input order (the built-in `default` last when the input does not
    /// define it).
    pub users: Vec<UserReport>,
    pub outcome: Outcome,
    pub diagnostics: Vec<Diagnostic>,
    /// `users` compiled for [`Analysis::dryrun`] and [`Analysis::user`] (the one index of
    /// the users by name), on first use.
    pub(super) compiled: std::sync::OnceLock<Compiled>,
}

impl Analysis {
    /// The compiled users (see `verdicts::compiled`), built on first use.
    fn compiled(&self) -> &Compiled {
        self.compiled.get_or_init(|| Compiled::new(self.users.iter().map(|r| &r.user)))
    }

    /// The first user of that name (the one the server has).
    pub fn user(&self, name: &[u8]) -> Option<&User> {
        // The index is used while `users` has the length it was compiled with; a caller
        // that added or removed users gets the plain scan.
        let c = self.compiled();
        if c.len == self.users.len() {
            return c.position(name).map(|i| &self.users[i].user);
        }
        self.users.iter().map(|r| &r.user).find(|u| u.name == name)
    }

    /// `ACL DRYRUN <name> <argv…>` against the users as written.
    ///
    /// Answered from the compiled form of `users` (see `verdicts::compiled`), with the
    /// same replies as [`dryrun::dryrun`] on the users. A caller that changes `users` in
    /// place afterwards, rather than analysing the new text, must not expect DRYRUN to
    /// follow (as with [`Analysis::user`]): the compiled form is set aside only when the
    /// number of users changes.
    pub fn dryrun(&self, name: &[u8], argv: &[&[u8]]) -> crate::verdicts::Reply {
        self.dryrun_in(name, argv, 0)
    }

    /// [`Analysis::dryrun`] asked on a connection that has selected database `db` (what
    /// database rules check; see [`dryrun::dryrun_in`]).
    pub fn dryrun_in(&self, name: &[u8], argv: &[&[u8]], db: i64) -> crate::verdicts::Reply {
        let c = self.compiled();
        if c.len == self.users.len() {
            return c.dryrun(self.profile, name, argv, db);
        }
        dryrun::dryrun_in(self.profile, name, self.user(name), argv, db)
    }

    /// What a client logged in as the user `name` is told when it sends `argv` (at top
    /// level, inside `MULTI`, from `EVAL`/`FCALL`, and the `ACL LOG` entries): see
    /// `verdicts::client`. `None` when there is no such user or the line is empty.
    pub fn client_view(&self, name: &[u8], argv: &[&[u8]]) -> Option<crate::verdicts::client::ClientView> {
        crate::verdicts::client::client_view(self.profile, self.user(name)?, argv)
    }

    pub fn explain(&self, name: &[u8], argv: &[&[u8]]) -> explain::Explanation {
        self.explain_in(name, argv, 0)
    }

    /// [`Analysis::explain`] in database `db`.
    pub fn explain_in(&self, name: &[u8], argv: &[&[u8]], db: i64) -> explain::Explanation {
        explain::explain_in(self.profile, name, self.user(name), argv, db)
    }

    /// The `ACL LIST` line of a user, unless listing it crashes the server.
    pub fn acl_list(&self, u: &User) -> Option<String> {
        list_crash(u, self.profile)
            .is_none()
            .then(|| String::from_utf8_lossy(&acl_list_line(u, self.profile)).into_owned())
    }

    /// Who the server holds once it has the input: the input's users when it takes the
    /// input (`ACL LOAD` accepts the file, the configuration starts, a redis-cli session's
    /// users after its commands), a fresh server's users when `ACL LOAD` refuses the file
    /// (no change to the previously active rules), nobody when the server is down.
    pub fn served(&self) -> Served {
        match &self.outcome {
            Outcome::AclLoad { crash: true, .. } => Served::Down(Down::Crashed),
            Outcome::AclLoad { reply, .. } if reply != "OK" => Served::Fresh,
            Outcome::Startup(Startup::Running) | Outcome::AclLoad { .. } | Outcome::Commands { .. } => Served::Input,
            Outcome::Startup(Startup::Crash { .. }) => Served::Down(Down::Crashed),
            Outcome::Startup(_) => Served::Down(Down::NotStarted),
        }
    }

    /// `ACL DRYRUN` as the server answers it once it has the input ([`Analysis::served`]):
    /// against the input's users, a fresh server's (only `default`), or no answer when
    /// the server is down.
    pub fn served_dryrun(&self, name: &[u8], argv: &[&[u8]]) -> Result<crate::verdicts::Reply, Down> {
        match self.served() {
            Served::Input => Ok(self.dryrun(name, argv)),
            Served::Fresh => {
                let ctx = crate::engine::acl::Ctx { profile: self.profile, pubsub_all: self.options_pubsub_all };
                let default = User::new_default(&ctx);
                let user = (name == default.name.as_slice()).then_some(&default);
                Ok(dryrun::dryrun(self.profile, name, user, argv))
            }
            Served::Down(d) => Err(d),
        }
    }

    /// [`Analysis::explain`] as the server answers once it has the input (see
    /// [`Analysis::served_dryrun`]): after a refused `ACL LOAD` only a fresh server's
    /// `default` exists, so any other name is the server's own `User '…' not found`.
    pub fn served_explain(&self, name: &[u8], argv: &[&[u8]]) -> Result<explain::Explanation, Down> {
        match self.served() {
            Served::Input => Ok(self.explain(name, argv)),
            Served::Fresh => {
                let ctx = crate::engine::acl::Ctx { profile: self.profile, pubsub_all: self.options_pubsub_all };
                let default = User::new_default(&ctx);
                let user = (name == default.name.as_slice()).then_some(&default);
                Ok(explain::explain(self.profile, name, user, argv))
            }
            Served::Down(d) => Err(d),
        }
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == crate::diagnostics::Severity::Error)
    }
}
