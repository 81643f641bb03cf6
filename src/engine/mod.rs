//! The engine: what the server holds and does with ACL rules. The ACL model ([`acl`]),
//! arguments with their source spans ([`token`]), applying rule tokens ([`rules`]), the
//! server's user table and the commands that change it: `ACL SETUSER` / `DELUSER` /
//! `LOAD` ([`server`]), and start-up from a configuration ([`startup`]).

pub mod acl;
pub mod rules;
pub mod server;
pub mod startup;
pub mod token;
