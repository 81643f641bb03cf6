//! The data formats of aclplay, one home each, shared by the engine's build script, the
//! engine, the oracle crate and the tests:
//!
//! * [`registry`]: one TOML file per server version (`data/servers/<id>.toml`): its id,
//!   exact version, texts, behaviour switches, command table and how its oracle is
//!   installed. Adding a version whose behaviours exist is adding a file here.
//! * [`table`]: a command table as recorded from a live server (`data/tables/<id>.json`).
//! * [`packed`]: the tables of every version, deduplicated and packed into the bytes the
//!   engine decodes (`commands::table`).
//! * [`flags`]: the names of the command and key-spec flags, in the order of their bits.
//! * [`listing`]: `ACL LIST` text normalised for the versions that print single-command
//!   rules in hash order.
//! * [`corpus`]: one recorded case (`tests/corpus/*.jsonl`): the input and every answer;
//!   [`json`] writes them in the corpus' JSON style.
//! * [`client`]: what a client logged in as a user is told (`tests/corpus/*-client.jsonl`):
//!   the refusals at top level, inside `MULTI`, from a script, and the `ACL LOG` entries.
//! * [`pack`]: a trainer pack of ACL challenges (`data/challenges/*.json`).

#![forbid(unsafe_code)]

pub mod client;
pub mod corpus;
pub mod flags;
#[cfg(feature = "files")]
pub mod json;
pub mod listing;
pub mod pack;
#[cfg(feature = "files")]
pub mod packed;
pub mod registry;
#[cfg(feature = "files")]
pub mod table;

pub use registry::{Behavior, DenialStyle, KeyPermissions, KeynumLast, ListStyle};
