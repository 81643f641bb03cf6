//! The browser, behind small functions: DOM helpers, storage, share links, timers.

pub mod dom;
pub mod link;
pub mod storage;
pub mod timer;
