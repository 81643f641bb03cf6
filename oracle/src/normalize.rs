//! The `ACL LIST` / `GETUSER` normalisation of `aclplay_formats::listing`, for a server
//! version of the registry (its `list_style`).

use crate::server::ServerId;
use aclplay_formats::listing;

/// Normalises a GETUSER `commands` string (one selector's command text).
pub fn normalize_commands(id: ServerId, commands: &str) -> String {
    listing::normalize_commands(id.behavior().list_style, commands)
}

/// Normalises a whole ACL LIST line (`user <name> ... (<selector>)...`).
pub fn normalize_acl_list(id: ServerId, line: &str) -> String {
    listing::normalize_acl_list(id.behavior().list_style, line)
}
