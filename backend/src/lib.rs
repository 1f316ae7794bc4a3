//! The reference backend for plaid-link-leptos: a thin binary over `plaid-link-server`, whose
//! routes it nests under `/api` for its anonymous browser sessions (`session.rs`, the demo's "app
//! user"); the pages it serves under a strict policy (`pages.rs`) with their CSRF token
//! (`csrf.rs`), TLS and the connection limits (`serve.rs`), and in local mode Plaid's stand-in
//! (`plaid-standin`), served under `/plaid` and talked to over HTTP, as to Plaid.

pub mod config;
pub mod cookies;
pub mod csp;
pub mod csrf;
pub mod logging;
pub mod pages;
pub mod serve;
pub mod session;
mod tls;

pub use plaid_link_server::{keys, plaid, store};

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use axum_server::tls_rustls::RustlsConfig;
use plaid_link_standin::Standin;
use tower_http::services::ServeDir;

use crate::config::{Config, PlaidEnv};
use axum::Extension;
use plaid_link_server::{Environment, Plaid, PlaidLink, Settings};
use tower_cookies::CookieManagerLayer;

/// A bound, not yet running server: its address is known before it serves.
pub struct Server {
    pub addr: SocketAddr,
    /// The stand-in this server plays Plaid with, in local mode (tests read its books).
    pub standin: Option<Arc<Standin>>,
    /// `https` or `http`.
    pub scheme: &'static str,
    listener: std::net::TcpListener,
    app: Router,
    tls: Option<RustlsConfig>,
    limits: serve::Limits,
}

impl Server {
    pub async fn bind(config: &Config) -> Result<Self, Box<dyn std::error::Error>> {
        let listener = std::net::TcpListener::bind(config.addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let store = open_store(config).await?;
        let (tls, own_cert) = match &config.tls {
            Some((cert, key)) => {
                let (tls, pem) = tls::config(cert, key)?;
                (Some(tls), Some(pem))
            }
            None => (None, None),
        };
        let local = config.plaid_env == PlaidEnv::Local;
        // The stand-in is this server: over TLS, trust its certificate, and only for that.
        let extra_root = own_cert.as_deref().filter(|_| config.hosts_standin());
        // The stand-in sends webhooks to this very server; the real Plaid to PLAID_WEBHOOK_URL.
        let webhook = match config.plaid_env {
            PlaidEnv::Local => Some(format!("{}://{addr}/api/webhooks/plaid", config.scheme())),
            _ => config.webhook_url.clone(),
        };
        let environment = match config.plaid_env {
            PlaidEnv::Production => Environment::Production,
            _ => Environment::Sandbox,
        };
        let mut plaid = Plaid::at(
            &config.plaid_base_url(addr),
            config.client_id.clone(),
            config.secret.clone(),
            environment,
        )?;
        if let Some(pem) = extra_root {
            plaid = plaid.trusting(pem.to_vec());
        }
        let mut settings = Settings::new(plaid, config.client_name.clone());
        settings.products = config.products.clone();
        settings.country_codes = config.country_codes.clone();
        settings.redirect_uri = config.redirect_uri.clone();
        settings.webhook_url = webhook;
        settings.rate_per_client = config.rate_per_client;
        settings.rate_per_user = config.rate_per_session;
        let sessions = session::Sessions { db: store.pool().clone(), secure: config.secure() };
        session::migrate(&sessions.db).await?;
        let mut link = PlaidLink::new(settings, store);
        if config.require_csrf {
            let secure = config.secure();
            link = link.also_require(move |headers| csrf::holds(headers, secure));
        }
        let api =
            link.router::<session::Session>().layer(Extension(sessions)).layer(CookieManagerLayer::new());
        let mut app = Router::new().nest("/api", api);
        let mut standin = None;
        if config.hosts_standin() {
            let s = Arc::new(Standin::new(standin_config(config, own_cert.clone())));
            app = app.nest("/plaid", plaid_link_standin::router(s.clone()));
            standin = Some(s);
        }
        // Compressed as any production host serves them: the release build writes `.br` and `.gz`
        // beside the bundle's files (scripts/post-build.mjs), and they go to browsers that accept them.
        let serve = |dir: &std::path::PathBuf| ServeDir::new(dir).precompressed_br().precompressed_gzip();
        if let Some(pages) = &config.pages_dir {
            app = app.nest_service("/pages", serve(pages));
        }
        if let Some(dir) = &config.static_dir {
            app = app.fallback_service(serve(dir));
        }
        let pages = pages::Pages { sources: policy_sources(config, addr), secure: config.secure() };
        let mut app = app.layer(axum::middleware::from_fn_with_state(pages, pages::secure));
        if config.secure() {
            app = app.layer(axum::middleware::map_response(|mut response: Response| async {
                let hsts = HeaderValue::from_static(tls::HSTS);
                response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, hsts);
                response
            }));
        }
        if local {
            // Its keys are public: a page of another site must not reach it through a name that
            // resolves to this machine (DNS rebinding).
            app = app.layer(axum::middleware::from_fn(|request: Request, next: Next| {
                let known = request
                    .headers()
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .is_some_and(plaid_link_standin::is_loopback_host);
                async move {
                    if known {
                        next.run(request).await
                    } else {
                        (StatusCode::MISDIRECTED_REQUEST, "unknown host").into_response()
                    }
                }
            }));
        }
        Ok(Self { addr, standin, scheme: config.scheme(), listener, app, tls, limits: config.limits })
    }

    /// Serves until Ctrl-C or SIGTERM, then shuts down gracefully (see `serve.rs`).
    pub async fn run(self) -> std::io::Result<()> {
        self.run_until(shutdown()).await
    }

    /// Serves until `stop` resolves, then shuts down gracefully.
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        serve::serve(self.listener, self.app, self.tls, self.limits, stop).await
    }
}

/// The stand-in, as this server plays Plaid with it.
fn standin_config(config: &Config, own_cert: Option<Vec<u8>>) -> plaid_link_standin::StandinConfig {
    let mut standin = plaid_link_standin::StandinConfig {
        client_id: config.client_id.clone(),
        secret: config.secret.clone(),
        extra_root: own_cert,
        // Registered as Plaid's dashboard would have it: the one redirect URI this backend uses.
        allowed_redirect_uris: config.redirect_uri.iter().cloned().collect(),
        loopback_only: true,
        ..plaid_link_standin::StandinConfig::default()
    };
    if let Some(ttl) = config.standin_link_token_ttl_secs {
        standin.link_token_ttl_secs = ttl;
    }
    // Tests add an institution whose name is hostile markup, to show it stays text.
    if let Some(name) = &config.standin_extra_institution {
        standin.institutions.push(plaid_link_standin::Institution {
            institution_id: "ins_999999".into(),
            name: name.clone(),
            oauth: false,
        });
    }
    standin
}

/// Where a page's Link talks to: the stand-in's script, frame and API, or Plaid's.
fn policy_sources(config: &Config, addr: SocketAddr) -> csp::PolicySources {
    match config.plaid_env {
        PlaidEnv::Local => {
            let base = config.plaid_base_url(addr);
            csp::PolicySources {
                link_script: format!("{base}/link/v2/stable/link-initialize.js"),
                link_frame: "'self'".to_owned(),
                plaid_link_api: format!("{base}/"),
            }
        }
        _ => csp::PolicySources {
            link_script: "https://cdn.plaid.com/link/v2/stable/link-initialize.js".to_owned(),
            link_frame: "https://cdn.plaid.com".to_owned(),
            plaid_link_api: config.plaid_base_url(addr),
        },
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

/// Opens the store; while the database cannot be reached, says so in one line each time and tries
/// again (1 s, then doubling up to 30 s), so that an instance started before its database (a
/// deploy, `docker compose up`) comes up with it instead of exiting. Any other failure (a wrong
/// key, a failed migration) ends the start.
async fn open_store(config: &Config) -> Result<store::Store, store::StoreError> {
    let mut wait = std::time::Duration::from_secs(1);
    loop {
        match store::Store::open(&config.database, config.token_keys(), config.plaid_env.name()).await {
            Err(e @ store::StoreError::Unreachable(_)) => {
                tracing::warn!(retry_in_s = wait.as_secs(), database = ?config.database, "{e}; trying again");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(30));
            }
            opened => return opened,
        }
    }
}
