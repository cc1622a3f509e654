//! Cookie caches already verified: a bounded map from the signed session
//! token and the cache cookie, as the request sent them, to the claims
//! they vouched for (decoded and checked once) and until when. As in the
//! JWKS token cache, the key hashes the session token and the cookie's last
//! 64 bytes (where its signature or tag is), and a hit must match the whole
//! cookie: hashing all of a 1.5 KB cookie on every request would cost more
//! than the lookup.
//!
//! A cookie cache is about 1.5 KB that each request would otherwise decode,
//! check (HMAC, or AES-CBC and HMAC-SHA-512 for `jwe`) and parse again,
//! before parsing and checking its claims once more. What stays correct
//! with the memo:
//!
//! - the token match: the key holds the session token itself, whose
//!   signature is still checked on every request, and an entry is made only
//!   after the cache was found to name that very token;
//! - expiry: an entry is used only before the cache's own expiry (with the
//!   verifier's leeway), and the claims' times (`exp`, `nbf`, `iat`) are
//!   checked again on every request; claims that failed any check are
//!   never remembered;
//! - rotation: a new session token or a renewed cache cookie is another key;
//!   new secrets mean a new verifier, and with it an empty memo.

use std::sync::Arc;

use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};

use crate::token::claims::Claims;

/// How many verified cookie caches one verifier remembers: about 3.5 KB
/// each (the cookie as sent, and the claims).
pub(crate) const VERIFIED_CACHE_ENTRIES: usize = 10_000;

#[derive(Clone)]
struct Entry {
    /// The cache cookie as sent, compared in full on a hit.
    cookie: Arc<str>,
    /// The claims the cache vouched for, checked against the verifier's
    /// rules when remembered (a clone shares them).
    claims: Claims,
    /// The cache's own expiry, in milliseconds since the epoch.
    expires_at_ms: f64,
}

/// The memo of verified cookie caches.
pub(crate) struct VerifiedCaches {
    entries: Cache<[u8; 32], Entry>,
}

impl VerifiedCaches {
    pub(crate) fn new(max_entries: usize) -> Self {
        Self {
            entries: Cache::new(max_entries.max(1)),
        }
    }

    /// The key of a session token and the cache cookie sent with it.
    pub(crate) fn key(token: &str, cache_cookie: &str) -> [u8; 32] {
        let tail = cache_cookie
            .len()
            .checked_sub(64)
            .map_or(cache_cookie, |start| &cache_cookie[start..]);
        let mut hash = Sha256::new();
        hash.update((token.len() as u64).to_le_bytes());
        hash.update(token.as_bytes());
        hash.update((cache_cookie.len() as u64).to_le_bytes());
        hash.update(tail.as_bytes());
        hash.finalize().into()
    }

    /// The claims remembered for `cache_cookie` under `key`, if its cache
    /// has not expired by `now_ms` (leeway included).
    pub(crate) fn get(&self, key: &[u8; 32], cache_cookie: &str, now_ms: f64) -> Option<Claims> {
        let entry = self.entries.get(key)?;
        (*entry.cookie == *cache_cookie && entry.expires_at_ms > now_ms).then_some(entry.claims)
    }

    pub(crate) fn insert(
        &self,
        key: [u8; 32],
        cache_cookie: &str,
        claims: Claims,
        expires_at_ms: f64,
    ) {
        self.entries.insert(
            key,
            Entry {
                cookie: Arc::from(cache_cookie),
                claims,
                expires_at_ms,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::claims::{Keep, RawClaims};
    use crate::token::policy::Policy;

    fn claims() -> Claims {
        let payload = br#"{"sub":"user-1"}"#;
        let policy = Policy::lenient_at(0);
        let raw = RawClaims::parse(payload, Keep::Nothing).unwrap();
        policy.check(raw, payload).unwrap()
    }

    #[test]
    fn an_entry_serves_its_exact_cookies_until_the_cache_expires() {
        let memo = VerifiedCaches::new(10);
        let key = VerifiedCaches::key("token-a", "cache-1");
        memo.insert(key, "cache-1", claims(), 1_000.0);
        assert!(memo.get(&key, "cache-1", 999.0).is_some());
        assert!(memo.get(&key, "cache-1", 1_000.0).is_none());
        for (token, cache) in [
            ("token-b", "cache-1"),
            ("token-a", "cache-2"),
            ("token-ac", "ache-1"),
        ] {
            let other = VerifiedCaches::key(token, cache);
            assert!(memo.get(&other, cache, 0.0).is_none(), "{token} {cache}");
        }
    }

    #[test]
    fn a_cookie_that_shares_only_its_tail_is_not_a_hit() {
        let memo = VerifiedCaches::new(10);
        let tail = "s".repeat(64);
        let real = format!("REAL{tail}");
        let forged = format!("EVIL{tail}");
        let key = VerifiedCaches::key("token", &real);
        assert_eq!(key, VerifiedCaches::key("token", &forged));
        memo.insert(key, &real, claims(), 1_000.0);
        assert!(memo.get(&key, &forged, 0.0).is_none());
        assert!(memo.get(&key, &real, 0.0).is_some());
    }
}
