//! Talking to a live Redis or Valkey server, byte for byte: a RESP2 client over TCP or
//! (feature `tls`) TLS, and reading the server's command table and identity. Shared by
//! the `aclplay` CLI (`aclplay verify`, against a user's server) and the oracle crate
//! (against our private servers); it knows nothing of the engine or of the registry.
#![forbid(unsafe_code)]

pub mod resp;
pub mod table;
#[cfg(feature = "tls")]
pub mod tls;

pub use resp::{Conn, ConnectError, Reopen, Reply, RespError};
