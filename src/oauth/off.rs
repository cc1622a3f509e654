//! Without the `oauth` feature: the same interface as `access_token.rs` and
//! `settings.rs`, with no access tokens at all (no value of
//! [`AccessTokens`] can exist), so that the seam and the verifier read the
//! same either way.

use http::Response;

use crate::credential::RequestParts;
use crate::error::config::ConfigError;
use crate::error::{Error, ErrorKind};
use crate::http::credentials::HeaderSource;
use crate::jwks::Stop;
use crate::token::decode::DecodeClaims;
use crate::token::policy::Policy;
use crate::verifier::Verifier;

/// No access-token rules: uninhabited.
#[derive(Debug)]
pub(crate) enum AccessTokens {}

impl AccessTokens {
    pub(crate) fn dpop_from_authorization<'v>(
        &self,
        _: &'v [u8],
    ) -> Result<Option<&'v str>, ErrorKind> {
        match *self {}
    }

    pub(crate) fn verify_bearer<T: DecodeClaims>(&self, _: &Verifier, _: &str) -> Result<T, Stop> {
        match *self {}
    }

    pub(crate) fn accepts_jwt_plugin_tokens(&self) -> bool {
        match *self {}
    }

    pub(crate) fn opaque_from_authorization<'v>(&self, _: &'v [u8]) -> Option<&'v str> {
        match *self {}
    }

    pub(crate) fn verify_opaque_now<T: DecodeClaims>(&self, _: &str) -> Option<Result<T, Error>> {
        match *self {}
    }

    pub(crate) async fn verify_opaque<T: DecodeClaims>(&self, _: &str) -> Result<T, Error> {
        match *self {}
    }

    pub(crate) async fn verify_dpop<T: DecodeClaims, H: HeaderSource>(
        &self,
        _: &Verifier,
        _: &str,
        _: &RequestParts<'_, H>,
    ) -> Result<T, Error> {
        match *self {}
    }

    #[cfg(any(feature = "tower", feature = "actix"))]
    pub(crate) fn metadata_response(&self, _: &str, _: &str) -> Option<Response<String>> {
        match *self {}
    }

    pub(crate) fn amend(&self, _: &Error, _: &mut Response<String>) {
        match *self {}
    }
}

/// No OAuth settings can be made without the feature.
#[derive(Debug, Default)]
pub(crate) struct OAuthSettings {}

impl OAuthSettings {
    pub(crate) fn is_set(&self) -> bool {
        false
    }

    pub(crate) fn build(self, _: &Policy) -> Result<Option<AccessTokens>, ConfigError> {
        Ok(None)
    }
}
