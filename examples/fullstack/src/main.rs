//! The app's server: its pages (server-rendered), its server functions, `plaid-link-server`'s
//! routes under `/bank` for its members, and in local mode Plaid's stand-in under `/plaid`.
//!
//! `ADDR` (default 127.0.0.1:3002), `SITE_ROOT` (where `pkg/` is; default `target/fullstack`),
//! `DATABASE_URL` (default a SQLite file in the temporary directory); `PLAID_ENV=sandbox` with
//! `PLAID_CLIENT_ID` and `PLAID_SECRET` for Plaid's sandbox instead of the stand-in.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::post;
use axum::{Extension, Router};
use leptos::prelude::*;
use plaid_link_fullstack::server::Members;
use plaid_link_fullstack::{shell, LinkScript};
use plaid_link_server::keys::TokenKeys;
use plaid_link_server::store::{DatabaseUrl, Store};
use plaid_link_server::{Environment, Plaid, PlaidLink, Settings};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().json().with_writer(std::io::stderr).with_target(false).init();
    // Leptos' resources run on tokio (its own router setup would do this).
    any_spawner::Executor::init_tokio()?;
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let listener = tokio::net::TcpListener::bind(var("ADDR").as_deref().unwrap_or("127.0.0.1:3002")).await?;
    let addr = listener.local_addr()?;
    let options = LeptosOptions::builder()
        .output_name("plaid_link_fullstack")
        .site_root(var("SITE_ROOT").unwrap_or_else(|| "target/fullstack".to_owned()))
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();

    let local = var("PLAID_ENV").as_deref() != Some("sandbox");
    let plaid = if local {
        Plaid::at(&format!("http://{addr}/plaid"), "local-client-id", "local-secret", Environment::Sandbox)?
    } else {
        Plaid::sandbox(
            var("PLAID_CLIENT_ID").ok_or("PLAID_CLIENT_ID")?,
            var("PLAID_SECRET").ok_or("PLAID_SECRET")?,
        )
    };
    let mut settings = Settings::new(plaid, "Members' bank");
    settings.webhook_url = local.then(|| format!("http://{addr}/bank/webhooks/plaid"));
    if let Some(rate) = var("RATE_LIMIT").and_then(|r| r.parse().ok()) {
        (settings.rate_per_client, settings.rate_per_user) = (rate, rate);
    }
    let database = var("DATABASE_URL").unwrap_or_else(|| {
        std::env::temp_dir()
            .join(format!("plaid-link-fullstack-{}.db", std::process::id()))
            .display()
            .to_string()
    });
    // A key for this run only: a real app reads its own from its secrets.
    let store =
        Store::open(&DatabaseUrl::parse(&database), TokenKeys::new(&rand::random(), &[]), "local").await?;
    let link = PlaidLink::new(settings, store);

    let script = LinkScript("/plaid/link/v2/stable/link-initialize.js".to_owned());
    let context = move || {
        if local {
            provide_context(script.clone());
        }
    };
    let page = {
        let options = options.clone();
        leptos_axum::render_app_to_stream_with_context(context, move || shell(options.clone()))
    };
    let mut app = Router::new()
        .route("/api/{*fn_name}", post(leptos_axum::handle_server_fns))
        .nest("/bank", link.router::<plaid_link_fullstack::server::Member>())
        .route_service(
            &leptos_axum::site_pkg_dir_service_route_path(&options),
            leptos_axum::site_pkg_dir_service(&options),
        );
    if local {
        let standin = plaid_link_standin::StandinConfig { loopback_only: true, ..Default::default() };
        app = app
            .nest("/plaid", plaid_link_standin::router(Arc::new(plaid_link_standin::Standin::new(standin))));
    }
    let app = app.fallback(page).layer(Extension(Members::default())).layer(Extension(link));
    println!("listening on http://{addr}");
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
    Ok(())
}
