//! The opt-in cache of verified tokens (feature `jwks`), as Envoy's
//! `jwt_authn` keeps: a token whose signature was checked once is not
//! checked again until it expires or the keys change.
//!
//! What is cached is the token's decoded payload, keyed by the whole token.
//! A hit skips only the signature: the claims are parsed and every rule
//! (`exp`, `nbf`, `iss`, `aud`, `sub`) is checked again on each hit.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use serde::Deserialize;

/// Tokens longer than this are verified every time, never cached.
pub const CACHE_MAX_TOKEN_LEN: usize = 4096;

/// A bounded map from verified tokens to their payloads.
pub(crate) struct TokenCache {
    max_entries: usize,
    state: RwLock<State>,
}

#[derive(Default)]
struct State {
    /// Bumped whenever the keys change: older insertions are dropped.
    generation: u64,
    entries: HashMap<Box<str>, Entry>,
}

struct Entry {
    payload: Arc<[u8]>,
    exp: f64,
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
            state: RwLock::new(State::default()),
        }
    }

    /// The payload of `token` if it was verified under the current keys.
    pub(crate) fn get(&self, token: &str) -> Option<Arc<[u8]>> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        state
            .entries
            .get(token)
            .map(|entry| Arc::clone(&entry.payload))
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
    pub(crate) fn insert(&self, token: &str, payload: &[u8], generation: u64, now: f64) {
        if token.len() > CACHE_MAX_TOKEN_LEN || self.max_entries == 0 {
            return;
        }
        let Some(exp) = expiry(payload) else {
            return;
        };
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if state.generation != generation || state.entries.contains_key(token) {
            return;
        }
        if state.entries.len() >= self.max_entries {
            state.entries.retain(|_, entry| entry.exp > now);
        }
        if state.entries.len() >= self.max_entries {
            if let Some(victim) = state.entries.keys().next().cloned() {
                state.entries.remove(&victim);
            }
        }
        state.entries.insert(
            token.into(),
            Entry {
                payload: payload.into(),
                exp,
            },
        );
    }

    /// Forgets a token that no longer passes (it expired).
    pub(crate) fn remove(&self, token: &str) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.entries.remove(token);
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

/// The `exp` of an already verified payload.
fn expiry(payload: &[u8]) -> Option<f64> {
    #[derive(Deserialize)]
    struct Exp {
        exp: Option<f64>,
    }
    serde_json::from_slice::<Exp>(payload).ok()?.exp
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAYLOAD: &[u8] = br#"{"sub":"u","exp":100}"#;

    #[test]
    fn keeps_verified_tokens_until_the_keys_change() {
        let cache = TokenCache::new(8);
        let generation = cache.generation();
        cache.insert("a.b.c", PAYLOAD, generation, 0.0);
        assert_eq!(cache.get("a.b.c").as_deref(), Some(PAYLOAD));
        assert!(cache.get("a.b.d").is_none());
        cache.clear();
        assert!(cache.get("a.b.c").is_none());
        // Verified with the old keys: not remembered under the new ones.
        cache.insert("a.b.c", PAYLOAD, generation, 0.0);
        assert!(cache.get("a.b.c").is_none());
    }

    #[test]
    fn stays_bounded_and_skips_long_or_unexpiring_tokens() {
        let cache = TokenCache::new(4);
        for i in 0..10 {
            cache.insert(&format!("t{i}"), PAYLOAD, 0, 0.0);
        }
        assert_eq!(cache.len(), 4);
        let long = "x".repeat(CACHE_MAX_TOKEN_LEN + 1);
        cache.clear();
        cache.insert(&long, PAYLOAD, 1, 0.0);
        cache.insert("no-exp", br#"{"sub":"u"}"#, 1, 0.0);
        assert_eq!(cache.len(), 0);
        // Expired entries make room first.
        cache.insert("old", br#"{"sub":"u","exp":5}"#, 1, 0.0);
        for i in 0..3 {
            cache.insert(&format!("n{i}"), PAYLOAD, 1, 0.0);
        }
        cache.insert("new", PAYLOAD, 1, 10.0);
        assert!(cache.get("old").is_none());
        assert_eq!(cache.len(), 4);
    }
}
