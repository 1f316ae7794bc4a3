//! The components, and the words they show for each state.

mod button;
mod embedded;
mod hosted;
pub mod texts;

pub use button::PlaidLink;
#[cfg(feature = "embed")]
pub(crate) use button::{link_view, Own};
pub use embedded::PlaidEmbeddedLink;
pub use hosted::PlaidHostedLink;
