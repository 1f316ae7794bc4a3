//! Configuration from the environment. The only switch between the stand-in and the real Plaid is
//! `PLAID_ENV`.

use std::net::SocketAddr;
use std::path::PathBuf;

use base64::Engine;

/// Which Plaid the backend talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaidEnv {
    /// The stand-in served by this same process, under `/plaid`.
    Local,
    /// `https://sandbox.plaid.com`.
    Sandbox,
    /// `https://production.plaid.com`.
    Production,
}

impl PlaidEnv {
    /// The name `PLAID_ENV` uses, recorded with every stored item.
    pub fn name(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Sandbox => "sandbox",
            Self::Production => "production",
        }
    }

    /// The environment Plaid writes into its tokens (`public-sandbox-…`); the stand-in plays sandbox.
    pub fn token_environment(self) -> &'static str {
        match self {
            Self::Local | Self::Sandbox => "sandbox",
            Self::Production => "production",
        }
    }
}

/// `Debug` shows every setting but the secrets (`PLAID_SECRET`, the token key): a config printed in
/// a log or a panic message must not leak them.
#[derive(Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub static_dir: Option<PathBuf>,
    pub pages_dir: Option<PathBuf>,
    pub plaid_env: PlaidEnv,
    pub client_id: String,
    pub secret: String,
    pub products: Vec<String>,
    pub country_codes: Vec<String>,
    pub client_name: String,
    pub database: crate::store::DatabaseUrl,
    pub token_key: [u8; 32],
    /// Keys that encrypted rows before `token_key` replaced them (`TOKEN_ENCRYPTION_PREVIOUS_KEYS`,
    /// comma-separated): read, never written, until `plaid-link-dev rotate-key` has run.
    pub previous_token_keys: Vec<[u8; 32]>,
    /// Serve HTTPS with this certificate chain and private key (PEM files), instead of HTTP.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Whether the API wants the page's CSRF token (`PLAID_LINK_CSRF=off` only for `trunk serve`).
    pub require_csrf: bool,
    /// An institution the stand-in lists besides Plaid's sandbox ones (tests only).
    pub standin_extra_institution: Option<String>,
    /// How long the stand-in's new-item link tokens live (`PLAID_STANDIN_LINK_TOKEN_TTL_SECS`;
    /// Plaid's 4 hours by default), short for tests of the refresh before expiry.
    pub standin_link_token_ttl_secs: Option<u64>,
    /// Set when no key was configured (local only): the database is unreadable after a restart.
    pub ephemeral_key: bool,
    /// API requests a minute per client address (`PLAID_LINK_RATE_PER_CLIENT`). Behind a reverse
    /// proxy every client has the proxy's address: raise it there, or limit at the proxy.
    pub rate_per_client: u32,
    /// API requests a minute per session (`PLAID_LINK_RATE_PER_SESSION`).
    pub rate_per_session: u32,
    /// Where OAuth banks send the user back (`PLAID_REDIRECT_URI`): mobile web and webviews. Without
    /// it, Link opens OAuth banks in a pop-up.
    pub redirect_uri: Option<String>,
    /// Where Plaid sends webhooks (`PLAID_WEBHOOK_URL`, HTTPS); in local mode, this server itself.
    pub webhook_url: Option<String>,
    /// Where Plaid's API is, when not where `PLAID_ENV` says (`PLAID_BASE_URL`): a stand-in
    /// started on its own (`plaid-standin`), which several backends then share. In local mode this
    /// server then hosts no stand-in of its own.
    pub base_url: Option<String>,
    /// Deadlines and caps on connections (`serve.rs`).
    pub limits: crate::serve::Limits,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("plaid_env", &self.plaid_env)
            .field("client_id", &self.client_id)
            .field("secret", &"<redacted>")
            .field("token_key", &"<redacted>")
            .field("previous_token_keys", &format_args!("<{} redacted>", self.previous_token_keys.len()))
            .field("products", &self.products)
            .field("country_codes", &self.country_codes)
            .field("database", &self.database)
            .field("static_dir", &self.static_dir)
            .field("pages_dir", &self.pages_dir)
            .field("tls", &self.tls)
            .field("limits", &self.limits)
            .field("require_csrf", &self.require_csrf)
            .field("rate_per_client", &self.rate_per_client)
            .field("rate_per_session", &self.rate_per_session)
            .field("webhook_url", &self.webhook_url)
            .field("base_url", &self.base_url)
            .field("redirect_uri", &self.redirect_uri)
            .field("ephemeral_key", &self.ephemeral_key)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "PLAID_ENV is not set: set it to local (Plaid's stand-in, on loopback only), sandbox or production"
    )]
    NoEnvironment,
    #[error("PLAID_LINK_ADDR {0} is not a loopback address: the local stand-in accepts its own public keys, so it never listens beyond this machine")]
    StandinBeyondLoopback(SocketAddr),
    #[error("{0} is not set; it is required when PLAID_ENV is sandbox or production")]
    Missing(&'static str),
    #[error("{name} is not valid: {why}")]
    Invalid { name: &'static str, why: String },
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let list = |name: &str, default: &str| -> Vec<String> {
            get(name)
                .unwrap_or_else(|| default.to_owned())
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        // No default: a forgotten PLAID_ENV must not quietly mean "the stand-in, with public keys".
        let plaid_env = match get("PLAID_ENV").ok_or(ConfigError::NoEnvironment)?.as_str() {
            "local" => PlaidEnv::Local,
            "sandbox" => PlaidEnv::Sandbox,
            "production" => PlaidEnv::Production,
            other => {
                return Err(ConfigError::Invalid {
                    name: "PLAID_ENV",
                    why: format!("{other:?}: expected local, sandbox or production"),
                })
            }
        };
        let real = plaid_env != PlaidEnv::Local;
        let required = |name: &'static str, local_default: &str| match get(name) {
            Some(v) => Ok(v),
            None if !real => Ok(local_default.to_owned()),
            None => Err(ConfigError::Missing(name)),
        };
        let client_id = required("PLAID_CLIENT_ID", "local-client-id")?;
        let secret = required("PLAID_SECRET", "local-secret")?;
        let (token_key, ephemeral_key) = match get("TOKEN_ENCRYPTION_KEY") {
            Some(encoded) => (decode_key(&encoded)?, false),
            None if !real => (rand::random(), true),
            None => return Err(ConfigError::Missing("TOKEN_ENCRYPTION_KEY")),
        };
        let number = |name: &'static str, default: u32| match get(name) {
            None => Ok(default),
            Some(v) => v.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| ConfigError::Invalid {
                name,
                why: format!("{v:?}: expected a positive whole number"),
            }),
        };
        let defaults = crate::serve::Limits::default();
        let addr = get("PLAID_LINK_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let addr: SocketAddr = addr
            .parse()
            .map_err(|e| ConfigError::Invalid { name: "PLAID_LINK_ADDR", why: format!("{addr:?}: {e}") })?;
        if !real && !addr.ip().is_loopback() {
            return Err(ConfigError::StandinBeyondLoopback(addr));
        }
        Ok(Self {
            addr,
            static_dir: get("PLAID_LINK_STATIC_DIR").map(PathBuf::from),
            pages_dir: get("PLAID_LINK_PAGES_DIR").map(PathBuf::from),
            plaid_env,
            client_id,
            secret,
            // Least privilege: only the products this application uses.
            products: list("PLAID_PRODUCTS", "transactions"),
            country_codes: list("PLAID_COUNTRY_CODES", "US"),
            client_name: get("PLAID_CLIENT_NAME").unwrap_or_else(|| "Plaid Link Leptos demo".to_owned()),
            // DATABASE_URL as most tools name it; PLAID_LINK_DB, a SQLite file, as before.
            database: crate::store::DatabaseUrl::parse(
                &get("DATABASE_URL")
                    .or_else(|| get("PLAID_LINK_DB"))
                    .unwrap_or_else(|| "plaid-link.db".to_owned()),
            ),
            token_key,
            previous_token_keys: get("TOKEN_ENCRYPTION_PREVIOUS_KEYS")
                .map(|v| {
                    v.split(',')
                        .filter(|k| !k.trim().is_empty())
                        .map(decode_key)
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default(),
            ephemeral_key,
            standin_extra_institution: get("PLAID_STANDIN_EXTRA_INSTITUTION"),
            standin_link_token_ttl_secs: get("PLAID_STANDIN_LINK_TOKEN_TTL_SECS")
                .map(|v| {
                    v.parse::<u64>().ok().filter(|s| *s > 0).ok_or_else(|| ConfigError::Invalid {
                        name: "PLAID_STANDIN_LINK_TOKEN_TTL_SECS",
                        why: format!("{v:?}: expected a number of seconds"),
                    })
                })
                .transpose()?,
            require_csrf: get("PLAID_LINK_CSRF").as_deref() != Some("off"),
            rate_per_client: number("PLAID_LINK_RATE_PER_CLIENT", 120)?,
            rate_per_session: number("PLAID_LINK_RATE_PER_SESSION", 30)?,
            webhook_url: get("PLAID_WEBHOOK_URL"),
            base_url: get("PLAID_BASE_URL")
                .map(|url| match crate::plaid::client::endpoint_problem(&url) {
                    None => Ok(url),
                    Some(why) => {
                        Err(ConfigError::Invalid { name: "PLAID_BASE_URL", why: format!("{url:?} {why}") })
                    }
                })
                .transpose()?,
            redirect_uri: get("PLAID_REDIRECT_URI")
                .map(|uri| match crate::plaid::client::redirect_uri_problem(&uri) {
                    None => Ok(uri),
                    Some(why) => Err(ConfigError::Invalid {
                        name: "PLAID_REDIRECT_URI",
                        why: format!("{uri:?} {why}"),
                    }),
                })
                .transpose()?,
            limits: crate::serve::Limits {
                max_connections: number("PLAID_LINK_MAX_CONNECTIONS", defaults.max_connections)?,
                request_head_ms: number("PLAID_LINK_REQUEST_HEAD_MS", defaults.request_head_ms)?,
                tls_handshake_ms: number("PLAID_LINK_TLS_HANDSHAKE_MS", defaults.tls_handshake_ms)?,
                shutdown_grace_ms: number("PLAID_LINK_SHUTDOWN_GRACE_MS", defaults.shutdown_grace_ms)?,
            },
            tls: match (get("PLAID_LINK_TLS_CERT"), get("PLAID_LINK_TLS_KEY")) {
                (Some(cert), Some(key)) => Some((PathBuf::from(cert), PathBuf::from(key))),
                (None, None) => None,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "PLAID_LINK_TLS_CERT",
                        why: "set it together with PLAID_LINK_TLS_KEY".into(),
                    })
                }
            },
        })
    }

    /// The keys access tokens are sealed and opened with.
    pub fn token_keys(&self) -> crate::keys::TokenKeys {
        crate::keys::TokenKeys::new(&self.token_key, &self.previous_token_keys)
    }

    /// Whether cookies are `__Host-…; Secure` and answers carry HSTS: over TLS, and whenever the
    /// real Plaid is used, even on plain HTTP (the usual deployment behind a proxy that ends TLS).
    /// Only local development on plain HTTP does without, since browsers keep no `Secure` cookie
    /// from an `http://` page.
    pub fn secure(&self) -> bool {
        self.tls.is_some() || self.plaid_env != PlaidEnv::Local
    }

    /// `https` when serving TLS.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// Whether this server hosts Plaid's stand-in under `/plaid`: in local mode, unless it uses one
    /// started elsewhere.
    pub fn hosts_standin(&self) -> bool {
        self.plaid_env == PlaidEnv::Local && self.base_url.is_none()
    }

    /// Plaid's base URL; for the stand-in this server hosts, under its own address.
    pub fn plaid_base_url(&self, bound: SocketAddr) -> String {
        if let Some(url) = &self.base_url {
            return url.trim_end_matches('/').to_owned();
        }
        match self.plaid_env {
            PlaidEnv::Local => format!("{}://{bound}/plaid", self.scheme()),
            PlaidEnv::Sandbox => "https://sandbox.plaid.com".to_owned(),
            PlaidEnv::Production => "https://production.plaid.com".to_owned(),
        }
    }
}

fn decode_key(encoded: &str) -> Result<[u8; 32], ConfigError> {
    let invalid = |why: String| ConfigError::Invalid { name: "TOKEN_ENCRYPTION_KEY", why };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|e| invalid(e.to_string()))?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| invalid(format!("{} bytes, expected 32 (base64 of a 256-bit key)", b.len())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn plaid_env_must_be_named() {
        assert!(matches!(config(&[]), Err(ConfigError::NoEnvironment)));
    }

    #[test]
    fn the_stand_in_listens_on_loopback_only() {
        for addr in ["0.0.0.0:3000", "192.168.1.5:3000", "[::]:3000"] {
            let refused = config(&[("PLAID_ENV", "local"), ("PLAID_LINK_ADDR", addr)]);
            assert!(matches!(refused, Err(ConfigError::StandinBeyondLoopback(_))), "{addr}");
        }
        assert!(config(&[("PLAID_ENV", "local"), ("PLAID_LINK_ADDR", "[::1]:3000")]).is_ok());
    }

    #[test]
    fn local_needs_no_secrets() {
        let c = config(&[("PLAID_ENV", "local")]).unwrap();
        assert_eq!(c.plaid_env, PlaidEnv::Local);
        assert!(c.ephemeral_key);
        assert_eq!(c.plaid_base_url("127.0.0.1:3000".parse().unwrap()), "http://127.0.0.1:3000/plaid");
        assert_eq!(c.products, ["transactions"]);
    }

    #[test]
    fn real_plaid_is_one_switch_away_and_demands_its_secrets() {
        assert!(matches!(config(&[("PLAID_ENV", "sandbox")]), Err(ConfigError::Missing("PLAID_CLIENT_ID"))));
        let key = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
        let c = config(&[
            ("PLAID_ENV", "sandbox"),
            ("PLAID_CLIENT_ID", "id"),
            ("PLAID_SECRET", "s"),
            ("TOKEN_ENCRYPTION_KEY", &key),
        ])
        .unwrap();
        assert_eq!(c.plaid_base_url("127.0.0.1:1".parse().unwrap()), "https://sandbox.plaid.com");
        assert!(!c.ephemeral_key);
    }

    #[test]
    fn debug_output_redacts_the_secrets() {
        let key = base64::engine::general_purpose::STANDARD.encode([0xabu8; 32]);
        let c = config(&[
            ("PLAID_ENV", "sandbox"),
            ("PLAID_CLIENT_ID", "the-client-id"),
            ("PLAID_SECRET", "the-very-secret"),
            ("TOKEN_ENCRYPTION_KEY", &key),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        assert!(printed.contains("the-client-id"), "{printed}");
        assert!(!printed.contains("the-very-secret"), "{printed}");
        assert!(!printed.contains("171"), "the key's bytes (0xab = 171) are not printed: {printed}");
        assert!(printed.contains("<redacted>"));
    }

    #[test]
    fn a_short_key_is_refused() {
        let key = base64::engine::general_purpose::STANDARD.encode([1u8; 16]);
        assert!(matches!(
            config(&[("PLAID_ENV", "local"), ("TOKEN_ENCRYPTION_KEY", &key)]),
            Err(ConfigError::Invalid { .. })
        ));
    }
}
