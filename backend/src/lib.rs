//! The reference backend for plaid-link-leptos and a local stand-in for Plaid.
// Handlers return `Result<_, Response>` for early exits, the usual axum style; a Response is large,
// and on a server that size does not matter.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod config;
pub mod constant_time;
pub mod csp;
pub mod idempotency;
pub mod keys;
pub mod logging;
pub mod plaid_client;
pub mod plaid_types;
pub mod rate_limit;
pub mod session;
pub mod standin;
pub mod store;
mod tls;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;

use crate::config::{Config, PlaidEnv};

/// Seconds since the Unix epoch, by this machine's clock.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A bound, not yet running server: its address is known before it serves.
pub struct Server {
    pub addr: SocketAddr,
    pub standin: Option<Arc<standin::Standin>>,
    /// `https` or `http`.
    pub scheme: &'static str,
    listener: TcpListener,
    app: Router,
    handshake_timeout_ms: u32,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl Server {
    pub async fn bind(config: &Config) -> Result<Self, Box<dyn std::error::Error>> {
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let store = store::Store::open(&config.database, config.token_keys(), config.plaid_env.name())?;
        let (tls, own_cert) = match &config.tls {
            Some((cert, key)) => {
                let (acceptor, pem) = tls::acceptor(cert, key)?;
                (Some(acceptor), Some(pem))
            }
            None => (None, None),
        };
        // The stand-in is this server: over TLS, trust its certificate, and only for that.
        let extra_root = own_cert.as_deref().filter(|_| config.plaid_env == PlaidEnv::Local);
        // The stand-in sends webhooks to this very server; the real Plaid to PLAID_WEBHOOK_URL.
        let webhook = match config.plaid_env {
            PlaidEnv::Local => Some(format!("{}://{addr}/api/webhooks/plaid", config.scheme())),
            _ => config.webhook_url.clone(),
        };
        let plaid = plaid_client::PlaidClient::new(
            config.plaid_base_url(addr),
            config.client_id.clone(),
            config.secret.clone(),
            extra_root,
            webhook,
        )
        .with_redirect_uri(config.redirect_uri.clone());
        let state = Arc::new(api::AppState {
            plaid,
            store,
            products: config.products.clone(),
            country_codes: config.country_codes.clone(),
            client_name: config.client_name.clone(),
            require_csrf: config.require_csrf,
            token_environment: config.plaid_env.token_environment(),
            secure: config.tls.is_some(),
            limits: rate_limit::RateLimits::new(config.rate_per_client, config.rate_per_session),
            webhook_keys: webhooks::KeyCache::default(),
        });
        let mut app = api::router(state);
        let mut standin = None;
        if config.plaid_env == PlaidEnv::Local {
            let mut standin_config = standin::StandinConfig {
                client_id: config.client_id.clone(),
                secret: config.secret.clone(),
                extra_root: own_cert.clone(),
                ..standin::StandinConfig::default()
            };
            if let Some(ttl) = config.standin_link_token_ttl_secs {
                standin_config.link_token_ttl_secs = ttl;
            }
            // Tests add an institution whose name is hostile markup, to show it stays text.
            if let Some(name) = &config.standin_extra_institution {
                standin_config.institutions.push(standin::Institution {
                    institution_id: "ins_999999".into(),
                    name: name.clone(),
                    oauth: false,
                });
            }
            let s = Arc::new(standin::Standin::new(standin_config));
            app = app.nest("/plaid", standin::router(s.clone()));
            standin = Some(s);
        }
        // Compressed as any production host serves them: the release build writes `.br` and `.gz`
        // beside the bundle's files (scripts/minify.mjs), and they go to browsers that accept them.
        let serve = |dir: &std::path::PathBuf| ServeDir::new(dir).precompressed_br().precompressed_gzip();
        if let Some(pages) = &config.pages_dir {
            app = app.nest_service("/pages", serve(pages));
        }
        if let Some(dir) = &config.static_dir {
            app = app.fallback_service(serve(dir));
        }
        let sources = match config.plaid_env {
            PlaidEnv::Local => csp::PolicySources {
                link_script: format!("{}://{addr}/plaid/link/v2/stable/link-initialize.js", config.scheme()),
                link_frame: "'self'".to_owned(),
                plaid_api: format!("{}://{addr}/plaid/", config.scheme()),
                secure: config.tls.is_some(),
            },
            _ => csp::PolicySources {
                link_script: "https://cdn.plaid.com/link/v2/stable/link-initialize.js".to_owned(),
                link_frame: "https://cdn.plaid.com".to_owned(),
                plaid_api: config.plaid_base_url(addr),
                secure: config.tls.is_some(),
            },
        };
        let mut app = app.layer(axum::middleware::from_fn_with_state(sources, csp::secure_html));
        if tls.is_some() {
            app = app.layer(axum::middleware::map_response(|mut response: axum::response::Response| async {
                let hsts = axum::http::HeaderValue::from_static(tls::HSTS);
                response.headers_mut().insert(axum::http::header::STRICT_TRANSPORT_SECURITY, hsts);
                response
            }));
        }
        let handshake_timeout_ms = config.tls_handshake_timeout_ms;
        Ok(Self { addr, standin, scheme: config.scheme(), listener, app, tls, handshake_timeout_ms })
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run(self) -> std::io::Result<()> {
        match self.tls {
            Some(acceptor) => {
                let timeout = std::time::Duration::from_millis(self.handshake_timeout_ms.into());
                tls::serve(self.listener, self.app, acceptor, timeout, shutdown()).await
            }
            None => {
                let app = self.app.into_make_service_with_connect_info::<SocketAddr>();
                axum::serve(self.listener, app).with_graceful_shutdown(shutdown()).await
            }
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
