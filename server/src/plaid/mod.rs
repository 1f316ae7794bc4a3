//! Plaid's API as the backend calls it: the client (`client.rs`; the real Plaid or the stand-in, only
//! the base URL differs) and the shapes of the requests and answers it uses (the `plaid-link-api` crate, which the stand-in
//! shares).

pub mod client;
pub use plaid_link_api as types;
