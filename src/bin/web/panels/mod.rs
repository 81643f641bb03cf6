//! The panels: view functions over the app's state (each reads what it shows and
//! nothing else), and the two small memo components.

pub mod examples;
pub mod findings;
pub mod names;
pub mod outcome;
pub mod passwords;
pub mod share;
pub mod simulator;
pub mod snippets;
pub mod user_card;
pub mod users;
