//! Review: answers to the questions people ask of a change, computed by the engine —
//! which server versions answer the same input differently ([`compare`]), and whether
//! the engine agrees with a live server ([`verify`], with its seeded questions from
//! [`sample`]).

pub mod compare;
pub mod sample;
pub mod verify;
