//! `plaid-link-dev`: the reference backend with Plaid's stand-in, on loopback.
//!
//! `plaid-link-dev` serves; `plaid-link-dev items` lists the stored items (never their tokens);
//! `plaid-link-dev rotate-key` re-encrypts every item under `TOKEN_ENCRYPTION_KEY`, after which
//! `TOKEN_ENCRYPTION_PREVIOUS_KEYS` can be emptied.

use plaid_link_backend::config::{Config, PlaidEnv};
use plaid_link_backend::{store, Server};

#[tokio::main]
async fn main() {
    plaid_link_backend::logging::init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("plaid-link-dev: {e}");
            std::process::exit(2);
        }
    };
    let command = std::env::args().nth(1);
    if let Some(command @ ("items" | "rotate-key")) = command.as_deref() {
        let done = match store::Store::open(&config.database, config.token_keys(), config.plaid_env.name()).await {
            Ok(store) if command == "items" => {
                store.items().await.map(|items| serde_json::to_string_pretty(&items).unwrap_or_default())
            }
            Ok(store) => store.rotate_keys().await.map(|n| {
                let id = config.token_keys().current().id().to_owned();
                format!("re-encrypted {n} items under key {id}; TOKEN_ENCRYPTION_PREVIOUS_KEYS can now be emptied")
            }),
            Err(e) => Err(e),
        };
        match done {
            Ok(out) => println!("{out}"),
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
