//! A server-rendered app: the server renders the page with the component's placeholder (a disabled
//! "Preparing…" button), the browser hydrates it, and only then does the flow start, in the browser.
//!
//! The same file builds both halves, as cargo-leptos does for an app:
//! - the server: `cargo run --example ssr --features ssr`, on <http://127.0.0.1:3001>;
//! - the client: `cargo build --example ssr --target wasm32-unknown-unknown --features hydrate`,
//!   then `wasm-bindgen --target web --out-dir target/site/pkg` on the `.wasm`, and the crate's
//!   `style/plaid-link.css` copied there too.
//!
//! The component calls `/api/link_token` and `/api/exchange_public_token` on this origin: route them
//! to your backend (the reference backend serves both).

use leptos::prelude::*;
use plaid_link::{PlaidLink, PlaidLinkOptions};

#[component]
fn App() -> impl IntoView {
    view! {
        <main>
            <h1>"Connect a bank account"</h1>
            <PlaidLink options=PlaidLinkOptions::default() />
        </main>
    }
}

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    use axum::response::Html;
    use axum::routing::get;

    // Leptos renders inside a reactive owner; the component touches no browser API here.
    let page = || async {
        let body = Owner::new().with(|| view! { <App /> }.to_html());
        // A real app would serve this script with a CSP nonce (Leptos' `HydrationScripts` can).
        Html(format!(
            r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bank</title>
<link rel="stylesheet" href="/pkg/plaid-link.css">
<script type="module">import init from "/pkg/ssr.js"; await init();</script>
</head><body>{body}</body></html>"#
        ))
    };
    let app = axum::Router::new()
        .route("/", get(page))
        .nest_service("/pkg", tower_http::services::ServeDir::new("target/site/pkg"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3001").await.expect("port 3001 is free");
    axum::serve(listener, app).await.expect("the server runs");
}

/// The browser: hydrate what the server rendered; the component starts Link after this.
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn main() {
    leptos::mount::hydrate_body(App);
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn main() {
    eprintln!("Build this example with --features ssr (the server) or --features hydrate (the client).");
}
