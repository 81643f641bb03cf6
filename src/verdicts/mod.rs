//! Verdicts: what the server answers about users, and why. `ACL DRYRUN` ([`dryrun`], its
//! reply texts in [`reply`], the users compiled for speed in [`compiled`]), the
//! explanation of a verdict ([`explain`]), `ACL LIST` / `ACL GETUSER` ([`describe`]) and
//! what a user may do in plain words ([`summary`]), and what a client logged in as the user
//! is told at run time, inside `MULTI`, from a script and in `ACL LOG` ([`client`]).

pub mod client;
pub mod compiled;
pub mod describe;
pub mod dryrun;
pub mod explain;
pub mod reply;
pub mod summary;

pub use dryrun::{dryrun, dryrun_in, resolve};
pub use explain::{ArgCheck, CommandWhy, SelectorExplain};
pub use explain::{DbCheck, Explanation, explain, explain_in};
pub use reply::{Denial, Reply, ReplyKind, ReplyText};
