//! Rate limits on the two API endpoints, per client address and per session (governor's GCRA).
//!
//! Each link token costs a call to Plaid and each exchange may too: a script hammering the
//! endpoints must not run up the application's Plaid bill or crowd out real users. The limiters'
//! memory is bounded: keys whose bucket is full again are forgotten as the map grows.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// How many keys a limiter holds before it forgets the idle ones.
const SWEEP_AT: usize = 10_000;

pub struct RateLimits {
    per_client: DefaultKeyedRateLimiter<IpAddr>,
    per_session: DefaultKeyedRateLimiter<String>,
}

impl RateLimits {
    /// `per_client` and `per_session` requests a minute, each allowed as a burst too.
    pub fn new(per_client: u32, per_session: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_client: RateLimiter::keyed(quota(per_client)),
            per_session: RateLimiter::keyed(quota(per_session)),
        }
    }

    /// `Err(wait)` when this client address has used up its quota.
    pub fn client(&self, ip: IpAddr) -> Result<(), Duration> {
        check(&self.per_client, &ip)
    }

    /// `Err(wait)` when this session has used up its quota.
    pub fn session(&self, id: &str) -> Result<(), Duration> {
        check(&self.per_session, &id.to_owned())
    }
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
        assert!(limits.session("s1").is_ok() && limits.session("s1").is_ok());
        let wait = limits.session("s1").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(30), "{wait:?}");
        assert!(limits.session("s2").is_ok());
    }
}
