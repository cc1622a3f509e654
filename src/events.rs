//! Security events, through `tracing` when the `tracing` feature is on.
//!
//! Events carry the error kind and code, never the token, a key or a claim.
//! Expected refusals are DEBUG; misconfiguration is WARN.

use crate::Error;
#[cfg(feature = "tracing")]
use crate::ErrorKind;

/// A request was refused.
pub(crate) fn refused(error: &Error) {
    #[cfg(feature = "tracing")]
    match error.kind() {
        ErrorKind::Misconfigured => {
            tracing::warn!(code = error.kind().code(), "jwtguard: server misconfigured")
        }
        kind => tracing::debug!(
            code = kind.code(),
            status = error.status().as_u16(),
            "jwtguard: request refused"
        ),
    }
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
