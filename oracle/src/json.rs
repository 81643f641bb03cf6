//! JSON output in the corpus style (one home: `aclplay_formats::json`).

pub use aclplay_formats::json::*;
