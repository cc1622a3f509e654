//! Turning a verified payload into what the caller asked for: [`Claims`],
//! or any serde type, with the registered claims checked either way.

use serde::de::DeserializeOwned;

use crate::error::ErrorKind;
use crate::token::claims::{Claims, Keep, RawClaims};
use crate::token::policy::Policy;
use crate::token::strict_de;

/// A type [`Verifier::verify_as`](crate::Verifier::verify_as) can return:
/// [`Claims`], or any type that implements `serde::de::DeserializeOwned`.
/// Sealed: those two cover every use.
///
/// Whatever the type, the registered claims are checked first (`sub`, `exp`,
/// `nbf`, `iat`, `iss`, `aud`) and duplicate member names are refused.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct MyClaims { sub: String, email: String }
///
/// fn accepts<T: jwtguard::DecodeClaims>() {}
/// accepts::<MyClaims>();
/// accepts::<jwtguard::Claims>();
/// ```
pub trait DecodeClaims: sealed::Decode {}

impl<T: sealed::Decode> DecodeClaims for T {}

pub(crate) mod sealed {
    use super::*;

    /// How a verified payload becomes `Self`; not nameable outside the crate.
    pub trait Decode: Sized {
        fn decode_claims(payload: &[u8], policy: &Policy) -> Result<Self, ErrorKind>;

        /// Marks claims as read from a credential of kind `credential`
        /// (only [`Claims`] records it).
        fn with_credential(self, credential: crate::token::claims::Credential) -> Self {
            let _ = credential;
            self
        }

        /// From claims already verified (placed in a request's extensions by
        /// a layer or middleware): nothing is checked again, the payload is
        /// only read into `Self`.
        fn from_claims(claims: &Claims) -> Result<Self, ErrorKind>;

        /// From claims a cache vouches for (the JWKS token cache, verified
        /// cookie caches), checked against `policy` when they were cached.
        fn from_cached(claims: &Claims, policy: &Policy) -> Result<Self, ErrorKind> {
            Self::decode_claims(claims.payload(), policy)
        }
    }

    impl Decode for Claims {
        fn decode_claims(payload: &[u8], policy: &Policy) -> Result<Self, ErrorKind> {
            policy.check(RawClaims::parse(payload, Keep::Nothing)?, payload)
        }

        fn with_credential(self, credential: crate::token::claims::Credential) -> Self {
            Claims::with_credential(self, credential)
        }

        fn from_claims(claims: &Claims) -> Result<Self, ErrorKind> {
            Ok(claims.clone())
        }

        /// Shared, not parsed again: only the time claims can have changed.
        fn from_cached(claims: &Claims, policy: &Policy) -> Result<Self, ErrorKind> {
            policy.check_times(claims.exp(), claims.nbf(), claims.iat())?;
            Ok(claims.clone())
        }
    }

    impl<T: DeserializeOwned> Decode for T {
        fn decode_claims(payload: &[u8], policy: &Policy) -> Result<Self, ErrorKind> {
            fill_checked(payload, policy)
        }

        fn from_claims(claims: &Claims) -> Result<Self, ErrorKind> {
            strict_de::fill::<T>(claims.payload())
                .map(|(typed, _)| typed)
                .map_err(|_| ErrorKind::ClaimsShape)
        }
    }
}

/// Fills `T` from a verified payload in one pass that also reads the
/// registered claims and refuses duplicate names; then checks the claims.
/// When the pass fails, a scan tells a bad payload (and its registered
/// claims' refusals, which come first) from a type that does not fit.
pub(crate) fn fill_checked<'p, T: serde::Deserialize<'p>>(
    payload: &'p [u8],
    policy: &Policy,
) -> Result<T, ErrorKind> {
    let scanned = || RawClaims::parse(payload, Keep::Nothing).and_then(|raw| policy.validate(&raw));
    match strict_de::fill::<T>(payload) {
        Ok((claims, raw)) => {
            if raw.has_unread() {
                scanned()?;
            } else {
                policy.validate(&raw)?;
            }
            Ok(claims)
        }
        Err(_) => {
            scanned()?;
            Err(ErrorKind::ClaimsShape)
        }
    }
}
