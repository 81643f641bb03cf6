//! Review: answers to the questions people ask of a change, computed by the engine —
//! which server versions answer the same input differently ([`compare`]), and whether a
//! change of rules widens anyone's access ([`diff`], exact thanks to [`lang`] and
//! [`access`]), who may run what ([`matrix`]), and the least
//! privilege an application's traffic needs ([`draft`], from [`traffic`]), and whether
//! the engine agrees with a live server ([`verify`], with its seeded questions from
//! [`sample`]).

pub mod access;
pub mod compare;
pub mod diff;
pub mod draft;
pub mod lang;
pub mod matrix;
pub mod sample;
pub mod shapes;
pub mod traffic;
pub mod verify;
