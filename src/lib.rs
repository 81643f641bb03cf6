//! aclplay: what a Redis or Valkey server would answer to ACL rules, byte for byte, and
//! why.
//!
//! The pipeline: [`parse`] (the pest grammar in `grammar.pest`) → [`model`] →
//! [`server`]/[`acl`] (applying rules) → [`dryrun`] / [`describe`] / [`lint`].
//! [`analyze()`] is the one entry point the CLI, the web app and the tests call.

pub mod acl;
pub mod analyze;
pub mod batch;
pub mod describe;
pub mod diag;
pub mod dryrun;
pub mod glob;
pub mod highlight;
pub mod int;
pub mod keys;
pub mod lint;
pub mod model;
pub mod parse;
pub mod password;
pub mod profile;
pub mod server;
pub mod sort;
pub mod span;
pub mod split;
pub mod startup;
pub mod summary;
pub mod table;

pub use analyze::{Analysis, Options, analyze};
pub use model::Kind;
pub use profile::{PROFILES, Profile};
