//! `plaid-standin`: the stand-in on its own, on a loopback address, as an offline Plaid for any
//! project. Point your backend's Plaid base URL at the address it prints.
//!
//! `PLAID_STANDIN_ADDR` (default `127.0.0.1:4000`; loopback only: its keys are public),
//! `PLAID_CLIENT_ID` and `PLAID_SECRET` (default `local-client-id` / `local-secret`),
//! `PLAID_STANDIN_REDIRECT_URIS` (comma-separated: the OAuth redirect URIs to accept).

use std::sync::Arc;

use plaid_link_standin::{router, Standin, StandinConfig};

#[tokio::main]
async fn main() {
    let get = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let addr = get("PLAID_STANDIN_ADDR").unwrap_or_else(|| "127.0.0.1:4000".to_owned());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("plaid-standin: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    let Ok(addr) = listener.local_addr() else { std::process::exit(1) };
    if !addr.ip().is_loopback() {
        eprintln!("plaid-standin: {addr} is not a loopback address; the stand-in's keys are public");
        std::process::exit(2);
    }
    let mut config = StandinConfig { loopback_only: true, ..StandinConfig::default() };
    if let (Some(id), Some(secret)) = (get("PLAID_CLIENT_ID"), get("PLAID_SECRET")) {
        (config.client_id, config.secret) = (id, secret);
    }
    if let Some(uris) = get("PLAID_STANDIN_REDIRECT_URIS") {
        config.allowed_redirect_uris = uris.split(',').map(|u| u.trim().to_owned()).collect();
    }
    println!("listening on http://{addr} (Plaid's stand-in)");
    let app = router(Arc::new(Standin::new(config)));
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
        eprintln!("plaid-standin: {e}");
        std::process::exit(1);
    }
}
