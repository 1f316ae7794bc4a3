//! The components, and the words they show for each state.

mod button;
mod embedded;
pub mod texts;

pub use button::PlaidLink;
#[cfg(feature = "embed")]
pub(crate) use button::{link_view, Own};
pub use embedded::PlaidEmbeddedLink;
