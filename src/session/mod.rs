//! Better Auth sessions: the credentials a Better Auth front end holds when
//! its JWT plugin is off.
//!
//! - the signed session token (`secrets.rs`, `signed_token.rs`): the
//!   `better-auth.session_token` cookie, or the bearer plugin's
//!   `Authorization: Bearer <token>.<signature>`, checked with the secret
//!   before anything else, then resolved by a [`SessionStore`](store::SessionStore)
//!   (`store.rs`) behind a short-lived cache;
//! - the cookie cache (`cookie_cache.rs`, `jwe.rs`): the `session_data`
//!   cookie, which carries the session itself, so no lookup is needed while
//!   it is fresh.
//!
//! Either way the handler gets claims shaped like the JWT plugin's: the
//! user's fields with `sub`, `sid` and `exp` (`settings.rs` holds what the
//! builder collected; [`Sessions`] is what the verifier runs).

pub(crate) mod cookie_cache;
pub(crate) mod env;
#[cfg(feature = "session-http")]
pub(crate) mod http_store;
#[cfg(feature = "session-jwe")]
pub(crate) mod jwe;
#[cfg(feature = "session-redis")]
pub(crate) mod redis_store;
pub(crate) mod secrets;
pub(crate) mod settings;
pub(crate) mod signed_token;
#[cfg(feature = "session-sql")]
pub(crate) mod sql_store;
pub(crate) mod store;
pub(crate) mod verified;

use std::sync::Arc;

use crate::error::{Error, ErrorKind};
use crate::http::credentials::{HeaderSource, chunked_cookie};
use crate::session::cookie_cache::{CacheKeys, CookieCacheStrategy};
use crate::session::store::{
    Lookup, Resolved, SessionStore, SessionToken, StoreCache, Unavailable,
};
use crate::session::verified::VerifiedCaches;
use crate::token::claims::{Claims, Credential};
use crate::token::clock::Clock;
use crate::token::decode::DecodeClaims;
use crate::token::decode::sealed::Decode as _;
use crate::token::policy::Policy;
use crate::trace;

/// The session credentials a verifier accepts, ready to check.
pub(crate) struct Sessions {
    pub(crate) keys: CacheKeys,
    /// The session-token cookie's names, `__Secure-` first: when both are
    /// sent, it wins, as in Better Auth's `getSessionCookie`.
    pub(crate) token_cookies: Vec<String>,
    /// The cookie cache's names, in the same order.
    pub(crate) data_cookies: Vec<String>,
    pub(crate) cookie_cache: Option<CookieCacheStrategy>,
    pub(crate) cache_version: String,
    pub(crate) bearer: bool,
    pub(crate) store: Option<Arc<dyn SessionStore>>,
    pub(crate) store_cache: StoreCache,
    pub(crate) clock: Clock,
    pub(crate) leeway_secs: f64,
    /// The claim policy of session credentials: only their expiry (they
    /// carry no `iss` or `aud`).
    pub(crate) policy: Policy,
    /// Cookie caches already verified (see `verified.rs`).
    pub(crate) verified_caches: VerifiedCaches,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("token_cookies", &self.token_cookies)
            .field("data_cookies", &self.data_cookies)
            .field("cookie_cache", &self.cookie_cache)
            .field("bearer", &self.bearer)
            .field("store", &self.store.is_some())
            .field("store_cache", &self.store_cache)
            .finish_non_exhaustive()
    }
}

/// A resolved session's claims, as the credential that vouched for them
/// gave them.
pub(crate) enum SessionClaims {
    /// The claims payload, decoded per request (a store's answer), with
    /// the kind of credential that vouched for it.
    Payload(Arc<[u8]>, Credential),
    /// A verified cookie cache's claims, decoded and checked when it was
    /// first seen (only the times are checked again).
    Cached(Claims),
}

impl Sessions {
    /// Resolves the signed session token `value` (from the cookie
    /// `cookie_name`, or the bearer plugin's header when `None`) to its
    /// session: the cookie cache when the request carries a valid, fresh one
    /// for this token, else the store.
    ///
    /// Better Auth does the same (`api/routes/session.mjs`): a cache is used
    /// only with a valid session token equal to its `session.token`, of the
    /// expected version, before its own expiry and the session's. Any other
    /// cache (missing, stale, broken, sent twice, too large) is ignored when
    /// a store can answer, and refuses the request only when none is
    /// configured: a cookie planted by a sibling subdomain cannot lock the
    /// user out of the API while the web app keeps working.
    pub(crate) async fn resolve<H: HeaderSource>(
        &self,
        value: &str,
        cookie_name: Option<&str>,
        headers: &H,
    ) -> Result<SessionClaims, Error> {
        let signed = signed_token::verify(value, &self.keys.current)?;
        let cache_refusal = match self.vouched_by_cache(signed.token, headers) {
            Ok(claims) => return Ok(claims),
            Err(refusal) => refusal,
        };
        let Some(store) = &self.store else {
            return Err(cache_refusal.into());
        };
        let token = SessionToken {
            token: signed.token,
            signed: &signed.cookie_value,
            cookie_name,
        };
        let lookup = async {
            match store.find_session(&token).await {
                Ok(record) => Ok(Resolved {
                    payload: record.map(|record| Arc::from(record.to_payload())),
                }),
                Err(error) => {
                    trace::session_store_failed(&error, error.retry_after_hint().is_some());
                    Err(Unavailable {
                        retry_after: error.retry_after_hint(),
                        unusable_answer: error.is_unusable_answer(),
                    })
                }
            }
        };
        let answer = self
            .store_cache
            .resolve(StoreCache::key(signed.token), lookup)
            .await;
        answer_of(answer)
    }

    /// [`resolve`](Self::resolve) as far as it goes without waiting: `None`
    /// when the store must be asked (no fresh answer in its cache).
    pub(crate) fn resolve_now<H: HeaderSource>(
        &self,
        value: &str,
        headers: &H,
    ) -> Option<Result<SessionClaims, Error>> {
        let signed = match signed_token::verify(value, &self.keys.current) {
            Ok(signed) => signed,
            Err(kind) => return Some(Err(kind.into())),
        };
        let cache_refusal = match self.vouched_by_cache(signed.token, headers) {
            Ok(claims) => return Some(Ok(claims)),
            Err(refusal) => refusal,
        };
        if self.store.is_none() {
            return Some(Err(cache_refusal.into()));
        }
        let answer = self.store_cache.get_now(&StoreCache::key(signed.token))?;
        Some(answer_of(answer))
    }

    /// The claims of a resolved session, as `T`.
    pub(crate) fn claims<T: DecodeClaims>(&self, session: &SessionClaims) -> Result<T, Error> {
        Ok(match session {
            SessionClaims::Payload(payload, credential) => {
                T::decode_claims(payload, &self.policy)?.with_credential(*credential)
            }
            SessionClaims::Cached(claims) => T::from_cached(claims, &self.policy)?,
        })
    }

    /// The session the request's cookie cache vouches for, for the signed
    /// session token `token`; else why not (ignored when a store can answer).
    fn vouched_by_cache<H: HeaderSource>(
        &self,
        token: &str,
        headers: &H,
    ) -> Result<SessionClaims, ErrorKind> {
        let Some(strategy) = self.cookie_cache else {
            return Err(ErrorKind::SessionNotFound);
        };
        let data =
            chunked_cookie(headers, &self.data_cookies)?.ok_or(ErrorKind::SessionNotFound)?;
        let key = VerifiedCaches::key(token, &data);
        let now_ms = self.clock.now_unix() * 1000.0;
        let leeway_ms = self.leeway_secs * 1000.0;
        if let Some(claims) = self.verified_caches.get(&key, &data, now_ms - leeway_ms) {
            return Ok(SessionClaims::Cached(claims));
        }
        let (payload, expires_at_ms) = self.read_cache(strategy, &data, token, now_ms)?;
        // Remembered only when the claims pass the verifier's rules; when
        // they do not, the request is refused by decoding the payload.
        match Claims::decode_claims(&payload, &self.policy) {
            Ok(claims) => {
                let claims = claims.with_credential(Credential::CookieCache);
                (self.verified_caches).insert(key, &data, claims.clone(), expires_at_ms);
                Ok(SessionClaims::Cached(claims))
            }
            Err(_) => Ok(SessionClaims::Payload(payload, Credential::CookieCache)),
        }
    }

    /// The claims payload of a cookie cache that vouches for `token` at
    /// `now_ms`, and when the cache expires.
    fn read_cache(
        &self,
        strategy: CookieCacheStrategy,
        value: &str,
        token: &str,
        now_ms: f64,
    ) -> Result<(Arc<[u8]>, f64), ErrorKind> {
        let cached = cookie_cache::read(strategy, value, &self.keys)?;
        if cached.token != token || cached.version.as_deref().unwrap_or("1") != self.cache_version {
            return Err(ErrorKind::SessionNotFound);
        }
        if cached.expires_at_ms + self.leeway_secs * 1000.0 <= now_ms {
            return Err(ErrorKind::Expired);
        }
        Ok((Arc::from(cached.record.to_payload()), cached.expires_at_ms))
    }
}

/// A store's answer, as the request sees it.
fn answer_of(answer: Lookup) -> Result<SessionClaims, Error> {
    match answer {
        Ok(Resolved {
            payload: Some(payload),
        }) => Ok(SessionClaims::Payload(payload, Credential::SessionToken)),
        Ok(Resolved { payload: None }) => Err(ErrorKind::SessionNotFound.into()),
        Err(unavailable) => {
            let error = Error::from(ErrorKind::SessionStoreUnavailable);
            Err(match unavailable.retry_after {
                Some(wait) => error.with_retry_after(wait),
                None => error,
            })
        }
    }
}
