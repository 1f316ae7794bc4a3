//! Rate limits, per client address and per user (governor's GCRA), kept in each instance's
//! memory: behind a load balancer each instance counts its own share.
//!
//! Each link token costs a call to Plaid and each exchange may too: a script hammering the
//! endpoints must not run up the application's Plaid bill or crowd out real users. Webhooks have no
//! address quota: behind a proxy Plaid shares its address with everyone, and a verified webhook is
//! never refused (what a forged one may cost, a key fetch, has budgets of its own in
//! `crate::webhooks`). The limiters' memory is bounded: keys whose bucket is full again are
//! forgotten as the map grows.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::failure::Failure;
use crate::state::Shared;

/// How many keys a limiter holds before it forgets the idle ones.
const SWEEP_AT: usize = 10_000;

pub(crate) struct RateLimits {
    per_client: DefaultKeyedRateLimiter<IpAddr>,
    per_user: DefaultKeyedRateLimiter<String>,
}

impl RateLimits {
    /// `per_client` and `per_user` requests a minute, each allowed as a burst too.
    pub fn new(per_client: u32, per_user: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_client: RateLimiter::keyed(quota(per_client)),
            per_user: RateLimiter::keyed(quota(per_user)),
        }
    }

    /// `Err(wait)` when this client address has used up its quota.
    pub fn client(&self, ip: IpAddr) -> Result<(), Duration> {
        check(&self.per_client, &ip)
    }

    /// `Err(wait)` when this user has used up their quota.
    pub fn user(&self, id: &str) -> Result<(), Duration> {
        check(&self.per_user, &id.to_owned())
    }
}

/// The client's address, as the connection gives it (`0.0.0.0` when the app serves without
/// `into_make_service_with_connect_info`).
pub(crate) fn address(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(peer)| peer.ip())
}

/// Layer: the per-client quota of the browser's API.
pub(crate) async fn per_client(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Result<Response, Failure> {
    state.limits.client(address(request.extensions())).map_err(|wait| Failure::too_many(wait, "client"))?;
    Ok(next.run(request).await)
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), Duration> {
    if limiter.len() >= SWEEP_AT {
        limiter.retain_recent();
    }
    limiter.check_key(key).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_quota() {
        let limits = RateLimits::new(3, 2);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert!((0..3).all(|_| limits.client(a).is_ok()));
        assert!(limits.client(a).is_err(), "the fourth request within the minute waits");
        assert!(limits.client(b).is_ok(), "another client is not held back");
        assert!(limits.user("s1").is_ok() && limits.user("s1").is_ok());
        let wait = limits.user("s1").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(30), "{wait:?}");
        assert!(limits.user("s2").is_ok());
    }
}
