//! The server's commands, per version: the recorded command tables ([`table`]), name
//! lookups ([`index`]), where a command line's keys and channels are ([`keys`]), which
//! databases it uses ([`databases`]), command sets ([`bitmap`]), and the profiles that tie
//! a table to a version's texts and behaviour switches ([`profile`], from the registry in
//! `data/servers/`).

pub mod bitmap;
pub mod databases;
pub mod index;
pub mod keys;
pub mod profile;
pub mod spec;
pub mod table;

pub use bitmap::Bitmap;
pub use profile::{PROFILES, Profile};
pub use spec::{CmdId, flag, keyflag};
