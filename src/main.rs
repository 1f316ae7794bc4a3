//! The embeddable bundle: mounts a `<PlaidLink>` on every `[data-plaid-link]` element of the page.

// Constant-time, and a fraction of the default allocator's code (see Cargo.toml's `rlsf`).
#[global_allocator]
static ALLOCATOR: rlsf::SmallGlobalTlsf = rlsf::SmallGlobalTlsf::new();

fn main() {
    plaid_link::mount_all();
}
