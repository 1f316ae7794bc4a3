//! The components, and the words they show for each state.

mod button;
mod text;

pub use button::{PlaidLink, DEFAULT_LABEL};
