//! [`PublicKeys`]: what a verifier checks JWKS-signed tokens with (feature
//! `jwks`): the asymmetric signature check against Better Auth's key set,
//! the policy for such tokens, and the verified-token cache. Without the
//! feature, `off.rs` stands in with the same interface, so that the
//! verifier's core carries no feature switch.

use std::fmt;

use crate::error::{Error, ErrorKind};
use crate::jwks::refresh::KeysRefreshed;
use crate::jwks::store::Jwks;
use crate::keys::public::MAX_SIGNATURE_LEN;
use crate::token::claims::Claims;
use crate::token::compact::{Scratch, Segments};
use crate::token::decode::DecodeClaims;
use crate::token::decode::sealed::Decode as _;
use crate::token::header::Algorithm;
use crate::token::policy::Policy;

/// Why a token did not pass: a refusal, or a refusal that a JWKS reload now
/// under way may lift (an unknown `kid`, keys past their maximum age).
pub(crate) enum Stop {
    Refused(ErrorKind),
    AwaitKeys(KeysRefreshed, ErrorKind),
}

impl From<ErrorKind> for Stop {
    fn from(kind: ErrorKind) -> Self {
        Self::Refused(kind)
    }
}

impl From<Stop> for Error {
    /// Without waiting, the token is refused (the reload goes on in the
    /// background).
    fn from(stop: Stop) -> Self {
        match stop {
            Stop::Refused(kind) | Stop::AwaitKeys(_, kind) => kind.into(),
        }
    }
}

impl Stop {
    /// A verification's outcome if it needs no waiting: `None` when it
    /// awaits a JWKS reload.
    pub(crate) fn now<T>(result: Result<T, Stop>) -> Option<Result<T, Error>> {
        match result {
            Ok(claims) => Some(Ok(claims)),
            Err(Stop::Refused(kind)) => Some(Err(kind.into())),
            Err(Stop::AwaitKeys(..)) => None,
        }
    }

    /// Waits for the reload this refusal awaits, if any, then runs `again`;
    /// a plain refusal is the error at once.
    pub(crate) async fn wait_then<T>(
        self,
        again: impl FnOnce() -> Result<T, Error>,
    ) -> Result<T, Error> {
        match self {
            Stop::Refused(kind) => Err(kind.into()),
            Stop::AwaitKeys(reloaded, _) => {
                reloaded.await;
                again()
            }
        }
    }
}

/// The JWKS a verifier holds, if any, and the claim policy of the tokens
/// its keys sign.
pub(crate) struct PublicKeys {
    jwks: Option<Jwks>,
    /// The verifier's policy with the `iss`/`aud` checks of
    /// `JwksSettings::claim_check`.
    policy: Policy,
    /// Whether tokens that are not OAuth access tokens are accepted.
    plain_tokens: bool,
}

impl fmt::Debug for PublicKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.jwks, f)
    }
}

impl PublicKeys {
    pub(crate) fn new(jwks: Option<Jwks>, policy: Policy, plain_tokens: bool) -> Self {
        Self {
            jwks,
            policy,
            plain_tokens,
        }
    }

    /// Whether a token signed by these keys that is not an OAuth access
    /// token (the JWT plugin's) is accepted.
    pub(crate) fn accepts_plain_tokens(&self) -> bool {
        self.plain_tokens
    }

    /// The claim policy of tokens signed by a JWKS key.
    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The claims of a token the cache vouches for, checked again in full
    /// except for the signature. `None` on a miss or without a cache.
    pub(crate) fn cached<T: DecodeClaims>(&self, token: &str) -> Option<Result<T, ErrorKind>> {
        let jwks = self.jwks.as_ref()?;
        let cache = jwks.cache()?;
        let hit = cache.get(token)?;
        if jwks.expired() {
            return Some(Err(ErrorKind::KeysUnavailable));
        }
        let claims = T::from_cached(&hit, &self.policy);
        if claims.as_ref().err() == Some(&ErrorKind::Expired) {
            cache.remove(token);
        }
        Some(claims)
    }

    /// Checks the signature of an EdDSA, ES256, ES512, RS256 or PS256 token
    /// against the JWKS key its header selects. Returns the cache generation
    /// of the keys used (when the cache is on).
    pub(crate) fn verify(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        segments: &Segments<'_>,
    ) -> Result<Option<u64>, Stop> {
        let jwks = self.jwks.as_ref().ok_or(ErrorKind::UnsupportedAlgorithm)?;
        if segments.signature.len() > (4 * MAX_SIGNATURE_LEN).div_ceil(3) {
            return Err(ErrorKind::InvalidSignature.into());
        }
        let mut scratch = Scratch::<MAX_SIGNATURE_LEN>::new();
        let signature = scratch
            .decode(segments.signature)
            .map_err(|_| ErrorKind::InvalidSignature)?;
        let epoch = jwks.epoch();
        match jwks.verify(alg, kid, segments.signing_input, signature) {
            Ok(generation) => Ok(generation),
            // A reload may supply a named key, or bring back keys past their
            // maximum age. A token without `kid` that matches no single key
            // is refused at once.
            Err(kind @ (ErrorKind::UnknownKey | ErrorKind::KeysUnavailable))
                if kid.is_some() || kind == ErrorKind::KeysUnavailable =>
            {
                Err(match jwks.refresh_for_unknown_key(epoch) {
                    Some(reloaded) => Stop::AwaitKeys(reloaded, kind),
                    None => kind.into(),
                })
            }
            Err(kind) => Err(kind.into()),
        }
    }

    /// Caches a token whose signature a JWKS key checked (with the keys of
    /// `generation`) and whose claims passed, when the cache is on.
    pub(crate) fn remember(&self, token: &str, payload: &[u8], generation: Option<u64>) {
        let (Some(jwks), Some(generation)) = (&self.jwks, generation) else {
            return;
        };
        let Some(cache) = jwks.cache() else { return };
        // Once per token: parsed again as `Claims`, which hits share.
        if let Ok(shared) = Claims::decode_claims(payload, &self.policy) {
            cache.insert(token, shared, generation);
        }
    }

    /// Whether `kid` names a JWKS key (an HS256 token must not).
    pub(crate) fn names_key(&self, kid: Option<&str>) -> bool {
        match (&self.jwks, kid) {
            (Some(jwks), Some(kid)) => jwks.has_kid(kid),
            _ => false,
        }
    }

    /// Whether tokens signed by a JWKS key can be checked now.
    pub(crate) fn is_ready(&self) -> bool {
        self.jwks.as_ref().is_none_or(Jwks::is_ready)
    }
}
