//! Review: answers to the questions people ask of a change, computed by the engine —
//! which server versions answer the same input differently ([`compare`]).

pub mod compare;
