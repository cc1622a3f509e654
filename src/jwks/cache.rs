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
//! A full cache makes room by sweeping out expired entries (at most once a
//! second) and otherwise by evicting one entry, so an insertion never costs
//! more than one sweep per second.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::{PoisonError, RwLock};

use crate::token::claims::Claims;

/// Tokens longer than this are verified every time, never cached.
pub const CACHE_MAX_TOKEN_LEN: usize = 4096;

/// Expired entries are swept out of a full cache at most this often.
const SWEEP_EVERY_SECS: f64 = 1.0;

/// How many trailing bytes of a token (its signature) are hashed to find it;
/// the whole token is then compared.
const HASHED_TAIL: usize = 64;

/// A bounded map from verified tokens to their claims.
pub(crate) struct TokenCache {
    max_entries: usize,
    hasher: RandomState,
    state: RwLock<State>,
}

#[derive(Default)]
struct State {
    /// Bumped whenever the keys change: older insertions are dropped.
    generation: u64,
    entries: HashMap<u64, Entry>,
    /// When expired entries were last swept out (Unix seconds).
    last_sweep: f64,
}

struct Entry {
    token: Box<str>,
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
            hasher: RandomState::new(),
            state: RwLock::new(State::default()),
        }
    }

    fn slot(&self, token: &str) -> u64 {
        let bytes = token.as_bytes();
        self.hasher
            .hash_one(&bytes[bytes.len().saturating_sub(HASHED_TAIL)..])
    }

    /// What `token` verified to under the current keys, if it is cached.
    pub(crate) fn get(&self, token: &str) -> Option<Claims> {
        let slot = self.slot(token);
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        let entry = state.entries.get(&slot)?;
        (*entry.token == *token).then(|| entry.claims.clone())
    }

    /// The generation to pass to [`insert`](Self::insert) for a token about
    /// to be verified.
    pub(crate) fn generation(&self) -> u64 {
        self.state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .generation
    }

    /// Remembers a token that passed every check, unless the keys changed
    /// since `generation`, the token is too long, or it has no `exp` (it
    /// would never leave on its own). When full, expired entries go first,
    /// then an arbitrary one.
    pub(crate) fn insert(&self, token: &str, claims: Claims, generation: u64, now: f64) {
        if token.len() > CACHE_MAX_TOKEN_LEN || self.max_entries == 0 {
            return;
        }
        if claims.exp().is_none() {
            return;
        }
        let slot = self.slot(token);
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if state.generation != generation {
            return;
        }
        if state.entries.len() >= self.max_entries && !state.entries.contains_key(&slot) {
            // A full sweep at most once a second; otherwise one eviction.
            if now - state.last_sweep >= SWEEP_EVERY_SECS {
                state.last_sweep = now;
                state.entries.retain(|_, entry| {
                    entry
                        .claims
                        .exp()
                        .is_some_and(|exp| exp.as_secs_f64() > now)
                });
            }
            if state.entries.len() >= self.max_entries {
                if let Some(victim) = state.entries.keys().next().copied() {
                    state.entries.remove(&victim);
                }
            }
        }
        state.entries.insert(
            slot,
            Entry {
                token: token.into(),
                claims,
            },
        );
    }

    /// Forgets a token that no longer passes (it expired).
    pub(crate) fn remove(&self, token: &str) {
        let slot = self.slot(token);
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if state
            .entries
            .get(&slot)
            .is_some_and(|entry| *entry.token == *token)
        {
            state.entries.remove(&slot);
        }
    }

    /// Forgets everything: the keys changed.
    pub(crate) fn clear(&self) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.generation += 1;
        state.entries.clear();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.state.read().unwrap().entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::claims::{Keep, RawClaims};
    use crate::token::clock::Clock;
    use crate::token::policy::{ClaimCheck, Policy};

    const PAYLOAD: &[u8] = br#"{"sub":"u","exp":100}"#;

    fn claims(payload: &[u8]) -> Claims {
        let policy = Policy {
            leeway_secs: 0.0,
            require_exp: false,
            issuer_check: ClaimCheck::Skip,
            issuers: vec![],
            audience_check: ClaimCheck::Skip,
            audiences: vec![],
            clock: Clock::fixed_unix(0),
        };
        policy
            .check(RawClaims::parse(payload, Keep::Nothing).unwrap(), payload)
            .unwrap()
    }

    fn insert(cache: &TokenCache, token: &str, payload: &[u8], generation: u64, now: f64) {
        cache.insert(token, claims(payload), generation, now);
    }

    #[test]
    fn keeps_verified_tokens_until_the_keys_change() {
        let cache = TokenCache::new(8);
        let generation = cache.generation();
        insert(&cache, "a.b.c", PAYLOAD, generation, 0.0);
        let hit = cache.get("a.b.c").unwrap();
        assert_eq!(hit.payload(), PAYLOAD);
        assert_eq!(hit.sub(), "u");
        assert!(cache.get("a.b.d").is_none());
        cache.clear();
        assert!(cache.get("a.b.c").is_none());
        // Verified with the old keys: not remembered under the new ones.
        insert(&cache, "a.b.c", PAYLOAD, generation, 0.0);
        assert!(cache.get("a.b.c").is_none());
    }

    #[test]
    fn stays_bounded_and_skips_long_or_unexpiring_tokens() {
        let cache = TokenCache::new(4);
        for i in 0..10 {
            insert(&cache, &format!("t{i}"), PAYLOAD, 0, 0.0);
        }
        assert_eq!(cache.len(), 4);
        let long = "x".repeat(CACHE_MAX_TOKEN_LEN + 1);
        cache.clear();
        insert(&cache, &long, PAYLOAD, 1, 0.0);
        insert(&cache, "no-exp", br#"{"sub":"u"}"#, 1, 0.0);
        assert_eq!(cache.len(), 0);
        // Expired entries make room first.
        insert(&cache, "old", br#"{"sub":"u","exp":5}"#, 1, 0.0);
        for i in 0..3 {
            insert(&cache, &format!("n{i}"), PAYLOAD, 1, 0.0);
        }
        insert(&cache, "new", PAYLOAD, 1, 10.0);
        assert!(cache.get("old").is_none());
        assert_eq!(cache.len(), 4);
    }
}
