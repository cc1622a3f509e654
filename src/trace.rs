//! Security events, through `tracing` when the `tracing` feature is on.
//!
//! Events carry the error kind and code, never the token, a key or a claim.
//! Expected refusals are DEBUG; misconfiguration is WARN.

use crate::error::Error;
#[cfg(feature = "tracing")]
use crate::error::ErrorKind;

/// A request was refused.
pub(crate) fn refused(error: &Error) {
    #[cfg(feature = "tracing")]
    match error.kind() {
        ErrorKind::Misconfigured => {
            tracing::warn!(code = error.kind().code(), "jwtguard: server misconfigured")
        }
        ErrorKind::KeysUnavailable => tracing::warn!(
            code = error.kind().code(),
            "jwtguard: public-key token refused, no JWKS keys are loaded"
        ),
        ErrorKind::SessionStoreUnavailable => tracing::warn!(
            code = error.kind().code(),
            "jwtguard: session refused, the session store did not answer"
        ),
        kind => tracing::debug!(
            code = kind.code(),
            status = error.status().as_u16(),
            "jwtguard: request refused"
        ),
    }
    #[cfg(not(feature = "tracing"))]
    let _ = error;
}

/// A session store could not answer (the request gets 503). Its message is
/// the store's: the provided stores never put a token in it. A store that
/// said when to come back (`announced`: a rate limit it backs off from) has
/// already warned once, so each refusal is only a DEBUG event then.
pub(crate) fn session_store_failed(error: &dyn std::fmt::Display, announced: bool) {
    #[cfg(feature = "tracing")]
    if announced {
        tracing::debug!(error = %error, "jwtguard: session store backing off");
    } else {
        tracing::warn!(error = %error, "jwtguard: session store did not answer");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (error, announced);
}

/// The API key store could not answer (the request gets 503). Its message
/// is sqlx's, which names the failure, never a bound value (the key's hash).
#[cfg(feature = "api-key")]
pub(crate) fn api_key_store_failed(error: &dyn std::fmt::Display) {
    #[cfg(feature = "tracing")]
    tracing::warn!(error = %error, "jwtguard: API key store did not answer");
    #[cfg(not(feature = "tracing"))]
    let _ = error;
}

/// Better Auth answered `get-session` with 429: its rate limiter counts
/// every lookup of this service as one client. Warned once per store.
#[cfg(feature = "session-http")]
pub(crate) fn get_session_rate_limited(retry_after_secs: u64) {
    #[cfg(feature = "tracing")]
    tracing::warn!(
        retry_after_secs,
        "jwtguard: Better Auth rate-limited get-session (429); session lookups pause until \
         its Retry-After. Exempt this service in the Better Auth app: \
         rateLimit.customRules = {{ \"/get-session\": false }} (see HttpSessionStore's docs)"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = retry_after_secs;
}

/// The DPoP replay store could not answer: the request is refused (503).
#[cfg(feature = "oauth")]
pub(crate) fn replay_store_unavailable(error: &dyn std::fmt::Display) {
    #[cfg(feature = "tracing")]
    tracing::warn!(error = %error, "jwtguard: DPoP replay store did not answer");
    #[cfg(not(feature = "tracing"))]
    let _ = error;
}

/// The server is set up wrong; `what` says how to fix it.
pub(crate) fn misconfigured(what: &'static str) {
    #[cfg(feature = "tracing")]
    tracing::warn!(problem = what, "jwtguard: server misconfigured");
    #[cfg(not(feature = "tracing"))]
    let _ = what;
}

/// A JWKS was loaded; `changed` when its keys differ from the previous ones.
#[cfg(feature = "jwks")]
pub(crate) fn jwks_loaded(keys: usize, changed: bool) {
    #[cfg(feature = "tracing")]
    if changed {
        tracing::info!(keys, "jwtguard: JWKS keys changed");
    } else {
        tracing::debug!(keys, "jwtguard: JWKS reloaded, keys unchanged");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (keys, changed);
}

/// A JWKS load failed: the keys already loaded stay in use, or (a
/// background start) there are none yet.
#[cfg(feature = "jwks")]
pub(crate) fn jwks_reload_failed(error: &crate::error::jwks::JwksError, have_keys: bool) {
    #[cfg(feature = "tracing")]
    if have_keys {
        tracing::warn!(%error, "jwtguard: JWKS reload failed, keeping the keys already loaded");
    } else {
        tracing::warn!(%error, "jwtguard: JWKS load failed, no keys yet: public-key tokens get 503");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (error, have_keys);
}

/// A JWKS reload panicked (a bug in a fetch function); it counts as failed.
#[cfg(feature = "jwks")]
pub(crate) fn jwks_reload_panicked() {
    #[cfg(feature = "tracing")]
    tracing::warn!("jwtguard: JWKS reload panicked, keeping the keys already loaded");
}

/// A token named an unknown `kid`; `reloading` unless the cooldown holds.
#[cfg(feature = "jwks")]
pub(crate) fn jwks_unknown_key(reloading: bool) {
    #[cfg(feature = "tracing")]
    if reloading {
        tracing::debug!("jwtguard: unknown kid, reloading the JWKS");
    } else {
        tracing::debug!("jwtguard: unknown kid, JWKS reloaded recently, not reloading");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = reloading;
}

/// A JWKS key was not loaded; the others were.
#[cfg(feature = "jwks")]
pub(crate) fn jwks_key_skipped(key: &crate::error::jwks::SkippedKey) {
    #[cfg(feature = "tracing")]
    tracing::warn!(
        index = key.index,
        kid = ?key.kid,
        reason = key.reason,
        "jwtguard: JWKS key skipped"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = key;
}

/// Every reload failed for longer than the maximum age: the keys are dropped.
#[cfg(feature = "jwks")]
pub(crate) fn jwks_expired() {
    #[cfg(feature = "tracing")]
    tracing::warn!(
        "jwtguard: JWKS keys dropped, no reload succeeded within JwksSettings::max_age; \
         public-key tokens get 503 until one does"
    );
}
