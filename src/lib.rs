//! aclplay: what a Redis or Valkey server would answer to ACL rules, byte for byte, and
//! why.
//!
//! The pipeline: [`parse`] (the pest grammar in `grammar.pest`) → [`model`] →
//! [`server`]/[`acl`] (applying rules) → [`dryrun`] / [`describe`] / [`lint`].
//! [`analyze()`] is the one entry point the CLI, the web app and the tests call.

pub mod acl;
pub mod batch;
pub mod describe;
pub mod dryrun;
pub mod glob;
pub mod keys;
pub mod profile;
pub mod server;
pub mod span;
pub mod split;
pub mod table;

pub use profile::{PROFILES, Profile};
