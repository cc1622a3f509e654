//! The part of [`Verifier`] that checks tokens against JWKS keys (feature
//! `jwks`): the asymmetric signature check and the verified-token cache.

use crate::error::ErrorKind;
use crate::keys::public::MAX_SIGNATURE_LEN;
use crate::token::claims::Claims;
use crate::token::compact::{Segments, decode_into};
use crate::token::decode::DecodeClaims;
use crate::token::decode::sealed::Decode as _;
use crate::token::header::Algorithm;
use crate::verifier::Verifier;
use crate::verifier::{Checked, Stop};

impl Verifier {
    /// The claims of a token the cache vouches for, checked again in full
    /// except for the signature. `None` on a miss or without a cache.
    pub(crate) fn cached<T: DecodeClaims>(&self, token: &str) -> Option<Result<T, ErrorKind>> {
        let jwks = self.inner.jwks.as_ref()?;
        let cache = jwks.cache()?;
        let hit = cache.get(token)?;
        if jwks.expired() {
            return Some(Err(ErrorKind::KeysUnavailable));
        }
        let claims = T::from_cached(&hit, &self.inner.public_key_policy);
        if claims.as_ref().err() == Some(&ErrorKind::Expired) {
            cache.remove(token);
        }
        Some(claims)
    }

    /// Checks the signature of an EdDSA, ES256, ES512, RS256 or PS256 token
    /// against the JWKS key its header selects. Returns the cache generation
    /// of the keys used (when the cache is on).
    pub(crate) fn verify_public(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        segments: &Segments<'_>,
    ) -> Result<Option<u64>, Stop> {
        let jwks = self
            .inner
            .jwks
            .as_ref()
            .ok_or(ErrorKind::UnsupportedAlgorithm)?;
        if segments.signature.len() > (4 * MAX_SIGNATURE_LEN).div_ceil(3) {
            return Err(ErrorKind::InvalidSignature.into());
        }
        let (mut stack, mut heap) = ([0u8; MAX_SIGNATURE_LEN], Vec::new());
        let signature = decode_into(segments.signature, &mut stack, &mut heap)
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

    /// Caches a token whose signature a JWKS key checked and whose claims
    /// passed, when the cache is on.
    pub(crate) fn remember(&self, token: &str, checked: &Checked<'_>) {
        let (Some(jwks), Some(generation)) = (&self.inner.jwks, checked.cache_generation) else {
            return;
        };
        let Some(cache) = jwks.cache() else { return };
        let policy = &self.inner.public_key_policy;
        // Once per token: parsed again as `Claims`, which hits share.
        if let Ok(shared) = Claims::decode_claims(checked.payload, policy) {
            cache.insert(token, shared, generation, policy.clock.now_unix());
        }
    }

    /// Whether `kid` names a JWKS key (an HS256 token must not).
    pub(crate) fn names_public_key(&self, kid: Option<&str>) -> bool {
        match (&self.inner.jwks, kid) {
            (Some(jwks), Some(kid)) => jwks.has_kid(kid),
            _ => false,
        }
    }
}
