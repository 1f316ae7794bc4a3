//! The components, and the words they show for each state.

mod button;
mod embedded;
pub mod texts;

#[cfg(feature = "embed")]
pub(crate) use button::link_view;
pub use button::PlaidLink;
pub use embedded::PlaidEmbeddedLink;
