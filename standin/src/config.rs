//! How the stand-in is set up: its keys, its institutions, what it registered, and its bounds.

use serde::Serialize;

/// A sandbox institution as Link lists it.
#[derive(Clone, Debug, Serialize)]
pub struct Institution {
    pub institution_id: String,
    pub name: String,
    /// Signs its users in on its own site (OAuth): a pop-up, or a redirect away and back.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub oauth: bool,
}

/// How many records of each kind (link tokens, public tokens, items) the stand-in holds at most:
/// it is a development tool on loopback, but a runaway script must not grow it without bound.
pub const MAX_RECORDS: usize = 10_000;

/// How the stand-in is set up.
#[derive(Clone, Debug)]
pub struct StandinConfig {
    pub client_id: String,
    pub secret: String,
    pub institutions: Vec<Institution>,
    /// The OAuth redirect URIs registered for these keys, as in Plaid's dashboard ("Allowed
    /// redirect URIs"): a link token may name only one of these, as at Plaid.
    pub allowed_redirect_uris: Vec<String>,
    /// Answer only requests whose `Host` is a loopback name (`127.0.0.1`, `localhost`, `[::1]`, on
    /// any port). See [`crate::router`].
    pub loopback_only: bool,
    /// See [`MAX_RECORDS`].
    pub max_records: usize,
    /// A PEM certificate to trust when sending webhooks (the receiver's own, over local TLS).
    pub extra_root: Option<Vec<u8>>,
    /// How long a new-item link token lives: Plaid's 4 hours, or less to test expiry.
    pub link_token_ttl_secs: u64,
}

impl Default for StandinConfig {
    fn default() -> Self {
        let institution =
            |id: &str, name: &str| Institution { institution_id: id.into(), name: name.into(), oauth: false };
        Self {
            client_id: "local-client-id".into(),
            secret: "local-secret".into(),
            // Plaid's own sandbox institutions.
            institutions: vec![
                institution("ins_109508", "First Platypus Bank"),
                institution("ins_109509", "First Gingham Credit Union"),
                institution("ins_109510", "Tattersall Federal Credit Union"),
                institution("ins_109511", "Tartan Bank"),
                institution("ins_109512", "Houndstooth Bank"),
                Institution { oauth: true, ..institution("ins_127287", "Platypus OAuth Bank") },
            ],
            allowed_redirect_uris: Vec::new(),
            loopback_only: false,
            max_records: MAX_RECORDS,
            extra_root: None,
            link_token_ttl_secs: crate::LINK_TOKEN_TTL_SECS,
        }
    }
}

/// Plaid's sandbox login that works (`user_good` / `pass_good`); every other is refused.
pub(crate) fn good_login(username: &str, password: &str) -> bool {
    username == "user_good" && password == "pass_good"
}

/// Whether a `Host` header names this machine by a loopback name (any port): what a page of another
/// site reaching a loopback server through a name of its own (DNS rebinding) cannot send.
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _port)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_names_on_any_port_and_nothing_else() {
        for host in
            ["127.0.0.1:3000", "127.0.0.1", "localhost:8080", "LOCALHOST", "[::1]:4000", "127.8.9.10:1"]
        {
            assert!(super::is_loopback_host(host), "{host}");
        }
        for host in
            ["evil.example", "evil.example:3000", "localhost.evil.example", "10.0.0.1:3000", "", "[::2]:1"]
        {
            assert!(!super::is_loopback_host(host), "{host}");
        }
    }
}
