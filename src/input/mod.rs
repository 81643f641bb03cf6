//! Input: text in, a [`Document`] out. The pest grammar (`grammar.pest`) classifies each
//! line ([`parse`]) into the [`document`]'s shapes and guesses the kind of input; the
//! servers' own splitters ([`split`]) cut a line into arguments byte for byte;
//! [`command_lines`] reads redis-cli command lines for the simulator and the CLI;
//! [`highlight`] classifies every token for colouring.

pub mod command_lines;
pub mod document;
pub mod highlight;
pub mod parse;
pub mod split;

pub use document::{Document, Kind, Line, Shape};
