//! The opt-in cache of verified tokens (feature `jwks`), as Envoy's
//! `jwt_authn` keeps: a token whose signature was checked once is not
//! checked again until it expires or the keys change.
//!
//! What is cached, keyed by the whole token, is what it verified to: its
//! [`Claims`], which hold the decoded payload. A hit skips the signature and the
//! parsing; `exp`, `nbf` and `iat` are checked again on every hit (the other
//! rules cannot change for a given token and verifier). A claims type other
//! than [`Claims`] is filled from the payload again, with every rule.
//!
//! The entries live in a [`quick_cache`] cache, the one in front of session
//! stores too: bounded (a full cache evicts the entries least used since
//! they came in, which expired tokens soon are), sharded, read under a
//! shared lock. Expiry is not the cache's business: every hit checks `exp`
//! again and removes a token that has expired.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use quick_cache::Equivalent;
use quick_cache::sync::Cache;

use crate::token::claims::Claims;

/// Tokens longer than this are verified every time, never cached.
pub const CACHE_MAX_TOKEN_LEN: usize = 4096;

/// How many trailing bytes of a token (its signature) are hashed to find it;
/// the whole token is then compared.
const HASHED_TAIL: usize = 64;

/// A bounded map from verified tokens to their claims.
pub(crate) struct TokenCache {
    max_entries: usize,
    /// Bumped whenever the keys change: entries of an older generation are
    /// not hits, and tokens verified with older keys are not inserted.
    generation: AtomicU64,
    entries: Cache<CachedToken, Verified>,
}

/// A token in the cache. Hashed by its tail only, which is enough to spread
/// tokens (it is their signature) and keeps a lookup cheap whatever the
/// token's length; equal only to the whole same token.
#[derive(PartialEq, Eq)]
struct CachedToken(Box<str>);

/// A token looked up: hashed as [`CachedToken`] is, without copying it.
struct Lookup<'a>(&'a str);

fn tail(token: &str) -> &[u8] {
    let bytes = token.as_bytes();
    &bytes[bytes.len().saturating_sub(HASHED_TAIL)..]
}

impl Hash for CachedToken {
    fn hash<H: Hasher>(&self, state: &mut H) {
        tail(&self.0).hash(state);
    }
}

impl Hash for Lookup<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        tail(self.0).hash(state);
    }
}

impl Equivalent<CachedToken> for Lookup<'_> {
    fn equivalent(&self, key: &CachedToken) -> bool {
        *key.0 == *self.0
    }
}

/// What a token verified to, and under which keys.
#[derive(Clone)]
struct Verified {
    generation: u64,
    claims: Claims,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("max_entries", &self.max_entries)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    pub(crate) fn new(max_entries: usize) -> Self {
        Self {
            max_entries,
            generation: AtomicU64::new(0),
            entries: Cache::new(max_entries.max(1)),
        }
    }

    /// What `token` verified to under the current keys, if it is cached.
    pub(crate) fn get(&self, token: &str) -> Option<Claims> {
        if token.len() > CACHE_MAX_TOKEN_LEN {
            return None;
        }
        let verified = self.entries.get(&Lookup(token))?;
        (verified.generation == self.generation()).then_some(verified.claims)
    }

    /// The generation to pass to [`insert`](Self::insert) for a token about
    /// to be verified.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Remembers a token that passed every check, unless the keys changed
    /// since `generation`, the token is too long, or it has no `exp` (it
    /// would never leave on its own). `_now` is not needed: an expired
    /// token is removed when it is next presented, or evicted unused.
    pub(crate) fn insert(&self, token: &str, claims: Claims, generation: u64) {
        if token.len() > CACHE_MAX_TOKEN_LEN || self.max_entries == 0 {
            return;
        }
        if claims.exp().is_none() || generation != self.generation() {
            return;
        }
        // Should the keys change between the check above and this insertion,
        // the entry carries the old generation and is never a hit.
        self.entries
            .insert(CachedToken(token.into()), Verified { generation, claims });
    }

    /// Forgets a token that no longer passes (it expired).
    pub(crate) fn remove(&self, token: &str) {
        self.entries.remove(&Lookup(token));
    }

    /// Forgets everything: the keys changed.
    pub(crate) fn clear(&self) {
        // First the generation, so that no entry in the cache is a hit from
        // now on, even one inserted while it is emptied.
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.clear();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::claims::{Keep, RawClaims};
    use crate::token::policy::Policy;

    const PAYLOAD: &[u8] = br#"{"sub":"u","exp":100}"#;

    fn claims(payload: &[u8]) -> Claims {
        let policy = Policy::lenient_at(0);
        policy
            .check(RawClaims::parse(payload, Keep::Nothing).unwrap(), payload)
            .unwrap()
    }

    fn insert(cache: &TokenCache, token: &str, payload: &[u8], generation: u64) {
        cache.insert(token, claims(payload), generation);
    }

    #[test]
    fn keeps_verified_tokens_until_the_keys_change() {
        let cache = TokenCache::new(8);
        let generation = cache.generation();
        insert(&cache, "a.b.c", PAYLOAD, generation);
        let hit = cache.get("a.b.c").unwrap();
        assert_eq!(hit.payload(), PAYLOAD);
        assert_eq!(hit.sub(), "u");
        assert!(cache.get("a.b.d").is_none());
        cache.clear();
        assert!(cache.get("a.b.c").is_none());
        // Verified with the old keys: not remembered under the new ones.
        insert(&cache, "a.b.c", PAYLOAD, generation);
        assert!(cache.get("a.b.c").is_none());
    }

    #[test]
    fn stays_bounded_and_skips_long_or_unexpiring_tokens() {
        let cache = TokenCache::new(4);
        for i in 0..100 {
            insert(&cache, &format!("t{i}"), PAYLOAD, 0);
            assert!(cache.len() <= 4, "{}", cache.len());
        }
        // The latest token is kept.
        assert!(cache.get("t99").is_some());
        let long = "x".repeat(CACHE_MAX_TOKEN_LEN + 1);
        cache.clear();
        insert(&cache, &long, PAYLOAD, 1);
        insert(&cache, "no-exp", br#"{"sub":"u"}"#, 1);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn tokens_sharing_a_tail_are_told_apart() {
        let cache = TokenCache::new(8);
        let signature = "s".repeat(HASHED_TAIL);
        let (first, second) = (format!("a.{signature}"), format!("b.{signature}"));
        insert(&cache, &first, PAYLOAD, 0);
        assert!(cache.get(&second).is_none());
        cache.remove(&second);
        assert!(cache.get(&first).is_some());
        insert(&cache, &second, br#"{"sub":"v","exp":100}"#, 0);
        assert_eq!(cache.get(&first).unwrap().sub(), "u");
        assert_eq!(cache.get(&second).unwrap().sub(), "v");
        cache.remove(&first);
        assert!(cache.get(&first).is_none());
        assert!(cache.get(&second).is_some());
    }

    #[test]
    fn an_entry_from_before_a_key_change_is_never_a_hit() {
        let cache = TokenCache::new(8);
        let generation = cache.generation();
        // As if inserted while the cache was being emptied: after the
        // generation moved, before the entries went.
        cache.generation.fetch_add(1, Ordering::AcqRel);
        cache.entries.insert(
            CachedToken("a.b.c".into()),
            Verified {
                generation,
                claims: claims(PAYLOAD),
            },
        );
        assert!(cache.get("a.b.c").is_none());
    }
}
