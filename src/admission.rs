//! What the tower layer and the actix middleware share: which verified
//! requests they let in (optional or required credentials, a claim guard),
//! and the claims they place in the request's extensions.

use std::any::TypeId;

use crate::error::Error;
use crate::token::claims::Claims;
use crate::token::decode::DecodeClaims;
use crate::token::guard::ClaimGuard;
use crate::verifier::{Verifier, optional};

/// A layer's or middleware's settings; cloned into every service it makes.
#[derive(Clone)]
pub(crate) struct Admission {
    pub(crate) verifier: Verifier,
    /// Requests without any credentials pass, without claims.
    pub(crate) optional: bool,
    pub(crate) guard: Option<ClaimGuard>,
}

impl Admission {
    pub(crate) fn new(verifier: Verifier) -> Self {
        Self {
            verifier,
            optional: false,
            guard: None,
        }
    }

    /// Adds `guard` to the rules (both apply when called twice).
    pub(crate) fn require(&mut self, guard: ClaimGuard) {
        self.guard = Some(match self.guard.take() {
            Some(first) => first.and(guard),
            None => guard,
        });
    }

    /// The claims a verified request enters with: `None` for an anonymous
    /// request when credentials are optional; the guard checked.
    pub(crate) fn admit(&self, verified: Result<Claims, Error>) -> Result<Option<Claims>, Error> {
        let claims = if self.optional {
            optional(verified)?
        } else {
            Some(verified?)
        };
        if let (Some(claims), Some(guard)) = (&claims, &self.guard) {
            guard.check(claims)?;
        }
        Ok(claims)
    }
}

/// The claims as `C`, to place next to [`Claims`] in the extensions;
/// `None` when `C` is `Claims` itself.
pub(crate) fn typed_claims<C>(claims: &Claims) -> Result<Option<C>, Error>
where
    C: DecodeClaims + 'static,
{
    if TypeId::of::<C>() == TypeId::of::<Claims>() {
        return Ok(None);
    }
    Ok(Some(C::from_claims(claims)?))
}
