//! The embeddable bundle: mounts a `<PlaidLink>` on every `[data-plaid-link]` element of the page.

fn main() {
    plaid_link::mount_all();
}
