//! aclplay: what a Redis or Valkey server would answer to ACL rules, byte for byte, and
//! why. One core behind the `aclplay` CLI, the playground and the tests; it reads as the
//! pipeline a pasted rule goes through.

// Shared leaves: byte primitives the servers' C code implies, spans, sorting, passwords,
// and how user text is shown (hidden characters as escapes).
pub mod bytes;
pub mod password;
pub mod sort;
pub mod span;
pub mod visible;

// 1. Input: text → a document of line shapes, split the way each server splits.
pub mod input;
// 2. The server's commands, per version: tables, name lookups, keys, profiles.
pub mod commands;
// 3. The engine: the ACL model, applying rules, the server's user table, start-up.
pub mod engine;
// 4. Verdicts: ACL DRYRUN and why, ACL LIST / GETUSER, plain words.
pub mod verdicts;
// 5. Diagnostics, and the entry point that ties the stages together.
pub mod analysis;
pub mod diagnostics;
// 6. The security audit of an analysis, with its fixes.
pub mod audit;
// 7. Review: comparing versions (and, later, rule sets) on the same input.
pub mod review;
// 8. Workshop: expected-outcome tests, their mutation coverage, challenges.
pub mod workshop;

// Recorded cases answered by the engine (`aclplay batch`, the corpus replays).
pub mod corpus;

pub use analysis::{Analysis, Options, analyze};
pub use commands::{PROFILES, Profile};
pub use input::Kind;
