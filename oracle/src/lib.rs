//! Machinery that asks the real servers: private redis-server / valkey-server
//! processes, a byte-exact RESP2 client, recorders for command tables, ACL
//! cases, ACL/config files and what a logged-in client is told, a seeded case generator and a comparer.
#![forbid(unsafe_code)]

pub mod client_view;
pub mod compare;
pub mod files;
pub mod generate;
pub mod json;
pub mod monitor;
pub mod normalize;
/// The RESP client (`aclplay_client::resp`), where the recorders have always found it.
pub use aclplay_client::resp;
pub mod record;
pub mod server;
pub mod table;

pub use files::{ConfInput, ConfRecord, FileInput, FileRecord, FileRecorder};
pub use generate::{
    RulePair, WorkloadUser, fresh_seed, generate_cases, generate_files, generate_rule_pairs, generate_workload,
};
pub use record::{CaseInput, CaseRecord, CaseRecorder, GetUser, SelectorInfo};
pub use resp::{Conn, Reply, RespError};
pub use server::{Server, ServerId, ServerOptions, Startup, available, oracle_or_skip};
pub use table::{CommandInfo, CommandTable};
