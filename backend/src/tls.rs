//! HTTPS for the reference backend: rustls (ring) with this certificate chain and key.

use std::path::Path;
use std::sync::Arc;

use axum_server::tls_rustls::RustlsConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

/// Sent with every answer when cookies are `Secure` (`Config::secure`): browsers then never use
/// plain HTTP for this host again.
pub const HSTS: &str = "max-age=63072000; includeSubDomains";

/// The TLS configuration for this certificate chain and key, and the chain's PEM text. HTTP/1.1
/// only (see `serve.rs`).
pub fn config(cert: &Path, key: &Path) -> Result<(RustlsConfig, Vec<u8>), Box<dyn std::error::Error>> {
    let pem = std::fs::read(cert)?;
    let chain = CertificateDer::pem_slice_iter(&pem).collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_file(key)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((RustlsConfig::from_config(Arc::new(config)), pem))
}
