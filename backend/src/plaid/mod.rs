//! Plaid's API as the backend calls it: the client (`client.rs`; the real Plaid or the stand-in, only
//! the base URL differs) and the shapes of the requests and answers it uses (`types.rs`).

pub mod client;
pub mod types;
