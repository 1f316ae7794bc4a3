//! The components, and the words they show for each state.

mod button;
mod embedded;
mod text;

pub(crate) use button::button_for;
pub use button::{PlaidLink, DEFAULT_LABEL};
pub use embedded::PlaidEmbeddedLink;
