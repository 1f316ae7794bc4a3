//! `plaid-link-dev`: the reference backend with Plaid's stand-in, on loopback.
//!
//! `plaid-link-dev` serves; `plaid-link-dev items` lists the stored items (never their tokens).

use plaid_link_backend::config::{Config, PlaidEnv};
use plaid_link_backend::{store, Server};

#[tokio::main]
async fn main() {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("plaid-link-dev: {e}");
            std::process::exit(2);
        }
    };
    if std::env::args().nth(1).as_deref() == Some("items") {
        let listed = store::Store::open(&config.database, &config.token_key, config.plaid_env.name())
            .and_then(|s| s.items());
        match listed {
            Ok(items) => println!("{}", serde_json::to_string_pretty(&items).unwrap_or_default()),
            Err(e) => {
                eprintln!("plaid-link-dev: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    if config.ephemeral_key {
        eprintln!("plaid-link-dev: TOKEN_ENCRYPTION_KEY is not set; using a key for this run only");
    }
    let server = match Server::bind(&config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("plaid-link-dev: cannot start on {}: {e}", config.addr);
            std::process::exit(1);
        }
    };
    let plaid = match config.plaid_env {
        PlaidEnv::Local => "the local stand-in",
        PlaidEnv::Sandbox => "Plaid sandbox",
        PlaidEnv::Production => "Plaid production",
    };
    // The first line on stdout is read by the test harness to find the port.
    println!("listening on {}://{} (Plaid: {plaid})", server.scheme, server.addr);
    if let Err(e) = server.run().await {
        eprintln!("plaid-link-dev: {e}");
        std::process::exit(1);
    }
}
